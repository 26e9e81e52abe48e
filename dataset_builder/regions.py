"""Case-controlled region sampling (protocol §4.2), returning ``scoring.grid`` regions.

One draw: region kind (by the subset's type weights) -> span size(s) (by the
subset's observed span weights -- per grid profile where the subset gives
them -- restricted to spans that fit the grid; on the pixel subsets a rectangle
covers at least ``rectangle_min_ratio`` of the grid) ->
*wanted* case (zero / partial / all) -> every placement of that kind and size
is enumerated and one is picked uniformly among those realising the wanted
case.  If none does, a placement is picked uniformly among all of them and the
case is recorded as ``fallback_<achieved>_wanted_<wanted>``.

Samplers (templates.yaml ``region_sampler``):
* ``numeric`` (T2, T3): ROW_RANGE / COL_RANGE / RECTANGLE.  T2 and T3 draw
  independently (separate rngs), matching the different regions seen in the
  matched bridge (§14.4).
* ``visual`` (T4): a VisualRegion rectangle with the RECTANGLE spans.
* ``exclusion`` (T5): an Exclusion whose excluded region is drawn like a
  numeric region; the case is computed on the *allowed* area (the cells the
  model must act on), consistent with the region_* counts of §5.1.
* ``global`` (T1): the whole grid, case ``all``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Iterable

from rose_bench.scoring.contract import region_case_label, region_case_of
from rose_bench.scoring.grid import (
    Cell,
    ColRange,
    Exclusion,
    GlobalRegion,
    Grid,
    Rectangle,
    Region,
    RowRange,
    VisualRegion,
)

from .subset_specs import SubsetSpec, Weighted

__all__ = ["RegionDraw", "region_case", "placements", "sample_region"]


@dataclass(frozen=True)
class RegionDraw:
    region: Region
    wanted: str
    achieved: str

    @property
    def label(self) -> str:
        """The ``region_case`` value."""
        return region_case_label(self.achieved, self.wanted)


def region_case(region: Region, grid: Grid, targets: Iterable[Cell]) -> str:
    """zero / partial / all: how many of the scene's targets lie in ``region``."""
    targets = frozenset(targets)
    if not targets:
        raise ValueError("region cases need at least one target")
    return region_case_of(len(targets & region.cells(grid)), len(targets))


def placements(kind: str, grid: Grid, height: int, width: int = 0) -> list[Region]:
    """Every in-grid region of ``kind`` with the given span(s), in a fixed order."""
    if kind == "ROW_RANGE":
        return [RowRange(r, r + height - 1) for r in range(1, grid.rows - height + 2)]
    if kind == "COL_RANGE":
        return [ColRange(c, c + width - 1) for c in range(1, grid.cols - width + 2)]
    if kind in ("RECTANGLE", "VISUAL_REGION"):
        cls = Rectangle if kind == "RECTANGLE" else VisualRegion
        return [
            cls(r, r + height - 1, c, c + width - 1)
            for r in range(1, grid.rows - height + 2)
            for c in range(1, grid.cols - width + 2)
        ]
    raise ValueError(f"no placements for region kind {kind!r}")


def _fitting(dist: Weighted, limit: int, what: str) -> Weighted:
    pairs = [(v, w) for v, w in zip(dist.values, dist.weights) if v <= limit and w > 0]
    if not pairs:
        raise ValueError(f"no {what} span in {list(dist.values)} fits a grid dimension of {limit}")
    return Weighted(tuple(v for v, _ in pairs), tuple(w for _, w in pairs))


def _candidates(rng: random.Random, spec: SubsetSpec, grid: Grid, kind: str, profile: str | None) -> list[Region]:
    if kind == "ROW_RANGE":
        return placements(kind, grid, _fitting(spec.span("ROW_RANGE", profile), grid.rows, "ROW_RANGE").draw(rng))
    if kind == "COL_RANGE":
        return placements(kind, grid, 0, _fitting(spec.span("COL_RANGE", profile), grid.cols, "COL_RANGE").draw(rng))
    heights = _fitting(spec.span("RECTANGLE_HEIGHT", profile), grid.rows, "RECTANGLE height")
    widths = _fitting(spec.span("RECTANGLE_WIDTH", profile), grid.cols, "RECTANGLE width")
    if spec.rectangle_min_ratio <= 0:
        return placements(kind, grid, heights.draw(rng), widths.draw(rng))
    # height and width independent, conditioned on covering >= rectangle_min_ratio of the grid (if any size does)
    sizes = [((h, w), a * b) for h, a in zip(heights.values, heights.weights) for w, b in zip(widths.values, widths.weights)]
    large = [(hw, p) for hw, p in sizes if hw[0] * hw[1] >= spec.rectangle_min_ratio * grid.size]
    height, width = Weighted(*zip(*(large or sizes))).draw(rng)
    return placements(kind, grid, height, width)


def sample_region(
    rng: random.Random, spec: SubsetSpec, grid: Grid, targets: Iterable[Cell], sampler: str, *, profile: str | None = None
) -> RegionDraw:
    """One case-controlled region for a template's ``region_sampler``; ``profile`` selects per-profile spans."""
    targets = frozenset(targets)
    if sampler == "global":
        region = GlobalRegion()
        case = region_case(region, grid, targets)
        return RegionDraw(region, case, case)
    if sampler == "numeric":
        candidates = _candidates(rng, spec, grid, spec.region_types.draw(rng), profile)
    elif sampler == "visual":
        candidates = _candidates(rng, spec, grid, "VISUAL_REGION", profile)
    elif sampler == "exclusion":
        candidates = [Exclusion(r) for r in _candidates(rng, spec, grid, spec.region_types.draw(rng), profile)]
    else:
        raise ValueError(f"unknown region sampler {sampler!r}; expected global, numeric, visual or exclusion")
    wanted = spec.wanted_cases.draw(rng)
    cases = [region_case(c, grid, targets) for c in candidates]
    realising = [c for c, case in zip(candidates, cases) if case == wanted]
    if realising:
        return RegionDraw(rng.choice(realising), wanted, wanted)
    index = rng.randrange(len(candidates))
    return RegionDraw(candidates[index], wanted, cases[index])
