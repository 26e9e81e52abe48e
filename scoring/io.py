"""File I/O at the edge of the scoring library: JSONL/Parquet reading, JSON/CSV writing, atomic outputs.

The writers produce byte-for-byte the files the official v0.1 evaluator writes
(UTF-8 with non-ASCII kept, JSON indented by 2, CSV with a BOM and a header that
is the union of keys in first-seen order), so downstream tools can diff them.
Every reader error is an ``InputError`` that names the file, line and fix.

One JSONL reading policy for every command (``rose validate``, ``rose score``,
the bridges, ...): UTF-8 text; a leading UTF-8 BOM is accepted and stripped
(Windows editors write one); blank lines are skipped; every other line is one
JSON value.  Every output is written atomically -- a temporary path beside the
target, renamed into place only when complete -- with the permissions a plain
``open``/``mkdir`` would give (0644 / 0755 under the usual umask 022), not the
private 0600 / 0700 of ``mkstemp`` / ``mkdtemp``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Optional, Sequence

from .errors import UsageError

__all__ = [
    "InputError",
    "JSONL_ENCODING",
    "normal_permissions",
    "parse_json",
    "parse_jsonl",
    "jsonl_lines",
    "iter_jsonl",
    "line_start_after",
    "read_jsonl",
    "parquet_rows",
    "PARQUET_FIX",
    "jsonl_line",
    "write_jsonl",
    "write_json",
    "write_csv",
    "atomic_file",
    "atomic_write",
    "atomic_dir",
    "publish",
]

JSONL_ENCODING = "utf-8-sig"  # UTF-8; a leading BOM is accepted and stripped


class InputError(UsageError):
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


# --------------------------------------------------------------------------- reading


Entry = tuple[int, Any, Optional[str]]  # (line number, value or None, error or None)


def parse_json(text: str) -> tuple[Any, Optional[str]]:
    """``(value, None)`` or ``(None, "invalid JSON (...)")``: the one policy for any JSON text read from input,
    a line or a whole document (too-long integers and too-deep nesting are errors, never exceptions)."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON ({exc.msg} at column {exc.colno})"
    except ValueError as exc:  # e.g. an integer literal longer than Python's digit limit
        return None, f"invalid JSON ({exc})"
    except RecursionError:
        return None, "invalid JSON (nested too deeply)"


def _entries(lines: Iterable[str]) -> Iterator[Entry]:
    for line_no, line in enumerate(lines, start=1):
        if line and not line.isspace():  # not ``strip()``: that copies every (multi-kB) line
            value, error = parse_json(line)
            yield line_no, value, error


def parse_jsonl(text: str) -> Iterator[Entry]:
    """The JSONL policy on text already in memory (e.g. decompressed or taken from an archive)."""
    return _entries(text.removeprefix("\ufeff").split("\n"))


def jsonl_lines(path: Path | str, *, start: int = 0, stop: Optional[int] = None) -> Iterator[Entry]:
    """``(line number, value, None)`` or ``(line number, None, error)`` per non-blank line.

    Content errors are yielded, not raised, so a caller can list them all; a
    missing file or bytes that are not UTF-8 raise ``InputError``.  ``start`` /
    ``stop`` read only that byte range (``start`` just after a newline), with
    line numbers counted from it: one half of a file for one of two processes.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found" if not path.exists() else "not a file", fix="pass an existing JSONL file")
    try:
        if start == 0 and stop is None:
            with path.open("r", encoding=JSONL_ENCODING) as handle:
                yield from _entries(handle)
            return
        with path.open("rb") as raw:
            raw.seek(start)
            chunk = raw.read(-1 if stop is None else max(0, stop - start))
        # the same decoding and newline handling as reading the whole file in text mode
        handle = io.TextIOWrapper(io.BytesIO(chunk), encoding=JSONL_ENCODING if start == 0 else "utf-8")
        yield from _entries(handle)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})", fix="save the file as UTF-8") from None


def line_start_after(path: Path | str, fraction: float, *, scan_limit: int = 64 * 2**20) -> Optional[int]:
    """The byte offset of the first line starting at or after ``fraction`` of ``path``'s size, never the
    first line (None: no such line within ``scan_limit`` bytes): where to cut a JSONL file in two."""
    path = Path(path)
    size = path.stat().st_size
    cut = int(size * fraction)
    with path.open("rb") as raw:
        raw.seek(max(0, cut - 1))  # a line starts at ``cut`` if the byte before it is a newline
        scanned = 0
        while scanned < scan_limit:
            block = raw.read(1 << 16)
            if not block:
                return None
            newline = block.find(b"\n")
            if newline >= 0:
                offset = max(0, cut - 1) + scanned + newline + 1
                return offset if 0 < offset < size else None
            scanned += len(block)
    return None


def iter_jsonl(path: Path | str, *, start: int = 0, stop: Optional[int] = None) -> Iterator[tuple[int, dict]]:
    """Yield ``(line_number, object)`` for each non-blank line (of the byte range, see ``jsonl_lines``);
    the first bad line raises ``InputError``."""
    for line_no, row, error in jsonl_lines(path, start=start, stop=stop):
        if error is not None:
            raise InputError(path, error, line=line_no, fix="write one complete JSON object per line")
        if not isinstance(row, dict):
            raise InputError(
                path, f"expected a JSON object, got {type(row).__name__}", line=line_no,
                fix="write one JSON object ({...}) per line",
            )
        yield line_no, row


def read_jsonl(path: Path | str) -> list[dict]:
    """Read one JSON object per line; blank lines are skipped."""
    return [row for _, row in iter_jsonl(path)]


PARQUET_FIX = "rebuild the dataset with `rose build`, or restore the file as it was written"


def parquet_rows(
    path: Path | str, columns: Optional[Sequence[str]] = None, *, skip: Sequence[str] = (), require: bool = True,
    batch_size: int = 256, fix: str = PARQUET_FIX,
) -> Iterator[dict]:
    """The rows of a Parquet file as dicts, batch by batch: only ``columns`` (default all), never those in ``skip``.

    The one Parquet row reader of every command.  A missing or unreadable file,
    or (with ``require``) a requested column the file lacks, is an
    ``InputError`` naming the file and ``fix``; ``require=False`` reads the
    requested columns the file has.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found" if not path.exists() else "not a file", fix=fix)
    try:
        handle = pq.ParquetFile(path)
        names = handle.schema_arrow.names
        if columns is not None and require and not set(columns) <= set(names):
            missing = [c for c in columns if c not in names]
            raise InputError(path, f"no column {missing[0]!r} ({len(missing)} missing)", field=missing[0], fix=fix)
        wanted = [n for n in (names if columns is None else [c for c in columns if c in names]) if n not in skip]
        for batch in handle.iter_batches(batch_size=batch_size, columns=wanted):
            yield from batch.to_pylist()
    except (pa.ArrowException, OSError) as exc:  # pyarrow's errors for damaged files are of these families
        raise InputError(path, f"unreadable Parquet ({exc})", fix=fix) from None


# --------------------------------------------------------------------------- writing


def jsonl_line(row: Any) -> str:
    """One JSONL line as every writer here (and the official evaluator) writes it: UTF-8 text, default separators."""
    return json.dumps(row, ensure_ascii=False) + "\n"


def write_jsonl(path: Path | str, rows: Iterable[dict]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(jsonl_line(row))


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


# --------------------------------------------------------------------------- atomic outputs


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def normal_permissions(path: Path | str) -> None:
    """Give a freshly staged file or folder the permissions a plain ``open``/``mkdir`` would."""
    os.chmod(path, (0o777 if Path(path).is_dir() else 0o666) & ~_umask())


@contextmanager
def atomic_file(final: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; when the block succeeds it replaces ``final``.

    On an exception the temporary file is removed and ``final`` is untouched.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        normal_permissions(tmp)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(final: Path | str, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, ``\\n`` line ends kept) to ``final`` atomically."""
    with atomic_file(final) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            with tmp.open("w", encoding="utf-8", newline="") as handle:
                handle.write(data)
    return Path(final)


@contextmanager
def atomic_dir(final_dir: Path | str, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a fresh temp dir beside ``final_dir``; on success it becomes ``final_dir``.

    The swap is one rename (``paths.commit_dir``): with ``overwrite`` the old
    ``final_dir`` is exchanged atomically and then removed; without it the rename
    fails if ``final_dir`` was filled meanwhile (another process), which is then
    left as it is.  A crash never leaves a half-written output directory.  On an
    exception inside the block the temp dir is removed and ``final_dir`` is untouched.
    """
    final_dir = Path(final_dir).expanduser().absolute()
    if final_dir.exists() and not final_dir.is_dir():
        raise InputError(final_dir, "exists and is not a directory", fix="choose another output path")
    if final_dir.exists() and not overwrite and any(final_dir.iterdir()):
        raise InputError(final_dir, "output directory exists and is not empty", fix="remove it or allow overwriting")
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final_dir.name}.tmp-", dir=final_dir.parent))
    normal_permissions(tmp)  # mkdtemp makes 0700; the result is an ordinary output dir
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    from .paths import commit_dir  # one rename; without overwrite it fails if final_dir appeared meanwhile

    try:
        commit_dir(tmp, final_dir, overwrite=overwrite)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def publish(
    out_dir: Path | str,
    *,
    jsonl: Mapping[str, Iterable[dict]] | None = None,
    json: Mapping[str, Any] | None = None,
    csv: Mapping[str, Sequence[dict]] | None = None,
    text: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write every output (file name -> content) into a staging dir next to ``out_dir``, then move the files in.

    Nothing lands in ``out_dir`` unless all files were written; other files
    already in ``out_dir`` (e.g. the main evaluation) are left alone.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for name, rows in (jsonl or {}).items():
            write_jsonl(stage / name, rows)
        for name, obj in (json or {}).items():
            write_json(stage / name, obj)
        for name, table in (csv or {}).items():
            write_csv(stage / name, table)
        for name, body in (text or {}).items():
            (stage / name).write_text(body, encoding="utf-8")
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for file in sorted(stage.iterdir()):
            normal_permissions(file)
            os.replace(file, out_dir / file.name)
            written.append(out_dir / file.name)
        return written
    finally:
        shutil.rmtree(stage, ignore_errors=True)
