"""One small real build for the lmms-eval tests (helpers: ``tests.support.lmms``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rose_bench.cli import main as rose_main

BUILD_ARGS = ["--subsets", "ROSE-ChineseGlyph", "--scale", "0.03", "--seed", "7", "--workers", "1", "--no-progress"]


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    """A working directory holding ``rose-bench/`` (what the tasks read by default)."""
    root = tmp_path_factory.mktemp("lmms")
    assert rose_main(["build", "--out", str(root / "rose-bench"), *BUILD_ARGS]) == 0
    return root
