"""`rose submission create`, `rose leaderboard` and `rose withhold` on the command line: bad flags and bad
output folders are refused with exit 2 and one `rose CMD: error: ... (fix: ...)` line, before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import rose, snapshot


def _create(build: Path, predictions: Path, out: Path, *extra: str) -> list:
    return ["submission", "create", "--predictions", predictions, "--dataset", build, "--model-name", "m",
            "--organisation", "o", "--api-model-id", "vendor/m", "--closed-weights", "--out", out, *extra]


def _withhold(build: Path, out: Path, key: Path) -> list:
    return ["withhold", build, "--out", out, "--key", key]


# (id, argv from (build, tmp, predictions file, board), message fragment)
CASES = [
    ("create-out-inside-the-build", lambda b, t, p, bd: _create(b, p, b / "bundle"), "lies inside the input --dataset"),
    ("create-out-is-the-predictions", lambda b, t, p, bd: _create(b, p, p), "--out is the input --predictions"),
    ("create-out-not-empty", lambda b, t, p, bd: _create(b, p, t / "full"), "pass --overwrite"),
    ("create-variants-tried-0", lambda b, t, p, bd: _create(b, p, t / "x", "--variants-tried", "0"),
     "argument --variants-tried: must be an integer from 1 to 1000000"),
    ("create-parameters-0", lambda b, t, p, bd: _create(b, p, t / "x", "--parameters", "0"),
     "argument --parameters: must be an integer >= 1"),
    ("init-replicates-negative", lambda b, t, p, bd: ["leaderboard", "init", "--board", t / "new", "--dataset", b,
                                                      "--replicates", "-1"], "argument --replicates"),
    ("init-seed-too-large", lambda b, t, p, bd: ["leaderboard", "init", "--board", t / "new", "--dataset", b,
                                                 "--seed", "1000001"], "argument --seed"),
    ("init-board-inside-the-build", lambda b, t, p, bd: ["leaderboard", "init", "--board", b / "board", "--dataset", b],
     "--board lies inside the input --dataset"),
    ("render-out-is-the-board", lambda b, t, p, bd: ["leaderboard", "render", "--board", bd, "--out", bd],
     "--out is the input --board"),
    ("render-out-holds-the-board", lambda b, t, p, bd: ["leaderboard", "render", "--board", bd, "--out", t],
     "--out contains the input --board"),
    ("withhold-out-inside-the-build", lambda b, t, p, bd: _withhold(b, b / "public", t / "key"),
     "--out lies inside the input BUILD"),
    ("withhold-key-is-the-out", lambda b, t, p, bd: _withhold(b, t / "public", t / "public"), "--out is the input --key"),
    ("withhold-key-inside-the-out", lambda b, t, p, bd: _withhold(b, t / "public", t / "public" / "key"),
     "--key lies inside the input --out"),
    ("withhold-out-inside-the-key", lambda b, t, p, bd: _withhold(b, t / "key" / "public", t / "key"),
     "--out lies inside the input --key"),
    ("withhold-key-not-empty", lambda b, t, p, bd: _withhold(b, t / "public", t / "full"),
     "--key exists and is not empty"),
]


@pytest.mark.parametrize("make, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_command_lines_exit_2_and_write_nothing(build, board, gold_rows, tmp_path, make, words) -> None:
    predictions = tmp_path / "p.jsonl"
    predictions.write_text("".join(json.dumps(r) + "\n" for r in gold_rows), encoding="utf-8")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("keep", encoding="utf-8")
    before, build_before = snapshot(tmp_path), snapshot(build)
    result = rose(*make(build, tmp_path, predictions, board))
    assert result.code == 2, result.err
    lines = result.err.strip().splitlines()
    assert words in result.err and lines[-1].startswith("rose ") and ": error: " in lines[-1], result.err
    assert snapshot(tmp_path) == before and snapshot(build) == build_before


def test_create_replaces_a_bundle_only_with_overwrite(build, gold_rows, tmp_path) -> None:
    predictions = tmp_path / "p.jsonl"
    predictions.write_text("".join(json.dumps(r) + "\n" for r in gold_rows), encoding="utf-8")
    assert rose(*_create(build, predictions, tmp_path / "bundle")).code == 0
    first = snapshot(tmp_path / "bundle")
    assert rose(*_create(build, predictions, tmp_path / "bundle")).code == 2
    assert rose(*_create(build, predictions, tmp_path / "bundle", "--overwrite", "--notes", "again")).code == 0
    again = snapshot(tmp_path / "bundle")
    assert again["predictions.jsonl"] == first["predictions.jsonl"] and again["submission.json"] != first["submission.json"]
