"""The PNG-encode floor of a build: re-encode its own final images with Pillow's default PNG settings.

No renderer can write a PNG faster than Pillow encodes the same pixels, so the
time to re-encode a build's distinct images (decoded beforehand, untimed)
across N processes is the floor that ``rose build`` is compared with.  Each
process decodes its share, all wait at a barrier, then each times its encodes
(wall on the shared monotonic clock, CPU by ``time.process_time``).

    .venv/bin/python benchmarks/bench_build_floor.py BUILD_DIR [--processes 2]

``bench_build.py`` calls ``encode_floor`` on the build it just made.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from PIL import Image

__all__ = ["Floor", "distinct_pngs", "encode_floor"]


@dataclass(frozen=True)
class Floor:
    images: int
    processes: int
    wall: float  # first encode start to last encode end, seconds
    cpu: float  # CPU seconds of all encoding processes (encode only)
    png_bytes: int  # bytes of the re-encoded PNGs (Pillow defaults)
    build_bytes: int  # bytes of the build's own PNGs


def distinct_pngs(build_dir: Path) -> list[bytes]:
    """The PNG bytes of every distinct image of a build (by image path, in path order)."""
    seen: dict[str, bytes] = {}
    shards = sorted(Path(build_dir).glob("data/*/*.parquet"))
    if not shards:
        raise SystemExit(f"{build_dir}: no data/*/*.parquet (fix: pass a directory written by 'rose build --out')")
    for shard in shards:
        for batch in pq.ParquetFile(shard).iter_batches(columns=["image"], batch_size=64):
            for cell in batch.column(0).to_pylist():
                if cell["path"] not in seen:
                    seen[cell["path"]] = cell["bytes"]
    return [seen[p] for p in sorted(seen)]


def _encode_share(pngs: list[bytes], barrier, out) -> None:
    images = []
    for data in pngs:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            images.append(img.copy())
    barrier.wait()
    cpu0, start = time.process_time(), time.perf_counter()
    size = 0
    for img in images:
        buf = io.BytesIO()
        img.save(buf, format="PNG")  # Pillow's defaults: zlib level 6, no optimize
        size += buf.tell()
    out.put((start, time.perf_counter(), time.process_time() - cpu0, size))


def encode_floor(pngs: list[bytes], processes: int = 2) -> Floor:
    """Re-encode ``pngs`` (decoded first, untimed) across ``processes`` processes, interleaved by image."""
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(processes), ctx.Queue()
    workers = [ctx.Process(target=_encode_share, args=(pngs[i::processes], barrier, out)) for i in range(processes)]
    for w in workers:
        w.start()
    results = [out.get() for _ in workers]
    for w in workers:
        w.join()
    return Floor(
        images=len(pngs), processes=processes,
        wall=max(r[1] for r in results) - min(r[0] for r in results),
        cpu=sum(r[2] for r in results), png_bytes=sum(r[3] for r in results), build_bytes=sum(map(len, pngs)),
    )


def describe(floor: Floor) -> str:
    return (f"{floor.images} images re-encoded (Pillow PNG defaults) on {floor.processes} processes: "
            f"wall {floor.wall:.1f} s, CPU {floor.cpu:.1f} s; "
            f"{floor.png_bytes / 2**20:.1f} MiB (the build's PNGs: {floor.build_bytes / 2**20:.1f} MiB)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build", type=Path)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1, help="encode this many times; every run is printed")
    args = ap.parse_args()
    pngs = distinct_pngs(args.build)
    for _ in range(max(1, args.repeat)):
        print(f"load average {os.getloadavg()[0]:.2f}; floor: {describe(encode_floor(pngs, args.processes))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
