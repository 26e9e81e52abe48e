"""The install layout: every package folder is listed, and import names stay inside rose_bench."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
FOLDERS = {"rose_bench": "rose_bench", "scoring": "rose_bench.scoring",
           "dataset_builder": "rose_bench.dataset_builder", "lmms_tasks": "rose_bench.lmms_tasks"}


def _package_dirs() -> list[str]:
    names = []
    for folder, package in FOLDERS.items():
        for init in sorted((ROOT / folder).rglob("__init__.py")):
            rel = init.parent.relative_to(ROOT / folder).parts
            names.append(".".join((package, *rel)))
    return names


@pytest.mark.parametrize("package", _package_dirs())
def test_every_package_folder_is_listed_and_imports(package: str) -> None:
    assert package in SETUPTOOLS["packages"], f"add {package!r} to [tool.setuptools] packages in pyproject.toml"
    importlib.import_module(package)


@pytest.mark.parametrize("top", ["scoring", "dataset_builder", "lmms_tasks"])
def test_top_level_folders_are_not_importable_under_their_own_name(top: str) -> None:
    """Installed import names must not collide with the PyPI distributions `scoring` / `dataset-builder`."""
    mapped = SETUPTOOLS["package-dir"]
    assert mapped[f"rose_bench.{top}"] == top
    assert top not in mapped


def test_scoring_depends_on_neither_builder_nor_lmms_tasks() -> None:
    offenders = []
    for path in (ROOT / "scoring").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for banned in ("dataset_builder", "lmms_tasks"):
            if banned in text:
                offenders.append(f"{path.relative_to(ROOT)} mentions {banned}")
    assert not offenders, offenders


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = ci.strip().splitlines()[-1]
    assert command in readme, f".ci/run command {command!r} must appear verbatim in README.md"
