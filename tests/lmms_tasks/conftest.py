"""Shared fixtures: one small real build, a runner for the real lmms-eval CLI, `rose serve` as a
subprocess, and the official figures of a run's samples as `rose score` computes them."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from rose_bench.cli import main as rose_main
from rose_bench.demo import free_port, wait_ready
from rose_bench.scoring import aggregate
from rose_bench.scoring.io import read_jsonl

BUILD_ARGS = ["--subsets", "ROSE-ChineseGlyph", "--scale", "0.03", "--seed", "7", "--workers", "1", "--no-progress"]
LMMS_EVAL = str(Path(sys.executable).with_name("lmms-eval"))
ROSE = str(Path(sys.executable).with_name("rose"))
ERROR_MARKERS = ("Error during evaluation", "Tasks were not found", "Traceback (most recent call last)")


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    """A working directory holding ``rose-bench/`` (what the tasks read by default)."""
    root = tmp_path_factory.mktemp("lmms")
    assert rose_main(["build", "--out", str(root / "rose-bench"), *BUILD_ARGS]) == 0
    return root


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
def rose_serve(policy: str, log: Path) -> Iterator[str]:
    """The real `rose serve --policy POLICY` on a free 127.0.0.1 port; yields its base URL (.../v1)."""
    port = free_port()
    with log.open("w", encoding="utf-8") as fh:
        proc = subprocess.Popen([ROSE, "serve", "--policy", policy, "--host", "127.0.0.1", "--port", str(port)],
                                stdout=fh, stderr=subprocess.STDOUT)
        try:
            wait_ready(port, proc)
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    assert proc.returncode in (0, -15), log.read_text(encoding="utf-8")[-4000:]


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
