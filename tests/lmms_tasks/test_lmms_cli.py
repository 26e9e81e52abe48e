"""End to end through the real ``lmms-eval`` CLI on a small real build (``rose build``).

* ``--model openai`` against a local answer-key server (tests/support/answer_server.py), one
  run: the figures lmms-eval reports equal what ``rose score`` computes from the
  converted samples (test items, 30% answered wrong or malformed), and are 1.0
  on the dev tasks, which the server answers perfectly; the server log proves
  the prompt layout and that every item got its own image (cued on T4).
* ``--model dummy`` smoke run over every task name, loaded with
  ``--include_path`` and the autoload hook switched off (the source-checkout path).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rose_bench.lmms_tasks.autoload import TASKS_DIR
from rose_bench.lmms_tasks.metrics import TASK_FIGURES
from rose_bench.scoring.io import read_jsonl

from tests.support.answer_server import AnswerKey, AnswerServer, load_rows
from tests.support.lmms import (
    TASK_CONFIG_FOLDERS, TASK_KIND, figures_by_rose_score, offline_env, reported_figures, run_lmms_eval, same_figure,
)

pytestmark = pytest.mark.slow

MAIN_TASKS = ["rose_count", "rose_action", "rose", "rose_global_click", "rose_matched_local_count"]
ALL_TASKS = MAIN_TASKS + [f"{t}_dev" for t in MAIN_TASKS]
MODEL = "rose-answer-key"
PERFECT_TASKS = ["rose_count_dev", "rose_action_dev"]
PERFECT_TEMPLATES = {"T1_COUNT_GLOBAL", "T2_COUNT_LOCAL_NUMERIC", "T3_CLICK_LOCAL_NUMERIC", "T4_CLICK_VISUAL_REGION",
                     "T5_CLICK_COUNT_EXCLUSION"}  # dev rows of the perfect tasks


def _openai_args(server: AnswerServer) -> list[str]:
    return ["--model", "openai", "--model_args",
            f"model={MODEL},base_url={server.base_url},api_key=local-key,num_concurrent=4,max_retries=2,timeout=60"]


@pytest.fixture(scope="module")
def openai_run(workdir: Path, tmp_path_factory):
    """One lmms-eval run: test items with 30% mistakes, dev items (rose_count_dev, rose_action_dev) perfect."""
    tmp = tmp_path_factory.mktemp("openai")
    rows = load_rows(workdir / "rose-bench")
    key = AnswerKey(rows, share_wrong=0.2, share_malformed=0.1, seed=3, perfect_splits=("dev",))
    with AnswerServer(key) as server:
        run = run_lmms_eval(_openai_args(server) + ["--tasks", ",".join(MAIN_TASKS + PERFECT_TASKS)],
                            cwd=workdir, output=tmp / "out", env=offline_env(tmp))
    return run, server.log, rows, tmp


@pytest.mark.parametrize("task", MAIN_TASKS)
def test_lmms_eval_figures_equal_rose_score(openai_run, workdir: Path, task: str) -> None:
    run, _, _, tmp = openai_run
    reported = reported_figures(run.results, task)
    official = figures_by_rose_score(tmp, run, task, workdir / "rose-bench")
    assert sorted(reported) == sorted(TASK_FIGURES[TASK_KIND[task]])
    mismatched = {m: (v, official[m]) for m, v in reported.items() if not same_figure(v, official[m])}
    assert not mismatched, f"{task}: lmms-eval vs rose score {mismatched}"
    if task == "rose":
        assert 0 < reported["pass"] < 1 and reported["gap"] is not None  # the server's mistakes show


@pytest.mark.parametrize("task", PERFECT_TASKS)
def test_figures_are_one_when_the_model_never_errs(openai_run, task: str) -> None:
    run = openai_run[0]
    figures = reported_figures(run.results, task)
    assert figures and all(value == 1.0 for value in figures.values()), figures
    answers = [s["filtered_resps"] for s in read_jsonl(run.samples(task))]
    if task.startswith("rose_action"):
        assert any("\n\n" in a for a in answers)  # multi-line answers arrive whole


def test_each_request_carries_the_reference_prompt_and_the_items_own_image(openai_run) -> None:
    run, log, rows, _ = openai_run
    by_id = {r["item_id"]: r for r in rows}
    asked = {i for i, r in by_id.items() if r["split"] == "test" or r["task_template"] in PERFECT_TEMPLATES}
    assert log and not [e for e in log if "error" in e]
    assert len(log) == sum(run.results["n-samples"][t]["effective"] for t in MAIN_TASKS + PERFECT_TASKS)
    assert asked <= {item for entry in log for item in entry["item_ids"]}
    base = {r["scene_id"]: r["image_digest"] for r in rows if r["task_template"] == "T1_COUNT_GLOBAL"}
    for entry in log:
        assert entry["roles"] == ["user"] and entry["part_types"] == ["text", "image_url", "text"]
        assert entry["authorization"] == "Bearer local-key" and entry["model"] == MODEL
        assert entry["max_tokens"] == 256 and entry["temperature"] == 0.0
        for item in entry["item_ids"]:
            row = by_id[item]
            assert entry["texts"] == [row["prompt_global"].strip(), row["prompt_local"].strip()]
            assert entry["image_digests"] == [row["image_digest"]]
            cued = entry["image_digests"][0] != base[row["scene_id"]]
            assert cued == (row["task_template"] == "T4_CLICK_VISUAL_REGION"), item


def test_dummy_smoke_every_task_via_include_path(workdir: Path, tmp_path: Path) -> None:
    env = offline_env(tmp_path, ROSE_LMMS_AUTOLOAD="0", ROSE_BENCH_DATA=str(workdir / "rose-bench"))
    run = run_lmms_eval(
        ["--model", "dummy", "--model_args", "response=COUNT(1)", "--tasks", ",".join(ALL_TASKS),
         "--include_path", TASKS_DIR],
        cwd=tmp_path, output=tmp_path / "out", env=env,
    )
    assert sorted(run.results["results"]) == sorted(ALL_TASKS)
    build = workdir / "rose-bench"
    rows = {r["item_id"]: r for r in load_rows(build)}
    for task in ALL_TASKS:
        base = task.removesuffix("_dev")
        split = "dev" if task.endswith("_dev") else "test"
        expected = sum(len(read_jsonl_parquet(p)) for f in TASK_CONFIG_FOLDERS[base]
                       for p in (build / "data" / f).glob(f"{split}-*.parquet"))
        assert run.results["n-samples"][task]["effective"] == expected > 0, task
        assert run.results["versions"][task] == 0.1
        for sample in read_jsonl(run.samples(task)):
            row = rows[sample["pass"]["item_id"]]
            assert sample["pass"]["raw_text"] == "COUNT(1)"
            # dummy is a non-chat model: it gets doc_to_text (+ doc_to_visual), the prompts joined by a blank line
            assert sample["input"] == row["prompt_global"].strip() + "\n\n" + row["prompt_local"].strip()


def read_jsonl_parquet(path: Path) -> list:
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=["item_id"]).to_pylist()
