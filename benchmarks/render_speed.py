#!/usr/bin/env python3
"""Print render timings: ChineseGlyph source setup, tiles, grid assembly, cue and PNG encoding.

Usage: .venv/bin/python benchmarks/render_speed.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable

from rose_bench.dataset_builder import render
from rose_bench.scoring.grid import Cell, VisualRegion


def _ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    t0 = time.perf_counter()
    from rose_bench.dataset_builder.sources.glyph import ChineseGlyphSource

    source = ChineseGlyphSource()
    print(f"ChineseGlyphSource() with {len(source.pairs(0))} pairs: {(time.perf_counter() - t0) * 1000:.0f} ms (first call, incl. font hashing)")

    pair = source.pairs(0)[0]
    rows = cols = 18
    cell = 64
    targets = [Cell(3, 4), Cell(9, 9), Cell(17, 2), Cell(18, 18), Cell(1, 12)]
    major = source.render_tile(pair.majority, pair, cell)
    target = source.render_tile(pair.target, pair, cell)
    base = render.render_grid(major, target, rows, cols, cell, targets)
    cued = render.add_cue(base, VisualRegion(4, 9, 3, 8), cell)
    figures = {
        "render_tile (64 px, one glyph)": lambda: source.render_tile(pair.majority, pair, cell),
        f"render_grid {rows}x{cols} @ {cell} px": lambda: render.render_grid(major, target, rows, cols, cell, targets),
        "add_cue 6x6 region": lambda: render.add_cue(base, VisualRegion(4, 9, 3, 8), cell),
        "png_bytes base (1152x1152)": lambda: render.png_bytes(base),
        "png_bytes cued": lambda: render.png_bytes(cued),
    }
    for name, fn in figures.items():
        median, best = _ms(fn, args.repeat)
        print(f"{name}: median {median:.2f} ms, best {best:.2f} ms")
    print(f"PNG size base {len(render.png_bytes(base)) / 1024:.1f} KiB, cued {len(render.png_bytes(cued)) / 1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
