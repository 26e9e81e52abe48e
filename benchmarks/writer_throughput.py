"""Writer cost at full scale: time, peak memory and output size for an N-scene build (prints figures).

Rows are official-format rows (from the fixtures, renumbered); images are a
pool of realistic grid-sized PNGs reused under distinct ids, so the figure
measures the writer (spool, Parquet, card, manifest) rather than rendering.

    .venv/bin/python -m benchmarks.writer_throughput --scenes 1512 --out /tmp/rose-bench-bench
"""

from __future__ import annotations

import argparse
import io
import resource
import shutil
import time
from pathlib import Path

import numpy as np
from PIL import Image

from rose_bench.dataset_builder.manifest import verify_manifest
from rose_bench.dataset_builder.writer import DatasetWriter

from tests.support import writer as ws


def _grid_png(seed: int, cells=(13, 15), cell=64) -> bytes:
    """A grid-like image (flat cells with a small glyph-ish blob) of the real size range."""
    rng = np.random.default_rng(seed)
    h, w = cells[0] * cell, cells[1] * cell
    img = np.full((h, w, 3), 255, np.uint8)
    img[::cell, :] = 200
    img[:, ::cell] = 200
    # an anti-aliased-looking element: a few grey levels, like a rendered glyph or emoji
    tile = (rng.integers(0, 6, (cell // 2, cell // 2, 3), dtype=np.uint8) * 51).astype(np.uint8)
    for r in range(cells[0]):
        for c in range(cells[1]):
            y, x = r * cell + cell // 4, c * cell + cell // 4
            img[y : y + cell // 2, x : x + cell // 2] = tile
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenes", type=int, default=1512)
    ap.add_argument("--out", type=Path, default=Path("/tmp/rose-bench-writer-bench"))
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    base = ws.scene_rows(per_subset=50)  # 50 scenes per subset, 7 rows each
    pool = [_grid_png(i) for i in range(16)]
    rows, images = [], {}
    rounds = -(-args.scenes // 250)
    for k in range(rounds):
        for r in base:
            r = dict(r)
            for key in ("item_id", "scene_id", "image_id"):
                r[key] = f"{r[key]}_{k}"
            if r.get("source_item_id"):
                r["source_item_id"] = f"{r['source_item_id']}_{k}"
            r["image"] = f"images/{r['rose_subset']}/{r['image_id']}.png"
            rows.append(r)
            images[(r["rose_subset"], r["image_id"])] = pool[len(images) % len(pool)]
    n_scenes = len({r["scene_id"] for r in rows})
    shutil.rmtree(args.out, ignore_errors=True)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    with DatasetWriter(args.out) as writer:
        for (subset, image_id), data in images.items():
            writer.add_image(subset, image_id, data)
        writer.add_rows(rows)
        writer.commit(dict(ws.BUILD_INFO))
    t1 = time.perf_counter()
    problems = verify_manifest(args.out)
    t2 = time.perf_counter()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    shards = len(list(args.out.rglob("*.parquet")))
    print(f"scenes={n_scenes} rows={len(rows)} images={len(images)} png_bytes={sum(len(v) for v in images.values()) / 1e6:.0f} MB")
    print(f"image pool: {len(pool)} PNGs, mean {sum(map(len, pool)) / len(pool) / 1024:.0f} KiB")
    print(f"write (spool + parquet + card + manifest): {t1 - t0:.1f} s")
    print(f"verify_manifest: {t2 - t1:.1f} s, problems={len(problems)}")
    print(f"output: {size / 1e6:.0f} MB in {shards} parquet files")
    print(f"peak RSS: {rss1 / 1024:.0f} MiB (before writing: {rss0 / 1024:.0f} MiB, includes the rows and PNG pool held by this script)")
    if not args.keep:
        shutil.rmtree(args.out, ignore_errors=True)


if __name__ == "__main__":
    main()
