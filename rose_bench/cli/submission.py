"""``rose submission create``: lmms-eval samples or a predictions JSONL -> a submission bundle folder.

The bundle logic is ``rose_bench.leaderboard.create`` (``create_bundle``,
``write_bundle``); this module parses the model's flags, refuses a bad
``--out`` before any work and prints what it wrote.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rose_bench.leaderboard.bundle import PREDICTIONS_NAME, SUBMISSION_NAME, dataset_fingerprint
from rose_bench.scoring.contract import SPLITS
from rose_bench.scoring.paths import check_output

from .args import flag, int_range

__all__ = ["add_parser", "run_create", "model_fields", "MAX_VARIANTS"]

MAX_VARIANTS = 1_000_000  # the submission schema's bound on variants_tried


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("submission", help="make a leaderboard submission bundle (submission.json + predictions.jsonl)")
    sub = p.add_subparsers(dest="submission_command", metavar="ACTION", required=True)
    c = sub.add_parser("create", help="bundle lmms-eval samples (--log_samples) or a predictions JSONL",
                       description=__doc__.splitlines()[0])
    src = c.add_mutually_exclusive_group(required=True)
    src.add_argument(*flag("lmms_samples"), nargs="+", type=Path, metavar="SAMPLES_JSONL",
                     help="lmms-eval <date>_samples_<task>.jsonl files of one run (results JSON beside them is read)")
    src.add_argument(*flag("predictions"), type=Path, help="a predictions JSONL (item_id, raw_text[, error, model])")
    c.add_argument(*flag("results"), type=Path, default=None,
                   help="lmms-eval *_results.json (default: found beside the samples)")
    c.add_argument(*flag("dataset"), type=Path, required=True,
                   help="the build the predictions answer (its manifest pins it)")
    c.add_argument(*flag("split"), choices=SPLITS, default="test")
    c.add_argument(*flag("model_name"), required=True)
    c.add_argument(*flag("organisation"), required=True)
    c.add_argument(*flag("revision"), default=None, help="Hub commit sha (40 hex) of open weights")
    c.add_argument(*flag("api_model_id"), default=None, help="provider model id of an API model")
    weights = c.add_mutually_exclusive_group(required=True)
    weights.add_argument(*flag("open_weights"), dest="open_weights", action="store_true")
    weights.add_argument(*flag("closed_weights"), dest="open_weights", action="store_false")
    c.add_argument(*flag("parameters"), type=int_range(1, example=7_000_000_000), default=None,
                   help="parameter count, if known")
    c.add_argument(*flag("variants_tried"), type=int_range(1, MAX_VARIANTS, example=1), default=1,
                   help="how many variants of this model were evaluated on this split, this one included")
    c.add_argument(*flag("hub_repo"), default=None, help="Hub dataset repo the build was read from (provenance)")
    c.add_argument(*flag("hub_revision"), default=None)
    c.add_argument(*flag("notes"), default="")
    c.add_argument(*flag("out"), type=Path, required=True,
                   help="bundle folder to write (must not exist or be empty unless --overwrite)")
    c.add_argument(*flag("overwrite"), action="store_true", help="replace a non-empty --out")
    c.set_defaults(func=run_create, command_label="submission create")
    return p


def model_fields(args: argparse.Namespace) -> dict[str, Any]:
    return {"name": args.model_name, "organisation": args.organisation, "revision": args.revision,
            "api_model_id": args.api_model_id, "open_weights": bool(args.open_weights), "parameters": args.parameters}


def run_create(args: argparse.Namespace) -> int:
    from rose_bench.leaderboard.bundle import write_bundle
    from rose_bench.leaderboard.create import create_bundle

    inputs = [("--dataset", args.dataset), ("--predictions", args.predictions), ("--results", args.results),
              *(("--lmms-samples", path) for path in args.lmms_samples or ())]
    check_output(args.out, inputs, flag="--out", overwrite=args.overwrite)
    record, data = create_bundle(
        model=model_fields(args), fingerprint=dataset_fingerprint(args.dataset), split=args.split,
        predictions=args.predictions, samples=args.lmms_samples or (), results=args.results,
        variants_tried=args.variants_tried, repo_id=args.hub_repo, revision=args.hub_revision, notes=args.notes,
    )
    write_bundle(args.out, record, data, overwrite=args.overwrite)
    print(f"wrote {args.out}/ ({SUBMISSION_NAME}, {PREDICTIONS_NAME}: {record['predictions']['rows']} rows, "
          f"sha256 {record['predictions']['sha256'][:12]}...)")
    return 0
