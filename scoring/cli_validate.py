"""``rose validate FILE... [--kind metadata|predictions]``: list every problem, exit 2 if any."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .validate import KINDS, detect_file_kind, validate_file


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "validate",
        help="check metadata (.jsonl/.parquet) or prediction (.jsonl) files",
        description=(
            "Check rows against the ROSE metadata/prediction schemas and the derived-field rules "
            "(region inside the grid, counts, clicks and canonical answers consistent, unique item ids). "
            "Prints one line per problem (file:line: field: reason) and a summary; exit 0 if clean, 2 otherwise."
        ),
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default=None,
        help="file kind (default: from the file name, else from the first row)",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    seen: dict[str, dict] = {kind: {} for kind in KINDS}
    reports = []
    for path in args.files:
        kind = args.kind or detect_file_kind(path)
        report = validate_file(path, kind, seen_ids=seen[kind] if kind else None)
        reports.append(report)
        for problem in report.problems:
            print(problem)
    n_rows = sum(r.rows for r in reports)
    n_problems = sum(len(r.problems) for r in reports)
    n_bad = sum(r.bad_rows for r in reports)
    kinds = ", ".join(f"{r.file} ({r.kind}, {r.rows} rows, {len(r.problems)} problems)" for r in reports)
    status = "OK" if n_problems == 0 else "FAILED"
    print(
        f"rose validate: {status}: {len(reports)} file(s), {n_rows} rows, "
        f"{n_problems} problem(s) in {n_bad} row(s) -- {kinds}",
        file=sys.stdout,
    )
    return 0 if n_problems == 0 else 2
