"""File I/O at the edge of the scoring library: JSONL/JSON/CSV and atomic output dirs.

The writers produce byte-for-byte the files the official v0.1 evaluator writes
(UTF-8 with non-ASCII kept, JSON indented by 2, CSV with a BOM and a header that
is the union of keys in first-seen order), so downstream tools can diff them.
Every reader error is an ``InputError`` that names the file, line and fix.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence

__all__ = ["InputError", "iter_jsonl", "read_jsonl", "write_jsonl", "write_json", "write_csv", "atomic_dir"]


class InputError(ValueError):
    """Bad user input; ``str()`` reads ``"<path>:<line>: <field>: <message> (fix: <fix>)"``."""

    def __init__(
        self,
        path: Any,
        message: str,
        *,
        line: Optional[int] = None,
        field: Optional[str] = None,
        fix: Optional[str] = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.message = message
        self.line = line
        self.field = field
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or ""
        if self.line is not None:
            where = f"{where}:{self.line}"
        parts = [p for p in (where, self.field) if p]
        text = ": ".join(parts + [self.message])
        if self.fix:
            text += f" (fix: {self.fix})"
        return text


def iter_jsonl(path: Path | str) -> Iterator[tuple[int, dict]]:
    """Yield ``(line_number, object)`` for each non-blank line (for errors that cite lines)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found" if not path.exists() else "not a file", fix="pass an existing JSONL file")
    try:
        with path.open("r", encoding="utf-8") as handle:
            for line_no, line in enumerate(handle, start=1):
                line = line.strip()
                if not line:
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(
                        path, f"invalid JSON ({exc.msg} at column {exc.colno})", line=line_no,
                        fix="write one complete JSON object per line",
                    ) from None
                if not isinstance(row, dict):
                    raise InputError(
                        path, f"expected a JSON object, got {type(row).__name__}", line=line_no,
                        fix="write one JSON object ({...}) per line",
                    )
                yield line_no, row
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})", fix="save the file as UTF-8") from None


def read_jsonl(path: Path | str) -> list[dict]:
    """Read one JSON object per line; blank lines are skipped."""
    return [row for _, row in iter_jsonl(path)]


def write_jsonl(path: Path | str, rows: Iterable[dict]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_json(path: Path | str, obj: Any) -> None:
    """Indented JSON without a trailing newline (the official evaluator's layout)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2), encoding="utf-8")


def write_csv(path: Path | str, rows: Sequence[dict]) -> None:
    """UTF-8-with-BOM CSV; header = union of keys in first-seen order; no rows -> empty file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = list(rows)
    if not rows:
        path.write_text("", encoding="utf-8")
        return
    fields: dict[str, None] = {}
    for row in rows:
        for key in row:
            fields.setdefault(key, None)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fields))
        writer.writeheader()
        writer.writerows(rows)


@contextmanager
def atomic_dir(final_dir: Path | str, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a fresh temp dir beside ``final_dir``; on success it becomes ``final_dir``.

    The old ``final_dir`` is moved aside and removed only after the new one is in
    place, so a crash never leaves a half-written output directory.  On an
    exception inside the block the temp dir is removed and ``final_dir`` is untouched.
    """
    final_dir = Path(final_dir).expanduser().absolute()
    if final_dir.exists() and not final_dir.is_dir():
        raise InputError(final_dir, "exists and is not a directory", fix="choose another output path")
    if final_dir.exists() and not overwrite and any(final_dir.iterdir()):
        raise InputError(final_dir, "output directory exists and is not empty", fix="remove it or allow overwriting")
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final_dir.name}.tmp-", dir=final_dir.parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes 0700; the result is an ordinary output dir
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old: Optional[Path] = None
    try:
        if final_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{final_dir.name}.old-", dir=final_dir.parent))
            os.rmdir(old)
            os.replace(final_dir, old)
        os.replace(tmp, final_dir)
    except BaseException:
        if old is not None and old.exists() and not final_dir.exists():
            os.replace(old, final_dir)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
