"""``rose build``: generate the ROSE dataset (images + rows) into a Hugging Face build directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from rose_bench.dataset_builder.options import (
    DEFAULT_SEED, MAX_SCALE, MAX_SCENES_PER_SUBSET, MAX_SEED, MAX_WORKERS, BuildOptions, default_workers, parse_subsets,
)
from rose_bench.scoring.paths import check_output

from .args import float_range, int_range

__all__ = ["add_parser", "run"]


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
    parser.add_argument("--seed", type=int_range(0, MAX_SEED, example=DEFAULT_SEED), default=DEFAULT_SEED,
                        help=f"master seed, 0 <= seed < 2^64 (default {DEFAULT_SEED})")
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--scale", type=float_range(0, MAX_SCALE, lo_open=True, example=1.0), default=1.0,
        help="multiply the official scene and dev counts (412/300/300/300/200, dev 111/79/79/79/52); "
        f"0 < scale <= {MAX_SCALE:g}, default 1.0",
    )
    size.add_argument(
        "--scenes-per-subset", type=int_range(2, MAX_SCENES_PER_SUBSET, example=6), default=None,
        help=f"fixed number of scenes per subset, 2..{MAX_SCENES_PER_SUBSET} (dev share as in the release); "
        "overrides --scale",
    )
    parser.add_argument("--subsets", default=None, help="comma list of subsets (default: all five), e.g. ROSE-ChineseGlyph,PixelEdit")
    parser.add_argument(
        "--workers", type=int_range(1, MAX_WORKERS, example=2), default=default_workers(),
        help=f"render processes, 1..{MAX_WORKERS} (default: min(4, CPU count)); the output does not depend on it",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace a non-empty --out (only after a successful build)")
    parser.add_argument(
        "--no-certify", action="store_true",
        help="skip the solvability check (quick builds); the manifest and card then say 'not certified'",
    )
    parser.add_argument(
        "--disjoint-pairs", action="store_true",
        help="give dev and test scenes separate element pairs; matters only when pairs are reused "
        "(--scale above the pairs a subset offers, or category-weighted subsets)",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from rose_bench.dataset_builder.build import run_build  # the renderer and sources: only when a build runs

    check_output(args.out, flag="--out", overwrite=args.overwrite)
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
        disjoint_pairs=args.disjoint_pairs,
    )
    print(run_build(options))
    return 0
