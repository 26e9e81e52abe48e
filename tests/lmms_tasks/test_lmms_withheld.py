"""The lmms-eval tasks on a withheld split, through the real ``lmms-eval`` CLI.

The session's small build is withheld (``rose withhold``); ``lmms-eval --model
openai`` runs the ``rose`` task against the real ``rose serve --policy global``
on the public build (``ROSE_BENCH_DATA``).  Nothing crashes, every figure is
reported as None, one warning says the figures need the key, and the samples
keep every answer: ``rose lmms-to-predictions`` + ``rose score --answer-key``
give exactly the per-item scores of scoring the original build, and a board
pinned to the public build takes the run as a bundle with the key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rose_bench.cli import main as rose_main
from rose_bench.leaderboard.board import Board
from rose_bench.lmms_tasks.metrics import TASK_FIGURES, WITHHELD_TARGET, WITHHELD_WARNING
from rose_bench.scoring.answer_key import WITHHELD_COLUMNS
from rose_bench.scoring.io import read_jsonl

from tests.support.lmms import LmmsRun, offline_env, reported_figures, rose_serve, run_lmms_eval

pytestmark = pytest.mark.slow

TASK = "rose"


@pytest.fixture(scope="module")
def withheld_run(workdir: Path, tmp_path_factory) -> tuple[LmmsRun, Path]:
    tmp = tmp_path_factory.mktemp("withheld")
    assert rose_main(["withhold", str(workdir / "rose-bench"), "--split", "test", "--out", str(tmp / "public"),
                      "--key", str(tmp / "key")]) == 0
    with rose_serve("global", tmp / "serve.log") as base_url:
        run = run_lmms_eval(
            ["--model", "openai", "--model_args", f"model=rose-global,base_url={base_url},api_key=x,timeout=120,"
             "num_concurrent=4", "--tasks", TASK],
            cwd=tmp, output=tmp / "out", env=offline_env(tmp, ROSE_BENCH_DATA=str(tmp / "public")),
        )
    return run, tmp


def _public_test_ids(public: Path) -> set[str]:
    import pyarrow.parquet as pq

    return {i for folder in ("t1", "t2", "t3", "t4", "t5") for shard in (public / "data" / folder).glob("test-*.parquet")
            for i in pq.read_table(shard, columns=["item_id"]).column(0).to_pylist()}


def test_every_figure_is_none_and_one_warning_says_the_key_is_needed(withheld_run) -> None:
    run, tmp = withheld_run
    figures = reported_figures(run.results, TASK)
    assert sorted(figures) == sorted(TASK_FIGURES["all"]) and all(v is None for v in figures.values()), figures
    assert run.results["n-samples"][TASK]["effective"] == len(_public_test_ids(tmp / "public")) > 0
    assert run.stderr.count(WITHHELD_WARNING) == 1, run.stderr[-3000:]


def test_samples_keep_every_answer_and_no_answer_column(withheld_run) -> None:
    run, tmp = withheld_run
    samples = read_jsonl(run.samples(TASK))
    assert {s["pass"]["item_id"] for s in samples} == _public_test_ids(tmp / "public")
    for sample in samples:
        assert sample["pass"]["withheld"] is True and sample["target"] == WITHHELD_TARGET
        answer = sample["filtered_resps"]
        answer = answer[0] if isinstance(answer, list) else answer
        assert sample["pass"]["raw_text"] and sample["pass"]["raw_text"] == answer.strip()
        assert not set(sample.get("doc", {})) & set(WITHHELD_COLUMNS) and not set(sample["pass"]) & set(WITHHELD_COLUMNS)


@pytest.fixture(scope="module")
def keyed(withheld_run) -> Path:
    """The run's samples -> predictions (`rose lmms-to-predictions`) -> `rose score --answer-key` output folder."""
    run, tmp = withheld_run
    predictions = tmp / "predictions.jsonl"
    assert rose_main(["lmms-to-predictions", str(run.samples(TASK)), "--out", str(predictions)]) == 0
    assert rose_main(["score", "--predictions", str(predictions), "--dataset-root", str(tmp / "public"),
                      "--answer-key", str(tmp / "key"), "--out-dir", str(tmp / "keyed"), "--quiet"]) == 0
    return tmp / "keyed"


def test_samples_scored_with_the_key_equal_scores_on_the_original_build(withheld_run, keyed, workdir: Path) -> None:
    _, tmp = withheld_run
    assert rose_main(["score", "--predictions", str(tmp / "predictions.jsonl"), "--dataset-root",
                      str(workdir / "rose-bench"), "--out-dir", str(tmp / "original"), "--quiet"]) == 0
    rows, original = read_jsonl(keyed / "per_item_eval.jsonl"), read_jsonl(tmp / "original" / "per_item_eval.jsonl")
    assert rows == original and len(rows) == len(_public_test_ids(tmp / "public"))
    summary = json.loads((keyed / "evaluation_summary.json").read_text(encoding="utf-8"))
    assert summary["coverage"]["complete_submission"] and summary["overall"]["valid_rate"] == 1.0  # global answers in grammar


def test_the_run_enters_a_board_pinned_to_the_public_build_with_the_key(withheld_run, keyed) -> None:
    run, tmp = withheld_run
    assert rose_main(["submission", "create", "--lmms-samples", str(run.samples(TASK)), "--dataset", str(tmp / "public"),
                      "--model-name", "rose-global", "--organisation", "tests", "--api-model-id", "rose-global",
                      "--closed-weights", "--out", str(tmp / "bundle")]) == 0
    board = tmp / "board"
    assert rose_main(["leaderboard", "init", "--board", str(board), "--dataset", str(tmp / "public"),
                      "--answer-key", str(tmp / "key"), "--replicates", "20"]) == 0
    assert rose_main(["leaderboard", "add", "--board", str(board), str(tmp / "bundle"), "--answer-key", str(tmp / "key")]) == 0
    (sub_id,) = Board(board).ids()
    scored = {r["item_id"]: r["pass"] for r in read_jsonl(keyed / "per_item_eval.jsonl")}
    assert {r["item_id"]: r["pass"] for r in Board(board).score_rows(sub_id)} == scored
