"""prompt_local -> (task mode, region), for every phrasing templates.yaml can produce."""

from __future__ import annotations

import pytest

from rose_bench.dataset_builder.prompts import fill_prompt_local
from rose_bench.solver.prompt_region import PromptNotUnderstood, read_prompt
from rose_bench.dataset_builder.specs import load_templates
from rose_bench.scoring.grid import ColRange, Exclusion, GlobalRegion, Rectangle, RowRange, VisualRegion

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
        # verbatim observed rows (spec §4.4)
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
