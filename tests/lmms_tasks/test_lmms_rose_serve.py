"""Issue #6: the real ``rose serve`` as lmms-eval's ``openai`` model, end to end.

The literal user command (``lmms-eval --model openai --model_args
model=rose-solver,base_url=http://127.0.0.1:PORT/v1,... --tasks
rose_count,rose_action``) runs against ``rose serve`` subprocesses on the
session's small build, read through ``ROSE_BENCH_DATA``:

* ``--policy solver``: every ROSE figure lmms-eval reports is 1.0, and so is
  every figure ``rose score`` computes from the converted samples;
* ``--policy global`` (perceives every odd cell, ignores the region): the
  figures lmms-eval reports equal ``rose score``'s, and each template's PASS is
  the share of its items with no target outside the region (read from the
  build's metadata, so the test holds whatever scenes the build drew).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from rose_bench.lmms_tasks.metrics import FIGURE_SOURCES, TASK_FIGURES
from rose_bench.scoring.contract import T1, T2, T3, T4, T5, TEMPLATE_SHORT

from tests.support.lmms import (
    TASK_CONFIG_FOLDERS, TASK_KIND, LmmsRun, figures_by_rose_score, offline_env, reported_figures, rose_serve,
    run_lmms_eval, same_figure,
)

pytestmark = pytest.mark.slow

TASKS = ("rose_count", "rose_action")
TEMPLATE_FIGURE = {TEMPLATE_SHORT[t]: name for name, (_, key) in FIGURE_SOURCES.items()
                   for t in (T1, T2, T3, T4, T5) if key == TEMPLATE_SHORT[t]}  # "L-Clk" -> "l_clk", ...


def _evaluate(policy: str, build: Path, tmp: Path) -> LmmsRun:
    with rose_serve(policy, tmp / "serve.log") as base_url:
        model_args = f"model=rose-{policy},base_url={base_url},api_key=x,timeout=120,num_concurrent=4"
        return run_lmms_eval(
            ["--model", "openai", "--model_args", model_args, "--tasks", ",".join(TASKS)],
            cwd=tmp, output=tmp / "out", env=offline_env(tmp, ROSE_BENCH_DATA=str(build)),
        )


def _test_rows(build: Path, task: str) -> list[dict]:
    columns = ["item_id", "rose_subset", "task_template", "num_out_region_targets"]
    return [row for folder in TASK_CONFIG_FOLDERS[task] for path in sorted((build / "data" / folder).glob("test-*.parquet"))
            for row in pq.read_table(path, columns=columns).to_pylist()]


@pytest.fixture(scope="module")
def build(workdir: Path) -> Path:
    return workdir / "rose-bench"


@pytest.fixture(scope="module")
def solver_run(build: Path, tmp_path_factory) -> tuple[LmmsRun, Path]:
    tmp = tmp_path_factory.mktemp("serve_solver")
    return _evaluate("solver", build, tmp), tmp


@pytest.fixture(scope="module")
def global_run(build: Path, tmp_path_factory) -> tuple[LmmsRun, Path]:
    tmp = tmp_path_factory.mktemp("serve_global")
    return _evaluate("global", build, tmp), tmp


@pytest.mark.parametrize("task", TASKS)
def test_solver_scores_one_on_every_figure(solver_run, build: Path, task: str) -> None:
    run, tmp = solver_run
    assert run.results["n-samples"][task]["effective"] == len(_test_rows(build, task)) > 0
    reported = reported_figures(run.results, task)
    assert sorted(reported) == sorted(TASK_FIGURES[TASK_KIND[task]])
    assert all(value == 1.0 for value in reported.values()), reported
    official = figures_by_rose_score(tmp, run, task, build)
    assert all(official[name] == 1.0 for name in reported), official


@pytest.mark.parametrize("task", TASKS)
def test_global_baseline_figures_equal_rose_score(global_run, build: Path, task: str) -> None:
    run, tmp = global_run
    reported = reported_figures(run.results, task)
    assert sorted(reported) == sorted(TASK_FIGURES[TASK_KIND[task]])
    official = figures_by_rose_score(tmp, run, task, build)
    mismatched = {m: (v, official[m]) for m, v in reported.items() if not same_figure(v, official[m])}
    assert not mismatched, f"{task}: lmms-eval vs rose score {mismatched}"
    assert reported["valid"] == 1.0  # the baseline always answers in the grammar


@pytest.mark.parametrize("task", TASKS)
def test_global_baseline_fails_exactly_where_targets_lie_outside_the_region(global_run, build: Path, task: str) -> None:
    """Template PASS = macro over subsets of the share of items whose region holds every target."""
    reported = reported_figures(global_run[0].results, task)
    by_template: dict[str, dict[str, list[bool]]] = {}
    for row in _test_rows(build, task):
        by_template.setdefault(row["task_template"], {}).setdefault(row["rose_subset"], []).append(
            row["num_out_region_targets"] == 0)
    assert by_template
    for template, subsets in by_template.items():
        expected = sum(sum(v) / len(v) for v in subsets.values()) / len(subsets)
        figure = TEMPLATE_FIGURE[TEMPLATE_SHORT[template]]
        assert same_figure(reported[figure], expected), (template, reported[figure], expected)
    if task == "rose_count":
        assert reported["g_cnt"] == 1.0
    else:  # clicking every odd cell passes a local click only when the region holds them all
        some_target_outside = not all(ok for oks in by_template[T3].values() for ok in oks)
        assert (reported["l_clk"] < 1.0) == some_target_outside
