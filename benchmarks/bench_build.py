"""Wall time, peak memory, bytes on disk and images/s of a `rose build`.

Runs the real command in a subprocess and samples the resident memory of the
whole process tree (the build and its render workers) from /proc, so the peak
is what the machine actually had to hold.

    .venv/bin/python benchmarks/bench_build.py --subsets ROSE-ChineseGlyph
    .venv/bin/python benchmarks/bench_build.py              # all five subsets, default scale
    .venv/bin/python benchmarks/bench_build.py --subsets ROSE-ChineseGlyph --no-certify  # skip the solver check
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _tree_rss(root: int) -> int:
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        stack += _children(pid)
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subsets", default=None)
    ap.add_argument("--scale", default="1.0")
    ap.add_argument("--workers", default=str(min(4, os.cpu_count() or 1)))
    ap.add_argument("--no-certify", action="store_true", help="pass --no-certify to rose build (no solver check)")
    ap.add_argument("--keep", type=Path, default=None, help="build here and keep it (default: a temp dir)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="rose-bench-build-") as tmp:
        out = args.keep or Path(tmp) / "rose-bench"
        rose = str(Path(sys.executable).with_name("rose"))
        cmd = [rose, "build", "--out", str(out), "--scale", args.scale, "--workers", args.workers,
               "--no-progress", "--overwrite"]
        if args.subsets:
            cmd += ["--subsets", args.subsets]
        if args.no_certify:
            cmd += ["--no-certify"]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.1)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            print(f"rose build failed with exit code {proc.returncode}", file=sys.stderr)
            return proc.returncode
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        files = [p for p in out.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        counts = manifest.get("counts", {})
        images = counts.get("total_images")
        print(f"command      : {' '.join(cmd)}")
        print(f"cpu count    : {os.cpu_count()}  workers: {args.workers}")
        print(f"wall time    : {wall:.1f} s")
        print(f"peak RSS     : {peak / 2**20:.0f} MiB (build + workers, sampled every 0.1 s)")
        print(f"bytes on disk: {size / 2**20:.1f} MiB in {len(files)} files")
        if isinstance(images, int):
            print(f"images       : {images}  ->  {images / wall:.1f} images/s (end to end)")
        print(f"rows, scenes : {counts.get('total_rows')} rows, {counts.get('total_scenes')} scenes")
        solv = manifest.get("solvability") or {}
        if solv.get("certified"):
            print(f"certified    : {solv.get('rows_passed')}/{solv.get('rows_checked')} rows PASS (reference solver)")
        else:
            print(f"certified    : no ({solv.get('reason', 'no record')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
