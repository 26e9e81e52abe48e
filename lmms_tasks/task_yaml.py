"""The ``metric_list`` of each task YAML, rendered from the figure table (``scoring.figures``).

A task YAML under ``rose/`` names its task kind (``dataset_name``); its
``metric_list`` block lists that kind's figures (``metrics.TASK_FIGURES``),
each with its ``agg_<name>`` hook and the table's ``higher_is_better``.  The
YAMLs are plain files lmms-eval reads; this module rewrites their
``metric_list`` blocks (``python -m rose_bench.lmms_tasks.task_yaml``) and a
test fails when a file and the table disagree.
"""

from __future__ import annotations

import re
from pathlib import Path

from rose_bench.scoring.figures import FIGURE

from .metrics import TASK_FIGURES

__all__ = ["TASKS_DIR", "HOOKS_MODULE", "metric_list_block", "task_kind", "rendered", "write_all"]

TASKS_DIR = Path(__file__).resolve().parent / "rose"
HOOKS_MODULE = "rose_bench.lmms_tasks.metrics"
_BLOCK = re.compile(r"^metric_list:\n(?:  - .*\n)*", re.MULTILINE)
_KIND = re.compile(r"^dataset_name: *(\S+) *$", re.MULTILINE)


def metric_list_block(kind: str) -> str:
    """The YAML ``metric_list`` block of a task of ``kind``."""
    lines = ["metric_list:"]
    for name in TASK_FIGURES[kind]:
        better = "true" if FIGURE[name].higher_is_better else "false"
        lines.append(f"  - {{metric: {name}, aggregation: !function {HOOKS_MODULE}.agg_{name}, higher_is_better: {better}}}")
    return "\n".join(lines) + "\n"


def task_kind(text: str) -> str | None:
    """The ``dataset_name`` of a task YAML (None for variants that only include another task)."""
    match = _KIND.search(text)
    return match.group(1) if match else None


def rendered(text: str) -> str:
    """``text`` with its metric_list block replaced by the one the figure table gives (unchanged without one)."""
    kind = task_kind(text)
    if kind is None or not _BLOCK.search(text):
        return text
    return _BLOCK.sub(lambda _: metric_list_block(kind), text, count=1)


def write_all(folder: Path = TASKS_DIR) -> list[Path]:
    """Rewrite every task YAML whose metric_list differs from the table; returns the files changed."""
    from rose_bench.scoring.io import atomic_write

    changed = []
    for path in sorted(folder.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if rendered(text) != text:
            atomic_write(path, rendered(text))
            changed.append(path)
    return changed


if __name__ == "__main__":
    for path in write_all():
        print(f"rewrote {path}")
