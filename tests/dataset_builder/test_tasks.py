"""Task instances: every derived field recomputed independently; gold answers score PASS."""

from __future__ import annotations

import pytest

from rose_bench.dataset_builder.plan import plan_subset
from rose_bench.dataset_builder.prompts import fill_prompt_local, slots
from rose_bench.dataset_builder.scene import Scene
from rose_bench.dataset_builder.sources.base import ElementPair
from rose_bench.dataset_builder.subset_specs import load_subsets
from rose_bench.dataset_builder.template_specs import load_templates
from rose_bench.dataset_builder.tasks import difficulty_of
from rose_bench.scoring import contract
from rose_bench.scoring.grammar import EXPECTED_OUTPUT_FORMAT, format_answer, parse_answer
from rose_bench.scoring.grid import (
    Cell,
    ColRange,
    Exclusion,
    GlobalRegion,
    Grid,
    Rectangle,
    RowRange,
    VisualRegion,
    keys_numeric,
    parse_cells,
    region_from_params,
)
from rose_bench.scoring.item import score_item
from rose_bench.scoring.validate import validate_rows

from tests.support.sources import ShapeSource

SPECS = load_subsets()
CONFIG = load_templates()


@pytest.fixture(scope="module")
def rows_by_subset() -> dict[str, list[dict]]:
    return {
        s: list(plan_subset(SPECS[s], CONFIG, ShapeSource(s, n_pairs=40), 11, scenes=24).rows) for s in SPECS
    }


def _case(n_inside: int, n_total: int) -> str:
    return "zero" if n_inside == 0 else ("all" if n_inside == n_total else "partial")


@pytest.mark.parametrize("subset", list(SPECS))
def test_every_derived_field_recomputes(rows_by_subset, subset: str) -> None:
    rows = rows_by_subset[subset]
    assert len(rows) == 24 * 7
    for row in rows:
        grid = Grid(row["rows"], row["cols"])
        region = region_from_params(row["region_type"], row["region_params"])
        cells = region.cells(grid)
        targets = parse_cells(row["target_cells"])
        inside = targets & cells
        k = len(inside)
        assert len(targets) == len(row["target_cells"])  # distinct targets
        assert row["all_target_cells"] == keys_numeric(targets)
        assert row["ground_truth_clicks"] == row["region_target_cells"] == keys_numeric(inside)
        assert row["ground_truth_count"] == row["region_target_count"] == k
        assert row["global_target_count"] == len(targets)
        assert row["num_out_region_targets"] == len(targets) - k
        assert row["region_cell_count"] == len(cells)
        assert row["region_non_target_count"] == len(cells) - k
        assert row["region_ratio"] == round(len(cells) / (grid.rows * grid.cols), 6)
        mode = row["task_mode"]
        assert row["ground_truth_formal_answer"] == row["answer"] == format_answer(mode, inside, count=k)
        assert row["expected_output_format"] == EXPECTED_OUTPUT_FORMAT[mode]
        assert row["image_width"] == row["cols"] * row["cell_size"]
        assert row["image_height"] == row["rows"] * row["cell_size"]
        assert row["prompt"] == row["prompt_global"] + "\n" + row["prompt_local"]
        assert "{" not in row["prompt_local"] and "}" not in row["prompt_local"]
        case = row["region_case"]
        achieved = case.split("_")[1] if case.startswith("fallback_") else case
        assert achieved == _case(k, len(targets))
        parsed = parse_answer(row["answer"], mode)
        assert parsed.valid
        if mode == "COUNT":
            assert parsed.count == k
        else:
            assert frozenset(parsed.clicks) == inside
        if mode == "CLICK_COUNT":
            assert parsed.submit_count == k


@pytest.mark.parametrize("subset", list(SPECS))
def test_gold_answers_pass_and_rows_validate(rows_by_subset, subset: str) -> None:
    rows = rows_by_subset[subset]
    for row in rows:
        scored = score_item(row, row["answer"])
        assert scored["pass"] == 1 and scored["unified_soft"] == 1.0 and scored["format_valid"] == 1, row["item_id"]
    assert validate_rows(rows, "metadata") == []


@pytest.mark.parametrize("subset", list(SPECS))
def test_template_wiring(rows_by_subset, subset: str) -> None:
    rows = rows_by_subset[subset]
    by_id = {r["item_id"]: r for r in rows}
    for row in rows:
        template = row["task_template"]
        image_number = int(row["image_id"].rsplit("_", 1)[1])
        if template == contract.T4:
            assert row["region_type"] == "VISUAL_REGION" and image_number % 2 == 0
            assert row["image_region_type"] == "VISUAL_REGION"
            assert row["image_region_params"] == row["region_params"]
            assert row["cue_type"] == row["image_cue_type"] != "NONE"
        else:
            assert image_number % 2 == 1
            assert (row["cue_type"], row["image_cue_type"], row["image_region_type"], row["image_region_params"]) == (
                "NONE", "NONE", "GLOBAL", {}
            )
            assert row["image_note"] == "base image without visual cue"
        if template in (contract.T1, contract.T1B):
            assert row["region_type"] == "GLOBAL" and row["region_case"] == "all"
        if template == contract.T5:
            assert row["region_type"] == "EXCLUSION"
            assert row["region_params"]["exclude_type"] in ("ROW_RANGE", "COL_RANGE", "RECTANGLE")
        if template == contract.T1B:
            t1 = by_id[row["source_item_id"]]
            assert row["item_id"] == t1["item_id"] + "__GCLK" and t1["task_template"] == contract.T1
            assert row["ground_truth_clicks"] == t1["all_target_cells"]
            assert (row["difficulty"], row["dataset_version"], row["protocol_version"]) == (
                "bridge", "ROSEv0.1_global_click_bridge", "v0.3+global_click_bridge"
            )
            assert row["item_seed"] == t1["item_seed"] and row["image_id"] == t1["image_id"]
        if template == contract.T2B:
            t3 = by_id[row["source_click_item_id"]]
            assert row["item_id"] == "MLCNT_" + t3["item_id"] and t3["task_template"] == contract.T3
            for key in ("region_type", "region_params", "region_case", "difficulty", "item_seed", "dataset_version",
                        "protocol_version", "ground_truth_clicks", "image_id"):
                assert row[key] == t3[key], key
            assert row["answer"] == f"COUNT({t3['ground_truth_count']})"


def _scene(profile: str, k: int, similarity: float = 0.5) -> Scene:
    targets = tuple(Cell(1, c) for c in range(1, k + 1))
    pair = ElementPair("p", "circle", "square", {"similarity": similarity})
    return Scene("ROSE-ChineseGlyph", 1, 10, 10, profile, 50, pair, targets, "test")


GLYPH = SPECS["ROSE-ChineseGlyph"].difficulty
PEDIT = SPECS["ROSE-PixelEdit"].difficulty
ECON = SPECS["ROSE-EmojiContent"].difficulty
SIMILAR = ECON.similar_min


@pytest.mark.parametrize(
    "rule, profile, k, case, similarity, expected",
    [
        (GLYPH, "small", 2, "zero", 0.5, "medium"),
        (GLYPH, "large", 2, "zero", 0.5, "hard"),
        (GLYPH, "medium", 4, "zero", 0.5, "hard"),
        (GLYPH, "large", 5, "partial", 0.5, "hard"),
        (GLYPH, "large", 3, "partial", 0.5, "medium"),
        (GLYPH, "medium", 5, "all", 0.5, "medium"),
        (PEDIT, "small", 1, "zero", 0.5, "hard"),
        (PEDIT, "large", 1, "all", 0.5, "hard"),
        (PEDIT, "small", 3, "partial", 0.5, "medium"),
        (ECON, "small", 2, "zero", SIMILAR, "hard"),
        (ECON, "small", 2, "zero", SIMILAR - 1e-6, "medium"),
        (ECON, "medium", 4, "partial", SIMILAR, "hard"),
        (ECON, "small", 3, "partial", 1.0, "medium"),
        (ECON, "medium", 4, "partial", 0.5, "medium"),
        (ECON, "large", 4, "all", 0.5, "hard"),
    ],
    ids=["quiet_zero", "large_zero", "many_zero", "large_many", "large_few", "many_medium_all", "pedit_zero",
         "pedit_large", "pedit_quiet", "econ_similar_zero", "econ_just_below_zero", "econ_similar_busy",
         "econ_similar_quiet", "econ_busy_not_similar", "econ_large_many"],
)
def test_difficulty_rule(rule, profile, k, case, similarity, expected) -> None:
    assert difficulty_of(rule, _scene(profile, k, similarity), case) == expected


REGIONS = [
    GlobalRegion(), RowRange(4, 4), RowRange(2, 5), ColRange(3, 3), ColRange(1, 4), Rectangle(7, 10, 2, 7),
    VisualRegion(2, 4, 3, 6), Exclusion(RowRange(3, 3)), Exclusion(ColRange(2, 5)), Exclusion(Rectangle(1, 3, 4, 9)),
]


def test_every_pattern_slot_is_filled_for_every_region_shape() -> None:
    phrase_of = {
        "global": (GlobalRegion,), "numeric": (RowRange, ColRange, Rectangle), "visual": (VisualRegion,),
        "exclusion": (Exclusion,),
    }
    checked = 0
    for spec in list(CONFIG.templates) + list(CONFIG.bridges):
        sampler = getattr(spec, "region_sampler", None) or ("global" if spec.name == contract.T1B else "numeric")
        for region in REGIONS:
            if type(region) not in phrase_of[sampler] and not (sampler == "global" and isinstance(region, GlobalRegion)):
                continue
            text = fill_prompt_local(spec.prompt_local, dict(spec.phrases), region)
            assert "{" not in text and "}" not in text and not slots(text)
            checked += 1
    assert checked >= 14


@pytest.mark.parametrize(
    "template, region, expected",
    [
        (contract.T1, GlobalRegion(), "Count the number of cells that are different from the majority in the whole grid. Answer only in the format: COUNT(n)."),
        (contract.T2, RowRange(4, 4), "Count the number of cells that are different from the majority in row 4. Answer only in the format: COUNT(n)."),
        (contract.T2, ColRange(1, 4), "Count the number of cells that are different from the majority in columns 1 to 4. Answer only in the format: COUNT(n)."),
        (contract.T3, Rectangle(7, 10, 2, 7), "Click all cells that are different from the majority from row 7 column 2 to row 10 column 7. Answer only using CLICK(Rr,Cc); ...; DONE."),
        (contract.T3, ColRange(3, 3), "Click all cells that are different from the majority in column 3. Answer only using CLICK(Rr,Cc); ...; DONE."),
        (contract.T4, VisualRegion(2, 4, 3, 6), "Click all cells that are different from the majority inside the highlighted purple region. Answer only using CLICK(Rr,Cc); ...; DONE."),
        (contract.T5, Exclusion(RowRange(2, 5)), "Click all cells that are different from the majority outside rows 2 to 5, then submit the number of clicked cells. Answer only using CLICK(Rr,Cc); ...; SUBMIT(n)."),
        (contract.T5, Exclusion(Rectangle(1, 3, 4, 9)), "Click all cells that are different from the majority outside the area from row 1 column 4 to row 3 column 9, then submit the number of clicked cells. Answer only using CLICK(Rr,Cc); ...; SUBMIT(n)."),
    ],
    ids=["t1", "t2_row", "t2_cols", "t3_rect", "t3_col", "t4", "t5_rows", "t5_rect"],
)
def test_prompt_local_strings(template: str, region, expected: str) -> None:
    spec = CONFIG.template(template)
    assert fill_prompt_local(spec.prompt_local, dict(spec.phrases), region) == expected
