"""Write a whole output directory or nothing: build it next to its final place, then rename.

Used by the writer and the official-layout exporter, whose outputs are
directories of many files that must never be seen half-written.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator


class OutputExistsError(ValueError):
    pass


def check_target(final: Path, *, overwrite: bool) -> None:
    """Refuse a non-directory, or a non-empty directory unless ``overwrite``."""
    if final.exists() and not final.is_dir():
        raise OutputExistsError(f"{final}: exists and is not a directory (fix: choose another output path)")
    if final.is_dir() and any(final.iterdir()) and not overwrite:
        raise OutputExistsError(f"{final}: exists and is not empty (fix: pass --overwrite or choose another output path)")


def replace_dir(stage: Path, final: Path) -> None:
    """Move the finished ``stage`` to ``final``; an existing ``final`` is removed only after the move succeeded."""
    if not final.exists():
        os.replace(stage, final)
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
    os.replace(final, trash / "old")
    try:
        os.replace(stage, final)
    except BaseException:
        os.replace(trash / "old", final)
        raise
    finally:
        shutil.rmtree(trash, ignore_errors=True)


@contextlib.contextmanager
def staged_dir(final: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a fresh temp dir next to ``final``; on success it becomes ``final``, on error it is deleted."""
    final = Path(final).absolute()
    check_target(final, overwrite=overwrite)
    final.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.stage-", dir=final.parent))
    try:
        yield stage
        check_target(final, overwrite=overwrite)
        replace_dir(stage, final)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
