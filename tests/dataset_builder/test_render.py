"""Grid assembly, the T4 cue and PNG encoding follow the fixed render style exactly."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from rose_bench.dataset_builder import render
from rose_bench.scoring.grid import Cell, Rectangle, VisualRegion

WHITE, FRAME, CUE = (255, 255, 255), (200, 200, 200), (124, 58, 237)


def _tile(cell: int, shade: int, mark: tuple[int, int]) -> Image.Image:
    """A framed tile with a small dark square at ``mark`` so tiles (and shifts) are distinguishable."""
    tile = render.tile_frame(cell)
    x, y = mark
    ImageDraw.Draw(tile).rectangle((x, y, x + 4, y + 2), fill=(shade, shade, shade))
    return tile


def _cells(img: Image.Image, rows: int, cols: int, cell: int) -> dict[Cell, np.ndarray]:
    arr = np.asarray(img)
    return {Cell(r, c): arr[(r - 1) * cell:r * cell, (c - 1) * cell:c * cell]
            for r in range(1, rows + 1) for c in range(1, cols + 1)}


GRIDS = [(8, 10, 42, [Cell(1, 1)]), (15, 17, 64, [Cell(8, 2), Cell(4, 11), Cell(15, 17)]),
         (18, 18, 53, [Cell(1, 18), Cell(18, 1), Cell(9, 9), Cell(9, 10), Cell(10, 9)]), (3, 2, 7, [])]


@pytest.mark.parametrize("rows,cols,cell,targets", GRIDS, ids=[f"{g[0]}x{g[1]}@{g[2]}" for g in GRIDS])
def test_grid_size_and_cells_are_exact_tile_copies(rows, cols, cell, targets):
    majority = _tile(cell, 0, (2, 2))
    target = _tile(cell, 0, (cell - 7, cell - 5))
    img = render.render_grid(majority, target, rows, cols, cell, targets)
    assert img.mode == "RGB" and img.size == (cols * cell, rows * cell)
    want_major, want_target = np.asarray(majority), np.asarray(target)
    assert not np.array_equal(want_major, want_target)
    for c, block in _cells(img, rows, cols, cell).items():
        expected = want_target if c in set(targets) else want_major
        assert np.array_equal(block, expected), f"cell {c.key} is not a copy of its tile"


def test_grid_accepts_cell_labels_and_rejects_bad_input():
    t = render.tile_frame(20)
    by_label = render.render_grid(t, _tile(20, 0, (5, 5)), 3, 3, 20, ["R2,C3"])
    by_cell = render.render_grid(t, _tile(20, 0, (5, 5)), 3, 3, 20, [Cell(2, 3)])
    assert np.array_equal(np.asarray(by_label), np.asarray(by_cell))
    with pytest.raises(ValueError, match="outside the 3x3 grid"):
        render.render_grid(t, t, 3, 3, 20, [Cell(4, 1)])
    with pytest.raises(ValueError, match="tile_target is 21x21"):
        render.render_grid(t, render.tile_frame(21), 3, 3, 20, [])
    with pytest.raises(ValueError, match="at least one row"):
        render.render_grid(t, t, 0, 3, 20, [])


@pytest.mark.parametrize("cell", [42, 47, 64, 156])
def test_tile_frame_is_one_grey_pixel_around_white(cell):
    arr = np.asarray(render.tile_frame(cell))
    assert arr.shape == (cell, cell, 3)
    edge = np.zeros((cell, cell), dtype=bool)
    edge[0, :] = edge[-1, :] = edge[:, 0] = edge[:, -1] = True
    assert (arr[edge] == FRAME).all()
    assert (arr[~edge] == WHITE).all()


def test_inner_grid_lines_are_two_pixels_and_outer_one():
    img = np.asarray(render.render_grid(render.tile_frame(10), render.tile_frame(10), 2, 2, 10, []))
    row = img[5, :, 0]
    grey = [x for x in range(20) if row[x] == 200]
    assert grey == [0, 9, 10, 19]


REGIONS = [
    (Rectangle(2, 4, 3, 6), 42),
    (VisualRegion(1, 8, 1, 10), 48),  # whole grid: box touches every image edge
    (VisualRegion(5, 5, 7, 7), 64),  # a single cell
    (Rectangle(3, 6, 10, 10), 33),
]


@pytest.mark.parametrize("region,cell", REGIONS, ids=[f"{r.region_type}-{r.r1}-{r.r2}-{r.c1}-{r.c2}@{c}" for r, c in REGIONS])
def test_cue_stays_inside_the_region_box_with_opaque_border(region, cell):
    rows, cols = 8, 10
    base = render.render_grid(_tile(cell, 0, (3, 3)), _tile(cell, 90, (cell - 9, 4)), rows, cols, cell,
                              [Cell(2, 3), Cell(8, 10), Cell(5, 7)])
    before = np.asarray(base).copy()
    cued = render.add_cue(base, region, cell)
    assert np.array_equal(np.asarray(base), before), "add_cue must not modify its input"
    after = np.asarray(cued)
    assert cued.size == base.size and cued.mode == "RGB"

    x0, y0, x1, y1 = (region.c1 - 1) * cell, (region.r1 - 1) * cell, region.c2 * cell - 1, region.r2 * cell - 1
    inside = np.zeros(after.shape[:2], dtype=bool)
    inside[y0:y1 + 1, x0:x1 + 1] = True
    assert np.array_equal(after[~inside], before[~inside]), "pixels outside the region box changed"

    w = max(3, cell // 16)
    mx, my = (x0 + x1) // 2, (y0 + y1) // 2
    for band in (after[y0:y0 + w, mx], after[y1 - w + 1:y1 + 1, mx], after[my, x0:x0 + w], after[my, x1 - w + 1:x1 + 1]):
        assert (band == CUE).all(), "border must be opaque cue colour, w px wide, flush with the box edge"
    # just inside the border: translucent fill over the white tile background
    fy, fx = y0 + cell // 2, x0 + w + 1  # middle of the first cell's left side, just inside the border
    assert before[fy, fx].tolist() == list(WHITE)
    a = round(0.28 * 255) / 255
    assert np.allclose(after[fy, fx], [255 * (1 - a) + v * a for v in CUE], atol=1)
    # rounded corners: the very corner pixel of the box keeps the base colour
    assert np.array_equal(after[y0, x0], before[y0, x0])
    assert not (after[inside] == before[inside]).all(axis=-1).all()


def test_cue_rejects_regions_outside_the_image_and_non_rectangles():
    base = render.render_grid(render.tile_frame(20), render.tile_frame(20), 4, 5, 20, [])
    with pytest.raises(ValueError, match="outside the 4x5 grid"):
        render.add_cue(base, Rectangle(1, 5, 1, 1), 20)
    with pytest.raises(TypeError):
        render.add_cue(base, object(), 20)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="whole number"):
        render.add_cue(base, Rectangle(1, 1, 1, 1), 30)


def _chunks(data: bytes) -> list[bytes]:
    names, pos = [], 8
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        names.append(data[pos + 4:pos + 8])
        pos += 12 + length
    return names


def test_png_bytes_are_deterministic_and_carry_pixels_only():
    def scene() -> Image.Image:
        return render.add_cue(render.render_grid(_tile(42, 0, (3, 3)), _tile(42, 0, (20, 20)), 9, 11, 42,
                                                 [Cell(3, 4)]), Rectangle(2, 5, 3, 7), 42)

    first, second = render.png_bytes(scene()), render.png_bytes(scene())
    assert first == second
    assert set(_chunks(first)) == {b"IHDR", b"IDAT", b"IEND"}
    decoded = Image.open(io.BytesIO(first))
    assert decoded.mode == "RGB" and np.array_equal(np.asarray(decoded), np.asarray(scene()))

    tagged = scene()
    tagged.info["icc_profile"] = b"not a real profile"
    tagged.info["dpi"] = (300, 300)
    tagged.info["Software"] = "text chunk candidate"
    assert render.png_bytes(tagged) == first, "image metadata must not reach the PNG"
    assert render.png_bytes(tagged.convert("RGBA").convert("RGB")) == first


def test_png_bytes_differ_when_pixels_differ():
    a = render.tile_frame(30)
    b = _tile(30, 0, (10, 10))
    assert render.png_bytes(a) != render.png_bytes(b)


def test_png_bytes_ignore_encoder_settings_left_on_the_image():
    """Pillow merges an image's own ``encoderinfo`` into every save: the fast path must not let it through."""
    img = render.render_grid(_tile(30, 0, (3, 3)), _tile(30, 0, (12, 12)), 4, 5, 30, [Cell(2, 2)])
    clean = render.png_bytes(img)
    img.encoderinfo = {"dpi": (300, 300)}  # would add a pHYs chunk
    assert render.png_bytes(img) == clean
    assert set(_chunks(clean)) == {b"IHDR", b"IDAT", b"IEND"}
