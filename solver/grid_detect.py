"""Find the grid (cell size, rows, cols) from the pixels alone.

The image is exactly ``cols*cell_size`` x ``rows*cell_size`` and every tile has
a 1-px light-grey frame, so frame lines sit at offsets 0 and cell_size-1 of
every cell.  Each cell size dividing both image sides is scored by how well its
predicted lines match the columns/rows that really are frame-coloured; the
true size explains every line, a multiple of it leaves lines unexplained and a
divisor predicts lines through the middle of tiles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
from PIL import Image

from rose_bench.scoring.grid import Cell, Grid

from rose_bench.scoring.render_style import CUE_ALPHA, CUE_RGB, FRAME_RGB

__all__ = ["GridGeometry", "GridNotFound", "to_pixels", "detect_grid", "frame_mask"]

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
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def _near(px: np.ndarray, colour: np.ndarray, tolerance: int) -> np.ndarray:
    """Boolean mask of pixels within ``tolerance`` of ``colour`` in every channel."""
    ref = np.rint(colour).astype(np.int16)
    out = np.abs(px[..., 0] - ref[0]) <= tolerance
    for ch in (1, 2):
        out &= np.abs(px[..., ch] - ref[ch]) <= tolerance
    return out


def frame_mask(pixels: np.ndarray) -> np.ndarray:
    """Boolean mask of pixels with a frame colour (plain or cue-tinted)."""
    px = pixels.astype(np.int16)
    mask = _near(px, _FRAME_COLOURS[0], _FRAME_TOLERANCE)
    for colour in _FRAME_COLOURS[1:]:
        mask |= _near(px, colour, _FRAME_TOLERANCE)
    return mask


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
    # frame lines run the full image length, so a few hundred evenly spaced
    # scan lines measure each column's (row's) line-likeness well enough
    row_step, col_step = max(1, height // _SCAN_LINES), max(1, width // _SCAN_LINES)
    col_profile = frame_mask(pixels[::row_step]).mean(axis=0)
    row_profile = frame_mask(pixels[:, ::col_step]).mean(axis=1)
    best: tuple[float, int] | None = None
    best_support = 0.0
    for size in range(MIN_CELL_SIZE, min(width, height) + 1):
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
            "(expected cols*cell_size x rows*cell_size pixels with a 1-px RGB(200,200,200) frame per tile)"
        )
    size = best[1]
    return GridGeometry(rows=height // size, cols=width // size, cell_size=size)
