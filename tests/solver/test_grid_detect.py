"""The vectorised frame mask is exactly the per-channel tolerance test it replaces, on every colour."""

from __future__ import annotations

import numpy as np
import pytest

from rose_bench.solver.grid_detect import _FRAME_COLOURS, _FRAME_TOLERANCE, detect_grid, frame_mask


def _reference_mask(pixels: np.ndarray) -> np.ndarray:
    """The definition: some frame colour (rounded) within the tolerance in all three channels (int16 arithmetic)."""
    px = pixels.astype(np.int16)
    out = np.zeros(px.shape[:-1], dtype=bool)
    for colour in np.rint(_FRAME_COLOURS).astype(np.int16):
        out |= (np.abs(px - colour) <= _FRAME_TOLERANCE).all(axis=-1)
    return out


@pytest.mark.parametrize("red", [0, 150, 167, 168, 179, 188, 191, 192, 200, 212, 213, 255])
def test_frame_mask_matches_the_definition_for_every_green_and_blue(red: int) -> None:
    values = np.arange(256, dtype=np.uint8)
    green, blue = np.meshgrid(values, values, indexing="ij")
    pixels = np.stack([np.full_like(green, red), green, blue], axis=-1)  # all 65,536 (green, blue) pairs
    assert np.array_equal(frame_mask(pixels), _reference_mask(pixels))


@pytest.mark.parametrize("layout", ["contiguous", "strided-rows", "strided-cols"])
def test_frame_mask_of_views_matches_the_definition(layout: str) -> None:
    pixels = np.random.default_rng(4).integers(150, 230, size=(64, 90, 3), dtype=np.uint8)
    view = {"contiguous": pixels, "strided-rows": pixels[::3], "strided-cols": pixels[:, ::7]}[layout]
    assert np.array_equal(frame_mask(view), _reference_mask(view))


def test_grid_is_found_through_a_near_grey_frame() -> None:
    """Frame pixels up to the tolerance away from the style grey still count (anti-aliased or tinted renders)."""
    size, rows, cols = 20, 4, 6
    image = np.full((rows * size, cols * size, 3), 255, dtype=np.uint8)
    shade = 200 + _FRAME_TOLERANCE
    for k in range(rows):
        image[k * size, :] = image[k * size + size - 1, :] = shade
    for k in range(cols):
        image[:, k * size] = image[:, k * size + size - 1] = shade
    geometry = detect_grid(image)
    assert (geometry.rows, geometry.cols, geometry.cell_size) == (rows, cols, size)
