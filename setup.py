"""Build hook only (all metadata is in pyproject.toml): ship ``rose_bench_lmms_tasks.pth``.

lmms-eval has no task entry points, so the ROSE tasks register through a .pth
file in site-packages that calls ``rose_bench.lmms_tasks.autoload.install()``
(see that module).  A .pth must sit at the top of site-packages, which neither
package data nor ``data_files`` can reach portably, hence this build sub-command:
* regular wheel: the file goes to ``build_lib``, whose contents are the wheel root;
* editable wheel (PEP 660, ``pip install -e``): setuptools zips the directory
  ``install.install_lib`` points at into the editable wheel, so the file goes there.
tests/lmms_tasks/test_registration.py checks that the file is installed.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import Command, setup
from setuptools.command.build import build

PTH_NAME = "rose_bench_lmms_tasks.pth"
# Sorts after setuptools' "__editable__.*.pth", so rose_bench is importable by then.
PTH_TEXT = "import rose_bench.lmms_tasks.autoload as _rose_autoload; _rose_autoload.install()\n"


class build_rose_pth(Command):
    description = "write the .pth that registers the ROSE lmms-eval tasks"
    user_options: list = []

    def initialize_options(self) -> None:
        self.build_lib = None
        self.editable_mode = False

    def finalize_options(self) -> None:
        self.set_undefined_options("build_py", ("build_lib", "build_lib"))

    def _target_dir(self) -> Path:
        if self.editable_mode:
            return Path(self.get_finalized_command("install").install_lib)
        return Path(self.build_lib)

    def run(self) -> None:
        target = self._target_dir()
        target.mkdir(parents=True, exist_ok=True)
        (target / PTH_NAME).write_text(PTH_TEXT, encoding="utf-8")

    def get_outputs(self) -> list[str]:
        return [] if self.editable_mode else [str(Path(self.build_lib) / PTH_NAME)]

    def get_output_mapping(self) -> dict[str, str]:
        return {}

    def get_source_files(self) -> list[str]:
        return []


class build_with_rose_pth(build):
    sub_commands = build.sub_commands + [("build_rose_pth", None)]


setup(cmdclass={"build": build_with_rose_pth, "build_rose_pth": build_rose_pth})
