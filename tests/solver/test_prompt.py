"""prompt_local -> (task mode, region), for every phrasing templates.yaml can produce."""

from __future__ import annotations

import re

import pytest

from rose_bench.dataset_builder.prompts import fill_prompt_local
from rose_bench.solver.prompt_region import MAX_PROMPT_CHARS, PromptNotUnderstood, RegionOutsideGrid, read_prompt
from rose_bench.scoring.contract import MAX_GRID_COLS, MAX_GRID_ROWS
from rose_bench.solver.solve import solve
from rose_bench.dataset_builder.template_specs import load_templates
from rose_bench.scoring.grid import Cell, ColRange, Exclusion, GlobalRegion, Grid, Rectangle, RowRange, VisualRegion

from tests.support import solver_images as support

CONFIG = load_templates()
SPECS = {spec.name: spec for spec in (*CONFIG.templates, *CONFIG.bridges)}

NUMERIC = [
    GlobalRegion(),
    RowRange(4, 4),
    RowRange(1, 3),
    RowRange(12, 18),
    ColRange(7, 7),
    ColRange(2, 5),
    ColRange(10, 16),
    Rectangle(1, 6, 1, 6),
    Rectangle(13, 18, 11, 16),
    Rectangle(5, 5, 9, 12),
]
EXCLUDED = [r for r in NUMERIC if not isinstance(r, GlobalRegion)]

CASES = (
    [(name, region, region) for name in ("T1_COUNT_GLOBAL", "T1B_CLICK_GLOBAL") for region in NUMERIC[:1]]
    + [(name, region, region) for name in ("T2_COUNT_LOCAL_NUMERIC", "T3_CLICK_LOCAL_NUMERIC", "T2B_COUNT_LOCAL_MATCHED") for region in NUMERIC[1:]]
    + [("T5_CLICK_COUNT_EXCLUSION", Exclusion(region), Exclusion(region)) for region in EXCLUDED]
    + [("T4_CLICK_VISUAL_REGION", VisualRegion(2, 4, 3, 6), None)]
)


@pytest.mark.parametrize(
    ("template", "region", "expected"), CASES, ids=[f"{t.split('_')[0]}-{r.region_type}-{r.params()}" for t, r, _ in CASES]
)
def test_every_templates_yaml_phrasing_reads_back(template, region, expected) -> None:
    spec = SPECS[template]
    text = fill_prompt_local(spec.prompt_local, dict(spec.phrases), region)
    reading = read_prompt(text)
    assert reading.task_mode == spec.task_mode, text
    assert reading.region == expected, text
    assert reading.visual == (expected is None)


@pytest.mark.parametrize(
    ("text", "mode", "region"),
    [
        # verbatim observed rows (protocol §4.4)
        ("Click all cells that are different from the majority in the whole grid. Answer only using CLICK(Rr,Cc); ...; DONE.", "CLICK", GlobalRegion()),
        ("Count the number of cells that are different from the majority in rows 3 to 6. Answer only in the format: COUNT(n).", "COUNT", RowRange(3, 6)),
        ("Count the number of cells that are different from the majority from row 2 column 9 to row 7 column 14. Answer only in the format: COUNT(n).", "COUNT", Rectangle(2, 7, 9, 14)),
        # paraphrases a model-facing prompt could plausibly use
        ("Click all odd cells in rows 2-4, columns 5-6. Answer only using CLICK(Rr,Cc); ...; DONE.", "CLICK", Rectangle(2, 4, 5, 6)),
        ("Exclude columns 3 to 4, click the remaining odd cells and submit the count. Answer only using CLICK(Rr,Cc); ...; SUBMIT(n).", "CLICK_COUNT", Exclusion(ColRange(3, 4))),
        ("  Count   the odd cells\nin column 12.  Answer only in the format: COUNT(n).", "COUNT", ColRange(12, 12)),
    ],
    ids=["t1b-verbatim", "t2b-rows-verbatim", "t2b-rect-verbatim", "rect-ranges", "exclude-columns", "whitespace"],
)
def test_observed_and_paraphrased_prompts(text, mode, region) -> None:
    reading = read_prompt(text)
    assert (reading.task_mode, reading.region) == (mode, region)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "no output format"),
        ("Count the cells in row 3.", "no output format"),
        ("Count the number of different cells. Answer only in the format: COUNT(n).", "no region"),
    ],
    ids=["empty", "no-format", "no-region"],
)
def test_unreadable_prompts_raise_with_the_reason(text, match) -> None:
    with pytest.raises(PromptNotUnderstood, match=match):
        read_prompt(text)


# ---------------------------------------------------------------------------- sizes read from the prompt are bounded

_CLICK = "Click all cells that are different from the majority in {}. Answer only using CLICK(Rr,Cc); ...; DONE."


@pytest.mark.parametrize(
    ("phrase", "match"),
    [
        ("rows 1 to 999999999", f"row 999999999 is outside any grid: rows are numbered from 1 and no grid has more than {MAX_GRID_ROWS}"),
        ("rows 0 to 99", "row 0 is outside any grid"),
        ("row 0", "row 0"),
        (f"columns 3 to {MAX_GRID_COLS + 1}", f"column {MAX_GRID_COLS + 1}"),
        ("row " + "9" * 5000, "row 99999999999999999999..."),  # never int() of a 5000-digit string
        ("row 000000000000000000000000007 and column " + "1" * 40, "column 1111"),
        ("from row 0 column 1 to row 3 column 3", "row 0"),
        ("from row 1 column 1 to row 3 column 4000000000", "column 4000000000"),
        ("rows 2-4, columns 5-123456", "column 123456"),
    ],
    ids=["rows-to-1e9", "rows-0-to-99", "row-0", "column-101", "5000-digit-row", "huge-column-after-zeros",
         "rect-row-0", "rect-column-4e9", "rect-ranges-column"],
)
def test_numbers_beyond_any_grid_are_refused_while_reading(phrase, match) -> None:
    with pytest.raises(RegionOutsideGrid, match=re.escape(match)):
        read_prompt(_CLICK.format(phrase))


def test_leading_zeros_are_still_a_small_number() -> None:
    assert read_prompt(_CLICK.format("row 000000000000000000000000007")).region == RowRange(7, 7)


def test_an_overlong_prompt_is_refused_before_any_pattern_runs() -> None:
    with pytest.raises(PromptNotUnderstood, match=f"at most {MAX_PROMPT_CHARS}"):
        read_prompt(_CLICK.format("row 1") + " " + "x" * MAX_PROMPT_CHARS)


GRID_8x8 = Grid(8, 8)


@pytest.mark.parametrize(
    ("phrase", "fits"),
    [
        ("the whole grid", True),
        ("rows 1 to 8", True),
        ("column 8", True),
        ("from row 8 column 1 to row 8 column 8", True),
        ("rows 1 to 99", False),
        ("rows 9 to 9", False),
        ("columns 7 to 9", False),
        ("from row 2 column 2 to row 9 column 3", False),
        ("rows 2-4, columns 5-12", False),
    ],
    ids=["global", "all-rows", "last-column", "last-row-rect", "rows-to-99", "row-9", "columns-to-9", "rect-row-9",
         "rect-ranges-column-12"],
)
def test_regions_are_checked_against_the_grid_not_clipped(phrase, fits) -> None:
    reading = read_prompt(_CLICK.format(phrase))
    if fits:
        assert reading.region_in(GRID_8x8) == reading.region
    else:
        with pytest.raises(RegionOutsideGrid, match="outside the 8x8 grid"):
            reading.region_in(GRID_8x8)


@pytest.mark.parametrize("phrase", ["rows 7 to 9", "columns 9 to 10"], ids=["rows", "columns"])
def test_an_excluded_region_outside_the_grid_is_refused(phrase) -> None:
    text = f"Click all cells outside {phrase} that are different from the majority. Answer only using CLICK(Rr,Cc); ...; SUBMIT(n)."
    reading = read_prompt(text)
    assert reading.excluded
    with pytest.raises(RegionOutsideGrid, match="outside the 8x8 grid"):
        reading.region_in(GRID_8x8)


def test_a_visual_region_is_read_from_the_image_not_checked_here() -> None:
    reading = read_prompt("Click all odd cells in the highlighted region. Answer only using CLICK(Rr,Cc); ...; DONE.")
    assert reading.visual and reading.region_in(GRID_8x8) is None


@pytest.mark.parametrize(
    "phrase", ["rows 1 to 999999999", "rows 1 to 99", "rows 0 to 99", "columns 1 to 9"],
    ids=["rows-to-1e9", "rows-to-99", "rows-0-to-99", "columns-to-9"],
)
def test_the_solver_refuses_a_region_outside_the_image_grid(phrase) -> None:
    image = support.scene("text", 8, 8, 44, {Cell(2, 2)})
    with pytest.raises(RegionOutsideGrid):
        solve(image, CONFIG.prompt_global, _CLICK.format(phrase))
