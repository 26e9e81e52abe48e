"""``rose export-official BUILD_DIR OUT_DIR``: the authors' release layout from a verified build."""

from __future__ import annotations

import argparse
from pathlib import Path

from rose_bench.scoring.paths import check_output

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "export-official",
        help="write metadata_{dev,test}.jsonl + images/ (official ROSE v0.1 layout) from a build",
        description=(
            "Verify BUILD_DIR against its manifest.json, then write OUT_DIR with metadata_dev.jsonl, "
            "metadata_test.jsonl (T1-T5 rows in the official key order), images/<rose_subset>/<image_id>.png "
            "and the bridge files analysis/data/{global_click,matched_local_count}/metadata_{dev,test}.jsonl. "
            "OUT_DIR appears only when complete, and never is, holds or lies inside BUILD_DIR. "
            "Exit 0 on success, 2 on bad input."
        ),
    )
    parser.add_argument("build_dir", type=Path, metavar="BUILD_DIR")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    parser.add_argument("--overwrite", action="store_true", help="replace a non-empty OUT_DIR")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from rose_bench.dataset_builder.export import export_official

    check_output(args.out_dir, [("BUILD_DIR", args.build_dir)], flag="OUT_DIR", overwrite=args.overwrite)
    counts = export_official(args.build_dir, args.out_dir, overwrite=args.overwrite)
    files = ", ".join(f"{path} ({n} rows)" for path, n in counts["metadata"].items())
    print(f"rose export-official: wrote {args.out_dir}: {files}; {counts['images']} images")
    return 0
