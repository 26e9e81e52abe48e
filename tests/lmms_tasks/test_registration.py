"""Registration: the installed .pth makes every lmms-eval TaskManager (API and CLI) see the ROSE
tasks with no flag and no name collision; and the task YAMLs hold the agreed settings."""

from __future__ import annotations

import subprocess
import sysconfig
from pathlib import Path

import pytest

from rose_bench.lmms_tasks import autoload, metrics
from rose_bench.scoring.figures import FIGURE
from rose_bench.scoring.grammar import CLICK, CLICK_COUNT, COUNT, format_answer
from rose_bench.scoring.grid import Cell

from tests.support.lmms import LMMS_EVAL, offline_env

TASKS_DIR = Path(autoload.TASKS_DIR)
MAIN = {"rose": "all", "rose_count": "count", "rose_action": "action", "rose_global_click": "global_click",
        "rose_matched_local_count": "matched_local_count"}
ROSE_TASKS = sorted([*MAIN, *(f"{t}_dev" for t in MAIN)])
PTH = "rose_bench_lmms_tasks.pth"


def test_pth_is_installed_in_site_packages() -> None:
    pth = Path(sysconfig.get_path("purelib")) / PTH
    assert pth.is_file(), f"{pth} missing: reinstall with scripts/setup.sh (pip install -e .)"
    assert "rose_bench.lmms_tasks.autoload" in pth.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def task_manager():
    from lmms_eval.tasks import TaskManager  # patched on import by the .pth hook

    return TaskManager("ERROR")


def test_task_manager_api_indexes_every_rose_task_from_our_folder(task_manager) -> None:
    index = task_manager.task_index
    ours = sorted(name for name, info in index.items() if str(info.get("yaml_path", "")).startswith(str(TASKS_DIR)))
    assert ours == ROSE_TASKS
    # Built-in names win on a clash, so a clash would show as another yaml_path or type here.
    for name in ROSE_TASKS:
        assert index[name]["type"] == "task", name
        assert Path(index[name]["yaml_path"]).parent == TASKS_DIR, name
    assert len([n for n in index if n.startswith("rose")]) >= len(ROSE_TASKS)
    assert len(index) > 1000  # the built-ins are still there


def test_include_defaults_false_leaves_rose_out_like_the_builtins(task_manager) -> None:
    from lmms_eval.tasks import TaskManager

    assert not TaskManager("ERROR", include_defaults=False).all_tasks


@pytest.mark.parametrize(
    "given, expected",
    [(None, [str(TASKS_DIR)]), ("/x", ["/x", str(TASKS_DIR)]), (["/x", str(TASKS_DIR)], ["/x", str(TASKS_DIR)]),
     ((str(TASKS_DIR) + "/",), [str(TASKS_DIR) + "/"])],
    ids=["none", "str", "already-listed", "trailing-slash"],
)
def test_with_rose_tasks_appends_once(given, expected) -> None:
    assert autoload.with_rose_tasks(given) == expected


def test_cli_listing_shows_the_tasks_with_no_flag(tmp_path: Path) -> None:
    proc = subprocess.run([LMMS_EVAL, "tasks", "subtasks"], cwd=tmp_path, env=offline_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in ROSE_TASKS:
        assert f"|{name} " in proc.stdout.replace("| ", "|"), name
    assert str(TASKS_DIR / "rose_count.yaml") in proc.stdout


# --- the YAMLs -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def configs(tmp_path_factory, monkeypatch_module):
    """Every task YAML loaded as lmms-eval loads it (full mode, includes and !function resolved)."""
    from lmms_eval.utils import load_yaml_config

    build = tmp_path_factory.mktemp("data") / "rose-bench"
    build.mkdir()
    (build / "README.md").write_text("---\nconfigs: []\n---\n", encoding="utf-8")
    monkeypatch_module.setenv("ROSE_BENCH_DATA", str(build))
    monkeypatch_module.delenv("ROSE_BENCH_REVISION", raising=False)
    return {name: load_yaml_config(str(TASKS_DIR / f"{name}.yaml"), mode="full") for name in ROSE_TASKS}, build


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.mark.parametrize("name", ROSE_TASKS)
def test_task_config(configs, name: str) -> None:
    loaded, build = configs
    config = loaded[name]
    base = name.removesuffix("_dev")
    kind = MAIN[base]
    assert config["task"] == name
    assert config["test_split"] == ("dev" if name.endswith("_dev") else "test")
    assert config["dataset_path"] == str(build.resolve()) and config["dataset_kwargs"] == {}
    assert config["dataset_name"] == kind
    assert config["output_type"] == "generate_until"
    assert config["generation_kwargs"] == {"max_new_tokens": 256, "temperature": 0, "do_sample": False,
                                           "until": ["[ROSE_NO_STOP]"]}
    assert config["reasoning_tags"] == "none"
    assert "lmms_eval_specific_kwargs" not in config and "pre_prompt" not in str(config)
    assert isinstance(config["metadata"], dict) and config["metadata"]["version"] == 0.1
    assert config["process_results"] is getattr(metrics, f"process_results_{kind}")
    listed = [m["metric"] for m in config["metric_list"]]
    assert listed == list(metrics.TASK_FIGURES[kind])
    for entry in config["metric_list"]:
        assert entry["aggregation"] is getattr(metrics, f"agg_{entry['metric']}")
        assert entry["higher_is_better"] is FIGURE[entry["metric"]].higher_is_better


def test_stop_sequence_cannot_occur_in_any_answer() -> None:
    """The explicit `until` replaces lmms-eval's default "\\n\\n"; it uses characters the grammar never does."""
    sentinel = "[ROSE_NO_STOP]"
    cells = [Cell(12, 3), Cell(1, 10)]
    answers = [format_answer(COUNT, (), 7), format_answer(CLICK, cells, None), format_answer(CLICK_COUNT, cells, 2)]
    alphabet = set("".join(answers)) | set("0123456789 \n\t;,()")
    assert set("[]_") & set(sentinel) and not (set("[]_") & alphabet)
