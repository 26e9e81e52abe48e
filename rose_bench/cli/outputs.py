"""Output writers of the command edge: one file (``write_file``) or named files added to a folder (``write_into``).

Both write to a temporary name beside the target first, so nothing lands unless
it was written completely, and never over one of the command's inputs.  The
folder that ``write_into`` adds to may hold other files (e.g. the main
``rose score`` output); those are left alone.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional

from rose_bench.scoring.io import InputError, publish
from rose_bench.scoring.paths import commit_file

__all__ = ["write_file", "write_into"]


def write_file(out: Path, write: Callable[[Path], None], *, overwrite: bool) -> Path:
    """``write(tmp)`` then rename ``tmp`` to ``out`` (``scoring.paths.commit_file``); returns ``out``."""
    out = Path(out).expanduser().resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        commit_file(tmp, out, overwrite=overwrite)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def write_into(out_dir: Path, *, inputs: Iterable[Optional[Path]] = (), **groups: Mapping[str, Any]) -> list[Path]:
    """``io.publish(out_dir, jsonl=..., json=..., csv=..., text=...)``, refusing a file name that is an input."""
    out_dir = Path(out_dir).expanduser().resolve()
    protected = {Path(p).expanduser().resolve() for p in inputs if p is not None}
    for name in (name for files in groups.values() for name in files):
        if (out_dir / name).resolve() in protected:
            raise InputError(out_dir / name, "is an input of this command; it would be overwritten",
                             fix="choose another --out-dir")
    return publish(out_dir, **groups)
