"""``rose score``: the official evaluator's command line, same flags, same output files.

Flags are accepted verbatim (``--dataset_root``, ``--allow_partial`` ...) and with
dashes (``--dataset-root``, ``--allow-partial`` ...).  Bad input prints one line
naming the file/line/field and the fix on stderr and exits 2; nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .evaluate import DEFAULT_REPO_ID, SPLITS, ScoreOptions, run
from .io import InputError
from .report import markdown_summary

__all__ = ["add_parser", "main"]


def _flag(name: str) -> list[str]:
    dashed = name.replace("_", "-")
    return [f"--{name}"] if dashed == name else [f"--{name}", f"--{dashed}"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "score",
        help="score predictions exactly like the official ROSE v0.1 evaluator",
        description=__doc__.splitlines()[0],
    )
    p.add_argument(*_flag("predictions"), type=Path, required=True,
                   help="predictions JSONL: item_id, raw_text, optional error, model")
    p.add_argument(*_flag("dataset_root"), type=Path, default=None,
                   help="official layout (metadata_<split>.jsonl) or a `rose build` output directory")
    p.add_argument(*_flag("metadata"), type=Path, default=None,
                   help="a metadata .jsonl or .parquet file (instead of --dataset_root)")
    p.add_argument(*_flag("split"), choices=SPLITS, default="test")
    p.add_argument(*_flag("out_dir"), type=Path, default=None,
                   help="output directory (replaced atomically); omit to only print the summary")
    p.add_argument(*_flag("allow_partial"), action="store_true",
                   help="score only the items that have predictions (otherwise every item is required)")
    p.add_argument(*_flag("model"), default="", help="model-name override")
    p.add_argument(*_flag("display_name"), default="", help="display name used in the LaTeX rows")
    p.add_argument(*_flag("digits"), type=int, default=1, help="decimals of percentages in the LaTeX rows")
    p.add_argument(*_flag("near_miss_l1"), type=int, default=1,
                   help="L1 radius for near-miss diagnostics (default 1)")
    p.add_argument(*_flag("repo_id"), default=DEFAULT_REPO_ID,
                   help="dataset id recorded in the summary (metadata is never downloaded)")
    p.add_argument(*_flag("revision"), default="", help="accepted for compatibility; unused (no Hub access)")
    p.add_argument("--quiet", action="store_true", help="do not print the Markdown summary")
    p.set_defaults(func=main)
    return p


def main(args: argparse.Namespace) -> int:
    opts = ScoreOptions(
        predictions=args.predictions,
        out_dir=args.out_dir,
        dataset_root=args.dataset_root,
        metadata=args.metadata,
        split=args.split,
        allow_partial=args.allow_partial,
        model=args.model,
        display_name=args.display_name,
        near_miss_l1=args.near_miss_l1,
        digits=args.digits,
        repo_id=args.repo_id,
    )
    try:
        result = run(opts)
    except (InputError, OSError) as exc:  # OSError: e.g. an unwritable --out_dir
        print(f"rose score: error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(markdown_summary(result.summary, result.rows, args.digits))
        print("Table 1 row:\n" + result.table1_text)
        print("Table 2 row:\n" + result.table2_text)
        if args.out_dir is not None:
            print(f"\nWrote {Path(args.out_dir)}/ (per_item_eval.jsonl, evaluation_summary.json, ...)")
    return 0
