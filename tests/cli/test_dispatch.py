"""The `rose` dispatcher: exit codes from error types, one flag-spelling rule, lazy imports, signals."""

from __future__ import annotations

import argparse
import importlib
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rose_bench.cli import SUBCOMMANDS, build_parser, run_command
from rose_bench.scoring.errors import CheckFailed, UsageError
from rose_bench.scoring.io import InputError
from tests.support.cli import ROSE, rose


def _raise(exc: BaseException):
    def func(args: argparse.Namespace) -> int:
        raise exc

    return func


# (id, what the handler raises, exit code, stderr must contain)
OUTCOMES = [
    ("usage-error", InputError("f.jsonl", "bad row", line=3, fix="repair it"), 2,
     "rose x: error: f.jsonl:3: bad row (fix: repair it)"),
    ("check-failed", CheckFailed("2 rows fail"), 1, "rose x: 2 rows fail"),
    ("os-error", FileNotFoundError(2, "No such file or directory", "gone.txt"), 2,
     "rose x: error: gone.txt: No such file or directory (fix: "),
    ("ctrl-c", KeyboardInterrupt(), 130, "rose x: interrupted"),
    ("bug", ZeroDivisionError("division by zero"), 1, "Traceback (most recent call last)"),
]


@pytest.mark.parametrize("exc,code,message", [o[1:] for o in OUTCOMES], ids=[o[0] for o in OUTCOMES])
def test_exit_code_follows_the_error_type(exc, code, message, capsys) -> None:
    assert run_command("x", argparse.Namespace(func=_raise(exc))) == code
    err = capsys.readouterr().err
    assert message in err
    if code == 1 and isinstance(exc, ZeroDivisionError):
        assert "internal error (this is a bug" in err


# every typed error of the layers, by module and name, and the family it must belong to
TYPED_ERRORS = [
    ("rose_bench.scoring.io", "InputError", UsageError),
    ("rose_bench.scoring.bridge_pipeline", "BridgeError", UsageError),
    ("rose_bench.solver.certify", "CertifyError", UsageError),
    ("rose_bench.solver.grid_detect", "ImageTooLarge", UsageError),
    ("rose_bench.dataset_builder.options", "BuildError", UsageError),
    ("rose_bench.dataset_builder.certification", "CertificationFailed", CheckFailed),
    ("rose_bench.dataset_builder.export", "ExportError", UsageError),
    ("rose_bench.dataset_builder.publish", "PublishError", UsageError),
    ("rose_bench.dataset_builder.writer", "WriterError", UsageError),
    ("rose_bench.dataset_builder.config_files", "ConfigError", UsageError),
]


@pytest.mark.parametrize("module,name,family", TYPED_ERRORS, ids=[t[1] for t in TYPED_ERRORS])
def test_typed_errors_belong_to_a_family(module: str, name: str, family: type) -> None:
    assert issubclass(getattr(importlib.import_module(module), name), family)


def test_a_failed_certification_exits_1_not_2() -> None:
    from rose_bench.dataset_builder.certification import CertificationFailed

    exc = CertificationFailed("solvability check failed: 1 row", {"ok": False})
    assert run_command("build", argparse.Namespace(func=_raise(exc))) == 1


# the official evaluator's underscore spellings (kept as aliases) -> the dashed spelling
OFFICIAL_ALIASES = {
    "score": ["--dataset_root", "--out_dir", "--allow_partial", "--display_name", "--near_miss_l1", "--repo_id"],
    "bridge global-click": ["--main_per_item", "--out_dir", "--main_model", "--allow_partial", "--near_miss_l1"],
    "bridge matched-local-count": ["--main_per_item", "--out_dir", "--main_model", "--allow_partial", "--near_miss_l1"],
    "consistency": ["--out_dir"],
}


def _subparsers(parser: argparse.ArgumentParser, prefix: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _subparsers(sub, f"{prefix}{name} ")
            return
    if prefix:
        yield prefix.strip(), parser


def test_every_flag_is_dashed_and_underscores_are_only_official_aliases() -> None:
    seen = {}
    for command, parser in _subparsers(build_parser()):
        for action in parser._actions:
            for flag in action.option_strings:
                if "_" not in flag:
                    continue
                assert flag in OFFICIAL_ALIASES.get(command, []), f"rose {command} {flag}: use dashes"
                assert flag.replace("_", "-") in action.option_strings, f"rose {command} {flag}: no dashed spelling"
                seen.setdefault(command, []).append(flag)
    assert {c: sorted(f) for c, f in seen.items()} == {c: sorted(f) for c, f in OFFICIAL_ALIASES.items()}


def test_every_subcommand_sets_a_run_handler() -> None:
    """One naming style: a module's handler is ``run`` (``run_<sub>`` for a module holding several subcommands)."""
    commands = list(_subparsers(build_parser()))
    assert {c.split()[0] for c, _ in commands} == set(SUBCOMMANDS)
    for command, parser in commands:
        handler = parser.get_default("func")
        assert handler is not None and re.fullmatch(r"run(_[a-z_]+)?", handler.__name__), command


# the packages under the CLI hold logic only: every command-line handler is a module of rose_bench/cli/
APPLICATION_FOLDERS = ("scoring", "solver", "dataset_builder", "lmms_tasks", "leaderboard", "human")


def test_every_subcommand_lives_in_the_cli_package_and_no_package_parses_arguments() -> None:
    assert [m for m in SUBCOMMANDS.values() if not m.startswith("rose_bench.cli.")] == []
    root = Path(__file__).resolve().parents[2]
    parsing = [str(path.relative_to(root)) for folder in APPLICATION_FOLDERS for path in sorted((root / folder).rglob("*.py"))
               if re.search(r"^\s*(import argparse|from argparse import|def add_parser\()", path.read_text(encoding="utf-8"),
                            re.M)]
    assert parsing == [], "move the command-line part into rose_bench/cli/<command>.py"


@pytest.mark.parametrize("old,new", [("--out_dir", "--out-dir"), ("--allow_partial", "--allow-partial")])
def test_old_and_new_spellings_parse_alike(old: str, new: str) -> None:
    base = ["score", "--predictions", "p.jsonl"]
    value = [] if "allow" in old else ["o"]
    parsed = [vars(build_parser().parse_args([*base, flag, *value])) for flag in (old, new)]
    assert parsed[0] == parsed[1]


def test_rose_score_never_imports_the_builder_or_the_solver(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from rose_bench.cli import main\n"
        f"assert main(['score', '--predictions', {str(tmp_path / 'p.jsonl')!r}, '--metadata', 'm.jsonl']) == 2\n"
        "print(sorted(m for m in sys.modules if m.startswith(('rose_bench.dataset_builder', 'rose_bench.solver'))))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_no_subcommand_prints_help_and_exits_2() -> None:
    result = rose()
    assert result.code == 2 and "COMMAND" in result.out


# --------------------------------------------------------------------------- signals (issue 10.7)


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("signum,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_a_build_leaves_nothing_and_stops_the_workers(tmp_path: Path, signum: int, code: int) -> None:
    out = tmp_path / "X"
    proc = subprocess.Popen(
        [ROSE, "build", "--out", str(out), "--subsets", "ROSE-ChineseGlyph", "--scenes-per-subset", "60",
         "--workers", "2", "--no-progress"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while len(workers) < 2 or not any(p.name.startswith(".X.") for p in tmp_path.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        workers |= _children(proc.pid)
        time.sleep(0.05)
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code, stderr[-3000:]
    assert "nothing was left half-written" in stderr and "Traceback" not in stderr, stderr[-3000:]
    assert list(tmp_path.iterdir()) == []
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)], "worker processes outlived the build"
