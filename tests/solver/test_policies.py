"""solve() and the baselines end to end: rendered scene + templates.yaml prompts -> formal answer."""

from __future__ import annotations

import pytest

from rose_bench.dataset_builder.prompts import fill_prompt_local
from rose_bench.solver.policies import POLICIES, get_policy
from rose_bench.solver.solve import solve
from rose_bench.dataset_builder.template_specs import load_templates
from rose_bench.scoring.grammar import COUNT, format_answer, parse_answer
from rose_bench.scoring.grid import Cell, ColRange, Exclusion, GlobalRegion, Grid, Rectangle, RowRange, VisualRegion

from tests.support import solver_images as support


CONFIG = load_templates()
SPECS = {spec.name: spec for spec in (*CONFIG.templates, *CONFIG.bridges)}
ROWS, COLS = 9, 11
GRID = Grid(ROWS, COLS)
TARGETS = frozenset({Cell(2, 3), Cell(2, 4), Cell(5, 9), Cell(8, 1), Cell(9, 11)})

# (template, region): every template and bridge, with zero / partial / all region cases
ITEMS = [
    ("T1_COUNT_GLOBAL", GlobalRegion()),
    ("T1B_CLICK_GLOBAL", GlobalRegion()),
    ("T2_COUNT_LOCAL_NUMERIC", RowRange(2, 3)),
    ("T2_COUNT_LOCAL_NUMERIC", ColRange(6, 6)),
    ("T2B_COUNT_LOCAL_MATCHED", Rectangle(4, 9, 1, 5)),
    ("T3_CLICK_LOCAL_NUMERIC", Rectangle(1, 3, 3, 6)),
    ("T3_CLICK_LOCAL_NUMERIC", RowRange(6, 7)),
    ("T3_CLICK_LOCAL_NUMERIC", ColRange(9, 11)),
    ("T4_CLICK_VISUAL_REGION", VisualRegion(1, 5, 3, 9)),
    ("T4_CLICK_VISUAL_REGION", VisualRegion(6, 9, 8, 11)),
    ("T4_CLICK_VISUAL_REGION", VisualRegion(3, 4, 5, 7)),
    ("T5_CLICK_COUNT_EXCLUSION", Exclusion(RowRange(2, 2))),
    ("T5_CLICK_COUNT_EXCLUSION", Exclusion(Rectangle(1, 9, 1, 11))),
    ("T5_CLICK_COUNT_EXCLUSION", Exclusion(ColRange(1, 1))),
]
IDS = [f"{t.split('_')[0]}-{r.region_type}-{r.params()}" for t, r in ITEMS]


def _item(kind: str, template: str, region):
    spec = SPECS[template]
    size = 126 if kind == "pixel" else 46
    cue = region if isinstance(region, VisualRegion) else None
    image = support.scene(kind, ROWS, COLS, size, TARGETS, cue)
    return image, CONFIG.prompt_global, fill_prompt_local(spec.prompt_local, dict(spec.phrases), region), spec.task_mode


def _expected(mode: str, cells) -> str:
    return format_answer(COUNT, count=len(cells)) if mode == COUNT else format_answer(mode, cells)


@pytest.mark.parametrize("kind", ["text", "emoji", "pixel"])
@pytest.mark.parametrize(("template", "region"), ITEMS, ids=IDS)
def test_solver_answers_every_template_exactly(kind, template, region) -> None:
    image, prompt_global, prompt_local, mode = _item(kind, template, region)
    assert solve(image, prompt_global, prompt_local) == _expected(mode, TARGETS & region.cells(GRID))


@pytest.mark.parametrize(("template", "region"), ITEMS, ids=IDS)
def test_baselines_fail_the_way_they_are_named(template, region) -> None:
    image, prompt_global, prompt_local, mode = _item("text", template, region)
    gold = TARGETS & region.cells(GRID)
    answers = {name: policy(image, prompt_global, prompt_local) for name, policy in POLICIES.items()}
    for name, text in answers.items():
        assert parse_answer(text, mode).valid, (name, text)
    assert answers["empty"] == {"COUNT": "COUNT(0)", "CLICK": "DONE", "CLICK_COUNT": "SUBMIT(0)"}[mode]
    assert answers["global"] == _expected(mode, TARGETS)
    parsed = parse_answer(answers["count-only"], mode)
    if mode == COUNT:
        assert parsed.count == len(gold)
    else:
        steps = {(m.row - g.row, m.col - g.col) for m, g in zip(sorted(parsed.clicks), sorted(gold), strict=False)}
        assert len(parsed.clicks) == len(gold) and len(steps) <= 1 and steps <= {(0, 1), (0, -1), (1, 0), (-1, 0)}
        assert set(parsed.clicks) != gold or not gold
        if mode == "CLICK_COUNT":
            assert parsed.submit_count == len(gold)


def test_random_baseline_is_a_deterministic_function_of_the_request() -> None:
    image, prompt_global, prompt_local, _ = _item("text", "T3_CLICK_LOCAL_NUMERIC", RowRange(1, 9))
    random_policy = get_policy("random")
    first = random_policy(image, prompt_global, prompt_local)
    assert random_policy(image.copy(), prompt_global, prompt_local) == first
    others = {random_policy(image, prompt_global, prompt_local.replace("9", str(k))) for k in range(1, 9)}
    assert len(others | {first}) > 1


def test_unknown_policy_names_the_choices() -> None:
    with pytest.raises(ValueError, match="solver, empty, global, random, count-only"):
        get_policy("oracle")


@pytest.mark.parametrize(
    ("cells", "step"),
    [
        ({Cell(1, 1)}, (0, 1)),
        ({Cell(2, 4), Cell(2, 5)}, (0, -1)),
        ({Cell(1, 1), Cell(3, 5)}, (1, 0)),
        ({Cell(1, 1), Cell(5, 5), Cell(2, 3)}, (0, 1)),
        (set(), (0, 1)),
    ],
    ids=["right", "left-at-last-column", "down-when-both-edges", "no-fit-falls-back-right", "empty"],
)
def test_one_cell_shift_moves_every_click_by_the_same_step(cells, step) -> None:
    from rose_bench.solver.policies import shift_one_cell

    moved = shift_one_cell(frozenset(cells), 5, 5)
    assert sorted(moved) == sorted(Cell(c.row + step[0], c.col + step[1]) for c in cells)
    assert set(moved) != set(cells) or not cells
