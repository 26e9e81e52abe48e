"""One definition of a valid prediction row, used by ``rose validate``, ``rose score``, ``rose bridge`` and the leaderboard.

A prediction is ``{"item_id": str, "raw_text": str | null, ...}``.  ``raw_text``
null means the model gave no answer (the reference runner writes null with an
``error`` on an API failure); it is scored as an empty answer.  Anything else —
a missing ``raw_text`` (often the answer sits under another key), a number, list,
object or boolean, or text with a lone UTF-16 surrogate that no file can encode —
would otherwise be scored silently as a wrong answer, so it is an error naming
the line.  With ``lenient`` such a row is scored as the official v0.1 evaluator
scores it (a non-string value never parses, so it is an invalid answer; a missing
``raw_text`` is no answer), a lone surrogate becomes U+FFFD so outputs can be
written, and the rows are counted in one warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from .io import InputError, iter_jsonl

__all__ = ["FIX", "PredictionProblem", "prediction_problem", "repaired", "read_predictions", "LenientCount"]

FIX = 'write {"item_id": "...", "raw_text": "<the model\'s answer text>"} per line (raw_text null only for no answer)'


@dataclass(frozen=True)
class PredictionProblem:
    field: str
    reason: str


def has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def prediction_problem(row: dict[str, Any]) -> Optional[PredictionProblem]:
    """Why ``row`` is not a valid prediction, or None.  ``item_id`` is checked by the readers (uniqueness)."""
    item_id = row.get("item_id")
    if not isinstance(item_id, str) or not item_id.strip():
        return PredictionProblem("item_id", "item_id missing or not a non-empty string")
    if has_lone_surrogate(item_id):
        return PredictionProblem("item_id", "item_id holds a lone UTF-16 surrogate (not encodable text)")
    if "raw_text" not in row:
        others = sorted(k for k in row if k not in ("item_id", "model", "error"))
        hint = f" (keys present: {', '.join(others[:5])})" if others else ""
        return PredictionProblem("raw_text", f"raw_text missing{hint}")
    text = row["raw_text"]
    if text is not None and not isinstance(text, str):
        return PredictionProblem("raw_text", f"raw_text must be a string or null, got {type(text).__name__} {str(text)[:40]!r}")
    if isinstance(text, str) and has_lone_surrogate(text):
        return PredictionProblem("raw_text", "raw_text holds a lone UTF-16 surrogate (e.g. \\ud800): not encodable text")
    return None


def repaired(row: dict[str, Any], problem: PredictionProblem) -> dict[str, Any]:
    """The row as ``--lenient`` scores it: unchanged (as officially), except a lone surrogate becomes U+FFFD."""
    text = row.get("raw_text")
    if problem.field == "raw_text" and isinstance(text, str):
        return {**row, "raw_text": text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")}
    return dict(row)


@dataclass
class LenientCount:
    """How many rows ``--lenient`` scored as invalid, by reason (for one warning line)."""

    rows: int = 0
    first_line: Optional[int] = None

    def add(self, line: int) -> None:
        self.rows += 1
        self.first_line = self.first_line or line

    def warning(self, path: Path) -> Optional[str]:
        if not self.rows:
            return None
        return (f"warning: {path}: {self.rows} prediction row(s) are not valid (first on line {self.first_line}); "
                "scored as invalid answers because of --lenient")


def read_predictions(path: Path | str, *, lenient: bool = False, count: Optional[LenientCount] = None) -> Iterable[tuple[int, dict]]:
    """``(line, row)`` of a predictions JSONL; an invalid row raises ``InputError`` unless ``lenient``."""
    for line, row in iter_jsonl(path):
        problem = prediction_problem(row)
        if problem is None:
            yield line, row
            continue
        if not lenient or problem.field == "item_id":
            raise InputError(path, problem.reason, line=line, field=problem.field,
                             fix=FIX if problem.field == "item_id" else FIX + "; or pass --lenient to score it as invalid")
        if count is not None:
            count.add(line)
        yield line, repaired(row, problem)
