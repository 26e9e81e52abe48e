"""Read the task from ``prompt_local``: the output mode and the region it refers to.

The solver reads the prompt the way a model would, by its words and numbers,
never from metadata.  Region phrases (templates.yaml / spec §4.4): "in the
whole grid", "in row {r}", "in rows {a} to {b}", "in column {c}", "in columns
{a} to {b}", "from row {r1} column {c1} to row {r2} column {c2}"; an
"outside ..." phrase excludes that region (T5); a reference to the
highlighted / purple region means the region is shown only in the image (T4).
The mode comes from the format instruction ("COUNT(n)", "...; DONE",
"...; SUBMIT(n)"), not from the verb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from rose_bench.scoring.grammar import CLICK, CLICK_COUNT, COUNT
from rose_bench.scoring.grid import ColRange, Exclusion, GlobalRegion, Rectangle, Region, RowRange

__all__ = ["PromptReading", "PromptNotUnderstood", "read_prompt"]


class PromptNotUnderstood(ValueError):
    """``prompt_local`` names no output format or no region the solver can read."""


@dataclass(frozen=True, slots=True)
class PromptReading:
    task_mode: str  # COUNT | CLICK | CLICK_COUNT
    region: Optional[Region]  # None when the region is the visual cue in the image
    visual: bool = False  # True: the region is the highlighted rectangle of the image

    @property
    def excluded(self) -> bool:
        return isinstance(self.region, Exclusion)


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


def _mode(text: str) -> str:
    if _SUBMIT_FORMAT.search(text):
        return CLICK_COUNT
    if _DONE_FORMAT.search(text):
        return CLICK
    if _COUNT_FORMAT.search(text):
        return COUNT
    raise PromptNotUnderstood(
        f"no output format in prompt_local {text!r}: expected 'COUNT(n)', '...; DONE' or '...; SUBMIT(n)'"
    )


def _span(first: str, last: Optional[str]) -> tuple[int, int]:
    a = int(first)
    b = a if last is None else int(last)
    return min(a, b), max(a, b)


def _numeric_region(text: str) -> Optional[Region]:
    """The first region phrase of ``text`` (None if it names none)."""
    if match := _RECT.search(text):
        r1, c1, r2, c2 = (int(g) for g in match.groups())
        return Rectangle(min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2))
    if match := _RECT_RANGES.search(text):
        (r1, r2), (c1, c2) = _span(*match.group(1, 2)), _span(*match.group(3, 4))
        return Rectangle(r1, r2, c1, c2)
    if match := _ROWS.search(text):
        return RowRange(*_span(*match.group(1, 2)))
    if match := _COLS.search(text):
        return ColRange(*_span(*match.group(1, 2)))
    if _GLOBAL.search(text):
        return GlobalRegion()
    return None


def _instruction(text: str) -> str:
    """The task sentence without the format instruction (whose CLICK(Rr,Cc) would read as a region)."""
    cut = re.search(r"\b(?:Answer|Output|Respond|Reply|Use)\b[^.]*\b(?:COUNT|CLICK|DONE|SUBMIT)\b", text, re.IGNORECASE)
    return text[: cut.start()] if cut else text


def read_prompt(prompt_local: str) -> PromptReading:
    """Mode and region of one ``prompt_local``; PromptNotUnderstood when either is missing."""
    text = " ".join(str(prompt_local or "").split())
    mode = _mode(text)
    task = _instruction(text)
    region = _numeric_region(task)
    exclusion = _EXCLUDE.search(task)
    if region is None:
        if _VISUAL.search(task):
            return PromptReading(mode, None, visual=True)
        raise PromptNotUnderstood(
            f"no region in prompt_local {text!r}: expected 'in the whole grid', 'in row(s) ...', "
            "'in column(s) ...', 'from row .. column .. to row .. column ..' or the highlighted region"
        )
    if exclusion is not None and not isinstance(region, GlobalRegion):
        return PromptReading(mode, Exclusion(region))
    return PromptReading(mode, region)
