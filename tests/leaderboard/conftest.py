"""A tiny real build (4 scenes per subset, 3 of them in test), bundles made from it, fresh boards."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from rose_bench.cli import main as rose_main
from rose_bench.leaderboard.board import init_board
from rose_bench.leaderboard.bundle import dataset_fingerprint, predictions_bytes
from rose_bench.leaderboard.create import create_bundle, write_bundle
from rose_bench.leaderboard.scores import load_key

MODEL = {"name": "test-model", "organisation": "tests", "revision": None, "api_model_id": "tests/model",
         "open_weights": False, "parameters": None}


@pytest.fixture(scope="session")
def build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lb") / "build"
    assert rose_main(["build", "--out", str(out), "--scenes-per-subset", "4", "--seed", "3", "--no-certify",
                      "--workers", "1", "--no-progress"]) == 0
    return out


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
    """make_bundle(rows, name=..., **model overrides) -> bundle folder (written through the real code)."""
    counter = [0]

    def make(rows: list[dict], *, name: str | None = None, fingerprint: str | None = None, split: str = "test",
             **model) -> Path:
        counter[0] += 1
        src = tmp_path / f"pred-{counter[0]}.jsonl"
        src.write_bytes(predictions_bytes(rows))
        record, data = create_bundle(model={**MODEL, **model}, fingerprint=fingerprint or dataset_fingerprint(build),
                                     split=split, predictions=src)
        return write_bundle(tmp_path / (name or f"bundle-{counter[0]}"), record, data)

    return make
