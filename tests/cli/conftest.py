"""One tiny real build shared by the command-line tests (read-only: copy it before changing anything)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.cli import rose

# one subset, 2 scenes (one dev, one test): a certified build in a few seconds
TINY_BUILD = ["--subsets", "ROSE-ChineseGlyph", "--scenes-per-subset", "2", "--seed", "5", "--workers", "1",
              "--no-progress"]


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "build"
    result = rose("build", "--out", out, *TINY_BUILD)
    assert result.code == 0, result.err
    return out


@pytest.fixture()
def build_copy(tiny_build: Path):
    """``build_copy(dest)`` copies the tiny build to ``dest`` and returns it."""

    def copy(dest: Path) -> Path:
        shutil.copytree(tiny_build, dest)
        return dest

    return copy
