"""``rose publish BUILD_DIR --repo-id ORG/NAME --version vX.Y.Z [--dry-run] [--private]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rose_bench.scoring.errors import UsageError

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "publish",
        help="upload a verified build to the Hugging Face Hub and tag the commit",
        description=(
            "Verify BUILD_DIR against manifest.json, create the dataset repo if needed, upload the folder in one "
            "commit (removing stale data/** shards) and tag exactly that commit with --version. An existing tag is "
            "never moved. The token is read from HF_TOKEN. --dry-run prints the plan without contacting the Hub. "
            "Exit 0 on success, 2 when refused, 1 when a Hub call fails."
        ),
    )
    parser.add_argument("build_dir", type=Path, metavar="BUILD_DIR")
    parser.add_argument("--repo-id", required=True, metavar="ORG/NAME", help="Hub dataset repo, e.g. my-org/rose-bench")
    parser.add_argument("--version", required=True, metavar="vX.Y.Z", help="release tag to create, e.g. v0.1.0")
    parser.add_argument("--dry-run", action="store_true", help="print the plan; make no Hub calls")
    parser.add_argument("--private", action="store_true", help="create the repo as private (if it does not exist)")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from rose_bench.dataset_builder.publish import run_publish

    if args.dry_run:  # no Hub calls: anything but a refusal (exit 2) is a bug and shows its traceback
        run_publish(args.build_dir, args.repo_id, args.version, private=args.private, dry_run=True)
        return 0
    try:
        run_publish(args.build_dir, args.repo_id, args.version, private=args.private)
    except UsageError:  # a refusal before anything irreversible: exit 2 (the dispatcher reports it)
        raise
    except Exception as exc:  # a Hub or network failure is not a bug of ours: report it plainly, exit 1
        print(f"rose publish: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
