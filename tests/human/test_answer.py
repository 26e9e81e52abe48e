"""From the page's cells/count (or typed text) to the formal answer, composed by the project's formatter."""

from __future__ import annotations

import pytest

from rose_bench.human.answer import MAX_TEXT, Answer, RequestError, preview, read_answer


@pytest.mark.parametrize(
    "body, mode, expected",
    [
        ({"cells": [], "count": 3}, "COUNT", "COUNT(3)"),
        ({"cells": [[1, 1], [2, 2]]}, "COUNT", "COUNT(2)"),
        ({"cells": [[1, 1]], "count": 0}, "COUNT", "COUNT(0)"),
        ({"cells": [[4, 10], [4, 2], [1, 9]]}, "CLICK", "CLICK(R1,C9); CLICK(R4,C2); CLICK(R4,C10); DONE"),
        ({"cells": []}, "CLICK", "DONE"),
        ({"cells": [[2, 3]], "count": 5}, "CLICK_COUNT", "CLICK(R2,C3); SUBMIT(5)"),
        ({"cells": [[2, 3], [1, 1]]}, "CLICK_COUNT", "CLICK(R1,C1); CLICK(R2,C3); SUBMIT(2)"),
        ({"cells": []}, "CLICK_COUNT", "SUBMIT(0)"),
        ({"raw_text": "click(r1,c1);done"}, "CLICK", "click(r1,c1);done"),
    ],
    ids=["count", "count-from-marks", "count-overrides-marks", "clicks-sorted", "no-clicks", "submit-typed",
         "submit-default", "submit-empty", "typed-kept-verbatim"],
)
def test_read_answer(body, mode, expected) -> None:
    answer = read_answer(body, mode, rows=10, cols=12)
    assert answer.raw_text == expected
    assert answer.input_mode == ("text" if "raw_text" in body else "cells")


@pytest.mark.parametrize(
    "body, mode, status, words",
    [
        ({"cells": [[0, 1]]}, "CLICK", 400, "between 1 and 10"),
        ({"cells": [[1, 13]]}, "CLICK", 400, "between 1 and 12"),
        ({"cells": [[1, 1], [1, 1]]}, "CLICK", 400, "twice"),
        ({"cells": [[1, "2"]]}, "CLICK", 400, "integer"),
        ({"cells": [[1, True]]}, "CLICK", 400, "integer"),
        ({"cells": [[1]]}, "CLICK", 400, "pair"),
        ({"cells": "R1,C1"}, "CLICK", 400, "list"),
        ({"cells": [[1, 1]] * 121}, "CLICK", 400, "only 120"),
        ({"count": -1}, "COUNT", 400, "between 0"),
        ({"count": 1.5}, "COUNT", 400, "integer"),
        ({"count": 2}, "CLICK", 400, "no count"),
        ({"raw_text": 5}, "CLICK", 400, "string"),
        ({"raw_text": "DONE", "cells": []}, "CLICK", 400, "either"),
        ({"raw_text": "x" * (MAX_TEXT + 1)}, "CLICK", 413, "at most"),
    ],
    ids=["row-0", "col-beyond-grid", "duplicate", "string-coordinate", "bool-coordinate", "not-a-pair",
         "cells-not-list", "more-cells-than-grid", "negative-count", "fractional-count", "count-on-click",
         "text-not-string", "text-and-cells", "text-too-long"],
)
def test_read_answer_refuses(body, mode, status, words) -> None:
    with pytest.raises(RequestError) as info:
        read_answer(body, mode, rows=10, cols=12)
    assert info.value.status == status and words in str(info.value)


@pytest.mark.parametrize(
    "text, mode, valid, error",
    [("COUNT(4)", "COUNT", True, None), ("CLICK(R1,C1)", "CLICK", False, "missing_DONE"),
     ("4", "COUNT", False, "expected_COUNT_only")],
    ids=["valid", "missing-done", "bare-number"],
)
def test_preview_reports_grammar_validity(text, mode, valid, error) -> None:
    assert preview(Answer(text, "text"), mode) == {"raw_text": text, "format_valid": valid, "parse_error": error}
