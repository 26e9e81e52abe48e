"""Shared fixtures: one small real build, and a runner for the real lmms-eval CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from rose_bench.cli import main as rose_main

BUILD_ARGS = ["--subsets", "ROSE-ChineseGlyph", "--scale", "0.03", "--seed", "7", "--workers", "1", "--no-progress"]
LMMS_EVAL = str(Path(sys.executable).with_name("lmms-eval"))
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
