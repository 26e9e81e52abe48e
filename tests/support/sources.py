"""Test-only visual sources for the builder tests (no real assets needed).

``ShapeSource`` draws a filled circle (majority) or a filled square (target)
on the official tile style, and borrows its subset-specific row fields from a
real fixture row of the subset, so rows have the official keys and types.
``identical_pixel_edit`` is reachable through the real source registry as
``tests.support.sources:identical_pixel_edit``.
"""

from __future__ import annotations

from typing import Any

from PIL import Image, ImageDraw

from rose_bench.dataset_builder.scene import Scene
from rose_bench.dataset_builder.sources.base import ElementPair
from rose_bench.dataset_builder.subset_specs import load_subsets
from rose_bench.scoring.grid import Cell
from rose_bench.scoring.render_style import glyph_font_size

from .fixtures import GLOBAL_CLICK, fixture_rows


def _scene_level(subset: str) -> set[str]:
    return {"font_size"} if subset == "ROSE-ChineseGlyph" else set()


class ShapeSource:
    """A Source with ``n_pairs`` pairs; pair i carries the subset fields of fixture row i (cycled)."""

    def __init__(self, subset: str, n_pairs: int = 500) -> None:
        self.subset = subset
        spec = load_subsets()[subset]
        examples = [r for r in fixture_rows(GLOBAL_CLICK) if r["rose_subset"] == subset]
        pairs = []
        for i in range(n_pairs):
            row = examples[i % len(examples)]
            key = f"shape-{i:05d}"
            fields = {k: row[k] for k in spec.row_fields if k not in _scene_level(subset)}
            if "pair_key" in fields:
                fields["pair_key"] = key
            pairs.append(ElementPair(key, "circle", "square", fields))
        self._pairs = tuple(pairs)

    def pairs(self, seed: int):
        return self._pairs

    def render_tile(self, element: Any, pair: ElementPair, cell_size: int) -> Image.Image:
        tile = Image.new("RGB", (cell_size, cell_size), (255, 255, 255))
        draw = ImageDraw.Draw(tile)
        draw.rectangle([0, 0, cell_size - 1, cell_size - 1], outline=(200, 200, 200), width=1)
        m = cell_size // 4
        box = [m, m, cell_size - 1 - m, cell_size - 1 - m]
        if element == "circle":
            draw.ellipse(box, fill=(0, 0, 0))
        else:
            draw.rectangle(box, fill=(0, 0, 0))
        return tile

    def scene_fields(self, pair: ElementPair, cell_size: int) -> dict[str, Any]:
        if self.subset == "ROSE-ChineseGlyph":
            return {"font_size": glyph_font_size(cell_size)}
        return {}

    def provenance(self) -> dict[str, Any]:
        return {"source": "tests.ShapeSource", "pairs": len(self._pairs)}


def shape_sources() -> dict[str, ShapeSource]:
    """One ShapeSource per subset (500 pairs each)."""
    return {s: ShapeSource(s) for s in load_subsets()}


def scene_from_fixture(row: dict[str, Any]) -> tuple[Scene, dict[str, Any]]:
    """The scene a fixture row describes, and the row's subset-specific fields."""
    spec = load_subsets()[row["rose_subset"]]
    fields = {k: row[k] for k in spec.row_fields}
    pair = ElementPair(str(row.get("pair_key", row["scene_id"])), "circle", "square", fields)
    scene = Scene(
        subset=row["rose_subset"],
        number=int(row["scene_id"].rsplit("_", 1)[1]),
        rows=row["rows"],
        cols=row["cols"],
        profile=row["grid_size_profile"],
        cell_size=row["cell_size"],
        pair=pair,
        targets=tuple(Cell(r, c) for r, c in row["target_cells"]),
        split=row["split"],
    )
    return scene, fields


class IdenticalTilesSource(ShapeSource):
    """An unsolvable source: the target tile is pixel-identical to the majority tile.

    Rows still name target cells, but no image can show them, so the
    solvability check of ``rose build`` must refuse the build.
    """

    def render_tile(self, element: Any, pair: ElementPair, cell_size: int) -> Image.Image:
        return super().render_tile("circle", pair, cell_size)


def identical_pixel_edit(**_: Any) -> IdenticalTilesSource:
    """Registry factory (``tests.support.sources:identical_pixel_edit``) for CLI tests of the unsolvable source."""
    return IdenticalTilesSource("ROSE-PixelEdit", n_pairs=8)
