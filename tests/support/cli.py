"""Helpers for tests of the `rose` command line: run it (in-process or as a process) and fingerprint folders.

``rose()`` calls the real dispatcher (``rose_bench.cli.main``) and also turns
argparse's ``SystemExit`` into an exit code, so every bad input is checked the
same way; ``rose_process()`` runs the installed console script when a test needs
a real process (signals, concurrency, lazy imports).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from rose_bench.cli import main as rose_main

ROSE = str(Path(sys.executable).with_name("rose"))


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def rose(*argv: str | os.PathLike) -> Result:
    """Run ``rose ARGV...`` in this process; returns its exit code and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = rose_main([str(a) for a in argv])
        except SystemExit as exc:  # argparse: bad arguments (2), --help (0)
            code = exc.code if isinstance(exc.code, int) else 2
    return Result(code, out.getvalue(), err.getvalue())


def rose_process(argv: Sequence[str | os.PathLike], *, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """Run the installed ``rose`` console script as its own process."""
    return subprocess.run([ROSE, *map(str, argv)], capture_output=True, text=True, timeout=timeout, **kwargs)


def snapshot(root: Path) -> dict[str, str]:
    """relative path -> sha256 of every file (symlink: its target) under ``root``, folders included."""
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = "-> " + os.readlink(path)
            elif path.is_dir():
                found[rel] = "dir"
            else:
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


# a small real build: 4 scenes per subset (one dev, three test), not certified; a few seconds
SMALL_BUILD = ["--scenes-per-subset", "4", "--no-certify", "--workers", "1", "--no-progress"]


def small_build(out: Path, *, seed: int | None = None) -> Path:
    """``rose build --out OUT`` of ``SMALL_BUILD`` (the default seed unless ``seed``); returns ``out``."""
    result = rose("build", "--out", out, *SMALL_BUILD, *(["--seed", str(seed)] if seed is not None else []))
    assert result.code == 0, result.err
    return out
