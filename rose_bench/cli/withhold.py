"""``rose withhold BUILD --split test --out PUBLIC --key KEY``: a public build without answers, and its answer key.

The logic (which columns go, the public card and manifest, the key record) is
``rose_bench.leaderboard.withhold``; it refuses bad targets before reading a shard.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rose_bench.scoring.contract import SPLITS

from .args import flag

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("withhold", help="write a public build without answers and a separate answer key",
                              description=__doc__.splitlines()[0])
    p.add_argument("build", type=Path, metavar="BUILD")
    p.add_argument(*flag("split"), choices=SPLITS, default="test")
    p.add_argument(*flag("out"), type=Path, required=True, help="public build folder (new)")
    p.add_argument(*flag("key"), type=Path, required=True, help="answer key folder (new; keep it private)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from rose_bench.leaderboard.withhold import withhold

    fingerprint, rows = withhold(args.build, args.out, args.key, args.split)
    print(f"public build {args.out} ({fingerprint}); answer key for {rows} {args.split} rows in {args.key}")
    return 0
