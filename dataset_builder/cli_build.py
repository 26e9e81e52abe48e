"""``rose build``: generate the ROSE dataset (images + rows) into a Hugging Face build directory."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .build import DEFAULT_SEED, BuildError, BuildOptions, CertificationFailed, default_workers, parse_subsets, run_build

__all__ = ["add_parser", "main"]


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def _int_at_least(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value

    return parse


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "build",
        help="generate scenes, images and task rows into a dataset directory",
        description=(
            "Generate ROSE scenes, render base and cued images, build T1..T5 plus the T1B/T2B bridge rows "
            "and write a Hugging Face dataset directory (Parquet configs, dataset card, manifest). "
            "The output is a pure function of --seed, --scale/--scenes-per-subset, the configs and the "
            "installed assets; --workers changes only speed. Every row is first answered by the reference "
            "solver (image and prompts only); if any row fails, nothing is written and the exit code is 1 "
            "(2: bad options or inputs)."
        ),
    )
    parser.add_argument("--out", required=True, type=Path, help="output directory (must be empty or absent unless --overwrite)")
    parser.add_argument("--seed", type=_int_at_least(0), default=DEFAULT_SEED, help=f"master seed (default {DEFAULT_SEED})")
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--scale", type=_positive_float, default=1.0,
        help="multiply the official scene and dev counts (412/300/300/300/200, dev 111/79/79/79/52); default 1.0",
    )
    size.add_argument(
        "--scenes-per-subset", type=_int_at_least(2), default=None,
        help="fixed number of scenes per subset (dev share as in the release); overrides --scale",
    )
    parser.add_argument("--subsets", default=None, help="comma list of subsets (default: all five), e.g. ROSE-ChineseGlyph,PixelEdit")
    parser.add_argument(
        "--workers", type=_int_at_least(1), default=default_workers(),
        help="render processes (default: min(4, CPU count)); the output does not depend on it",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace a non-empty --out (only after a successful build)")
    parser.add_argument(
        "--no-certify", action="store_true",
        help="skip the solvability check (quick builds); the manifest and card then say 'not certified'",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.set_defaults(func=main)
    return parser


def main(args: argparse.Namespace) -> int:
    try:
        options = BuildOptions(
            out=args.out,
            seed=args.seed,
            scale=args.scale,
            scenes_per_subset=args.scenes_per_subset,
            subsets=parse_subsets(args.subsets),
            workers=args.workers,
            overwrite=args.overwrite,
            progress=not args.no_progress,
            certify=not args.no_certify,
        )
        out = run_build(options)
    except KeyboardInterrupt:
        print("rose build: interrupted; nothing was written", file=sys.stderr)
        return 130
    except CertificationFailed as exc:
        print(f"rose build: {exc}", file=sys.stderr)
        return 1
    except (BuildError, ValueError) as exc:
        print(f"rose build: error: {exc}", file=sys.stderr)
        return 2
    print(out)
    return 0
