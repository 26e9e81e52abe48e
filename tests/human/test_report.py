"""`rose human report`: rose-score rules, PASS by template/subset, agreement, time, and the submission bundle."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from rose_bench.cli import main as rose
from rose_bench.human.answer import read_answer
from rose_bench.human.report import canonical_answer
from rose_bench.human.run import RunStore
from rose_bench.scoring.evaluate import evaluate
from rose_bench.scoring.scored_items import ScoreOptions
from rose_bench.scoring.io import read_jsonl

from tests.support.human import build_rows, correct_body, make_config


def _answer_run(build: Path, run_dir: Path, annotator: str, *, wrong: set[str] = frozenset(), limit: int = 20) -> list[str]:
    """Answer like the page does (cells composed by the server's formatter); ``wrong`` items get one extra cell."""
    rows = build_rows(build)
    store = RunStore(run_dir, make_config(build, run_dir, annotator=annotator))
    answered = []
    for _ in range(limit):
        item_id = store.serve_next()
        meta = rows[item_id]
        body = correct_body(meta)
        if item_id in wrong:
            taken = {tuple(c) for c in body["cells"]}
            body["cells"] = body["cells"] + [next([r, c] for r in range(1, meta["rows"] + 1)
                                                  for c in range(1, meta["cols"] + 1) if (r, c) not in taken)]
        store.record(item_id, read_answer(body, meta["task_mode"], meta["rows"], meta["cols"]))
        answered.append(item_id)
    store.close()
    return answered


@pytest.fixture(scope="module")
def runs(human_build: Path, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    rows = build_rows(human_build)
    order = make_config(human_build, root / "alice").items
    first_click = next(i for i in order if rows[i]["task_mode"] == "CLICK")
    _answer_run(human_build, root / "alice", "alice")
    _answer_run(human_build, root / "bob", "bob", wrong={first_click})
    _answer_run(human_build, root / "carol", "carol", limit=10)
    return {"alice": root / "alice", "bob": root / "bob", "carol": root / "carol", "wrong": first_click}


def test_report_scores_like_rose_score_and_compares_annotators(human_build: Path, runs, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.json"
    assert rose(["human", "report", str(runs["alice"]), str(runs["bob"]), str(runs["carol"]), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    data = json.loads(out.read_text())
    people = {p["annotator"]: p for p in data["annotators"]}
    assert people["alice"]["pass"] == 1.0 and people["bob"]["pass"] == 19 / 20 and people["carol"]["pass"] == 1.0
    assert (people["alice"]["answered"], people["carol"]["answered"]) == (20, 10)
    assert sum(rec["n"] for rec in people["alice"]["by_template"].values()) == 20
    assert sum(rec["n"] for rec in people["alice"]["by_subset"].values()) == 20
    wrong_template = build_rows(human_build)[runs["wrong"]]["task_template"]
    bob_t = people["bob"]["by_template"][wrong_template]
    assert bob_t["pass"] == (bob_t["n"] - 1) / bob_t["n"]
    for name, run in (("alice", runs["alice"]), ("bob", runs["bob"])):
        scored = evaluate(ScoreOptions(predictions=run / "predictions.jsonl", dataset_root=human_build, split="dev",
                                       allow_partial=True))
        assert people[name]["pass"] == scored.summary["overall"]["pass_rate"]
    pairs = {(a["a"], a["b"]): a for a in data["agreement"]}
    assert pairs[("alice", "bob")] == {"a": "alice", "b": "bob", "common_items": 20, "same_answer": 0.95,
                                       "same_pass": 0.95}
    assert pairs[("alice", "carol")]["common_items"] == 10 and pairs[("alice", "carol")]["same_answer"] == 1.0
    assert "| alice | 20/20 | 100.0 |" in printed and "| bob | 20/20 | 95.0 |" in printed
    assert "alice / bob | 20 | 95.0 | 95.0" in printed
    assert people["alice"]["seconds_per_item"]["median"] is not None


def test_bundle_is_a_human_submission_and_rescores_identically(human_build: Path, runs, tmp_path: Path) -> None:
    bundles = tmp_path / "bundles"
    assert rose(["human", "report", str(runs["bob"]), "--bundle-dir", str(bundles)]) == 0
    first = {p.name: p.read_bytes() for p in (bundles / "bob").iterdir()}
    assert sorted(first) == ["predictions.jsonl", "submission.json"]
    submission = json.loads(first["submission.json"])
    assert submission["model"]["name"] == "bob" and submission["model"]["api_model_id"] == "human:bob"
    assert submission["harness"]["name"] == "rose-human" and submission["notes"].startswith("human baseline")
    assert submission["predictions"]["sha256"] == hashlib.sha256(first["predictions.jsonl"]).hexdigest()
    assert submission["predictions"]["rows"] == 20 and submission["baseline"] is False
    manifest_sha = hashlib.sha256((human_build / "manifest.json").read_bytes()).hexdigest()
    assert submission["dataset"]["fingerprint"] == f"sha256:{manifest_sha}" and submission["dataset"]["split"] == "dev"
    lines = read_jsonl(bundles / "bob" / "predictions.jsonl")
    assert all(set(r) == {"item_id", "raw_text", "model"} and r["model"] == "bob" for r in lines)
    rescored = evaluate(ScoreOptions(predictions=bundles / "bob" / "predictions.jsonl", dataset_root=human_build,
                                     split="dev", allow_partial=True))
    assert rescored.summary["overall"]["pass_rate"] == 19 / 20
    assert rose(["human", "report", str(runs["bob"]), "--bundle-dir", str(bundles)]) == 0
    assert {p.name: p.read_bytes() for p in (bundles / "bob").iterdir()} == first  # same run -> same bytes


# (id, one spelling, another, task mode, same canonical answer?)
CANONICAL = [
    ("click-order-and-case", "CLICK(R2,C1);CLICK(R1,C1); DONE", "click(r1,c1); click(r2,c1); done", "CLICK", True),
    ("count-spacing", "COUNT( 3 )", "COUNT(3)", "COUNT", True),
    ("submit-spacing", "CLICK(R1,C1); SUBMIT(1)", "CLICK(R1,C1);SUBMIT(1)", "CLICK_COUNT", True),
    ("duplicate-click", "CLICK(R1,C1); DONE", "CLICK(R1,C1); CLICK(R1,C1); DONE", "CLICK", False),
    ("other-submit", "CLICK(R1,C1); SUBMIT(1)", "CLICK(R1,C1); SUBMIT(2)", "CLICK_COUNT", False),
    ("invalid-vs-valid", "COUNT(3)", "3", "COUNT", False),
]


@pytest.mark.parametrize("a, b, mode, same", [c[1:] for c in CANONICAL], ids=[c[0] for c in CANONICAL])
def test_canonical_answer_ignores_spelling_and_keeps_real_differences(a, b, mode, same) -> None:
    assert (canonical_answer(a, mode) == canonical_answer(b, mode)) is same


def test_report_refusals(human_build: Path, runs, tmp_path: Path, capsys) -> None:
    empty = tmp_path / "empty"
    RunStore(empty, make_config(human_build, empty, annotator="dora")).close()
    moved = tmp_path / "moved"
    shutil.copytree(human_build, moved)
    (moved / "manifest.json").write_text((moved / "manifest.json").read_text() + " ")
    cases = [
        (["human", "report", str(tmp_path)], "no run.json"),
        (["human", "report", str(empty)], "no answers recorded yet"),
        (["human", "report", str(runs["alice"]), "--build", str(moved)], "not the one run"),
        (["human", "report", str(runs["alice"]), str(runs["alice"]), "--bundle-dir", str(tmp_path / "b")],
         "same annotator"),
    ]
    for argv, words in cases:
        assert rose(argv) == 2, argv
        err = capsys.readouterr().err
        assert words in err and "fix:" in err, err


def test_a_human_bundle_enters_a_leaderboard_as_a_partial_row(human_build: Path, runs, tmp_path: Path, capsys) -> None:
    board = tmp_path / "board"
    assert rose(["human", "report", str(runs["alice"]), "--bundle-dir", str(tmp_path / "bundles")]) == 0
    assert rose(["leaderboard", "init", "--board", str(board), "--dataset", str(human_build), "--split", "dev",
                 "--allow-partial", "--replicates", "50"]) == 0
    assert rose(["leaderboard", "add", "--board", str(board), str(tmp_path / "bundles" / "alice")]) == 0
    capsys.readouterr()
    assert rose(["leaderboard", "list", "--board", str(board)]) == 0
    listed = capsys.readouterr().out
    assert "alice" in listed and "partial" in listed
