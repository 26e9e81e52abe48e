"""Scene images: tile frame, grid assembly, the T4 region cue and deterministic PNG encoding.

The style itself (colours, frame, cue) is declared once in ``rose_bench.scoring.render_style``,
which the reference solver reads images by.
"""

from __future__ import annotations

import io
from typing import Iterable

import numpy as np
from PIL import Image, ImageDraw

from rose_bench.scoring.grid import Cell, Grid, Rectangle, VisualRegion, parse_cell

from rose_bench.scoring.render_style import (
    BACKGROUND_RGB,
    CUE_ALPHA,
    CUE_RGB,
    FRAME_RGB,
    MIN_CELL_SIZE,
    PNG_COMPRESS_LEVEL,
    cue_border_width,
)


def tile_frame(cell_size: int) -> Image.Image:
    """A blank white RGB tile with the 1-px grey frame: the base every source draws its element on."""
    if cell_size < MIN_CELL_SIZE:
        raise ValueError(f"cell_size must be at least {MIN_CELL_SIZE} px, got {cell_size}")
    tile = Image.new("RGB", (cell_size, cell_size), BACKGROUND_RGB)
    ImageDraw.Draw(tile).rectangle((0, 0, cell_size - 1, cell_size - 1), outline=FRAME_RGB, width=1)
    return tile


def _tile_array(tile: Image.Image, cell_size: int, name: str) -> np.ndarray:
    if tile.size != (cell_size, cell_size):
        raise ValueError(f"{name} is {tile.size[0]}x{tile.size[1]} px, expected {cell_size}x{cell_size} (cell_size)")
    return np.asarray(tile.convert("RGB"), dtype=np.uint8)


def grid_pixels(tile_majority: Image.Image, tile_target: Image.Image, rows: int, cols: int,
                cell_size: int, targets: Iterable[Cell]) -> np.ndarray:
    """The base scene as a (height, width, 3) uint8 array: every cell a copy of the majority tile, targets the target tile.

    Tiles are copied as whole pixel blocks, so all majority cells are
    pixel-identical (likewise all targets) -- the only difference in the image
    is the element itself.
    """
    if rows < 1 or cols < 1:
        raise ValueError(f"grid must have at least one row and column, got {rows}x{cols}")
    majority = _tile_array(tile_majority, cell_size, "tile_majority")
    target = _tile_array(tile_target, cell_size, "tile_target")
    canvas = np.tile(majority, (rows, cols, 1))
    for cell in map(parse_cell, targets):
        if not (1 <= cell.row <= rows and 1 <= cell.col <= cols):
            raise ValueError(f"target {cell.key} is outside the {rows}x{cols} grid")
        y, x = (cell.row - 1) * cell_size, (cell.col - 1) * cell_size
        canvas[y:y + cell_size, x:x + cell_size] = target
    return canvas


def render_grid(tile_majority: Image.Image, tile_target: Image.Image, rows: int, cols: int,
                cell_size: int, targets: Iterable[Cell]) -> Image.Image:
    """The base scene image (``grid_pixels`` as an RGB image)."""
    return Image.fromarray(grid_pixels(tile_majority, tile_target, rows, cols, cell_size, targets), mode="RGB")


def region_box(region: Rectangle, cell_size: int) -> tuple[int, int, int, int]:
    """Inclusive pixel box (x0, y0, x1, y1) covering the region's cells exactly."""
    return ((region.c1 - 1) * cell_size, (region.r1 - 1) * cell_size,
            region.c2 * cell_size - 1, region.r2 * cell_size - 1)


def cued_pixels(base: np.ndarray, region: Rectangle | VisualRegion, cell_size: int) -> np.ndarray:
    """A copy of the (height, width, 3) uint8 ``base`` with the T4 visual cue over ``region`` (1-indexed, inclusive cells).

    Translucent purple fill plus an opaque purple border drawn inside the
    region's pixel box with rounded corners.  Only pixels inside that box can
    change, so the cue never spills into neighbouring cells.
    """
    if not isinstance(region, Rectangle):
        raise TypeError(f"the cue needs a Rectangle or VisualRegion, got {type(region).__name__}")
    height, width = base.shape[:2]
    if width % cell_size or height % cell_size:
        raise ValueError(f"image {width}x{height} is not a whole number of {cell_size}-px cells")
    rows, cols = height // cell_size, width // cell_size
    region.check_within(Grid(rows, cols))  # ValueError naming the range and the grid
    x0, y0, x1, y1 = region_box(region, cell_size)
    border = cue_border_width(cell_size)
    out = np.array(base, dtype=np.uint8, copy=True)
    patch = Image.fromarray(out[y0:y1 + 1, x0:x1 + 1], mode="RGB").convert("RGBA")
    overlay = Image.new("RGBA", patch.size, (0, 0, 0, 0))
    ImageDraw.Draw(overlay).rounded_rectangle(
        (0, 0, patch.size[0] - 1, patch.size[1] - 1), radius=2 * border,
        fill=(*CUE_RGB, round(CUE_ALPHA * 255)), outline=(*CUE_RGB, 255), width=border,
    )
    out[y0:y1 + 1, x0:x1 + 1] = np.asarray(Image.alpha_composite(patch, overlay).convert("RGB"))
    return out


def add_cue(base: Image.Image, region: Rectangle | VisualRegion, cell_size: int) -> Image.Image:
    """A copy of ``base`` with the T4 visual cue over ``region`` (see ``cued_pixels``); ``base`` is not modified."""
    return Image.fromarray(cued_pixels(np.asarray(base.convert("RGB")), region, cell_size), mode="RGB")


_PNG_MODES = ("RGB", "RGBA", "L")


def png_bytes(img: Image.Image) -> bytes:
    """Deterministic PNG: pixels only (no text/time/ICC chunks), fixed zlib level, so equal pixels give equal bytes.

    An image that carries no metadata (no ``info``, no ``encoderinfo``, as every
    rendered scene) is encoded as it is, without copying its pixels; any other
    is first rebuilt from its raw pixels, which drops the metadata.  Both give
    the same bytes for the same pixels.
    """
    mode = img.mode if img.mode in _PNG_MODES else "RGB"
    bare = img.mode == mode and not img.info and not getattr(img, "encoderinfo", None)
    clean = img if bare else Image.frombytes(mode, img.size, img.convert(mode).tobytes())
    buf = io.BytesIO()
    clean.save(buf, format="PNG", compress_level=PNG_COMPRESS_LEVEL, optimize=False)
    return buf.getvalue()
