"""The scene: a grid, two elements and the target cells (protocol §3) -- no pixels.

Everything a task needs (gold answers, derived counts) is computed from a
``Scene``; images are rendered from it separately.  Sampling order per scene:
profile -> rows, cols (independent uniform within the profile range) ->
cell_size -> target count k -> k distinct cells uniformly over the grid
(§3.4: no spacing constraint, adjacency allowed), kept in draw order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from rose_bench.scoring.contract import SPLITS
from rose_bench.scoring.grid import Cell, Grid, keys_numeric

from .sources.base import ElementPair
from .subset_specs import SubsetSpec

__all__ = ["Scene", "sample_scene"]


@dataclass(frozen=True)
class Scene:
    subset: str
    number: int  # 1-based, per subset over dev + test
    rows: int
    cols: int
    profile: str
    cell_size: int
    pair: ElementPair
    targets: tuple[Cell, ...]  # draw order (stored as target_cells)
    split: str

    def __post_init__(self) -> None:
        grid = self.grid
        if self.split not in SPLITS:
            raise ValueError(f"scene {self.number}: split must be one of {SPLITS}, got {self.split!r}")
        if not self.targets:
            raise ValueError(f"scene {self.number}: needs at least one target")
        if len(set(self.targets)) != len(self.targets):
            raise ValueError(f"scene {self.number}: duplicate target cells {self.targets}")
        outside = [c for c in self.targets if not grid.contains(c)]
        if outside:
            raise ValueError(f"scene {self.number}: targets {outside} outside the {self.rows}x{self.cols} grid")

    @property
    def grid(self) -> Grid:
        return Grid(self.rows, self.cols)

    @property
    def target_set(self) -> frozenset[Cell]:
        return frozenset(self.targets)

    @property
    def target_keys(self) -> list[str]:
        """``all_target_cells``: labels sorted numerically by (row, col)."""
        return keys_numeric(self.targets)

    @property
    def image_width(self) -> int:
        return self.cols * self.cell_size

    @property
    def image_height(self) -> int:
        return self.rows * self.cell_size


def sample_scene(rng: random.Random, spec: SubsetSpec, pair: ElementPair, *, number: int, split: str) -> Scene:
    """Draw one scene of ``spec`` for ``pair`` from ``rng`` (the caller derives ``rng`` per scene)."""
    profile = spec.profiles.draw(rng)
    lo, hi = spec.profile_range(profile)
    rows = rng.randint(lo, hi)
    cols = rng.randint(lo, hi)
    cell_size = rng.randint(*spec.cell_size)
    k = spec.target_counts.draw(rng)
    cells = [Cell(r, c) for r in range(1, rows + 1) for c in range(1, cols + 1)]
    targets = tuple(rng.sample(cells, k))
    return Scene(spec.name, number, rows, cols, profile, cell_size, pair, targets, split)
