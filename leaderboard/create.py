"""``rose submission create``: lmms-eval samples or a predictions JSONL -> a submission bundle folder."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Optional, Sequence

from rose_bench.scoring.io import InputError, atomic_dir, read_jsonl

from .bundle import (
    MAX_PREDICTIONS_BYTES, PREDICTIONS_NAME, SUBMISSION_NAME, dataset_fingerprint, harness_from_lmms_results,
    predictions_bytes, read_bundle, schema_problems, submission_record,
)

__all__ = ["create_bundle", "write_bundle", "add_parser"]


def _results_next_to(samples: Sequence[Path]) -> Optional[dict]:
    """lmms-eval writes ``<date>_results.json`` beside ``<date>_samples_<task>.jsonl``; None if absent."""
    found = sorted({p for s in samples for p in Path(s).parent.glob("*_results.json")})
    if len(found) > 1:
        raise InputError(found[0].parent, f"{len(found)} results files beside the samples",
                         fix="pass --results FILE to say which run the samples belong to")
    if not found:
        return None
    return _read_json(found[0])


def _read_json(path: Path) -> dict:
    path = Path(path)
    if path.stat().st_size > 64 << 20:
        raise InputError(path, "results file larger than 64 MiB", fix="pass lmms-eval's *_results.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"not a JSON file ({exc})", fix="pass lmms-eval's *_results.json") from None
    if not isinstance(data, dict):
        raise InputError(path, "expected a JSON object", fix="pass lmms-eval's *_results.json")
    return data


def create_bundle(
    *, model: dict, fingerprint: str, split: str, predictions: Optional[Path] = None,
    samples: Sequence[Path] = (), results: Optional[Path] = None, variants_tried: int = 1,
    baseline: bool = False, harness: Optional[dict] = None, repo_id: Optional[str] = None,
    revision: Optional[str] = None, notes: str = "",
) -> tuple[dict, bytes]:
    """(submission.json object, predictions.jsonl bytes); raises InputError on bad input."""
    if bool(predictions) == bool(samples):
        raise InputError("--predictions", "give exactly one of --predictions or --lmms-samples",
                         fix="a predictions JSONL, or the lmms-eval samples files of one run")
    if samples:
        from rose_bench.lmms_tasks.convert import convert

        for path in samples:
            if Path(path).is_file() and Path(path).stat().st_size > MAX_PREDICTIONS_BYTES * 4:
                raise InputError(path, "samples file too large", fix="pass the samples of one run")
        rows, _ = convert(list(samples), model["name"])
        info = _read_json(results) if results else _results_next_to(samples)
        harness = harness or (harness_from_lmms_results(info) if info else
                              {"name": "lmms-eval", "version": None, "git_hash": None, "limit": None})
    else:
        path = Path(predictions)
        if path.is_file() and path.stat().st_size > MAX_PREDICTIONS_BYTES:
            raise InputError(path, "predictions file larger than 256 MiB", fix="one short answer per item")
        rows = read_jsonl(path)
        harness = harness or {"name": "predictions", "version": None, "git_hash": None, "limit": None}
    data = predictions_bytes(rows)
    record = submission_record(
        model=model, harness=harness, fingerprint=fingerprint, split=split, predictions_bytes=data, rows=len(rows),
        variants_tried=variants_tried, baseline=baseline, repo_id=repo_id, revision=revision, notes=notes,
    )
    problems = schema_problems(record)
    if problems:
        raise InputError(SUBMISSION_NAME, f"schema: {problems[0]}", fix="check the --model-* and dataset options")
    return record, data


def write_bundle(out_dir: Path, record: dict, data: bytes) -> Path:
    """Write the bundle folder atomically (refuses a non-empty existing folder); read it back as a check."""
    with atomic_dir(out_dir, overwrite=False) as tmp:
        (tmp / PREDICTIONS_NAME).write_bytes(data)
        (tmp / SUBMISSION_NAME).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        read_bundle(tmp)
    return Path(out_dir)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("submission", help="make a leaderboard submission bundle (submission.json + predictions.jsonl)")
    sub = p.add_subparsers(dest="submission_command", metavar="ACTION", required=True)
    c = sub.add_parser("create", help="bundle lmms-eval samples (--log_samples) or a predictions JSONL",
                       description=__doc__.splitlines()[0])
    src = c.add_mutually_exclusive_group(required=True)
    src.add_argument("--lmms-samples", nargs="+", type=Path, metavar="SAMPLES_JSONL",
                     help="lmms-eval <date>_samples_<task>.jsonl files of one run (results JSON beside them is read)")
    src.add_argument("--predictions", type=Path, help="a predictions JSONL (item_id, raw_text[, error, model])")
    c.add_argument("--results", type=Path, default=None, help="lmms-eval *_results.json (default: found beside the samples)")
    c.add_argument("--dataset", type=Path, required=True, help="the build the predictions answer (its manifest pins it)")
    c.add_argument("--split", choices=("dev", "test"), default="test")
    c.add_argument("--model-name", required=True)
    c.add_argument("--organisation", required=True)
    c.add_argument("--revision", default=None, help="Hub commit sha (40 hex) of open weights")
    c.add_argument("--api-model-id", default=None, help="provider model id of an API model")
    weights = c.add_mutually_exclusive_group(required=True)
    weights.add_argument("--open-weights", dest="open_weights", action="store_true")
    weights.add_argument("--closed-weights", dest="open_weights", action="store_false")
    c.add_argument("--parameters", type=int, default=None, help="parameter count, if known")
    c.add_argument("--variants-tried", type=int, default=1,
                   help="how many variants of this model were evaluated on this split, this one included")
    c.add_argument("--hub-repo", default=None, help="Hub dataset repo the build was read from (provenance)")
    c.add_argument("--hub-revision", default=None)
    c.add_argument("--notes", default="")
    c.add_argument("--out", type=Path, required=True, help="bundle folder to write (must not exist or be empty)")
    c.set_defaults(func=run_create)
    return p


def model_fields(args: argparse.Namespace) -> dict[str, Any]:
    return {"name": args.model_name, "organisation": args.organisation, "revision": args.revision,
            "api_model_id": args.api_model_id, "open_weights": bool(args.open_weights), "parameters": args.parameters}


def run_create(args: argparse.Namespace) -> int:
    try:
        record, data = create_bundle(
            model=model_fields(args), fingerprint=dataset_fingerprint(args.dataset), split=args.split,
            predictions=args.predictions, samples=args.lmms_samples or (), results=args.results,
            variants_tried=args.variants_tried, repo_id=args.hub_repo, revision=args.hub_revision, notes=args.notes,
        )
        if record["harness"].get("limit") is not None:
            raise InputError(args.results or "lmms-eval results", f"the run used --limit {record['harness']['limit']}",
                             field="config.limit", fix="rerun lmms-eval without --limit (a board refuses sampled runs)")
        write_bundle(args.out, record, data)
    except InputError as exc:
        print(f"rose submission create: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}/ ({SUBMISSION_NAME}, {PREDICTIONS_NAME}: {record['predictions']['rows']} rows, "
          f"sha256 {record['predictions']['sha256'][:12]}...)")
    return 0
