"""Read the task from ``prompt_local``: the output mode and the region it refers to.

The solver reads the prompt the way a model would, by its words and numbers,
never from metadata.  Region phrases (templates.yaml / protocol §4.4): "in the
whole grid", "in row {r}", "in rows {a} to {b}", "in column {c}", "in columns
{a} to {b}", "from row {r1} column {c1} to row {r2} column {c2}"; an
"outside ..." phrase excludes that region (T5); a reference to the
highlighted / purple region means the region is shown only in the image (T4).
The mode comes from the format instruction ("COUNT(n)", "...; DONE",
"...; SUBMIT(n)"), not from the verb.

Every number read from the text is bounded before it is used: a row or column
outside 1..MAX_GRID_ROWS / MAX_GRID_COLS is refused while reading, and
``PromptReading.region_in`` refuses a region outside the grid seen in the image
before any cell of it is enumerated (no silent clipping).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from rose_bench.scoring.contract import MAX_GRID_COLS, MAX_GRID_ROWS
from rose_bench.scoring.grammar import CLICK, CLICK_COUNT, COUNT
from rose_bench.scoring.grid import ColRange, Exclusion, GlobalRegion, Grid, Rectangle, Region, RowRange

__all__ = ["PromptReading", "PromptNotUnderstood", "RegionOutsideGrid", "read_prompt", "MAX_PROMPT_CHARS"]

MAX_PROMPT_CHARS = 10_000  # ROSE prompt_local texts have ~200 characters; longer text is refused before any regex runs


class PromptNotUnderstood(ValueError):
    """``prompt_local`` names no output format or no region the solver can read."""


class RegionOutsideGrid(PromptNotUnderstood):
    """``prompt_local`` names rows or columns that the grid (or any grid) does not have."""


@dataclass(frozen=True, slots=True)
class PromptReading:
    task_mode: str  # COUNT | CLICK | CLICK_COUNT
    region: Optional[Region]  # None when the region is the visual cue in the image
    visual: bool = False  # True: the region is the highlighted rectangle of the image

    @property
    def excluded(self) -> bool:
        return isinstance(self.region, Exclusion)

    def region_in(self, grid: Grid) -> Optional[Region]:
        """The region, checked against the grid seen in the image; RegionOutsideGrid if it is not inside."""
        if self.region is not None:
            try:
                self.region.check_within(grid)
            except ValueError as exc:
                raise RegionOutsideGrid(
                    f"the task's region is outside the grid shown in the image: {exc} "
                    f"(fix: name only rows 1..{grid.rows} and columns 1..{grid.cols})"
                ) from None
        return self.region


_TO = r"\s*(?:to|through|until|-|–|—)\s*"
_N = r"(\d+)"
_RECT = re.compile(
    rf"\bfrom\s+row\s+{_N}\s*,?\s*(?:and\s+)?col(?:umn)?\s+{_N}{_TO}row\s+{_N}\s*,?\s*(?:and\s+)?col(?:umn)?\s+{_N}",
    re.IGNORECASE,
)
_RECT_RANGES = re.compile(
    rf"\brows?\s+{_N}(?:{_TO}{_N})?\s*(?:,|and|×|x)?\s*(?:in\s+)?col(?:umn)?s?\s+{_N}(?:{_TO}{_N})?", re.IGNORECASE
)
_ROWS = re.compile(rf"\brows?\s+{_N}(?:{_TO}{_N})?", re.IGNORECASE)
_COLS = re.compile(rf"\bcol(?:umn)?s?\s+{_N}(?:{_TO}{_N})?", re.IGNORECASE)
_GLOBAL = re.compile(r"\b(?:whole|entire|full)\s+grid\b|\ball\s+(?:of\s+the\s+)?cells\s+of\s+the\s+grid\b", re.IGNORECASE)
_VISUAL = re.compile(r"\b(?:highlighted|purple|shaded|marked|outlined|coloured|colored|tinted)\b", re.IGNORECASE)
_EXCLUDE = re.compile(
    r"\b(?:outside|except(?:\s+for)?|excluding|exclude[ds]?|not\s+in|other\s+than|apart\s+from|ignoring)\b",
    re.IGNORECASE,
)
_SUBMIT_FORMAT = re.compile(r"SUBMIT\s*\(\s*n\s*\)")
_DONE_FORMAT = re.compile(r"\bDONE\b")
_COUNT_FORMAT = re.compile(r"COUNT\s*\(\s*n\s*\)")


def _quoted(text: str, limit: int = 200) -> str:
    """``text`` for an error message, shortened so a huge prompt does not flood the reply."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} characters)"


def _mode(text: str) -> str:
    if _SUBMIT_FORMAT.search(text):
        return CLICK_COUNT
    if _DONE_FORMAT.search(text):
        return CLICK
    if _COUNT_FORMAT.search(text):
        return COUNT
    raise PromptNotUnderstood(
        f"no output format in prompt_local {_quoted(text)}: expected 'COUNT(n)', '...; DONE' or '...; SUBMIT(n)'"
    )


def _number(digits: str, axis: str) -> int:
    """A row (axis "r") or column ("c") number, refused unless 1..the documented grid limit."""
    limit, name = (MAX_GRID_ROWS, "row") if axis == "r" else (MAX_GRID_COLS, "column")
    value = int(digits[-12:]) if len(digits.lstrip("0")) <= 12 else limit + 1  # never int() a huge digit string
    if not 1 <= value <= limit:
        shown = digits if len(digits) <= 20 else digits[:20] + "..."
        raise RegionOutsideGrid(
            f"{name} {shown} is outside any grid: {name}s are numbered from 1 and no grid has more than {limit} "
            f"(fix: name a {name} of the grid shown in the image)"
        )
    return value


def _span(first: str, last: Optional[str], axis: str) -> tuple[int, int]:
    a = _number(first, axis)
    b = a if last is None else _number(last, axis)
    return min(a, b), max(a, b)


def _numeric_region(text: str) -> Optional[Region]:
    """The first region phrase of ``text`` (None if it names none)."""
    if match := _RECT.search(text):
        (r1, r2), (c1, c2) = _span(*match.group(1, 3), "r"), _span(*match.group(2, 4), "c")
        return Rectangle(r1, r2, c1, c2)
    if match := _RECT_RANGES.search(text):
        (r1, r2), (c1, c2) = _span(*match.group(1, 2), "r"), _span(*match.group(3, 4), "c")
        return Rectangle(r1, r2, c1, c2)
    if match := _ROWS.search(text):
        return RowRange(*_span(*match.group(1, 2), "r"))
    if match := _COLS.search(text):
        return ColRange(*_span(*match.group(1, 2), "c"))
    if _GLOBAL.search(text):
        return GlobalRegion()
    return None


def _instruction(text: str) -> str:
    """The task sentence without the format instruction (whose CLICK(Rr,Cc) would read as a region)."""
    cut = re.search(r"\b(?:Answer|Output|Respond|Reply|Use)\b[^.]*\b(?:COUNT|CLICK|DONE|SUBMIT)\b", text, re.IGNORECASE)
    return text[: cut.start()] if cut else text


def read_prompt(prompt_local: str) -> PromptReading:
    """Mode and region of one ``prompt_local``; PromptNotUnderstood when either is missing."""
    raw = str(prompt_local or "")
    if len(raw) > MAX_PROMPT_CHARS:
        raise PromptNotUnderstood(f"prompt_local has {len(raw)} characters; at most {MAX_PROMPT_CHARS} are read")
    text = " ".join(raw.split())
    mode = _mode(text)
    task = _instruction(text)
    region = _numeric_region(task)
    exclusion = _EXCLUDE.search(task)
    if region is None:
        if _VISUAL.search(task):
            return PromptReading(mode, None, visual=True)
        raise PromptNotUnderstood(
            f"no region in prompt_local {_quoted(text)}: expected 'in the whole grid', 'in row(s) ...', "
            "'in column(s) ...', 'from row .. column .. to row .. column ..' or the highlighted region"
        )
    if exclusion is not None and not isinstance(region, GlobalRegion):
        return PromptReading(mode, Exclusion(region))
    return PromptReading(mode, region)
