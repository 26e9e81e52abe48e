"""Find the grid (cell size, rows, cols) from the pixels alone.

The image is exactly ``cols*cell_size`` x ``rows*cell_size`` and every tile has
a 1-px light-grey frame, so frame lines sit at offsets 0 and cell_size-1 of
every cell.  Each cell size dividing both image sides is scored by how well its
predicted lines match the columns/rows that really are frame-coloured; the
true size explains every line, a multiple of it leaves lines unexplained and a
divisor predicts lines through the middle of tiles.

Sizes are bounded before any work proportional to them: an image larger than
``MAX_IMAGE_SIDE`` / ``MAX_IMAGE_PIXELS`` is refused from its header, before
decoding (``open_image``, ``to_pixels``), and only cell sizes giving at most
``MAX_GRID_ROWS`` x ``MAX_GRID_COLS`` cells are considered.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from PIL import Image

from rose_bench.scoring.contract import MAX_GRID_COLS, MAX_GRID_ROWS, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE
from rose_bench.scoring.errors import UsageError
from rose_bench.scoring.grid import Cell, Grid

from rose_bench.scoring.render_style import CUE_ALPHA, CUE_RGB, FRAME_RGB

__all__ = [
    "GridGeometry", "GridNotFound", "ImageTooLarge", "check_image_size", "open_image", "to_pixels", "detect_grid", "frame_mask",
]

MIN_CELL_SIZE = 8
# a frame pixel may be plain grey or under the translucent cue fill
_FRAME_COLOURS = np.array(
    [FRAME_RGB, [f * (1 - CUE_ALPHA) + c * CUE_ALPHA for f, c in zip(FRAME_RGB, CUE_RGB, strict=True)]], dtype=np.float32
)
_FRAME_TOLERANCE = 12  # max channel difference still counted as frame-coloured
_LINE_FRACTION = 0.9  # a column that is frame-coloured along (almost) its whole length is a line;
# 0.5 was fooled by emoji whose grey body lines up across a row of tiles (Twemoji 1f685)
_MIN_LINE_SUPPORT = 0.5  # mean line-likeness the predicted lines must reach
_SCAN_LINES = 256  # rows (columns) sampled to profile the columns (rows)


class GridNotFound(ValueError):
    """The image shows no periodic tile frame of the ROSE render style."""


class ImageTooLarge(UsageError):
    """The image's header announces more pixels than any ROSE image has (refused before decoding)."""


def check_image_size(width: int, height: int) -> None:
    """Raise ImageTooLarge unless a ``width`` x ``height`` image is within the documented limits."""
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise ImageTooLarge(
            f"image is {width}x{height} px; at most {MAX_IMAGE_SIDE} px per side and {MAX_IMAGE_PIXELS} pixels "
            "are accepted (fix: pass a ROSE image, at most 2368 px per side)"
        )


def open_image(source: bytes | str | Path) -> Image.Image:
    """Decode an image (PNG bytes or a path), checking its size from the header first.

    Raises ImageTooLarge for oversized images, OSError / PIL.UnidentifiedImageError for unreadable ones.
    """
    fp = io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source
    try:
        with warnings.catch_warnings():  # PIL only warns between its own limit and twice that
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(fp)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge(
            f"image is too large to decode ({exc}); at most {MAX_IMAGE_SIDE} px per side and {MAX_IMAGE_PIXELS} pixels "
            "are accepted (fix: pass a ROSE image, at most 2368 px per side)"
        ) from None
    try:
        check_image_size(*img.size)
        img.load()
    except BaseException:
        img.close()
        raise
    return img


@dataclass(frozen=True, slots=True)
class GridGeometry:
    rows: int
    cols: int
    cell_size: int

    @property
    def grid(self) -> Grid:
        return Grid(self.rows, self.cols)

    def box(self, cell: Cell) -> tuple[int, int, int, int]:
        """Pixel box (left, top, right, bottom), right/bottom exclusive."""
        s = self.cell_size
        return ((cell.col - 1) * s, (cell.row - 1) * s, cell.col * s, cell.row * s)

    def cells(self) -> Iterator[Cell]:
        for r in range(1, self.rows + 1):
            for c in range(1, self.cols + 1):
                yield Cell(r, c)


def to_pixels(image: Image.Image) -> np.ndarray:
    """RGB uint8 array (height, width, 3); transparency is flattened onto white."""
    check_image_size(*image.size)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def channel_windows(colours: np.ndarray, tolerance: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Per colour: uint8 (low, high - low) per channel, the values within ``tolerance`` of it (clipped to 0..255)."""
    windows = []
    for colour in np.rint(colours).astype(np.int16):
        low = np.clip(colour - tolerance, 0, 255).astype(np.uint8)
        high = np.clip(colour + tolerance, 0, 255).astype(np.uint8)
        windows.append((low, high - low))
    return tuple(windows)


_FRAME_WINDOWS = channel_windows(_FRAME_COLOURS, _FRAME_TOLERANCE)


def frame_mask(pixels: np.ndarray) -> np.ndarray:
    """Boolean mask of pixels with a frame colour (plain or cue-tinted): every channel within the tolerance.

    The pixels are first laid out channel by channel, so each test runs over
    contiguous uint8 memory; ``low <= v <= high`` is the one unsigned test
    ``(v - low) mod 256 <= high - low``.
    """
    planes = np.ascontiguousarray(np.moveaxis(np.asarray(pixels, dtype=np.uint8), -1, 0))
    mask = np.zeros(planes.shape[1:], dtype=bool)
    for low, width in _FRAME_WINDOWS:
        near = (planes[0] - low[0]) <= width[0]
        near &= (planes[1] - low[1]) <= width[1]
        near &= (planes[2] - low[2]) <= width[2]
        mask |= near
    return mask


def _line_profile(pixels: np.ndarray, axis: int) -> np.ndarray:
    """Share of frame-coloured pixels along ``axis`` (the mean of ``frame_mask``, without a float pass)."""
    mask = frame_mask(pixels)
    return np.count_nonzero(mask, axis=axis) / mask.shape[axis]


def _axis_score(profile: np.ndarray, size: int) -> tuple[float, float]:
    """(score, support) of cell size ``size`` along one axis with line-likeness ``profile``."""
    starts = np.arange(0, profile.shape[0], size)
    predicted = np.zeros(profile.shape[0], dtype=bool)
    predicted[starts] = True
    predicted[starts + size - 1] = True
    support = float(profile[predicted].mean())
    unexplained = int((profile[~predicted] > _LINE_FRACTION).sum())
    return support - unexplained / int(predicted.sum()), support


def detect_grid(pixels: np.ndarray) -> GridGeometry:
    """The grid geometry of a rendered ROSE image; GridNotFound if it has none."""
    height, width = pixels.shape[:2]
    check_image_size(width, height)
    # frame lines run the full image length, so a few hundred evenly spaced
    # scan lines measure each column's (row's) line-likeness well enough
    row_step, col_step = max(1, height // _SCAN_LINES), max(1, width // _SCAN_LINES)
    col_profile = _line_profile(pixels[::row_step], axis=0)
    row_profile = _line_profile(pixels[:, ::col_step], axis=1)
    best: tuple[float, int] | None = None
    best_support = 0.0
    smallest = max(MIN_CELL_SIZE, math.ceil(width / MAX_GRID_COLS), math.ceil(height / MAX_GRID_ROWS))
    for size in range(smallest, min(width, height) + 1):
        if width % size or height % size:
            continue
        score_x, support_x = _axis_score(col_profile, size)
        score_y, support_y = _axis_score(row_profile, size)
        score = score_x + score_y
        if best is None or score > best[0]:
            best = (score, size)
            best_support = min(support_x, support_y)
    if best is None or best_support < _MIN_LINE_SUPPORT:
        raise GridNotFound(
            f"no grid of light-grey tile frames found in the {width}x{height} image "
            "(expected cols*cell_size x rows*cell_size pixels with a 1-px RGB(200,200,200) frame per tile, "
            f"at most {MAX_GRID_ROWS}x{MAX_GRID_COLS} tiles)"
        )
    size = best[1]
    return GridGeometry(rows=height // size, cols=width // size, cell_size=size)
