"""The answer grammar: every parser vector of protocol §6.4, corner cases, canonical answers."""

from __future__ import annotations

import json
import time

import pytest

from rose_bench.scoring.grammar import (
    CLICK,
    CLICK_COUNT,
    COUNT,
    EXPECTED_OUTPUT_FORMAT,
    format_answer,
    parse_answer,
)
from rose_bench.scoring.grid import Cell, parse_cells

from tests.support.fixtures import OFFICIAL_DIR as FIXTURES

FIXTURE_FILES = ("global_click_metadata_test.jsonl", "matched_local_count_metadata_test.jsonl")

FENCED = "```\nCOUNT(3)\n```"

# (mode, raw text, valid, parse_error, clicks, count, submit, invalid tokens); None = "don't care"
VECTORS = [
    # --- protocol §6.4, row by row
    (COUNT, "COUNT(3)", True, None, (), 3, None, ()),
    (COUNT, "count( 3 )", True, None, (), 3, None, ()),
    (COUNT, "  COUNT(3)\n", True, None, (), 3, None, ()),
    (COUNT, "COUNT(03)", True, None, (), 3, None, ()),
    (COUNT, "COUNT(3).", False, "expected_COUNT_only", (), None, None, ("COUNT(3).",)),
    (COUNT, "Answer: COUNT(3)", False, "expected_COUNT_only", (), None, None, ("Answer: COUNT(3)",)),
    (COUNT, FENCED, False, "expected_COUNT_only", (), None, None, (FENCED,)),
    (COUNT, "COUNT(-1)", False, "expected_COUNT_only", (), None, None, ("COUNT(-1)",)),
    (CLICK, "DONE", True, None, (), None, None, ()),
    (CLICK, "done", True, None, (), None, None, ()),
    (CLICK, ";;DONE;;", True, None, (), None, None, ()),
    (CLICK, "click(r1 , c2);done", True, None, ((1, 2),), None, None, ()),
    (CLICK, "CLICK(R1,C2); DONE;", True, None, ((1, 2),), None, None, ()),
    (CLICK, "CLICK(R1,C2);; DONE", True, None, ((1, 2),), None, None, ()),
    (CLICK, "CLICK(R1,C2); CLICK(R1,C2); DONE", True, None, ((1, 2), (1, 2)), None, None, ()),
    (CLICK, "CLICK(R99,C2); DONE", True, None, ((99, 2),), None, None, ()),
    (CLICK, "CLICK(R0,C2); DONE", True, None, ((0, 2),), None, None, ()),
    (CLICK, "CLICK(R1,C2)\nDONE", False, "missing_DONE", (), None, None, ("CLICK(R1,C2)\nDONE",)),
    (CLICK, "CLICK(R1,C2); CLICK(R3,C4)", False, "missing_DONE", (), None, None, ("CLICK(R1,C2)", "CLICK(R3,C4)")),
    (CLICK, "DONE.", False, "missing_DONE", (), None, None, ("DONE.",)),
    (CLICK, "CLICK(1,2); DONE", False, "invalid_CLICK_token", (), None, None, ("CLICK(1,2)",)),
    (CLICK, "CLICK(R1,C2), CLICK(R2,C3); DONE", False, "invalid_CLICK_token", (), None, None,
     ("CLICK(R1,C2), CLICK(R2,C3)",)),
    (CLICK_COUNT, "SUBMIT(0)", True, None, (), None, 0, ()),
    (CLICK_COUNT, "submit( 0 )", True, None, (), None, 0, ()),
    (CLICK_COUNT, "CLICK(R1,C2); SUBMIT(2)", True, None, ((1, 2),), None, 2, ()),
    (CLICK_COUNT, "CLICK(R1,C2); DONE; SUBMIT(1)", False, "invalid_CLICK_token", ((1, 2),), None, 1, ("DONE",)),
    (CLICK_COUNT, "CLICK(R1,C2); SUBMIT(1); DONE", False, "missing_SUBMIT", (), None, None,
     ("CLICK(R1,C2)", "SUBMIT(1)", "DONE")),
    (CLICK_COUNT, "CLICK(R1,C2)", False, "missing_SUBMIT", (), None, None, ("CLICK(R1,C2)",)),
    (COUNT, "", False, "empty", (), None, None, ()),
    (CLICK, "", False, "empty", (), None, None, ()),
    (CLICK_COUNT, "", False, "empty", (), None, None, ()),
    (COUNT, None, False, "empty", (), None, None, ()),
    (CLICK, None, False, "empty", (), None, None, ()),
    (CLICK_COUNT, None, False, "empty", (), None, None, ()),
    # --- corner cases (behaviour of the official parser)
    (CLICK, ";;;", False, "missing_DONE", (), None, None, ()),
    (CLICK_COUNT, ";;;", False, "empty", (), None, None, ()),
    (CLICK, " \n\t ", False, "empty", (), None, None, ()),
    (COUNT, "COUNT(３)", True, None, (), 3, None, ()),  # fullwidth digit: \d and int() are Unicode-aware
    (CLICK, "CLICK(R１,C٢); DONE", True, None, ((1, 2),), None, None, ()),  # fullwidth 1, Arabic-Indic 2
    (COUNT, "COUNT(1)\u00a0", True, None, (), 1, None, ()),  # NBSP is whitespace to strip()
    (CLICK, "\u2003DONE", True, None, (), None, None, ()),
    (COUNT, "COUNT(1) COUNT(2)", False, "expected_COUNT_only", (), None, None, ("COUNT(1) COUNT(2)",)),
    (COUNT, "<think>x</think>COUNT(1)", False, "expected_COUNT_only", (), None, None, None),
    (COUNT, "COUNT\n(\n4\n)", True, None, (), 4, None, ()),
    (CLICK, "DONE; DONE", False, "invalid_CLICK_token", (), None, None, ("DONE",)),
    (CLICK, "CLICK ( R 3 , C 4 ) ; DONE", True, None, ((3, 4),), None, None, ()),
    (CLICK, "CLICK(R1,C2); SUBMIT(1)", False, "missing_DONE", (), None, None, ("CLICK(R1,C2)", "SUBMIT(1)")),
    (CLICK, "CLICK(R1,C2); DONE; CLICK(R2,C2)", False, "missing_DONE", (), None, None, None),
    (CLICK_COUNT, "SUBMIT(1); SUBMIT(1)", False, "invalid_CLICK_token", (), None, 1, ("SUBMIT(1)",)),
    (CLICK_COUNT, "SUBMIT(1);", True, None, (), None, 1, ()),
    (CLICK_COUNT, "DONE", False, "missing_SUBMIT", (), None, None, ("DONE",)),
    (CLICK_COUNT, "CLICK(R1,C1);CLICK(R1,C1);SUBMIT(2)", True, None, ((1, 1), (1, 1)), None, 2, ()),
    (CLICK, "COUNT(2)", False, "missing_DONE", (), None, None, ("COUNT(2)",)),
    (COUNT, "CLICK(R1,C1); DONE", False, "expected_COUNT_only", (), None, None, None),
    ("WEIRD", "COUNT(1)", False, "unknown_task_mode:WEIRD", (), None, None, ("COUNT(1)",)),
    ("None", "DONE", False, "unknown_task_mode:None", (), None, None, ("DONE",)),
    ("WEIRD", "", False, "empty", (), None, None, ()),
]


def _vector_id(v) -> str:
    return f"{v[0]}:{v[1]!r}"[:60]


@pytest.mark.parametrize("mode,text,valid,error,clicks,count,submit,invalid", VECTORS, ids=map(_vector_id, VECTORS))
def test_parser_vectors(mode, text, valid, error, clicks, count, submit, invalid):
    parsed = parse_answer(text, mode)
    assert parsed.valid is valid
    assert parsed.parse_error == error
    assert parsed.clicks == tuple(Cell(r, c) for r, c in clicks)
    assert parsed.count == count
    assert parsed.submit_count == submit
    if invalid is not None:
        assert parsed.invalid_tokens == invalid


def test_non_string_text_is_read_as_text():
    # The official runner may store a number; it is parsed as its string form.
    assert parse_answer(7, COUNT).parse_error == "expected_COUNT_only"
    assert parse_answer(0, CLICK).parse_error == "missing_DONE"


@pytest.mark.parametrize(
    "mode,clicks,count,expected",
    [
        (COUNT, (), 0, "COUNT(0)"),
        (COUNT, (), 12, "COUNT(12)"),
        (CLICK, (), None, "DONE"),
        (CLICK, (Cell(10, 1), Cell(2, 3), Cell(2, 10)), None, "CLICK(R2,C3); CLICK(R2,C10); CLICK(R10,C1); DONE"),
        (CLICK_COUNT, (), None, "SUBMIT(0)"),
        (CLICK_COUNT, (Cell(3, 1), Cell(1, 4)), None, "CLICK(R1,C4); CLICK(R3,C1); SUBMIT(2)"),
    ],
    ids=["count0", "count12", "click-empty", "click-numeric-order", "submit-empty", "click-count"],
)
def test_format_answer(mode, clicks, count, expected):
    assert format_answer(mode, clicks, count) == expected
    parsed = parse_answer(expected, mode)
    assert parsed.valid and set(parsed.clicks) == set(clicks)


@pytest.mark.parametrize("mode,bad", [(COUNT, None), (COUNT, -1), ("WEIRD", 1)], ids=["no-count", "negative", "mode"])
def test_format_answer_rejects(mode, bad):
    with pytest.raises(ValueError):
        format_answer(mode, (), bad)


def test_expected_output_formats():
    assert EXPECTED_OUTPUT_FORMAT == {
        COUNT: "COUNT(n)",
        CLICK: "CLICK(Rr,Cc); ...; DONE",
        CLICK_COUNT: "CLICK(Rr,Cc); ...; SUBMIT(n)",
    }


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_format_answer_round_trip_on_fixtures(name):
    """Every official row's canonical answer is format_answer of its gold, and parses back to it."""
    rows = [json.loads(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) == 1112
    for row in rows:
        mode, gold = row["task_mode"], parse_cells(row["ground_truth_clicks"])
        count = row["ground_truth_count"] if mode == COUNT else None
        text = format_answer(mode, gold, count)
        assert text == row["ground_truth_formal_answer"] == row["answer"], row["item_id"]
        parsed = parse_answer(text, mode)
        assert parsed.valid, row["item_id"]
        if mode == COUNT:
            assert parsed.count == row["ground_truth_count"]
        else:
            assert frozenset(parsed.clicks) == gold and len(parsed.clicks) == len(gold)


_MB10 = 10_000_000
# Strings shaped to make a backtracking regex engine work hard: long whitespace runs inside
# tokens, near-miss tokens that fail only at the end, thousands of padded tokens.
ADVERSARIAL = {
    COUNT: "COUNT(" + " \t" * (_MB10 // 2) + "1 x",
    CLICK: ("CLICK( R " + " " * 1000 + "1 , C 2 " + " " * 1000 + ") ;") * (_MB10 // 2020) + "DONE.",
    CLICK_COUNT: "CLICK(R" + " " * _MB10 + "1,C1) SUBMIT(1); SUBMIT(1)",
}


@pytest.mark.parametrize("mode", list(ADVERSARIAL))
def test_adversarial_10mb_is_linear(mode):
    text = ADVERSARIAL[mode]
    assert len(text) >= 0.99 * _MB10
    start = time.perf_counter()
    parsed = parse_answer(text, mode)
    elapsed = time.perf_counter() - start
    assert not parsed.valid
    assert elapsed < 2.0, f"{mode}: {elapsed:.2f}s for 10 MB"


HUGE = "9" * 5000  # beyond Python's 4300-digit int() limit


@pytest.mark.parametrize(
    "mode,text,error",
    [
        (COUNT, f"COUNT({HUGE})", "expected_COUNT_only"),
        ("CLICK", f"CLICK(R{HUGE},C1); DONE", "invalid_CLICK_token"),
        ("CLICK_COUNT", f"CLICK(R1,C1); SUBMIT({HUGE})", "missing_SUBMIT"),
    ],
    ids=["count", "click", "submit"],
)
def test_numbers_beyond_int_limit_are_invalid_tokens_not_crashes(mode, text, error):
    parsed = parse_answer(text, mode)
    assert not parsed.valid and parsed.parse_error == error
