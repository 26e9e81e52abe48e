"""The board: add/list/remove/rescore, concurrent adds from two processes, HF layout, rose validate on bundles."""

from __future__ import annotations

import json
import subprocess

import pyarrow.parquet as pq

from rose_bench.cli import main as rose_main
from rose_bench.leaderboard.board import Board, add_bundle, remove_submission
from rose_bench.leaderboard.scores import scorer_version

from tests.support.cli import ROSE
from tests.support.files import edit_json
from tests.support.leaderboard import wrong_rows


def test_add_stores_the_bundle_as_received_and_scores_it(board, gold_rows, make_bundle) -> None:
    bundle = make_bundle(gold_rows)
    sub_id = add_bundle(board, bundle)
    folder = Board(board).folder(sub_id)
    assert (folder / "predictions.jsonl").read_bytes() == (bundle / "predictions.jsonl").read_bytes()
    assert (folder / "submission.json").read_bytes() == (bundle / "submission.json").read_bytes()
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["figures"]["table1"]["Avg. PASS"] == 1.0 and summary["scorer_version"] == scorer_version()
    scores = pq.read_table(folder / "scores.parquet").to_pylist()
    assert len(scores) == len(gold_rows) and all(r["pass"] == 1 for r in scores)
    assert Board(board).config["revision"] == 1


def test_two_concurrent_adds_from_two_processes_keep_both(board, gold_rows, make_bundle) -> None:
    bundles = [make_bundle(wrong_rows(gold_rows, k)) for k in (2, 3, 5, 7)]
    procs = [subprocess.Popen([ROSE, "leaderboard", "add", "--board", str(board), str(b)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for b in bundles]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outs
    b = Board(board)
    assert len(b.ids()) == 4 and b.config["revision"] == 4
    assert not [p for p in (board / "submissions").iterdir() if p.name.startswith(".")]


def test_remove_and_list(board, gold_rows, make_bundle, capsys) -> None:
    keep = add_bundle(board, make_bundle(gold_rows))
    gone = add_bundle(board, make_bundle(wrong_rows(gold_rows, 2)))
    assert rose_main(["leaderboard", "list", "--board", str(board)]) == 0
    listed = capsys.readouterr().out
    assert keep[:12] in listed and gone[:12] in listed
    remove_submission(board, gone[:8])
    assert Board(board).ids() == [keep]


def test_rescore_recomputes_from_stored_predictions_and_records_the_scorer(board, gold_rows, make_bundle, capsys) -> None:
    sub_id = add_bundle(board, make_bundle(wrong_rows(gold_rows, 3)))
    folder = Board(board).folder(sub_id)
    original = pq.read_table(folder / "scores.parquet").to_pylist()
    (folder / "scores.parquet").unlink()  # as if the scorer had changed: nothing but the raw answers is trusted
    edit_json(folder / "summary.json", lambda s: s.update(scorer_version="0.0.0+old"))
    assert rose_main(["leaderboard", "rescore", "--board", str(board)]) == 0
    out = capsys.readouterr().out
    assert "0.0.0+old -> " + scorer_version() in out and "0 rank(s) moved" in out
    assert pq.read_table(folder / "scores.parquet").to_pylist() == original
    assert Board(board).summary(sub_id)["scorer_version"] == scorer_version()


def test_board_reads_back_with_datasets_load_dataset(board, gold_rows, make_bundle) -> None:
    """The board is a Hugging Face dataset directory: its card's `scores` config loads every per-item row."""
    from datasets import load_dataset

    add_bundle(board, make_bundle(gold_rows))
    add_bundle(board, make_bundle(wrong_rows(gold_rows, 2)))
    ds = load_dataset(str(board), "scores", split="test", cache_dir=str(board.parent / "hf_cache"))
    assert ds.num_rows == 2 * len(gold_rows)


def test_rose_validate_checks_bundles(gold_rows, make_bundle, capsys) -> None:
    good = make_bundle(gold_rows)
    assert rose_main(["validate", str(good)]) == 0
    bad = make_bundle(gold_rows)
    (bad / "predictions.jsonl").write_bytes(b"{}\n")
    assert rose_main(["validate", str(bad)]) == 1
    assert "differs from submission.json" in capsys.readouterr().out
