"""Row-level validation: every schema and cross-field problem of a sequence of rows.

Every problem is collected -- nothing stops at the first -- so one run lists
everything to fix.  Pure: rows in, `Problem` records out (file reading is
`validate_files`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional, Sequence

from .predictions import prediction_problem
from .validate_schema import KINDS, METADATA, PREDICTIONS, schema_problems
from .validate_semantics import from_parquet_form, metadata_semantics

__all__ = ["Problem", "FileReport", "validate_rows"]

SeenIds = dict[str, tuple[str, Optional[int]]]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one row: where (file, line, JSON pointer) and why."""

    file: str
    line: Optional[int]
    field: str
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field or '(row)'}: {self.reason}"


@dataclass(frozen=True, slots=True)
class FileReport:
    """Outcome of validating one file."""

    file: str
    kind: str
    rows: int
    problems: tuple[Problem, ...]

    @property
    def bad_rows(self) -> int:
        return len({p.line for p in self.problems if p.line is not None})


def _duplicate_id(row: Mapping[str, Any], seen: SeenIds, file: str, line: int) -> list[tuple[str, str]]:
    item_id = row.get("item_id")
    if not isinstance(item_id, str):
        return []
    if item_id not in seen:
        seen[item_id] = (file, line)
        return []
    where_file, where_line = seen[item_id]
    where = where_file if where_line is None else f"{where_file}:{where_line}"
    return [("/item_id", f"duplicate item_id {item_id!r} (first at {where})")]


def _other_model(row: Mapping[str, Any], models: dict[str, int], line: int) -> list[tuple[str, str]]:
    """One predictions file holds one model: a second model name is a problem."""
    if not (isinstance(row.get("model"), str) and row["model"].strip()):
        return []
    model = row["model"].strip()
    found = []
    if models and model not in models:
        first = next(iter(models))
        found.append(("/model", f"{model!r} differs from {first!r} (line {models[first]}); one predictions file holds one model"))
    models.setdefault(model, line)
    return found


def _row_problems(row: Mapping[str, Any], kind: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    row = dict(row)
    if kind == METADATA:
        row = from_parquet_form(row, found)
    found += schema_problems(row, kind)
    if kind == METADATA:
        broken = frozenset(f.split("/")[1] for f, _ in found if f.count("/") >= 1)
        found += metadata_semantics(row, broken)
    return found


def validate_rows(
    rows: Iterable[Mapping[str, Any]],
    kind: str,
    *,
    file: str = "<rows>",
    lines: Optional[Sequence[int]] = None,
    seen_ids: Optional[SeenIds] = None,
) -> list[Problem]:
    """Every schema and consistency problem of ``rows`` (empty list = clean).

    ``lines`` gives the line number of each row (default: 1, 2, ...).
    ``seen_ids`` (item_id -> where first seen) lets callers check uniqueness
    across several files; it is updated in place.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    seen = {} if seen_ids is None else seen_ids
    models: dict[str, int] = {}
    out: list[Problem] = []
    for index, row in enumerate(rows):
        line = lines[index] if lines is not None else index + 1
        if not isinstance(row, Mapping):
            out.append(Problem(file, line, "", f"expected a JSON object, got {type(row).__name__}"))
            continue
        found = _row_problems(row, kind)
        found += _duplicate_id(row, seen, file, line)
        if kind == PREDICTIONS:
            found += _other_model(row, models, line)
            problem = prediction_problem(row)  # the same definition `rose score` and `rose bridge` enforce
            if problem is not None and not any(f == "/" + problem.field for f, _ in found):
                found.append(("/" + problem.field, problem.reason))
        out.extend(Problem(file, line, field, reason) for field, reason in found)
    return out
