#!/usr/bin/env python3
"""Contact sheet: sample pairs of every visual source as ``majority | target`` tiles, for looking at the data.

    python scripts/contact_sheet.py --out sheet.png [--pairs 16] [--seed 0] [--subsets ROSE-EmojiStyle ...]

Each subset gets a titled band; each pair is its majority tile next to its target
tile, rendered by the source itself at the subset's smallest cell size (the size
at which pairs are checked for visibility).  Pairs are a seeded sample of the
source's pair list.  Subsets whose source is not installed are skipped with a note.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from rose_bench.dataset_builder.seeds import derive_seed
from rose_bench.dataset_builder.sources.registry import SourceUnavailable, get_source
from rose_bench.scoring.contract import SUBSET_ORDER

CELL = {"ROSE-ChineseGlyph": 42, "ROSE-EmojiStyle": 42, "ROSE-EmojiContent": 42,
        "ROSE-PixelEdit": 120, "ROSE-PixelContent": 120}
PER_ROW = 8
GAP, PAIR_GAP, TITLE_H = 2, 14, 22


def subset_band(subset: str, n: int, seed: int, width: int | None = None) -> Image.Image:
    source = get_source(subset)
    pairs = list(source.pairs(derive_seed(seed, subset, "source")))  # as a build with master seed ``seed``
    chosen = random.Random(f"{seed}:{subset}").sample(pairs, min(n, len(pairs)))
    cell = CELL.get(subset, 64)
    pair_w = 2 * cell + GAP
    rows = (len(chosen) + PER_ROW - 1) // PER_ROW
    band_w = width or PER_ROW * (pair_w + PAIR_GAP) + PAIR_GAP
    band = Image.new("RGB", (band_w, TITLE_H + rows * (cell + PAIR_GAP) + PAIR_GAP), (236, 236, 240))
    draw = ImageDraw.Draw(band)
    draw.text((PAIR_GAP, 5), f"{subset}: {len(chosen)} of {len(pairs)} pairs (majority | target), cell {cell}px",
              fill=(20, 20, 20))
    for i, pair in enumerate(chosen):
        x = PAIR_GAP + (i % PER_ROW) * (pair_w + PAIR_GAP)
        y = TITLE_H + (i // PER_ROW) * (cell + PAIR_GAP)
        band.paste(source.render_tile(pair.majority, pair, cell), (x, y))
        band.paste(source.render_tile(pair.target, pair, cell), (x + cell + GAP, y))
    return band


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="PNG file to write")
    parser.add_argument("--pairs", type=int, default=16, help="pairs per subset (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--subsets", nargs="*", default=list(SUBSET_ORDER))
    args = parser.parse_args(argv)
    unknown = [s for s in args.subsets if s not in SUBSET_ORDER]
    if unknown:
        print(f"error: --subsets: unknown {unknown} (fix: use {', '.join(SUBSET_ORDER)})", file=sys.stderr)
        return 2
    bands = []
    for subset in args.subsets:
        try:
            bands.append(subset_band(subset, args.pairs, args.seed))
        except SourceUnavailable as exc:
            print(f"note: skipping {subset}: {exc}", file=sys.stderr)
    if not bands:
        print("error: no source available to draw", file=sys.stderr)
        return 2
    width = max(b.width for b in bands)
    sheet = Image.new("RGB", (width, sum(b.height for b in bands)), (236, 236, 240))
    y = 0
    for band in bands:
        sheet.paste(band, (0, y))
        y += band.height
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".png", dir=args.out.parent)
    os.close(fd)
    try:
        sheet.save(tmp, format="PNG")
        os.replace(tmp, args.out)
    except BaseException:
        os.unlink(tmp)
        raise
    print(f"wrote {args.out} ({sheet.width}x{sheet.height})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
