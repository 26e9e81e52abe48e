"""The run on disk: answers appended and fsynced, resume without loss or repeats, one owner per run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rose_bench.human.answer import Answer, RequestError
from rose_bench.human.run import RunConfig, RunStore, check_annotator, read_config
from rose_bench.scoring.io import InputError, read_jsonl


def _config(**changes) -> RunConfig:
    base = dict(annotator="alice", build="../build", fingerprint="ab" * 32, split="dev",
                templates=("T1_COUNT_GLOBAL",), n=3, seed=0, items=("A1", "A2", "A3"))
    return RunConfig(**{**base, **changes})


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_answers_are_recorded_in_order_with_time_and_resume_skips_them(tmp_path: Path) -> None:
    clock = Clock()
    store = RunStore(tmp_path, _config(), clock=clock)
    assert store.serve_next() == "A1"
    clock.now += 2.5
    assert store.serve_next() == "A1"  # a reload does not restart the item's clock
    clock.now += 1.0
    row = store.record("A1", Answer("COUNT(2)", "cells"))
    assert row == {"item_id": "A1", "raw_text": "COUNT(2)", "model": "alice", "elapsed_ms": 3500, "input": "cells",
                   "position": 1}
    assert store.serve_next() == "A2"
    store.close()

    assert read_jsonl(tmp_path / "predictions.jsonl") == [row]
    resumed = RunStore(tmp_path, _config(), clock=clock)
    assert resumed.progress() == (1, 3)
    assert resumed.serve_next() == "A2"
    with pytest.raises(RequestError) as info:
        resumed.record("A1", Answer("COUNT(9)", "cells"))
    assert info.value.status == 409
    resumed.record("A2", Answer("COUNT(1)", "text"))
    resumed.close()
    assert [r["item_id"] for r in read_jsonl(tmp_path / "predictions.jsonl")] == ["A1", "A2"]
    assert read_config(tmp_path) == _config()


@pytest.mark.parametrize(
    "item, status",
    [("ZZ", 404), ("A3", 409)],
    ids=["unknown-item", "not-served-yet"],
)
def test_record_refuses(tmp_path: Path, item: str, status: int) -> None:
    store = RunStore(tmp_path, _config())
    store.serve_next()
    with pytest.raises(RequestError) as info:
        store.record(item, Answer("COUNT(1)", "cells"))
    assert info.value.status == status
    store.close()
    assert (tmp_path / "predictions.jsonl").read_text() == ""


@pytest.mark.parametrize("change", [{"seed": 1}, {"annotator": "bob"}, {"items": ("A3", "A2", "A1")}],
                         ids=["seed", "annotator", "order"])
def test_resume_with_other_options_is_refused(tmp_path: Path, change: dict) -> None:
    RunStore(tmp_path, _config()).close()
    with pytest.raises(InputError, match="started with other"):
        RunStore(tmp_path, _config(**change))


def test_one_process_owns_a_run(tmp_path: Path) -> None:
    first = RunStore(tmp_path, _config())
    with pytest.raises(InputError, match="another `rose human`"):
        RunStore(tmp_path, _config())
    first.close()
    RunStore(tmp_path, _config()).close()


@pytest.mark.parametrize(
    "lines, words",
    [
        (['{"item_id": "A1", "raw_text": "COUNT(1)"}', '{"item_id": "A1", "raw_text": "COUNT(2)"}'], "answered twice"),
        (['{"item_id": "B7", "raw_text": "COUNT(1)"}'], "not in this run"),
        (['{"item_id": "A1", "raw_t'], "invalid JSON"),
    ],
    ids=["duplicate", "foreign-item", "torn-line"],
)
def test_a_damaged_predictions_file_is_refused_not_repaired(tmp_path: Path, lines, words) -> None:
    RunStore(tmp_path, _config()).close()
    path = tmp_path / "predictions.jsonl"
    path.write_text("\n".join(lines) + "\n")
    before = path.read_bytes()
    with pytest.raises(InputError, match=words):
        RunStore(tmp_path, _config())
    assert path.read_bytes() == before


def test_run_json_is_deterministic(tmp_path: Path) -> None:
    RunStore(tmp_path / "a", _config()).close()
    RunStore(tmp_path / "b", _config()).close()
    assert (tmp_path / "a" / "run.json").read_bytes() == (tmp_path / "b" / "run.json").read_bytes()
    assert json.loads((tmp_path / "a" / "run.json").read_text())["items"] == ["A1", "A2", "A3"]


@pytest.mark.parametrize("name, ok", [("alice", True), ("human-2.b_c", True), ("", False), ("-x", False),
                                      ("a b", False), ("a" * 65, False)],
                         ids=["plain", "punctuation", "empty", "leading-dash", "space", "too-long"])
def test_check_annotator(name: str, ok: bool) -> None:
    if ok:
        assert check_annotator(name) == name
    else:
        with pytest.raises(InputError, match="fix:"):
            check_annotator(name)


def test_an_oversized_run_json_is_refused_before_reading(tmp_path) -> None:
    from rose_bench.human import run as run_module
    from rose_bench.scoring.io import InputError

    (tmp_path / run_module.RUN_FILE).write_bytes(b" " * (run_module.MAX_RUN_FILE_BYTES + 1))
    with pytest.raises(InputError, match="larger than"):
        run_module.read_config(tmp_path)
