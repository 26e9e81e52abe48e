"""The install layout: every package folder is listed, and import names stay inside rose_bench."""

from __future__ import annotations

import ast
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
FOLDERS = {"rose_bench": "rose_bench", "scoring": "rose_bench.scoring", "solver": "rose_bench.solver",
           "dataset_builder": "rose_bench.dataset_builder", "lmms_tasks": "rose_bench.lmms_tasks",
           "leaderboard": "rose_bench.leaderboard", "human": "rose_bench.human"}

# Which of our packages each package may import (besides itself and the root ``rose_bench`` for its version).
# scoring <- solver <- dataset_builder; scoring <- lmms_tasks; the applications on top; the CLI uses everything.
ALLOWED_IMPORTS: dict[str, set[str]] = {
    "scoring": set(),
    "solver": {"scoring"},
    "lmms_tasks": {"scoring"},
    "dataset_builder": {"scoring", "solver"},
    "leaderboard": {"scoring", "solver", "dataset_builder", "lmms_tasks"},
    "human": {"scoring", "solver", "leaderboard"},
}


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


def _imported_packages(path: Path, package: str, root: Path = ROOT) -> set[str]:
    """Our top-level packages that a module imports, absolute or relative, at any depth (lazy imports too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    depth = len(path.relative_to(root / package).parts) - 1  # folders below the package root
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's own package
                if node.level - 1 > depth:
                    found.add("<outside>")
                continue
            else:
                names = [node.module or ""]
        for name in names:
            parts = name.split(".")
            if parts[0] == "rose_bench" and len(parts) > 1 and parts[1] in ALLOWED_IMPORTS:
                found.add(parts[1])
            elif parts[0] == "rose_bench" and len(parts) > 1 and parts[1] != "__version__":
                found.add("rose_bench." + parts[1])
            elif parts[0] in ALLOWED_IMPORTS:
                found.add(parts[0] + " (unmapped name)")
    return found - {package}


@pytest.mark.parametrize("package", sorted(ALLOWED_IMPORTS))
def test_dependencies_run_one_way(package: str) -> None:
    offenders = {
        f"{path.relative_to(ROOT)} imports {dep}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for dep in _imported_packages(path, package)
        if dep not in ALLOWED_IMPORTS[package]
    }
    assert not offenders, sorted(offenders)


def test_the_dependency_check_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    module = tmp_path / "solver" / "sub" / "probe.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "from . import sibling\nfrom .. import grid_detect\n"
        "def f():\n    from rose_bench.dataset_builder import plan\n    from ...scoring import grid\n    import scoring\n",
        encoding="utf-8",
    )
    assert _imported_packages(module, "solver", tmp_path) == {"dataset_builder", "<outside>", "scoring (unmapped name)"}


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = ci.strip().splitlines()[-1]
    assert command in readme, f".ci/run command {command!r} must appear verbatim in README.md"
