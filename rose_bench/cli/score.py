"""``rose score``: the official evaluator's command line, same flags, same output files.

Flags are spelled with dashes (``--dataset-root``, ``--allow-partial`` ...) and the
official evaluator's spellings (``--dataset_root``, ``--allow_partial`` ...) are
accepted too.  Bad input prints one line naming the file/line/field and the fix on
stderr and exits 2; nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rose_bench.scoring.contract import SPLITS
from rose_bench.scoring.evaluate import OUTPUT_FILES, run as evaluate
from rose_bench.scoring.scored_items import DEFAULT_REPO_ID, ScoreOptions
from rose_bench.scoring.paths import check_output
from rose_bench.scoring.report import markdown_summary

from .args import flag, int_range, official_flag

__all__ = ["add_parser", "run", "MAX_DIGITS", "MAX_NEAR_MISS_L1"]

MAX_DIGITS = 10  # decimals of a percentage
MAX_NEAR_MISS_L1 = 1000  # an L1 radius in cells; grids are at most 100 x 100


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "score",
        help="score predictions exactly like the official ROSE v0.1 evaluator",
        description=__doc__.splitlines()[0],
    )
    p.add_argument(*official_flag("predictions"), type=Path, required=True,
                   help="predictions JSONL: item_id, raw_text, optional error, model")
    p.add_argument(*official_flag("dataset_root"), type=Path, default=None,
                   help="official layout (metadata_<split>.jsonl) or a `rose build` output directory")
    p.add_argument(*official_flag("metadata"), type=Path, default=None,
                   help="a metadata .jsonl or .parquet file (instead of --dataset-root)")
    p.add_argument(*flag("answer_key"), type=Path, default=None,
                   help="answer key folder of a withheld build (`rose withhold --key`); --dataset-root is then the "
                   "public build it is bound to")
    p.add_argument(*official_flag("split"), choices=SPLITS, default="test")
    p.add_argument(*official_flag("out_dir"), type=Path, default=None,
                   help="output directory (replaced atomically; it may hold only an earlier rose score output); "
                   "omit to only print the summary")
    p.add_argument(*official_flag("allow_partial"), action="store_true",
                   help="score only the items that have predictions (otherwise every item is required)")
    p.add_argument(*flag("lenient"), action="store_true",
                   help="score a prediction whose raw_text is missing, not a string/null or not encodable text as an "
                   "invalid answer (counted in a warning) instead of refusing the file")
    p.add_argument(*flag("one_process"), action="store_true",
                   help="never fork: a large run otherwise uses a second process to read, score and write "
                   "(same output; about 1.5x faster at 100,000 items, more memory in total)")
    p.add_argument(*official_flag("model"), default="", help="model-name override")
    p.add_argument(*official_flag("display_name"), default="", help="display name used in the LaTeX rows")
    p.add_argument(*official_flag("digits"), type=int_range(0, MAX_DIGITS, example=1), default=1,
                   help=f"decimals of percentages in the LaTeX rows (0..{MAX_DIGITS}, default 1)")
    p.add_argument(*official_flag("near_miss_l1"), type=int_range(0, MAX_NEAR_MISS_L1, example=1), default=1,
                   help=f"L1 radius for near-miss diagnostics (0..{MAX_NEAR_MISS_L1}, default 1)")
    p.add_argument(*official_flag("repo_id"), default=DEFAULT_REPO_ID,
                   help="dataset id recorded in the summary (metadata is never downloaded)")
    p.add_argument(*official_flag("revision"), default="", help="accepted for compatibility; unused (no Hub access)")
    p.add_argument("--quiet", action="store_true", help="do not print the Markdown summary")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    if args.out_dir is not None:
        inputs = [("--predictions", args.predictions), ("--dataset-root", args.dataset_root), ("--metadata", args.metadata),
                  ("--answer-key", args.answer_key)]
        check_output(args.out_dir, inputs, flag="--out-dir", replaceable=OUTPUT_FILES, owner="rose score")
    result = evaluate(ScoreOptions(
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
        answer_key=args.answer_key,
        lenient=args.lenient,
        one_process=args.one_process,
    ))
    for warning in result.warnings:
        print(f"rose score: {warning}", file=sys.stderr)
    if not args.quiet:
        print(markdown_summary(result.summary, result.rows, args.digits))
        print("Table 1 row:\n" + result.table1_text)
        print("Table 2 row:\n" + result.table2_text)
        if args.out_dir is not None:
            print(f"\nWrote {Path(args.out_dir)}/ (per_item_eval.jsonl, evaluation_summary.json, ...)")
    return 0
