"""`rose score` (default and --one-process) against the authors' v0.1 evaluator on the same input: whole
process, wall and CPU seconds and peak memory.

The official evaluator is not part of this repository: pass the path of its
``demo/evaluate_rose.py`` (from the authors' ROSE-v0.1 repository) with
``--official``; without it the benchmark prints why it skipped and exits 0.
The input is an official-layout folder (``metadata_test.jsonl``), e.g. from a
default build::

    rose build --out build-default && rose export-official build-default official-default
    .venv/bin/python benchmarks/bench_score_vs_official.py --official /path/to/evaluate_rose.py \\
        --dataset-root official-default --items 5560,100000 --repeat 3

For an item count above the file's, the rows are repeated with new item and
scene ids (``<id>-r<k>``).  Predictions are a seeded mix of right, wrong,
malformed, empty and API-error answers.  All commands run with this Python;
the best of ``--repeat`` runs is reported (each figure on its own), with the
load average, because the machine may be shared.  Peak memory is the resident
set of the process and its children, sampled from /proc every 50 ms.  The
three summaries' figures are compared as a check.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rose_bench.scoring.io import jsonl_line, read_jsonl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import cpu_children, tree_rss  # noqa: E402

METADATA = "metadata_test.jsonl"


def _answer(rng: random.Random, row: dict) -> dict:
    gold = str(row.get("ground_truth_formal_answer") or "")
    roll = rng.random()
    if roll < 0.45:
        return {"raw_text": gold}
    if roll < 0.70:
        return {"raw_text": gold.replace("1", "2")}
    if roll < 0.80:
        return {"raw_text": f"The answer is {gold}"}
    if roll < 0.90:
        return {"raw_text": "CLICK(R1,C1); DONE"}
    if roll < 0.97:
        return {"raw_text": ""}
    return {"raw_text": None, "error": "HTTP 500 from the model server"}


def make_input(source: Path, items: int, folder: Path, seed: int) -> tuple[Path, Path]:
    """An official-layout folder with ``items`` test rows and a predictions file for them."""
    rows = read_jsonl(source / METADATA)
    if not rows:
        raise SystemExit(f"{source / METADATA}: no rows (fix: pass a folder written by 'rose export-official')")
    rng = random.Random(seed)
    root = folder / f"items-{items}"
    root.mkdir(parents=True, exist_ok=True)
    predictions = folder / f"predictions-{items}.jsonl"
    with (root / METADATA).open("w", encoding="utf-8") as meta, predictions.open("w", encoding="utf-8") as preds:
        for k in range(items):
            row = dict(rows[k % len(rows)])
            copy = k // len(rows)
            if copy:
                row["item_id"], row["scene_id"] = f"{row['item_id']}-r{copy}", f"{row['scene_id']}-r{copy}"
            meta.write(jsonl_line(row))
            preds.write(jsonl_line({"item_id": row["item_id"], "model": "bench-mix", **_answer(rng, row)}))
    return root, predictions


def timed(cmd: list[str]) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, peak resident bytes summed over the process tree, peak of its largest
    process) of one whole process; memory sampled from /proc every 50 ms."""
    cpu0, start = cpu_children(), time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    total = largest = 0
    while proc.poll() is None:
        sizes = tree_rss(proc.pid)
        total, largest = max(total, sum(sizes)), max(largest, max(sizes, default=0))
        time.sleep(0.05)
    if proc.returncode != 0:
        raise SystemExit(f"exit code {proc.returncode}: {' '.join(cmd)}")
    return time.perf_counter() - start, cpu_children() - cpu0, total, largest


def _figures(out: Path) -> dict:
    summary = json.loads((out / "evaluation_summary.json").read_text(encoding="utf-8"))
    return {k: summary[k] for k in ("overall", "by_subset", "by_template", "paper_metrics")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--official", type=Path, default=None, help="the authors' demo/evaluate_rose.py")
    ap.add_argument("--dataset-root", type=Path, default=None, help=f"official layout folder with {METADATA}")
    ap.add_argument("--items", default="5560,100000", help="comma-separated item counts")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rose", default=str(Path(sys.executable).with_name("rose")),
                    help="the rose executable to time (default: this venv's; e.g. a wrapper around another checkout)")
    args = ap.parse_args()
    if args.official is None or not args.official.is_file():
        print("skipped: pass --official PATH/evaluate_rose.py (the authors' evaluator, not in this repository)")
        return 0
    if args.dataset_root is None or not (args.dataset_root / METADATA).is_file():
        print(f"skipped: pass --dataset-root DIR holding {METADATA} (rose build ... && rose export-official BUILD DIR)")
        return 0
    rose = args.rose
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="rose-bench-score-") as tmp:
        for items in (int(n) for n in args.items.split(",")):
            root, predictions = make_input(args.dataset_root, items, Path(tmp), args.seed)
            outs = {name: Path(tmp) / f"out-{name}-{items}" for name in ("official", "rose", "rose --one-process")}
            score = [rose, "score", "--quiet", "--predictions", str(predictions), "--dataset-root", str(root)]
            commands = {
                "official": [sys.executable, str(args.official), "--predictions", str(predictions),
                             "--dataset_root", str(root), "--out_dir", str(outs["official"])],
                "rose": [*score, "--out-dir", str(outs["rose"])],
                "rose --one-process": [*score, "--one-process", "--out-dir", str(outs["rose --one-process"])],
            }
            runs: dict[str, list[tuple[float, float, int, int]]] = {name: [] for name in commands}
            for _ in range(max(1, args.repeat)):
                for name, cmd in commands.items():  # alternate, so all see the same machine load
                    runs[name].append(timed(cmd))
            best = {name: [min(run[k] for run in r) for k in range(4)] for name, r in runs.items()}
            agree = _figures(outs["official"]) == _figures(outs["rose"]) == _figures(outs["rose --one-process"])
            print(f"{items:,} items (best of {max(1, args.repeat)}); summaries agree: {'yes' if agree else 'NO'}")
            for name, (wall, cpu, total, largest) in best.items():
                official_wall, official_cpu = best["official"][:2]
                print(f"  {name:20s} wall {wall:6.2f} s  CPU {cpu:6.2f} s  peak RSS {total / 2**20:6.0f} MiB "
                      f"(largest process {largest / 2**20:5.0f} MiB)  speed-up vs official: wall "
                      f"{official_wall / wall:.2f}x  CPU {official_cpu / cpu:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
