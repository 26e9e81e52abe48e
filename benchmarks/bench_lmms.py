"""Benchmark the ROSE lmms-eval tasks: end-to-end wall time and the per-item cost of the hooks.

1. Wall time of a split through the real ``lmms-eval`` CLI with an instant model:
   ``--model openai`` against the local answer-key server of the tests
   (tests/support/answer_server.py), so the time is lmms-eval + dataset
   loading + the ROSE hooks, not a model.
2. Per-item overhead of the hooks, timed directly over N items: prompt
   building (``doc_to_messages``), ``process_results`` (scoring) and the
   aggregation of all figures.

Usage, from the repository root (a build from ``rose build``; default ./rose-bench):
    .venv/bin/python -m benchmarks.bench_lmms --data rose-bench --tasks rose --n 20000
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

from rose_bench.lmms_tasks import metrics, prompting

from tests.support.answer_server import AnswerKey, AnswerServer, load_rows


def lmms_wall_time(data: Path, tasks: str, rows: list[dict], workdir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROSE_", "OPENAI_"))}
    env.update(HF_HOME=str(workdir / "hf_home"), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               ROSE_BENCH_DATA=str(data.resolve()))
    lmms_eval = str(Path(sys.executable).with_name("lmms-eval"))
    with AnswerServer(AnswerKey(rows, share_wrong=0.2, share_malformed=0.1, seed=1)) as server:
        started = time.perf_counter()
        proc = subprocess.run(
            [lmms_eval, "--model", "openai", "--model_args",
             f"model=answer-key,base_url={server.base_url},api_key=local,num_concurrent=16,timeout=60",
             "--tasks", tasks, "--output_path", str(workdir / "out")],
            env=env, cwd=workdir, capture_output=True, text=True,
        )
        wall = time.perf_counter() - started
        requests = len(server.log)
    results = sorted((workdir / "out").rglob("*_results.json"))
    if proc.returncode != 0 or not results or "Error during evaluation" in proc.stdout + proc.stderr:
        sys.exit(f"lmms-eval failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
    report = json.loads(results[0].read_text(encoding="utf-8"))
    return {"wall_s": wall, "requests": requests, "items": sum(v["effective"] for v in report["n-samples"].values()),
            "evaluation_s": report.get("total_evaluation_time_seconds")}


def hook_overhead(rows: list[dict], n: int) -> dict:
    from PIL import Image

    key = AnswerKey(rows, share_wrong=0.2, share_malformed=0.1, seed=2)
    answers = {r["item_id"]: key.answer(r["image_digest"], r["prompt_local"])[0] for r in rows}
    docs = [dict(rows[i % len(rows)]) for i in range(n)]
    image = Image.new("RGB", (64, 64))
    started = time.perf_counter()
    for doc in docs:
        prompting.doc_to_messages({**doc, "image": image})
    prompt_s = time.perf_counter() - started
    started = time.perf_counter()
    items = [metrics.process_results_all(doc, [answers[doc["item_id"]]]) for doc in docs]
    process_s = time.perf_counter() - started
    started = time.perf_counter()
    figures = {name: getattr(metrics, f"agg_{name}")([item[name] for item in items]) for name in metrics.FIGURES}
    aggregate_s = time.perf_counter() - started
    return {"n": n, "prompt_us": 1e6 * prompt_s / n, "process_results_us": 1e6 * process_s / n,
            "aggregate_all_figures_ms": 1e3 * aggregate_s, "aggregate_us_per_item": 1e6 * aggregate_s / n,
            "pass": figures["pass"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("rose-bench"), help="a `rose build` directory")
    parser.add_argument("--tasks", default="rose", help="lmms-eval --tasks (default: rose = T1-T5 of the test split)")
    parser.add_argument("--n", type=int, default=20000, help="items for the hook timing")
    parser.add_argument("--skip-lmms", action="store_true", help="only time the hooks")
    args = parser.parse_args()

    rows = load_rows(args.data, splits=("test",))
    print(f"dataset {args.data}: {len(rows)} test rows (all templates incl. bridges)")
    overhead = hook_overhead(rows, args.n)
    print(f"hooks over {overhead['n']} items: doc_to_messages {overhead['prompt_us']:.1f} us/item, "
          f"process_results {overhead['process_results_us']:.1f} us/item, all 13 figures "
          f"{overhead['aggregate_all_figures_ms']:.1f} ms ({overhead['aggregate_us_per_item']:.2f} us/item)")
    if not args.skip_lmms:
        with tempfile.TemporaryDirectory(prefix="bench_lmms_") as tmp:
            timing = lmms_wall_time(args.data, args.tasks, rows, Path(tmp))
        print(f"lmms-eval --tasks {args.tasks}: {timing['items']} items, {timing['requests']} requests, "
              f"wall {timing['wall_s']:.1f} s ({timing['wall_s'] / max(1, timing['items']) * 1e3:.1f} ms/item), "
              f"lmms-eval's own evaluation time {timing['evaluation_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
