"""The lmms-eval tasks on a withheld split, through the real ``lmms-eval`` CLI.

The session's small build is withheld (``rose withhold``); ``lmms-eval --model
openai`` runs the ``rose`` task against the real ``rose serve --policy global``
on the public build (``ROSE_BENCH_DATA``).  Nothing crashes, every figure is
reported as None, one warning says the figures need the key, and the samples
keep every answer: ``rose lmms-to-predictions`` + ``rose score --answer-key``
give exactly the per-item scores of scoring the original build.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rose_bench.cli import main as rose_main
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


def test_samples_scored_with_the_key_equal_scores_on_the_original_build(withheld_run, workdir: Path) -> None:
    run, tmp = withheld_run
    predictions = tmp / "predictions.jsonl"
    assert rose_main(["lmms-to-predictions", str(run.samples(TASK)), "--out", str(predictions)]) == 0
    assert rose_main(["score", "--predictions", str(predictions), "--dataset-root", str(tmp / "public"),
                      "--answer-key", str(tmp / "key"), "--out-dir", str(tmp / "keyed"), "--quiet"]) == 0
    assert rose_main(["score", "--predictions", str(predictions), "--dataset-root", str(workdir / "rose-bench"),
                      "--out-dir", str(tmp / "original"), "--quiet"]) == 0
    keyed, original = (read_jsonl(tmp / name / "per_item_eval.jsonl") for name in ("keyed", "original"))
    assert keyed == original and len(keyed) == len(_public_test_ids(tmp / "public"))
    summary = json.loads((tmp / "keyed" / "evaluation_summary.json").read_text(encoding="utf-8"))
    assert summary["coverage"]["complete_submission"] and summary["overall"]["valid_rate"] == 1.0  # global answers in grammar
