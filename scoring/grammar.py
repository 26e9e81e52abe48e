"""The strict ROSE answer grammar: parse model text, format canonical answers.

Behaviour is the published v0.1 evaluator's, corner for corner (protocol §6):
case-insensitive tokens, ``;`` splitting with empty parts dropped, no lenient
extraction from prose.  Every step is a full match of a bounded token or a
single split, so parsing is linear in the length of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from .grid import Cell, keys_numeric

__all__ = [
    "COUNT",
    "CLICK",
    "CLICK_COUNT",
    "TASK_MODES",
    "EMPTY",
    "EXPECTED_COUNT_ONLY",
    "MISSING_DONE",
    "MISSING_SUBMIT",
    "INVALID_CLICK_TOKEN",
    "ParsedAnswer",
    "parse_answer",
    "format_answer",
    "EXPECTED_OUTPUT_FORMAT",
]

COUNT = "COUNT"
CLICK = "CLICK"
CLICK_COUNT = "CLICK_COUNT"
TASK_MODES: tuple[str, ...] = (COUNT, CLICK, CLICK_COUNT)

EXPECTED_OUTPUT_FORMAT: dict[str, str] = {
    COUNT: "COUNT(n)",
    CLICK: "CLICK(Rr,Cc); ...; DONE",
    CLICK_COUNT: "CLICK(Rr,Cc); ...; SUBMIT(n)",
}

# parse_error codes, exactly the official strings
EMPTY = "empty"
EXPECTED_COUNT_ONLY = "expected_COUNT_only"
MISSING_DONE = "missing_DONE"
MISSING_SUBMIT = "missing_SUBMIT"
INVALID_CLICK_TOKEN = "invalid_CLICK_token"
UNKNOWN_TASK_MODE = "unknown_task_mode:{mode}"

# `\d` is Unicode-aware on purpose: the official patterns are, and int() reads
# any Unicode decimal digit, so "COUNT(３)" is 3 there and here.
_COUNT_RE = re.compile(r"\s*COUNT\s*\(\s*(\d+)\s*\)\s*", re.IGNORECASE)
_CLICK_RE = re.compile(r"\s*CLICK\s*\(\s*R\s*(\d+)\s*,\s*C\s*(\d+)\s*\)\s*", re.IGNORECASE)
_SUBMIT_RE = re.compile(r"\s*SUBMIT\s*\(\s*(\d+)\s*\)\s*", re.IGNORECASE)
_DONE_RE = re.compile(r"\s*DONE\s*", re.IGNORECASE)

# Python refuses int() of more than 4300 digits (the official evaluator crashes
# there).  Such a number cannot name a cell or a plausible count, so the token
# is treated as not matching: the parser keeps its promise never to raise.
_MAX_DIGITS = 4300


def _match(pattern: re.Pattern[str], token: str) -> Optional[re.Match[str]]:
    match = pattern.fullmatch(token)
    if match and len(token) > _MAX_DIGITS and any(len(g) > _MAX_DIGITS for g in match.groups()):
        return None
    return match


# Cells read from digit strings, memoised: a 10 MB answer of valid clicks is
# ~700k tokens, and building each Cell anew dominated the parse.  Bounded, so an
# answer full of distinct huge coordinates cannot grow it without limit.
_CELL_MEMO: dict[tuple[str, str], Cell] = {}
_CELL_MEMO_MAX = 65_536


def _cell(row: str, col: str) -> Cell:
    key = (row, col)
    cell = _CELL_MEMO.get(key)
    if cell is None:
        cell = Cell(int(row), int(col))
        if len(_CELL_MEMO) < _CELL_MEMO_MAX:
            _CELL_MEMO[key] = cell
    return cell


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    """What the grammar read from one answer.

    ``clicks`` keeps every CLICK token that matched, in order, duplicates and
    out-of-grid cells included (grid checks happen in scoring).  ``count`` is
    the COUNT value; ``submit_count`` the SUBMIT value, recorded even when a
    CLICK token before it was malformed.
    """

    valid: bool
    parse_error: Optional[str]
    clicks: tuple[Cell, ...] = ()
    count: Optional[int] = None
    submit_count: Optional[int] = None
    invalid_tokens: tuple[str, ...] = ()
    end_token: Optional[str] = None


def _read_clicks(tokens: Iterable[str]) -> tuple[tuple[Cell, ...], tuple[str, ...]]:
    clicks: list[Cell] = []
    invalid: list[str] = []
    for token in tokens:
        match = _match(_CLICK_RE, token)
        if match:
            clicks.append(_cell(match.group(1), match.group(2)))
        else:
            invalid.append(token)
    return tuple(clicks), tuple(invalid)


def parse_answer(raw_text: Optional[str], task_mode: str) -> ParsedAnswer:
    """Parse ``raw_text`` under the grammar of ``task_mode``; never raises on model text."""
    text = "" if raw_text is None else str(raw_text).strip()
    if not text:
        return ParsedAnswer(False, EMPTY)

    if task_mode == COUNT:
        match = _match(_COUNT_RE, text)
        if not match:
            return ParsedAnswer(False, EXPECTED_COUNT_ONLY, invalid_tokens=(text,))
        return ParsedAnswer(True, None, count=int(match.group(1)), end_token=COUNT)

    if task_mode not in (CLICK, CLICK_COUNT):
        return ParsedAnswer(False, UNKNOWN_TASK_MODE.format(mode=task_mode), invalid_tokens=(text,))

    parts = [p for p in (part.strip() for part in text.split(";")) if p]

    if task_mode == CLICK:
        if not parts or not _DONE_RE.fullmatch(parts[-1]):
            return ParsedAnswer(False, MISSING_DONE, invalid_tokens=tuple(parts))
        clicks, invalid = _read_clicks(parts[:-1])
        if invalid:
            return ParsedAnswer(False, INVALID_CLICK_TOKEN, clicks, invalid_tokens=invalid, end_token="DONE")
        return ParsedAnswer(True, None, clicks, end_token="DONE")

    # CLICK_COUNT
    if not parts:  # e.g. ";;;" -- non-empty text with only separators
        return ParsedAnswer(False, EMPTY)
    submit = _match(_SUBMIT_RE, parts[-1])
    if not submit:
        return ParsedAnswer(False, MISSING_SUBMIT, invalid_tokens=tuple(parts))
    submit_count = int(submit.group(1))
    clicks, invalid = _read_clicks(parts[:-1])
    if invalid:
        return ParsedAnswer(
            False, INVALID_CLICK_TOKEN, clicks, submit_count=submit_count, invalid_tokens=invalid, end_token="SUBMIT"
        )
    return ParsedAnswer(True, None, clicks, submit_count=submit_count, end_token="SUBMIT")


def format_answer(task_mode: str, clicks: Iterable[Cell] = (), count: Optional[int] = None) -> str:
    """The canonical answer: clicks in numeric (row, col) order joined by ``"; "``.

    COUNT -> ``COUNT(k)``; CLICK -> ``CLICK(..); ...; DONE`` (empty: ``DONE``);
    CLICK_COUNT -> ``CLICK(..); ...; SUBMIT(k)`` (empty: ``SUBMIT(0)``), where k
    defaults to the number of clicks.
    """
    if task_mode == COUNT:
        if count is None or count < 0:
            raise ValueError("COUNT answers need a non-negative count")
        return f"COUNT({count})"
    actions = [f"CLICK({key})" for key in keys_numeric(clicks)]
    if task_mode == CLICK:
        return "; ".join(actions + ["DONE"])
    if task_mode == CLICK_COUNT:
        k = len(actions) if count is None else count
        return "; ".join(actions + [f"SUBMIT({k})"])
    raise ValueError(f"unknown task_mode {task_mode!r}; expected one of {', '.join(TASK_MODES)}")
