"""Scoring a large metadata file in two processes gives exactly the one-process run, errors included."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from rose_bench.scoring import scored_items as scored_items_module
from rose_bench.scoring.answer_key import ANSWER_COLUMNS
from rose_bench.scoring.io import InputError
from rose_bench.scoring.scored_items import ScoreOptions, score_items

from tests.support.fixtures import GLOBAL_CLICK, MATCHED_COUNT, fixture_rows

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the two-process path needs os.fork")


def _rows() -> list[dict]:
    """Both official bridge files: 2,224 rows, the COUNT and CLICK grammars, every subset."""
    return [dict(r) for r in fixture_rows(GLOBAL_CLICK) + fixture_rows(MATCHED_COUNT)]


def _answers(rows: list[dict]) -> list[dict]:
    """Right, wrong, invalid, empty and API-error answers, deterministically by position."""
    out = []
    for k, row in enumerate(rows):
        gold = row.get("ground_truth_formal_answer", "DONE")
        text = [gold, gold.replace("1", "2"), "CLICK(R1,C1)", "", None][k % 5]
        out.append({"item_id": row["item_id"], "raw_text": text, "model": "m"} | ({"error": "HTTP 500"} if text is None else {}))
    return out


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _both_ways(monkeypatch, opts: ScoreOptions):
    """(two-process result, one-process result) for the same options; asserts the two-process path ran."""
    monkeypatch.setattr(scored_items_module, "TWO_PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(scored_items_module, "can_fork", lambda: True)  # even if an earlier test left a thread
    here = scored_items_module._score_here
    monkeypatch.setattr(scored_items_module, "_score_here", lambda *a: pytest.fail("fell back to one process"))
    two = score_items(opts)
    monkeypatch.setattr(scored_items_module, "_score_here", here)
    monkeypatch.setattr(scored_items_module, "TWO_PROCESS_MIN_BYTES", 2**62)
    return two, score_items(opts)


def _same(two, one) -> None:
    two, one = asdict(replace(two, inputs=None)), asdict(replace(one, inputs=None))
    assert two == one
    assert [list(r) for r in two["rows"]] == [list(r) for r in one["rows"]]  # key order too


CASES = {
    "complete": lambda rows, preds: (rows, preds, {}),
    "partial-and-extra": lambda rows, preds: (rows, preds[7:] + [{"item_id": "EXTRA", "raw_text": "DONE"}],
                                              {"allow_partial": True}),
    "other-split-rows": lambda rows, preds: ([r | {"split": "dev"} if k % 3 == 0 else r for k, r in enumerate(rows)],
                                             preds, {"allow_partial": True}),
    "model-and-lenient": lambda rows, preds: (rows, [p | {"raw_text": 7} if k == 1500 else p
                                                     for k, p in enumerate(preds)], {"lenient": True}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_two_processes_score_what_one_does(case, tmp_path, monkeypatch):
    rows, preds, options = CASES[case](_rows(), _answers(_rows()))
    opts = ScoreOptions(predictions=_write(tmp_path / "p.jsonl", preds),
                        metadata=_write(tmp_path / "metadata_test.jsonl", rows), **options)
    two, one = _both_ways(monkeypatch, opts)
    _same(two, one)
    assert len(one.rows) > 1000 and (one.warnings != []) == (case == "model-and-lenient")


def _break(kind: str, rows: list[dict], half: str) -> list[dict]:
    k = 100 if half == "first" else len(rows) - 100
    if kind == "duplicate":
        rows.insert(len(rows) - 50 if half == "second" else 50, dict(rows[k]))
    elif kind == "duplicate-across":
        rows.append(dict(rows[10]))
    elif kind == "withheld":
        rows[k] = {key: v for key, v in rows[k].items() if key not in ANSWER_COLUMNS}
    elif kind == "unscorable":
        rows[k] = rows[k] | {"region_type": "HEXAGON"}
    elif kind == "no-item-id":
        rows[k] = {key: v for key, v in rows[k].items() if key != "item_id"}
    return rows


@pytest.mark.parametrize("half", ["first", "second"])
@pytest.mark.parametrize("kind", ["duplicate", "duplicate-across", "withheld", "unscorable", "no-item-id", "bad-json",
                                  "missing-predictions", "bad-prediction"])
def test_errors_are_the_one_process_errors(kind, half, tmp_path, monkeypatch):
    """Whatever goes wrong, in either half, the run fails with the very error of the one-process path."""
    rows = _break(kind, _rows(), half)
    preds = _answers([r for r in rows if "item_id" in r])
    if kind == "missing-predictions":
        preds = preds[:-3] if half == "second" else preds[3:]
    if kind == "bad-prediction":
        preds[5 if half == "first" else -5] = {"raw_text": "DONE"}
    meta = _write(tmp_path / "metadata_test.jsonl", rows)
    if kind == "bad-json":
        lines = meta.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[100 if half == "first" else -100] = "{not json\n"
        meta.write_text("".join(lines), encoding="utf-8")
    opts = ScoreOptions(predictions=_write(tmp_path / "p.jsonl", preds), metadata=meta)
    monkeypatch.setattr(scored_items_module, "TWO_PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(scored_items_module, "can_fork", lambda: True)
    with pytest.raises(InputError) as two:
        score_items(opts)
    monkeypatch.setattr(scored_items_module, "TWO_PROCESS_MIN_BYTES", 2**62)
    with pytest.raises(InputError) as one:
        score_items(opts)
    assert str(two.value) == str(one.value)
    assert (two.value.path, two.value.line, two.value.field) == (one.value.path, one.value.line, one.value.field)


def test_a_file_without_a_second_line_is_read_in_one_process(tmp_path, monkeypatch):
    rows = _rows()[:1]
    opts = ScoreOptions(predictions=_write(tmp_path / "p.jsonl", _answers(rows)),
                        metadata=_write(tmp_path / "metadata_test.jsonl", rows))
    monkeypatch.setattr(scored_items_module, "TWO_PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(scored_items_module, "can_fork", lambda: True)
    assert len(score_items(opts).rows) == 1


def test_a_refused_fork_scores_in_one_process(tmp_path, monkeypatch):
    rows = _rows()
    opts = ScoreOptions(predictions=_write(tmp_path / "p.jsonl", _answers(rows)),
                        metadata=_write(tmp_path / "metadata_test.jsonl", rows))
    monkeypatch.setattr(scored_items_module, "TWO_PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(scored_items_module, "can_fork", lambda: True)
    monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(BlockingIOError(11, "no more processes")))
    refused = score_items(opts)
    monkeypatch.setattr(scored_items_module, "TWO_PROCESS_MIN_BYTES", 2**62)
    _same(refused, score_items(opts))
