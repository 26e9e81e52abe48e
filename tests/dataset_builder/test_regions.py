"""Case-controlled region sampling (protocol §4.2): geometry, spans, wanted cases and fallbacks."""

from __future__ import annotations

import dataclasses
import random

import pytest

from rose_bench.dataset_builder.regions import RegionDraw, region_case, sample_region
from rose_bench.dataset_builder.scene import sample_scene
from rose_bench.dataset_builder.subset_specs import Weighted, load_subsets
from rose_bench.scoring.grid import (
    Cell,
    ColRange,
    Exclusion,
    GlobalRegion,
    Grid,
    Rectangle,
    RowRange,
    VisualRegion,
)

from tests.support.sources import ShapeSource

SPECS = load_subsets()
SUBSETS = list(SPECS)

# protocol §4.2 span table: (row range spans, col range spans, rectangle heights, rectangle widths)
SPANS = {
    "ROSE-ChineseGlyph": ((1, 4), (1, 4), (3, 6), (3, 6)),
    "ROSE-EmojiStyle": ((1, 4), (1, 4), (3, 6), (3, 6)),
    "ROSE-EmojiContent": ((1, 4), (1, 4), (3, 6), (3, 6)),
    "ROSE-PixelEdit": ((1, 3), (1, 3), (2, 5), (2, 5)),
    "ROSE-PixelContent": ((1, 3), (1, 3), (3, 5), (3, 5)),
}


def _inside(region, grid: Grid, targets) -> int:
    return sum(1 for t in targets if t in region.cells(grid))


def _expected_case(region, grid, targets) -> str:
    n = _inside(region, grid, targets)
    return "zero" if n == 0 else ("all" if n == len(targets) else "partial")


def _same_shape(region, grid: Grid) -> list:
    """Every in-grid region with the kind and size of ``region`` (written independently of regions.placements)."""
    inner = region.excluded if isinstance(region, Exclusion) else region
    out = []
    if isinstance(inner, RowRange):
        h = inner.r2 - inner.r1 + 1
        out = [RowRange(r, r + h - 1) for r in range(1, grid.rows + 1) if r + h - 1 <= grid.rows]
    elif isinstance(inner, ColRange):
        w = inner.c2 - inner.c1 + 1
        out = [ColRange(c, c + w - 1) for c in range(1, grid.cols + 1) if c + w - 1 <= grid.cols]
    else:
        cls = type(inner)
        h, w = inner.r2 - inner.r1 + 1, inner.c2 - inner.c1 + 1
        out = [
            cls(r, r + h - 1, c, c + w - 1)
            for r in range(1, grid.rows + 1)
            for c in range(1, grid.cols + 1)
            if r + h - 1 <= grid.rows and c + w - 1 <= grid.cols
        ]
    return [Exclusion(r) for r in out] if isinstance(region, Exclusion) else out


def _spans_ok(subset: str, region) -> bool:
    rows, cols, heights, widths = SPANS[subset]
    inner = region.excluded if isinstance(region, Exclusion) else region
    if isinstance(inner, RowRange):
        return rows[0] <= inner.r2 - inner.r1 + 1 <= rows[1]
    if isinstance(inner, ColRange):
        return cols[0] <= inner.c2 - inner.c1 + 1 <= cols[1]
    return heights[0] <= inner.r2 - inner.r1 + 1 <= heights[1] and widths[0] <= inner.c2 - inner.c1 + 1 <= widths[1]


@pytest.mark.parametrize("subset", SUBSETS)
@pytest.mark.parametrize("sampler", ["numeric", "visual", "exclusion"])
def test_sampled_regions_match_their_geometry(subset: str, sampler: str) -> None:
    spec = SPECS[subset]
    pairs = ShapeSource(subset, n_pairs=1).pairs(0)
    rng = random.Random(f"{subset}/{sampler}")
    kinds = set()
    for n in range(60):
        scene = sample_scene(rng, spec, pairs[0], number=n + 1, split="test")
        grid = scene.grid
        draw = sample_region(rng, spec, grid, scene.targets, sampler)
        region = draw.region
        region.check_within(grid)  # never out of grid
        inner = region.excluded if isinstance(region, Exclusion) else region
        inner.check_within(grid)
        kinds.add(inner.region_type)
        if sampler == "visual":
            assert type(region) is VisualRegion
        elif sampler == "exclusion":
            assert isinstance(region, Exclusion) and type(inner) in (RowRange, ColRange, Rectangle)
        else:
            assert type(region) in (RowRange, ColRange, Rectangle)
        assert _spans_ok(subset, region), region
        # the recorded case is the geometry's case (on the allowed area for EXCLUSION)
        assert draw.achieved == _expected_case(region, grid, scene.targets)
        assert draw.wanted in ("zero", "partial", "all")
        same = _same_shape(region, grid)
        assert region in same
        realisable = any(_expected_case(r, grid, scene.targets) == draw.wanted for r in same)
        if draw.achieved == draw.wanted:
            assert draw.label == draw.wanted
        else:
            # fallback only when no region of this kind and size realises the wanted case
            assert not realisable
            assert draw.label == f"fallback_{draw.achieved}_wanted_{draw.wanted}"
    expected_kinds = {"VISUAL_REGION"} if sampler == "visual" else {"ROW_RANGE", "COL_RANGE", "RECTANGLE"}
    assert kinds == expected_kinds


def _forced(subset: str, case: str):
    return dataclasses.replace(SPECS[subset], wanted_cases=Weighted((case,), (1.0,)))


@pytest.mark.parametrize("sampler", ["numeric", "visual"])
def test_partial_with_one_target_falls_back(sampler: str) -> None:
    spec = _forced("ROSE-ChineseGlyph", "partial")
    grid = Grid(10, 12)
    rng = random.Random(3)
    labels = set()
    for _ in range(200):
        draw = sample_region(rng, spec, grid, [Cell(5, 6)], sampler)
        labels.add(draw.label)
    assert labels == {"fallback_zero_wanted_partial", "fallback_all_wanted_partial"}


def test_all_with_spread_targets_falls_back() -> None:
    spec = _forced("ROSE-ChineseGlyph", "all")
    grid = Grid(15, 15)
    targets = [Cell(1, 1), Cell(15, 15)]
    rng = random.Random(4)
    labels = {sample_region(rng, spec, grid, targets, "numeric").label for _ in range(200)}
    assert labels <= {"fallback_zero_wanted_all", "fallback_partial_wanted_all"}
    assert "fallback_partial_wanted_all" in labels


def test_wanted_case_is_realised_when_possible() -> None:
    spec = _forced("ROSE-ChineseGlyph", "all")
    grid = Grid(12, 12)
    targets = [Cell(4, 4)]  # a single target: every kind and size has placements holding it
    rng = random.Random(5)
    for _ in range(100):
        draw = sample_region(rng, spec, grid, targets, "numeric")
        assert draw.label == "all"
        assert all(t in draw.region.cells(grid) for t in targets)


def test_exclusion_case_is_about_the_allowed_area() -> None:
    spec = _forced("ROSE-ChineseGlyph", "zero")
    grid = Grid(10, 10)
    targets = [Cell(2, 2)]
    rng = random.Random(6)
    for _ in range(50):
        draw = sample_region(rng, spec, grid, targets, "exclusion")
        # zero on the allowed area == every target inside the excluded region
        assert draw.label == "zero"
        assert Cell(2, 2) in draw.region.excluded.cells(grid)
        assert Cell(2, 2) not in draw.region.cells(grid)


def test_spans_never_exceed_the_grid() -> None:
    spec = SPECS["ROSE-ChineseGlyph"]  # rectangles 3..6 x 3..6
    grid = Grid(3, 4)
    rng = random.Random(7)
    for _ in range(100):
        draw = sample_region(rng, spec, grid, [Cell(1, 1)], "visual")
        draw.region.check_within(grid)
        assert draw.region.r2 - draw.region.r1 + 1 == 3


def test_global_sampler_is_the_whole_grid() -> None:
    draw = sample_region(random.Random(0), SPECS["ROSE-PixelEdit"], Grid(7, 9), [Cell(1, 1)], "global")
    assert draw == RegionDraw(GlobalRegion(), "all", "all") and draw.label == "all"


def test_region_case_and_bad_sampler() -> None:
    grid = Grid(8, 8)
    assert region_case(RowRange(2, 3), grid, [Cell(2, 1), Cell(8, 8)]) == "partial"
    assert region_case(RowRange(2, 3), grid, [Cell(2, 1), Cell(3, 8)]) == "all"
    assert region_case(Exclusion(RowRange(2, 3)), grid, [Cell(2, 1), Cell(3, 8)]) == "zero"
    with pytest.raises(ValueError, match="at least one target"):
        region_case(RowRange(1, 1), grid, [])
    with pytest.raises(ValueError, match="unknown region sampler"):
        sample_region(random.Random(0), SPECS["ROSE-PixelEdit"], grid, [Cell(1, 1)], "diagonal")
