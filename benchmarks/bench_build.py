"""Wall time, CPU time, peak memory and bytes of a `rose build`, next to the PNG-encode floor of its own images.

Runs the real command in a subprocess and samples the resident memory of the
whole process tree (the build and its render workers) from /proc, so the peak
is what the machine actually had to hold.  CPU seconds are the build's and its
workers' user + system time.  The floor (``bench_build_floor``) re-encodes the
build's distinct final images with Pillow's default PNG settings on
``--floor-processes`` processes: no renderer can beat it.  The machine's load
average is printed because wall times on a shared machine are only comparable
at similar load; ``--repeat`` alternates the runs and reports ratios of the
best figures, and the CPU-second ratios are the steadier figure.

    .venv/bin/python benchmarks/bench_build.py --workers 2 --both      # uncertified, certified, floor, ratios
    .venv/bin/python benchmarks/bench_build.py --workers 2 --both --repeat 3   # best of 3 (a shared machine)
    .venv/bin/python benchmarks/bench_build.py --subsets ROSE-ChineseGlyph
    .venv/bin/python benchmarks/bench_build.py --scale 0.05 --no-certify --no-floor
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build_floor import Floor, describe, distinct_pngs, encode_floor  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
TARGET_UNCERTIFIED_OVER_FLOOR = 1.5
TARGET_CERTIFIED_OVER_UNCERTIFIED = 1.3


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def tree_rss(root: int) -> list[int]:
    """Resident bytes of ``root`` and of each of its descendants, now (Linux /proc)."""
    sizes, stack = [], [root]
    while stack:
        pid = stack.pop()
        try:
            sizes.append(int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE)
        except (OSError, IndexError, ValueError):
            continue
        stack += _children(pid)
    return sizes


def cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Run:
    cmd: list[str]
    wall: float
    cpu: float
    peak: int
    load: tuple[float, float]  # 1-minute load average before and after


def run_build(out: Path, args: argparse.Namespace, certify: bool) -> Run:
    cmd = [args.rose, "build", "--out", str(out), "--scale", args.scale, "--workers", args.workers,
           "--no-progress", "--overwrite"]
    if args.subsets:
        cmd += ["--subsets", args.subsets]
    if not certify:
        cmd += ["--no-certify"]
    load0, cpu0 = os.getloadavg()[0], cpu_children()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(tree_rss(proc.pid)))
        time.sleep(0.1)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"rose build failed with exit code {proc.returncode}: {' '.join(cmd)}")
    return Run(cmd, wall, cpu_children() - cpu0, peak, (load0, os.getloadavg()[0]))


def report(label: str, run: Run, out: Path) -> None:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = [p for p in out.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    counts = manifest.get("counts", {})
    images = counts.get("total_images")
    print(f"[{label}] command : {' '.join(run.cmd)}")
    print(f"[{label}] wall    : {run.wall:.1f} s   CPU {run.cpu:.1f} s (build + workers)   "
          f"load average {run.load[0]:.2f} -> {run.load[1]:.2f}")
    print(f"[{label}] peak RSS: {run.peak / 2**20:.0f} MiB (build + workers, sampled every 0.1 s)")
    print(f"[{label}] on disk : {size / 2**20:.1f} MiB in {len(files)} files; "
          f"{counts.get('total_rows')} rows, {counts.get('total_scenes')} scenes, {images} images"
          + (f" ({images / run.wall:.1f} images/s)" if isinstance(images, int) else ""))
    solv = manifest.get("solvability") or {}
    if solv.get("certified"):
        print(f"[{label}] certified: {solv.get('rows_passed')}/{solv.get('rows_checked')} rows PASS (reference solver)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subsets", default=None)
    ap.add_argument("--scale", default="1.0")
    ap.add_argument("--workers", default=str(min(4, os.cpu_count() or 1)))
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--no-certify", action="store_true", help="only the uncertified build (rose build --no-certify)")
    mode.add_argument("--both", action="store_true", help="uncertified, then certified build, and their ratios")
    ap.add_argument("--no-floor", action="store_true", help="skip the PNG-encode floor")
    ap.add_argument("--floor-processes", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1, help="run each build and the floor this many times; ratios use the best")
    ap.add_argument("--keep", type=Path, default=None, help="build here and keep it (default: a temp dir)")
    ap.add_argument("--rose", default=str(Path(sys.executable).with_name("rose")),
                    help="the rose executable to time (default: this venv's; e.g. a wrapper around another checkout)")
    args = ap.parse_args()

    modes = [False, True] if args.both else [not args.no_certify]
    print(f"cpu count: {os.cpu_count()}  workers: {args.workers}  scale: {args.scale}  repeat: {args.repeat}")
    runs: dict[bool, list[Run]] = {m: [] for m in modes}
    floors: list[Floor] = []
    with tempfile.TemporaryDirectory(prefix="rose-bench-build-") as tmp:
        out = args.keep or Path(tmp) / "rose-bench"
        for _ in range(max(1, args.repeat)):  # alternate the builds and the floor, so all see the same load
            for certify in modes:
                runs[certify].append(run_build(out, args, certify))
                report("certified" if certify else "uncertified", runs[certify][-1], out)
            if not args.no_floor:
                load = os.getloadavg()[0]
                floors.append(encode_floor(distinct_pngs(out), args.floor_processes))
                print(f"[floor] {describe(floors[-1])}; load average {load:.2f}")
    if not floors:
        return 0
    best = {m: Run(r[0].cmd, min(x.wall for x in r), min(x.cpu for x in r), max(x.peak for x in r), r[0].load)
            for m, r in runs.items()}
    floor = min(floors, key=lambda f: f.wall)
    floor_cpu = min(f.cpu for f in floors)
    note = f"best of {len(floors)}" if len(floors) > 1 else "one run"
    print(f"ratios ({note}; floor wall {floor.wall:.1f} s, CPU {floor_cpu:.1f} s):")
    if False in best:
        r = best[False]
        print(f"uncertified / floor    : wall {r.wall / floor.wall:.2f}x, CPU {r.cpu / floor_cpu:.2f}x "
              f"(target wall <= {TARGET_UNCERTIFIED_OVER_FLOOR}x)")
    if True in best:
        r = best[True]
        print(f"certified / floor      : wall {r.wall / floor.wall:.2f}x, CPU {r.cpu / floor_cpu:.2f}x")
    if len(best) == 2:
        c, u = best[True], best[False]
        print(f"certified / uncertified: wall {c.wall / u.wall:.2f}x, CPU {c.cpu / u.cpu:.2f}x "
              f"(target wall <= {TARGET_CERTIFIED_OVER_UNCERTIFIED}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
