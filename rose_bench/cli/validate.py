"""``rose validate FILE... [--kind metadata|predictions]``: list every problem in the files.

Exit 0 when every file is clean, 1 when the check found problems (each printed as
``file:line: field: reason``), 2 when a FILE argument does not exist.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rose_bench.scoring.io import InputError
from rose_bench.scoring.validate import KINDS, detect_file_kind, validate_file

__all__ = ["add_parser", "run", "expand"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "validate",
        help="check metadata (.jsonl/.parquet) or prediction (.jsonl) files",
        description=(
            "Check rows against the ROSE metadata/prediction schemas and the derived-field rules "
            "(region inside the grid, counts, clicks and canonical answers consistent, unique item ids). "
            "Prints one line per problem (file:line: field: reason), a line per file with problems and a summary; "
            "exit 0 if clean, 1 if problems were found, 2 if a FILE does not exist."
        ),
    )
    parser.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="JSONL/Parquet files; a directory stands for its *.parquet and metadata*.jsonl files (recursive)",
    )
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default=None,
        help="file kind (default: from the file name, else from the first row)",
    )
    parser.set_defaults(func=run)
    return parser


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; a directory (a `rose build` output or an official dataset root) becomes its
    metadata files. An empty directory stays as is, so that it is reported."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.rglob("*.parquet")) + sorted(path.rglob("metadata*.jsonl"))
            out += found or [path]
        else:
            out.append(path)
    return out


def run(args: argparse.Namespace) -> int:
    for path in args.files:
        if not path.exists():
            raise InputError(path, "no such file or directory", fix="pass existing metadata or prediction files")
    # a submission bundle folder (submission.json + predictions.jsonl) is checked as a bundle
    from rose_bench.leaderboard.bundle import SUBMISSION_NAME, bundle_problems

    bundles = [p for p in args.files if p.is_dir() and (p / SUBMISSION_NAME).is_file()]
    bundle_issues = [problem for b in bundles for problem in bundle_problems(b)]
    for problem in bundle_issues:
        print(problem)
    if bundles and len(bundles) == len(args.files):
        print(f"rose validate: {'OK' if not bundle_issues else 'FAILED'}: {len(bundles)} submission bundle(s), "
              f"{len(bundle_issues)} problem(s)")
        return 0 if not bundle_issues else 1
    seen: dict[str, dict] = {kind: {} for kind in KINDS}
    reports = []
    for path in expand([p for p in args.files if p not in bundles]):
        kind = args.kind or detect_file_kind(path)
        report = validate_file(path, kind, seen_ids=seen[kind] if kind else None)
        reports.append(report)
        for problem in report.problems:
            print(problem)
    n_rows = sum(r.rows for r in reports)
    n_problems = sum(len(r.problems) for r in reports)
    n_bad = sum(r.bad_rows for r in reports)
    for r in reports:
        if r.problems:
            print(f"{r.file}: {r.kind}, {r.rows} rows, {len(r.problems)} problem(s) in {r.bad_rows} row(s)")
    kinds = ", ".join(f"{k} {sum(r.rows for r in reports if r.kind == k)}" for k in KINDS if any(r.kind == k for r in reports))
    status = "OK" if n_problems == 0 else "FAILED"
    print(
        f"rose validate: {status}: {len(reports)} file(s), {n_rows} rows ({kinds or 'none'}), "
        f"{n_problems} problem(s) in {n_bad} row(s)"
    )
    return 0 if n_problems == 0 and not bundle_issues else 1
