"""Read a scene: the T4 cue (if any) and the cells that differ from the majority.

Every majority cell is a pasted copy of one tile, so the majority appearance is
the most common cell content and an odd cell is any cell that differs from it.
This holds for any element (glyph strokes, emoji, pixel art).  The T4 cue tints
the cells of its region and paints a border over their outer edge, so tinted
cells are compared with the majority tile tinted the same way, and the border
band is left out of the comparison.  A lossily re-encoded image (the runner's
JPEG option) has no exact copies; it is recognised by its inexact frame grey
and compared against the per-pixel median with a coarser tolerance.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from rose_bench.scoring.grid import Cell, VisualRegion

from .grid_detect import GridGeometry
from rose_bench.scoring.render_style import CUE_ALPHA, CUE_RGB, FRAME_RGB, cue_border_width

__all__ = ["SceneReading", "read_scene", "cell_stack", "detect_cue"]

_GREY_TOLERANCE = 12  # frame pixel still counted as untinted grey
_CUED_FRAME_FRACTION = 0.5  # a cell whose frame is mostly non-grey lies under the cue
_DIFF_TOLERANCE = 6  # per-channel difference tolerated by the comparison (blend rounding)
_MIN_DIFF_PIXELS = 1  # a cell with this many differing pixels is odd
_BAND_MARGIN = 2  # extra pixels left out beside the cue border (anti-aliasing)
# Lossy images (e.g. the runner's JPEG option) have no exact tile copies: the majority is then the
# per-pixel median, and only strong differences over several pixels count, so compression noise does not.
_LOSSY_TOLERANCE = 48
_LOSSY_MIN_PIXELS = 4
_LOSSLESS_FRAME_SHARE = 0.99  # frames this exactly grey mean the image was never lossily compressed
_LOSSY_BAND_MARGIN = 6  # compression smears the cue border over neighbouring pixels

_CUE = np.array(CUE_RGB, dtype=np.float32)
_FRAME = np.array(FRAME_RGB, dtype=np.float32)


@dataclass(frozen=True, slots=True)
class SceneReading:
    """What the solver sees in one image."""

    geometry: GridGeometry
    cue: VisualRegion | None  # the highlighted rectangle, None on a base image
    odd: frozenset[Cell]  # every cell that differs from the majority, grid-wide


def cell_stack(pixels: np.ndarray, geometry: GridGeometry) -> np.ndarray:
    """View the image as (rows, cols, cell_size, cell_size, channels)."""
    s = geometry.cell_size
    return pixels.reshape(geometry.rows, s, geometry.cols, s, -1).swapaxes(1, 2)


def _frame_pixels(stack: np.ndarray) -> np.ndarray:
    """(rows, cols, 4*cell_size, 3): the four 1-px frame lines of every cell."""
    return np.concatenate([stack[:, :, 0], stack[:, :, -1], stack[:, :, :, 0], stack[:, :, :, -1]], axis=2)


def detect_cue(stack: np.ndarray) -> VisualRegion | None:
    """The cued rectangle: the bounding box of cells whose frame is not plain grey."""
    frames = _frame_pixels(stack).astype(np.int16)
    grey = np.abs(frames - _FRAME.astype(np.int16)).max(axis=-1) <= _GREY_TOLERANCE
    cued = grey.mean(axis=-1) < _CUED_FRAME_FRACTION
    if not cued.any():
        return None
    rows = np.flatnonzero(cued.any(axis=1))
    cols = np.flatnonzero(cued.any(axis=0))
    return VisualRegion(int(rows[0]) + 1, int(rows[-1]) + 1, int(cols[0]) + 1, int(cols[-1]) + 1)


def _cue_alpha(stack: np.ndarray, cued: np.ndarray) -> float:
    """Opacity of the cue fill, measured on tinted frame pixels (whose untinted colour is known)."""
    frames = _frame_pixels(stack)[cued].reshape(-1, 3).astype(np.float32)
    expected = _FRAME * (1 - CUE_ALPHA) + _CUE * CUE_ALPHA
    tinted = frames[np.abs(frames - expected).max(axis=-1) <= _GREY_TOLERANCE]
    if not len(tinted):
        return CUE_ALPHA
    direction = _CUE - _FRAME
    alpha = float(np.dot(tinted.mean(axis=0) - _FRAME, direction) / np.dot(direction, direction))
    return min(max(alpha, 0.05), 0.95)


def _border_band(geometry: GridGeometry, region: VisualRegion, margin: int = _BAND_MARGIN, outside: int = 0) -> np.ndarray:
    """Boolean image mask of the cue border band (plus margin and rounded corners).

    ``outside`` also masks that many pixels beyond the region box, where lossy
    compression smears the border into neighbouring cells.
    """
    s = geometry.cell_size
    mask = np.zeros((geometry.rows * s, geometry.cols * s), dtype=bool)
    left, top = (region.c1 - 1) * s, (region.r1 - 1) * s
    right, bottom = region.c2 * s, region.r2 * s
    width = cue_border_width(s)
    band = width + margin
    corner = 2 * width + margin  # rounded-corner radius is twice the border width
    box = mask[top:bottom, left:right]
    box[:band, :] = box[-band:, :] = True
    box[:, :band] = box[:, -band:] = True
    for ys in (slice(0, corner), slice(-corner, None)):
        for xs in (slice(0, corner), slice(-corner, None)):
            box[ys, xs] = True
    if outside:
        outer = mask[max(0, top - outside) : bottom + outside, max(0, left - outside) : right + outside]
        inner = mask[top:bottom, left:right].copy()
        outer[:] = True
        mask[top:bottom, left:right] = inner
    return mask


def _is_lossless(stack: np.ndarray, cued: np.ndarray) -> bool:
    """True if the frames of uncued cells are exactly the style grey (a PNG render, not a JPEG of one)."""
    frames = _frame_pixels(stack)[~cued]
    if not len(frames):
        return True
    exact = (frames == _FRAME.astype(stack.dtype)).all(axis=-1)
    return float(exact.mean()) >= _LOSSLESS_FRAME_SHARE


def _majority_tile(
    stack: np.ndarray, cued: np.ndarray, alpha: float, ignore: np.ndarray, lossless: bool
) -> tuple[np.ndarray, bytes | None]:
    """The most common cell content seen without the cue (float32), and its exact bytes if it repeats."""
    plain = stack[~cued]
    if len(plain) and not lossless:
        return np.median(plain.astype(np.float32), axis=0), None
    if len(plain):
        counts = Counter(tile.tobytes() for tile in plain)
        content, copies = counts.most_common(1)[0]
        if copies >= 2 and 2 * copies >= len(plain):
            tile = np.frombuffer(content, dtype=stack.dtype).reshape(stack.shape[2:])
            return tile.astype(np.float32), content
        return np.median(plain.astype(np.float32), axis=0), None
    # every cell is cued: undo the tint and take the per-pixel median, border band excluded
    untinted = (stack.astype(np.float32) - alpha * _CUE) / (1 - alpha)
    untinted[ignore] = np.nan
    flat = untinted.reshape(-1, *stack.shape[2:])
    return np.nan_to_num(np.nanmedian(flat, axis=0), nan=255.0), None


def _differs(cell: np.ndarray, expected: np.ndarray, ignore: np.ndarray, tolerance: int, min_pixels: int) -> bool:
    """True if ``min_pixels`` pixels outside ``ignore`` differ from ``expected`` by more than ``tolerance``."""
    diff = np.abs(cell.astype(np.float32) - expected)
    off = (diff[..., 0] > tolerance) | (diff[..., 1] > tolerance) | (diff[..., 2] > tolerance)
    return int(np.count_nonzero(off & ~ignore)) >= min_pixels


def read_scene(pixels: np.ndarray, geometry: GridGeometry) -> SceneReading:
    """Locate the cue and the odd cells of one rendered scene."""
    stack = cell_stack(pixels, geometry)
    cue = detect_cue(stack)
    cued = np.zeros((geometry.rows, geometry.cols), dtype=bool)
    ignore = np.zeros(stack.shape[:4], dtype=bool)
    alpha = CUE_ALPHA
    if cue is not None:
        cued[cue.r1 - 1 : cue.r2, cue.c1 - 1 : cue.c2] = True
        alpha = _cue_alpha(stack, cued)
        ignore = cell_stack(_border_band(geometry, cue)[..., None], geometry)[..., 0]
    lossless = _is_lossless(stack, cued)
    reference, exact = _majority_tile(stack, cued, alpha, ignore, lossless)
    tinted_reference = reference * (1 - alpha) + _CUE * alpha
    if lossless:
        tolerance, min_pixels = _DIFF_TOLERANCE, _MIN_DIFF_PIXELS
    else:
        tolerance, min_pixels = _LOSSY_TOLERANCE, _LOSSY_MIN_PIXELS
        if cue is not None:
            band = _border_band(geometry, cue, _LOSSY_BAND_MARGIN, outside=_LOSSY_BAND_MARGIN)
            ignore = cell_stack(band[..., None], geometry)[..., 0]
    odd = set()
    for r in range(geometry.rows):
        for c in range(geometry.cols):
            cell = stack[r, c]
            if cued[r, c]:
                is_odd = _differs(cell, tinted_reference, ignore[r, c], tolerance, min_pixels)
            else:  # exact copies of the majority tile need no pixel comparison
                is_odd = cell.tobytes() != exact and _differs(cell, reference, ignore[r, c], tolerance, min_pixels)
            if is_odd:
                odd.add(Cell(r + 1, c + 1))
    return SceneReading(geometry=geometry, cue=cue, odd=frozenset(odd))
