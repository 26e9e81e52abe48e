"""Make every lmms-eval ``TaskManager`` see the ROSE tasks, with no flag.

lmms-eval 0.7.3 has no entry-point group for tasks (its ``LMMS_EVAL_PLUGINS``
variable is read only after the TaskManager is built), and every code path
that resolves or lists tasks — ``lmms-eval --tasks``, ``lmms-eval tasks ...``,
the wizard, the HTTP server and the Python API — goes through
``lmms_eval.tasks.TaskManager.initialize_tasks``.  So rose-bench installs a
one-line ``rose_bench_lmms_tasks.pth`` into site-packages (see setup.py) that
calls :func:`install`.  That only puts a tiny finder on ``sys.meta_path``: it
does nothing until ``lmms_eval.tasks`` is imported, and then wraps
``initialize_tasks`` so the ROSE folder is appended to ``include_path``.

* Appended last, so built-in tasks and the user's ``--include_path`` keep
  precedence on a name clash (the tests check there is none).
* ROSE tasks count as defaults: ``TaskManager(include_defaults=False)`` skips
  them like the built-ins.
* ``ROSE_LMMS_AUTOLOAD=0`` turns the hook off (then use
  ``--include_path <TASKS_DIR>``).
"""

from __future__ import annotations

import functools
import os
import sys
from importlib.abc import Loader, MetaPathFinder
from pathlib import Path

TASKS_DIR = str(Path(__file__).resolve().parent / "rose")
TARGET_MODULE = "lmms_eval.tasks"
DISABLE_ENV = "ROSE_LMMS_AUTOLOAD"
_PATCHED_FLAG = "_rose_bench_tasks_dir"


def with_rose_tasks(include_path: str | list | tuple | None) -> list[str]:
    """``include_path`` as a list that ends with the ROSE tasks folder (added once)."""
    if include_path is None:
        paths: list[str] = []
    elif isinstance(include_path, (str, os.PathLike)):
        paths = [os.fspath(include_path)]
    else:
        paths = [os.fspath(p) for p in include_path]
    ours = os.path.realpath(TASKS_DIR)
    if not any(os.path.realpath(p) == ours for p in paths):
        paths.append(TASKS_DIR)
    return paths


def patch_task_manager(module) -> None:
    """Wrap ``module.TaskManager.initialize_tasks`` (idempotent)."""
    manager = getattr(module, "TaskManager", None)
    if manager is None or getattr(manager.initialize_tasks, _PATCHED_FLAG, None):
        return
    original = manager.initialize_tasks

    @functools.wraps(original)
    def initialize_tasks(self, include_path=None, include_defaults=True):
        if include_defaults:
            include_path = with_rose_tasks(include_path)
        return original(self, include_path=include_path, include_defaults=include_defaults)

    setattr(initialize_tasks, _PATCHED_FLAG, TASKS_DIR)
    manager.initialize_tasks = initialize_tasks


class _PatchAfterExec(Loader):
    """Runs the real loader, then patches; the module keeps the real loader."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        patch_task_manager(module)


class _TaskManagerFinder(MetaPathFinder):
    """Answers only for ``lmms_eval.tasks``; every other import costs one string compare."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != TARGET_MODULE:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _PatchAfterExec(spec.loader)
        return spec


def install() -> None:
    """Called from the .pth at interpreter start-up; cheap and idempotent."""
    if os.environ.get(DISABLE_ENV, "1").strip() == "0":
        return
    module = sys.modules.get(TARGET_MODULE)
    if module is not None:
        patch_task_manager(module)
        return
    if not any(isinstance(f, _TaskManagerFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _TaskManagerFinder())
