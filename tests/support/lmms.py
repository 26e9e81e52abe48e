"""Helpers for the lmms-eval end-to-end tests: the real lmms-eval CLI and `rose serve` as subprocesses,
and the official figures of a run's samples as `rose score` computes them."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from rose_bench.cli import main as rose_main
from rose_bench.scoring import aggregate
from rose_bench.scoring.io import read_jsonl

from tests.support.cli import ROSE

LMMS_EVAL = str(Path(sys.executable).with_name("lmms-eval"))
ERROR_MARKERS = ("Error during evaluation", "Tasks were not found", "Traceback (most recent call last)")
_URL = re.compile(r"http://127\.0\.0\.1:[1-9]\d*/v1")


def offline_env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROSE_", "OPENAI_", "LMMS_EVAL_", "HF_"))}
    env.update(
        HF_HOME=str(root / "hf_home"), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false", **extra,
    )
    return env


@dataclass
class LmmsRun:
    results: dict
    output_dir: Path  # the folder holding <date>_results.json and the samples files
    stderr: str

    def samples(self, task: str) -> Path:
        (path,) = self.output_dir.glob(f"*_samples_{task}.jsonl")
        return path


def run_lmms_eval(args: list[str], *, cwd: Path, output: Path, env: dict[str, str]) -> LmmsRun:
    """Run the real CLI; lmms-eval exits 0 even when evaluation failed, so check its output too."""
    proc = subprocess.run(
        [LMMS_EVAL, *args, "--output_path", str(output), "--log_samples"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    for marker in ERROR_MARKERS:
        assert marker not in log, log[-4000:]
    found = sorted(output.rglob("*_results.json"))
    assert len(found) == 1, f"expected one results file under {output}, found {found}\n{log[-4000:]}"
    return LmmsRun(json.loads(found[0].read_text(encoding="utf-8")), found[0].parent, proc.stderr)


@contextmanager
def rose_serve(policy: str, log: Path, timeout: float = 60.0) -> Iterator[str]:
    """The real `rose serve --policy POLICY --port 0` on 127.0.0.1; yields the base URL (.../v1) it announces.

    Port 0 lets the server pick a free port itself (no race with other
    processes); the URL is read from its own start-up line, printed once the
    socket listens.
    """
    with log.open("w", encoding="utf-8") as fh:
        proc = subprocess.Popen([ROSE, "serve", "--policy", policy, "--host", "127.0.0.1", "--port", "0"],
                                stdout=fh, stderr=subprocess.STDOUT)
        try:
            yield _announced_url(proc, log, timeout)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    assert proc.returncode in (0, -15), log.read_text(encoding="utf-8")[-4000:]


def _announced_url(proc: subprocess.Popen, log: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _URL.search(log.read_text(encoding="utf-8"))
        if found:
            return found.group(0)
        if proc.poll() is not None:
            raise RuntimeError(f"rose serve exited early with code {proc.returncode}: {log.read_text(encoding='utf-8')[-4000:]}")
        time.sleep(0.1)
    raise RuntimeError(f"rose serve announced no URL within {timeout:.0f} s: {log.read_text(encoding='utf-8')[-4000:]}")


# lmms-eval task -> the build's template folders it reads
TASK_CONFIG_FOLDERS = {
    "rose_count": ("t1", "t2"), "rose_action": ("t3", "t4", "t5"), "rose": ("t1", "t2", "t3", "t4", "t5"),
    "rose_global_click": ("t1b",), "rose_matched_local_count": ("t2b",),
}
# lmms-eval task -> its kind (key of rose_bench.lmms_tasks.metrics.TASK_FIGURES)
TASK_KIND = {"rose": "all", "rose_count": "count", "rose_action": "action", "rose_global_click": "global_click",
             "rose_matched_local_count": "matched_local_count"}


def reported_figures(results: dict, task: str) -> dict:
    """{metric: value} lmms-eval reported for ``task`` (no stderr entries)."""
    return {key.split(",")[0]: value for key, value in results["results"][task].items()
            if key.endswith(",none") and "_stderr" not in key}


def same_figure(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, abs_tol=1e-12))


def figures_by_rose_score(tmp: Path, run: LmmsRun, task: str, build: Path) -> dict:
    """Convert the task's samples, score them with `rose score`, return the official figures."""
    predictions = tmp / f"{task}.predictions.jsonl"
    assert rose_main(["lmms-to-predictions", str(run.samples(task)), "--out", str(predictions)]) == 0
    out_dir = tmp / f"{task}.scored"
    folders = TASK_CONFIG_FOLDERS[task]
    if folders[0] in ("t1b", "t2b"):
        (metadata,) = (build / "data" / folders[0]).glob("test-*.parquet")
        source = ["--metadata", str(metadata)]
    else:
        source = ["--dataset_root", str(build)]
    assert rose_main(["score", "--predictions", str(predictions), *source, "--split", "test",
                      "--out_dir", str(out_dir), "--allow_partial", "--quiet"]) == 0
    summary = json.loads((out_dir / "evaluation_summary.json").read_text(encoding="utf-8"))
    assert summary["coverage"]["num_evaluated"] == run.results["n-samples"][task]["effective"]
    t1, t2 = summary["paper_metrics"]["table1"], summary["paper_metrics"]["table2"]
    gap = aggregate.perception_action_gap(read_jsonl(out_dir / "per_item_eval.jsonl"))
    return {
        "pass": t1["Avg. PASS"], "soft": t1["Avg. SOFT"], "valid": t1["VALID"],
        "g_cnt": t2["G-Cnt"], "l_cnt": t2["L-Cnt"], "l_clk": t2["L-Clk"], "v_clk": t2["V-Clk"],
        "excl_cs": t2["Excl. C+S"], "c_f1": t2["C-F1"], "r_ok": t2["R-OK"],
        "counting_avg": gap["Counting Avg."], "action_avg": gap["Action Avg."], "gap": gap["gap"],
    }
