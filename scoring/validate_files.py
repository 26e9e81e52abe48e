"""File reading for validation: JSONL (metadata or predictions) and Parquet (metadata) files.

Reads with the one JSONL policy of `io.jsonl_lines` (UTF-8, a leading BOM
stripped, blank lines skipped).  Unreadable files, malformed lines and
undetectable kinds come back as problems, not exceptions, so one run of
``rose validate`` reports every file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Mapping, Optional

from .io import InputError, jsonl_lines, parquet_rows
from .validate_rows import FileReport, Problem, SeenIds, validate_rows
from .validate_schema import METADATA, PREDICTIONS

__all__ = ["detect_kind", "detect_file_kind", "validate_file"]

Entry = tuple[int, Any, Optional[str]]  # (line or row number, value, error)


def detect_kind(path: Path, first_row: Optional[Mapping[str, Any]] = None) -> Optional[str]:
    """Guess metadata vs predictions from the file name, else from the first row."""
    name = path.name.lower()
    if name.endswith(".parquet") or "metadata" in name:
        return METADATA
    if "pred" in name:
        return PREDICTIONS
    if isinstance(first_row, Mapping):
        if "task_template" in first_row or "task_mode" in first_row:
            return METADATA
        if "raw_text" in first_row:
            return PREDICTIONS
    return None


def detect_file_kind(path: Path) -> Optional[str]:
    """`detect_kind` from the name, else from the first parseable JSONL row (None if unknown)."""
    path = Path(path)
    kind = detect_kind(path)
    if kind is not None or not path.is_file():
        return kind
    try:
        first = next((value for _, value, err in jsonl_lines(path) if err is None), None)
    except (OSError, InputError):
        return None
    return detect_kind(path, first)


def _parquet_entries(path: Path) -> Iterator[Entry]:
    for number, row in enumerate(parquet_rows(path), start=1):
        yield number, row, None


def _unreadable(name: str, kind: Optional[str], reason: str) -> FileReport:
    return FileReport(name, kind or "?", 0, (Problem(name, None, "", reason),))


def validate_file(path: Path, kind: Optional[str] = None, *, seen_ids: Optional[SeenIds] = None) -> FileReport:
    """Validate one JSONL (metadata or predictions) or Parquet (metadata) file.

    Unreadable files and undetectable kinds come back as problems, not exceptions.
    """
    path = Path(path)
    name = str(path)
    if path.is_dir():
        return _unreadable(name, kind, "directory holds no *.parquet or metadata*.jsonl file")
    if not path.is_file():
        return _unreadable(name, kind, "file not found")
    parquet = path.suffix.lower() == ".parquet"
    if parquet and kind == PREDICTIONS:
        return FileReport(name, kind, 0, (Problem(name, None, "", "predictions must be JSONL, not Parquet"),))
    try:
        entries = list(_parquet_entries(path) if parquet else jsonl_lines(path))
    except InputError as exc:
        return _unreadable(name, kind, f"cannot read file: {exc.message}" + (f" (fix: {exc.fix})" if exc.fix else ""))
    except (OSError, ValueError) as exc:
        return _unreadable(name, kind, f"cannot read file: {exc}")

    if kind is None:
        first = next((value for _, value, err in entries if err is None), None)
        kind = detect_kind(path, first)
        if kind is None:
            reason = "cannot tell whether this is metadata or predictions (fix: pass --kind metadata|predictions)"
            return FileReport(name, "?", len(entries), (Problem(name, None, "", reason),))

    problems = [Problem(name, line, "", err) for line, _, err in entries if err is not None]
    good = [(line, value) for line, value, err in entries if err is None]
    problems += validate_rows(
        [value for _, value in good], kind, file=name, lines=[line for line, _ in good], seen_ids=seen_ids
    )
    if not entries:
        problems.append(Problem(name, None, "", "file holds no rows"))
    problems.sort(key=lambda p: (p.line or 0, p.field))
    return FileReport(name, kind, len(entries), tuple(problems))
