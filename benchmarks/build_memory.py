"""Peak memory of ``rose build`` at two scales: the builder's memory should not grow with ``--scale`` (issue 11).

    .venv/bin/python benchmarks/build_memory.py [--scales 1 10] [--seed 0] [--workers 2] [--out-dir DIR] [--keep]

Runs ``rose build --no-certify`` once per scale and samples the resident memory of the
build's process tree (the main process and its render workers) every 0.25 s from /proc
(Linux). Prints wall time, the peak of the whole tree, the peak of the largest single
process, the size on disk and the pair reuse from the manifest, then the ratio of each
peak to the first scale's. Builds go to a temporary folder and are deleted unless --keep.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROSE = str(Path(sys.executable).with_name("rose"))
SAMPLE_S = 0.25


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(k) for k in kids] + [g for k in kids for g in _children(int(k))]


def _rss_mb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def measure(cmd: list[str]) -> tuple[int, float, int, int]:
    """(exit code, wall seconds, peak tree MB, peak single-process MB) of ``cmd``."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    tree = single = 0
    while proc.poll() is None:
        sizes = [_rss_mb(p) for p in [proc.pid, *_children(proc.pid)]]
        tree, single = max(tree, sum(sizes)), max(single, *sizes)
        time.sleep(SAMPLE_S)
    return proc.returncode, time.perf_counter() - start, tree, single


def _disk_mb(root: Path) -> float:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out-dir", type=Path, default=None, help="where the builds go (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the builds")
    args = parser.parse_args()
    root = args.out_dir or Path(tempfile.mkdtemp(prefix="rose-build-memory-"))
    first: tuple[int, int] | None = None
    try:
        for scale in args.scales:
            out = root / f"scale-{scale:g}"
            code, wall, tree, single = measure([ROSE, "build", "--out", str(out), "--scale", str(scale), "--seed",
                                                str(args.seed), "--workers", str(args.workers), "--no-certify",
                                                "--no-progress", "--overwrite"])
            if code != 0:
                print(f"scale {scale:g}: rose build exited {code}")
                return code
            reuse = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["generator"]["pair_reuse"]
            first = first or (tree, single)
            print(f"scale {scale:g}: wall {wall:.0f} s, peak RSS tree {tree} MB ({tree / first[0]:.2f}x), largest process "
                  f"{single} MB ({single / first[1]:.2f}x), {_disk_mb(out):.0f} MB on disk")
            for subset, r in reuse.items():
                print(f"    {subset:18s} scenes {r['scenes']:5d}  pairs {r['pairs_available']:4d} offered, {r['pairs_used']:4d} used"
                      f"  {r['reused_scenes']:5d} scenes reuse a pair, at most {r['max_uses']} uses")
            if not args.keep:
                shutil.rmtree(out)
    finally:
        if not args.keep and args.out_dir is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
