"""One definition of a valid prediction row (validate, score, bridge and the leaderboard share it)."""

from __future__ import annotations

import json

import pytest

from rose_bench.cli import main as rose
from rose_bench.scoring.io import InputError
from rose_bench.scoring.predictions import LenientCount, prediction_problem, read_predictions, repaired
from rose_bench.scoring.validate_rows import validate_rows

CASES = [
    ({"item_id": "A", "raw_text": "COUNT(1)"}, None),
    ({"item_id": "A", "raw_text": None, "error": "timeout"}, None),
    ({"item_id": "A", "raw_text": ""}, None),
    ({"item_id": "A", "answer": "COUNT(1)"}, ("raw_text", "raw_text missing (keys present: answer)")),
    ({"item_id": "A", "raw_text": 3}, ("raw_text", "must be a string or null, got int")),
    ({"item_id": "A", "raw_text": ["COUNT(1)"]}, ("raw_text", "got list")),
    ({"item_id": "A", "raw_text": {"text": "x"}}, ("raw_text", "got dict")),
    ({"item_id": "A", "raw_text": True}, ("raw_text", "got bool")),
    ({"item_id": "A", "raw_text": "COUNT(\ud800)"}, ("raw_text", "lone UTF-16 surrogate")),
    ({"item_id": "", "raw_text": "x"}, ("item_id", "missing or not a non-empty string")),
    ({"item_id": 5, "raw_text": "x"}, ("item_id", "missing or not a non-empty string")),
    ({"item_id": "\udfff", "raw_text": "x"}, ("item_id", "lone UTF-16 surrogate")),
]


@pytest.mark.parametrize("row, expected", CASES, ids=[
    "text", "null-with-error", "empty", "missing", "number", "list", "dict", "bool", "surrogate",
    "empty-id", "numeric-id", "surrogate-id"])
def test_prediction_problem(row, expected) -> None:
    problem = prediction_problem(row)
    if expected is None:
        assert problem is None
    else:
        assert (problem.field, expected[1] in problem.reason) == (expected[0], True)


@pytest.mark.parametrize("row, expected", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_validate_reports_the_same_problems(row, expected) -> None:
    problems = validate_rows([row], "predictions")
    if expected is None:
        assert problems == []
    else:
        assert any(expected[0] in str(p) for p in problems), problems


def test_lenient_keeps_the_official_value_and_repairs_surrogates() -> None:
    number = {"item_id": "A", "raw_text": 7}
    assert repaired(number, prediction_problem(number)) == number
    text = {"item_id": "A", "raw_text": "COUNT(1)\ud800"}
    assert repaired(text, prediction_problem(text))["raw_text"] == "COUNT(1)\ufffd"


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_reader_refuses_unless_lenient_and_counts(tmp_path) -> None:
    path = _write(tmp_path / "p.jsonl", [{"item_id": "A", "raw_text": "COUNT(1)"}, {"item_id": "B", "raw_text": 2},
                                          {"item_id": "C", "raw_text": "\ud800"}])
    with pytest.raises(InputError, match=r"p.jsonl:2: raw_text: .*--lenient"):
        list(read_predictions(path))
    count = LenientCount()
    rows = [row for _, row in read_predictions(path, lenient=True, count=count)]
    assert [r["item_id"] for r in rows] == ["A", "B", "C"] and count.rows == 2 and count.first_line == 2
    assert "2 prediction row(s)" in count.warning(path)


def test_lenient_never_accepts_a_bad_item_id(tmp_path) -> None:
    path = _write(tmp_path / "p.jsonl", [{"raw_text": "COUNT(1)"}])
    with pytest.raises(InputError, match="item_id"):
        list(read_predictions(path, lenient=True))


def test_score_lenient_scores_a_surrogate_and_warns(tmp_path, global_click_rows, capsys) -> None:
    meta = _write(tmp_path / "meta.jsonl", global_click_rows[:2])
    preds = _write(tmp_path / "preds.jsonl", [{"item_id": global_click_rows[0]["item_id"], "raw_text": "DONE\ud800"},
                                              {"item_id": global_click_rows[1]["item_id"], "raw_text": None}])
    out = tmp_path / "out"
    assert rose(["score", "--metadata", str(meta), "--predictions", str(preds), "--out-dir", str(out), "--quiet"]) == 2
    assert not out.exists()
    assert rose(["score", "--metadata", str(meta), "--predictions", str(preds), "--out-dir", str(out), "--quiet", "--lenient"]) == 0
    assert "1 prediction row(s) are not valid (first on line 1)" in capsys.readouterr().err
    scored = [json.loads(line) for line in (out / "per_item_eval.jsonl").read_text(encoding="utf-8").splitlines()]
    assert scored[0]["raw_text"] == "DONE\ufffd" and scored[0]["pass"] == 0
