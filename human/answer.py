"""Turn what the page sends (clicked cells and a count, or typed text) into the formal answer.

There is one formatter: ``rose_bench.scoring.grammar.format_answer``.  The page
never writes grammar itself; it asks the server for a preview and the server
composes the recorded text again on submit.  Every field is checked and bounded
here, and a bad one is a ``RequestError`` (HTTP ``status`` and message, the same
class as the solver server's) that the server turns into a 4xx.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from rose_bench.scoring.grammar import CLICK_COUNT, COUNT, parse_answer, format_answer
from rose_bench.scoring.grid import Cell
from rose_bench.solver.chat_protocol import RequestError  # one "refused with an HTTP status" error for both servers

__all__ = ["RequestError", "Answer", "MAX_TEXT", "read_answer", "preview"]

MAX_TEXT = 16_384  # characters of typed answer text; a full 30x30 grid of clicks is ~13k


@dataclass(frozen=True)
class Answer:
    """The formal answer text and how it was entered (``cells`` or ``text``)."""

    raw_text: str
    input_mode: str


def _int(value: Any, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestError(400, f"{name} must be an integer, got {type(value).__name__}")
    if not lo <= value <= hi:
        raise RequestError(400, f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _cells(value: Any, rows: int, cols: int) -> list[Cell]:
    if not isinstance(value, list):
        raise RequestError(400, "cells must be a list of [row, col] pairs")
    if len(value) > rows * cols:
        raise RequestError(400, f"cells holds {len(value)} entries; the grid has only {rows * cols} cells")
    cells: list[Cell] = []
    for i, pair in enumerate(value):
        if not isinstance(pair, list) or len(pair) != 2:
            raise RequestError(400, f"cells[{i}] must be a [row, col] pair")
        cells.append(Cell(_int(pair[0], f"cells[{i}][0] (row)", 1, rows), _int(pair[1], f"cells[{i}][1] (col)", 1, cols)))
    if len(set(cells)) != len(cells):
        raise RequestError(400, "cells lists a cell twice; a click toggles a cell, send each selected cell once")
    return cells


def read_answer(body: Mapping[str, Any], task_mode: str, rows: int, cols: int) -> Answer:
    """The answer a request body describes: ``{"raw_text": ...}`` or ``{"cells": [[r, c]...], "count": k|null}``.

    COUNT items: ``count`` is the answer; without it, the number of marked cells.
    CLICK_COUNT items: ``SUBMIT(count)``, by default the number of clicked cells.
    """
    if "raw_text" in body:
        if "cells" in body or "count" in body:
            raise RequestError(400, "send either raw_text or cells/count, not both")
        text = body["raw_text"]
        if not isinstance(text, str):
            raise RequestError(400, "raw_text must be a string")
        if len(text) > MAX_TEXT:
            raise RequestError(413, f"raw_text is {len(text)} characters; at most {MAX_TEXT}")
        return Answer(text, "text")
    cells = _cells(body.get("cells", []), rows, cols)
    count = body.get("count")
    if count is not None:
        count = _int(count, "count", 0, rows * cols)
    if task_mode == COUNT:
        return Answer(format_answer(COUNT, count=len(cells) if count is None else count), "cells")
    if task_mode != CLICK_COUNT and count is not None:
        raise RequestError(400, f"a {task_mode} item takes no count; send cells only")
    try:
        return Answer(format_answer(task_mode, cells, count), "cells")
    except ValueError as exc:
        raise RequestError(400, str(exc)) from None


def preview(answer: Answer, task_mode: str) -> dict[str, Any]:
    """What the page shows before submitting: the text and whether the grammar accepts it."""
    parsed = parse_answer(answer.raw_text, task_mode)
    return {"raw_text": answer.raw_text, "format_valid": parsed.valid, "parse_error": parsed.parse_error}
