"""A tiny real build (4 scenes per subset, 3 of them in test), bundles made from it, fresh boards."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from rose_bench.leaderboard.board import init_board
from rose_bench.leaderboard.bundle import dataset_fingerprint
from rose_bench.leaderboard.scores import load_key

from tests.support.cli import small_build
from tests.support.leaderboard import bundle_of


@pytest.fixture(scope="session")
def build(tmp_path_factory) -> Path:
    return small_build(tmp_path_factory.mktemp("lb") / "build", seed=3)


@pytest.fixture(scope="session")
def key(build: Path) -> dict[str, dict]:
    return load_key(build, "test")


@pytest.fixture(scope="session")
def gold_rows(key) -> list[dict]:
    return [{"item_id": i, "raw_text": row["ground_truth_formal_answer"], "model": "test-model"} for i, row in sorted(key.items())]


@pytest.fixture
def board(build: Path, tmp_path: Path) -> Path:
    init_board(tmp_path / "board", build, replicates=200, seed=1)
    return tmp_path / "board"


@pytest.fixture
def make_bundle(build: Path, tmp_path: Path) -> Callable[..., Path]:
    """make_bundle(rows, name=..., fingerprint=..., split=..., **model overrides) -> bundle folder."""
    counter = [0]

    def make(rows: list[dict], *, name: str | None = None, fingerprint: str | None = None, split: str = "test",
             **model) -> Path:
        counter[0] += 1
        return bundle_of(rows, tmp_path / (name or f"bundle-{counter[0]}"),
                         fingerprint=fingerprint or dataset_fingerprint(build), split=split, **model)

    return make
