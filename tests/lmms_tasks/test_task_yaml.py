"""The task YAMLs' metric_list agrees with the figure table (scoring.figures), file by file."""

from __future__ import annotations

import pytest
import yaml

from rose_bench.lmms_tasks import metrics, task_yaml
from rose_bench.scoring.contract import COMPOSITE_CONFIGS, SPLITS
from rose_bench.scoring.figures import FIGURE, FIGURES

TASK_FILES = sorted(task_yaml.TASKS_DIR.glob("*.yaml"))


class _Loader(yaml.SafeLoader):
    """Reads lmms-eval's ``!function module.attr`` tag as the string ``fn:module.attr``."""


_Loader.add_constructor("!function", lambda loader, node: "fn:" + loader.construct_scalar(node))


def _load(path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


@pytest.mark.parametrize("path", TASK_FILES, ids=[p.name for p in TASK_FILES])
def test_metric_list_is_the_figure_table(path):
    config = _load(path)
    if "metric_list" not in config:
        assert "include" in config and "dataset_name" not in config  # a split variant of another task
        return
    kind = config["dataset_name"]
    expected = [
        {"metric": name, "aggregation": f"fn:{task_yaml.HOOKS_MODULE}.agg_{name}",
         "higher_is_better": FIGURE[name].higher_is_better}
        for name in metrics.TASK_FIGURES[kind]
    ]
    assert config["metric_list"] == expected, "run: python -m rose_bench.lmms_tasks.task_yaml"
    assert config["process_results"] == f"fn:{task_yaml.HOOKS_MODULE}.process_results_{kind}"
    assert task_yaml.rendered(path.read_text(encoding="utf-8")) == path.read_text(encoding="utf-8")


def test_every_task_kind_has_a_yaml_and_every_figure_a_hook():
    kinds = {_load(p).get("dataset_name") for p in TASK_FILES} - {None}
    assert kinds == set(metrics.TASK_FIGURES) == set(COMPOSITE_CONFIGS)  # one task per composite config
    assert {_load(p).get("test_split", "test") for p in TASK_FILES} == set(SPLITS)
    assert set(metrics.TASK_FIGURES["all"]) == {f.name for f in FIGURES}
    for figure in FIGURES:
        hook = getattr(metrics, f"agg_{figure.name}")
        assert hook.__name__ == f"agg_{figure.name}"
    for kind in metrics.TASK_FIGURES:
        assert getattr(metrics, f"process_results_{kind}").__name__ == f"process_results_{kind}"


@pytest.mark.parametrize(
    "old,new",
    [("higher_is_better: false", "higher_is_better: true"), ("agg_gap", "agg_pass"), ("  - {metric: gap", "  - {metric: gapp")],
    ids=["direction", "hook", "name"],
)
def test_a_yaml_that_disagrees_is_detected(old, new):
    text = (task_yaml.TASKS_DIR / "rose.yaml").read_text(encoding="utf-8")
    tampered = text.replace(old, new, 1)
    assert tampered != text and task_yaml.rendered(tampered) == text
