"""Grid geometry, cue and odd cells read back from rendered scenes (render.py, fixed style)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from rose_bench.solver.grid_detect import GridNotFound, detect_grid, to_pixels
from rose_bench.solver.oddity import read_scene
from rose_bench.scoring.grid import Cell, Grid, VisualRegion

from tests.support import solver_images as support


# (kind, cell_size, rows, cols): both cell-size bands and grid sizes 7..18 (protocol §3.1)
GRIDS = [
    ("text", 42, 7, 18),
    ("text", 43, 18, 7),
    ("text", 48, 10, 10),
    ("text", 53, 11, 14),
    ("text", 59, 15, 9),
    ("text", 64, 18, 18),
    ("emoji", 42, 8, 8),
    ("emoji", 57, 13, 16),
    ("emoji", 64, 12, 17),
    ("pixel", 120, 7, 7),
    ("pixel", 128, 8, 12),
    ("pixel", 137, 11, 9),
    ("pixel", 150, 14, 16),
    ("pixel", 156, 13, 13),
]


def _targets(rows: int, cols: int) -> set[Cell]:
    return {Cell(1, 1), Cell(rows, cols), Cell(rows // 2, cols // 2)}


@pytest.mark.parametrize(("kind", "size", "rows", "cols"), GRIDS, ids=[f"{k}-{s}px-{r}x{c}" for k, s, r, c in GRIDS])
@pytest.mark.parametrize("cued", [False, True], ids=["base", "cued"])
def test_grid_cue_and_odd_cells_are_read_exactly(kind, size, rows, cols, cued) -> None:
    targets = _targets(rows, cols)
    cue = VisualRegion(2, min(rows, 5), 3, min(cols, 7)) if cued else None
    pixels = to_pixels(support.scene(kind, rows, cols, size, targets, cue))
    geometry = detect_grid(pixels)
    assert (geometry.rows, geometry.cols, geometry.cell_size) == (rows, cols, size)
    reading = read_scene(pixels, geometry)
    assert reading.cue == cue
    assert reading.odd == targets


PLACEMENTS = {
    "adjacent-horizontal": {Cell(4, 4), Cell(4, 5)},
    "adjacent-vertical": {Cell(4, 4), Cell(5, 4)},
    "diagonal-block": {Cell(2, 2), Cell(2, 3), Cell(3, 2), Cell(3, 3)},
    "same-row": {Cell(6, 1), Cell(6, 4), Cell(6, 9), Cell(6, 12)},
    "same-column": {Cell(1, 7), Cell(3, 7), Cell(9, 7)},
    "corners": {Cell(1, 1), Cell(1, 12), Cell(9, 1), Cell(9, 12)},
    "single": {Cell(5, 6)},
    "none": set(),
}


@pytest.mark.parametrize("kind", ["text", "emoji", "pixel"])
@pytest.mark.parametrize("placement", list(PLACEMENTS), ids=list(PLACEMENTS))
def test_odd_cells_in_tricky_placements(kind, placement) -> None:
    size = 130 if kind == "pixel" else 45
    targets = PLACEMENTS[placement]
    pixels = to_pixels(support.scene(kind, 9, 12, size, targets))
    assert read_scene(pixels, detect_grid(pixels)).odd == targets


# (rows, cols, region): regions touching each border and corner, single cells, whole rows/columns, the whole grid
CUES = [
    (9, 12, VisualRegion(1, 3, 1, 4)),
    (9, 12, VisualRegion(1, 4, 9, 12)),
    (9, 12, VisualRegion(7, 9, 1, 6)),
    (9, 12, VisualRegion(4, 9, 7, 12)),
    (9, 12, VisualRegion(1, 9, 5, 7)),
    (9, 12, VisualRegion(3, 5, 1, 12)),
    (9, 12, VisualRegion(5, 5, 6, 6)),
    (8, 8, VisualRegion(1, 8, 1, 8)),
]


@pytest.mark.parametrize("kind", ["text", "emoji", "pixel"])
@pytest.mark.parametrize(("rows", "cols", "region"), CUES, ids=[f"{r}x{c}-{g.params()}" for r, c, g in CUES])
def test_cue_region_is_exact_and_targets_on_its_edge_are_found(kind, rows, cols, region) -> None:
    size = 124 if kind == "pixel" else 44
    # targets on the region's corners and edges (under the border band) and outside it
    targets = {Cell(region.r1, region.c1), Cell(region.r2, region.c2), Cell(region.r1, region.c2)}
    grid = Grid(rows, cols)
    outside = sorted(grid.cells() - region.cells(grid))
    targets |= set(outside[:: max(1, len(outside) // 3)][:3])
    pixels = to_pixels(support.scene(kind, rows, cols, size, targets, region))
    reading = read_scene(pixels, detect_grid(pixels))
    assert reading.cue == region
    assert reading.odd == targets


def test_all_majority_cells_are_pixel_identical_so_the_reference_is_exact() -> None:
    """The solver's majority = most common tile relies on render.py pasting identical tiles."""
    pixels = to_pixels(support.scene("text", 8, 9, 50, {Cell(2, 2)}))
    tiles = {pixels[r * 50 : (r + 1) * 50, c * 50 : (c + 1) * 50].tobytes() for r in range(8) for c in range(9)}
    assert len(tiles) == 2


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGB", (420, 420), (255, 255, 255)),
        Image.fromarray(np.random.default_rng(0).integers(0, 256, (300, 400, 3), dtype=np.uint8)),
        Image.new("RGB", (7, 5), (200, 200, 200)),
    ],
    ids=["blank", "noise", "tiny"],
)
def test_images_without_a_grid_raise(image) -> None:
    with pytest.raises(GridNotFound, match="no grid"):
        detect_grid(to_pixels(image))


def test_transparent_images_are_flattened_onto_white() -> None:
    base = support.scene("emoji", 8, 8, 42, {Cell(3, 3)})
    rgba = base.convert("RGBA")
    assert np.array_equal(to_pixels(rgba), to_pixels(base))


@pytest.mark.parametrize("cued", [False, True], ids=["base", "cued"])
@pytest.mark.parametrize("size", [46, 48, 61], ids=["unaligned-46px", "block-aligned-48px", "unaligned-61px"])
def test_jpeg_encoded_glyph_like_scenes_are_read_too(cued, size) -> None:
    """The reference runner can send JPEG (quality 92); compression noise must not read as odd cells.

    Best effort: the synthetic emoji/pixel tiles here differ too subtly to survive JPEG chroma
    subsampling; real rows of every subset are checked in test_solver_certify.
    """
    import io

    kind = "text"
    targets = {Cell(2, 2), Cell(2, 3), Cell(5, 7), Cell(8, 9)}
    cue = VisualRegion(2, 5, 3, 7) if cued else None
    buf = io.BytesIO()
    support.scene(kind, 8, 9, size, targets, cue).save(buf, "JPEG", quality=92)
    pixels = to_pixels(Image.open(io.BytesIO(buf.getvalue())))
    reading = read_scene(pixels, detect_grid(pixels))
    assert (reading.cue, reading.odd) == (cue, targets)


def test_emoji_whose_grey_body_lines_up_across_tiles_is_not_mistaken_for_frames() -> None:
    """Regression (default build, ESTYSCENE_000176): Twemoji 1f685's grey body forms half-grey rows."""
    from rose_bench.dataset_builder.render import render_grid
    from rose_bench.dataset_builder.sources import emoji

    pack = str(emoji.PACK_DIR)
    majority = emoji.render_emoji_tile(emoji.load_rgba(pack, "twemoji_svg/1f685.png"), 50)
    target = emoji.render_emoji_tile(emoji.load_rgba(pack, "fluent_flat_svg/1f685.png"), 50)
    image = render_grid(majority, target, 13, 13, 50, [Cell(11, 6)])
    geometry = detect_grid(to_pixels(image))
    assert (geometry.rows, geometry.cols, geometry.cell_size) == (13, 13, 50)
