"""``rose lmms-to-predictions`` on samples files shaped like lmms-eval's (--log_samples)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rose_bench.cli import main as rose_main
from rose_bench.lmms_tasks import metrics
from rose_bench.lmms_tasks.convert import PREDICTION_FIELDS
from rose_bench.scoring.io import read_jsonl

FROZEN_DOCS = json.loads((Path(__file__).parent / "snapshots" / "frozen_docs.json").read_text(encoding="utf-8"))
FAILED = "[LMMS_EVAL_REQUEST_FAILED after 5 retries] timeout"


def _sample(doc: dict, text: str, doc_id: int = 0) -> dict:
    """One samples line as lmms-eval writes it (ItemRefs serialised with str, as its JSON default does)."""
    metrics_out = metrics.process_results_all(dict(doc), [text.strip()])
    line = {"doc_id": doc_id, "target": doc["answer"], "filtered_resps": text, "doc_hash": "x"}
    line.update(json.loads(json.dumps(metrics_out, default=str)))
    line["input"] = "prompt"
    return line


def _write(path: Path, lines: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((l if isinstance(l, str) else json.dumps(l, ensure_ascii=False)) + "\n" for l in lines),
                    encoding="utf-8")
    return path


def test_converts_samples_to_runner_predictions(tmp_path: Path, capsys) -> None:
    answers = [" " + d["answer"] + "\n" for d in FROZEN_DOCS[:5]]
    answers[1] = FAILED
    samples = _write(tmp_path / "out" / "my-model" / "20260101_samples_rose.jsonl",
                     [_sample(d, a, i) for i, (d, a) in enumerate(zip(FROZEN_DOCS, answers))])
    out = tmp_path / "predictions.jsonl"
    assert rose_main(["lmms-to-predictions", str(samples), "--out", str(out)]) == 0
    rows = read_jsonl(out)
    assert [r["item_id"] for r in rows] == sorted(d["item_id"] for d in FROZEN_DOCS[:5])
    by_id = {r["item_id"]: r for r in rows}
    for doc, answer in zip(FROZEN_DOCS, answers):
        row = by_id[doc["item_id"]]
        assert list(row) == list(PREDICTION_FIELDS)
        assert row["model"] == "my-model" and row["split"] == row["rose_split"] == doc["split"]
        assert row["task_template"] == doc["task_template"] and row["scene_id"] == doc["scene_id"]
        if answer == FAILED:
            assert row["raw_text"] is None and row["error"] == FAILED
        else:
            assert row["raw_text"] == answer.strip() and row["error"] is None
    assert "wrote 5 predictions" in capsys.readouterr().out


def test_overlapping_tasks_with_the_same_answers_are_merged(tmp_path: Path) -> None:
    a = _write(tmp_path / "m" / "x_samples_rose.jsonl", [_sample(d, d["answer"]) for d in FROZEN_DOCS[:5]])
    b = _write(tmp_path / "m" / "x_samples_rose_count.jsonl", [_sample(d, d["answer"]) for d in FROZEN_DOCS[:2]])
    out = tmp_path / "p.jsonl"
    assert rose_main(["lmms-to-predictions", str(a), str(b), "--out", str(out), "--model", "override"]) == 0
    rows = read_jsonl(out)
    assert len(rows) == 5 and {r["model"] for r in rows} == {"override"}


@pytest.mark.parametrize(
    "case, expected",
    [
        ("conflict", "answered differently"),
        ("bad-json", ":2: "),
        ("no-payload", "no ROSE row under 'pass'"),
        ("two-models", "several model folders"),
        ("missing-file", "file not found"),
    ],
)
def test_bad_input_exits_2_and_names_the_problem(tmp_path: Path, capsys, case: str, expected: str) -> None:
    doc = FROZEN_DOCS[0]
    files = [_write(tmp_path / "m" / "s1.jsonl", [_sample(doc, "COUNT(1)")])]
    if case == "conflict":
        files.append(_write(tmp_path / "m" / "s2.jsonl", [_sample(doc, "COUNT(2)")]))
    elif case == "bad-json":
        files = [_write(tmp_path / "m" / "s1.jsonl", [_sample(doc, "COUNT(1)"), "{not json"])]
    elif case == "no-payload":
        files = [_write(tmp_path / "m" / "s1.jsonl", [{"doc_id": 0, "filtered_resps": "COUNT(1)", "acc": 1}])]
    elif case == "two-models":
        files.append(_write(tmp_path / "other" / "s2.jsonl", [_sample(FROZEN_DOCS[1], "COUNT(1)")]))
    elif case == "missing-file":
        files = [tmp_path / "nope.jsonl"]
    out = tmp_path / "p.jsonl"
    assert rose_main(["lmms-to-predictions", *map(str, files), "--out", str(out)]) == 2
    assert expected in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.glob(".p.jsonl*"))
