"""Read a scene: the T4 cue (if any) and the cells that differ from the majority.

Every majority cell is a pasted copy of one tile, so the majority appearance is
the most common cell content and an odd cell is any cell that differs from it.
This holds for any element (glyph strokes, emoji, pixel art).  The T4 cue tints
the cells of its region and paints a border over their outer edge, so tinted
cells are compared with the majority tile tinted the same way, and the border
band is left out of the comparison.  A lossily re-encoded image (the runner's
JPEG option) has no exact copies; it is recognised by its inexact frame grey
and compared against the per-pixel median with a coarser tolerance.

Each step works on all cells at once (one reading per image, a few ms): exact
copies by whole-array equality, tolerance tests on uint8 against precomputed
bounds.  tests/solver/test_oddity.py pins each to its per-cell definition.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from rose_bench.scoring.grid import Cell, VisualRegion

from .grid_detect import GridGeometry, channel_windows
from rose_bench.scoring.render_style import CUE_ALPHA, CUE_RGB, FRAME_RGB, cue_border_width

__all__ = ["SceneReading", "read_scene", "cell_stack"]

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
    """(rows, cols, 4*cell_size, 3): the four 1-px frame lines of every cell (top, bottom, left, right)."""
    return np.concatenate([stack[:, :, 0], stack[:, :, -1], stack[:, :, :, 0], stack[:, :, :, -1]], axis=2)


_GREY = np.array(FRAME_RGB, dtype=np.uint8)
((_GREY_LOW, _GREY_WIDTH),) = channel_windows(np.array([FRAME_RGB]), _GREY_TOLERANCE)


def _frame_greys(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per frame pixel: (every channel within ``_GREY_TOLERANCE`` of the frame grey, exactly the frame grey).

    ``low <= v <= high`` is tested as ``(v - low) mod 256 <= high - low`` on uint8, with no int16 copy.
    """
    if frames.dtype != np.uint8:
        raise TypeError(f"frame pixels must be uint8 (as from to_pixels), got {frames.dtype}")
    near = (frames[..., 0] - _GREY_LOW[0]) <= _GREY_WIDTH[0]
    exact = frames[..., 0] == _GREY[0]
    for ch in (1, 2):
        near &= (frames[..., ch] - _GREY_LOW[ch]) <= _GREY_WIDTH[ch]
        exact &= frames[..., ch] == _GREY[ch]
    return near, exact


def _cued_cells(near_grey: np.ndarray) -> np.ndarray:
    """(rows, cols) bool: cells whose frame is mostly not plain grey, i.e. tinted by the cue."""
    return np.count_nonzero(near_grey, axis=-1) / near_grey.shape[-1] < _CUED_FRAME_FRACTION


def _bounding_region(cued: np.ndarray) -> VisualRegion | None:
    if not cued.any():
        return None
    rows = np.flatnonzero(cued.any(axis=1))
    cols = np.flatnonzero(cued.any(axis=0))
    return VisualRegion(int(rows[0]) + 1, int(rows[-1]) + 1, int(cols[0]) + 1, int(cols[-1]) + 1)


def _cue_alpha(frames: np.ndarray, cued: np.ndarray) -> float:
    """Opacity of the cue fill, measured on tinted frame pixels (whose untinted colour is known)."""
    tinted_frames = frames[cued].reshape(-1, 3).astype(np.float32)
    expected = _FRAME * (1 - CUE_ALPHA) + _CUE * CUE_ALPHA
    tinted = tinted_frames[np.abs(tinted_frames - expected).max(axis=-1) <= _GREY_TOLERANCE]
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


def _is_lossless(exact_grey: np.ndarray, cued: np.ndarray) -> bool:
    """True if the frames of uncued cells are exactly the style grey (a PNG render, not a JPEG of one)."""
    plain = exact_grey[~cued]
    if not plain.size:
        return True
    return np.count_nonzero(plain) / plain.size >= _LOSSLESS_FRAME_SHARE


def _word_view(flat: np.ndarray) -> np.ndarray:
    """``flat`` (cells, bytes) viewed with the widest unsigned integer dividing a row: fewer, equal-meaning compares."""
    for dtype in (np.uint64, np.uint32, np.uint16):
        if flat.shape[1] % np.dtype(dtype).itemsize == 0:
            return flat.view(dtype)
    return flat


_MAX_VECTOR_CANDIDATES = 4  # contents tried by whole-array comparison before counting every cell's bytes


def _exact_majority(plain: np.ndarray) -> tuple[int, np.ndarray] | None:
    """(index, equal-to-it mask) of the content of at least half the cells (and >= 2 of them), else None.

    The same answer as ``Counter(tile.tobytes()).most_common(1)`` followed by the
    at-least-half test, found by comparing whole arrays: contents are tried in
    order of first appearance, and once the cells left unmatched are fewer than
    half, no content can be the majority.  Images with many distinct contents
    fall back to counting the bytes of every cell.
    """
    n = len(plain)
    words = _word_view(np.ascontiguousarray(plain).reshape(n, -1))
    unmatched = np.ones(n, dtype=bool)
    for _ in range(_MAX_VECTOR_CANDIDATES):
        index = int(np.argmax(unmatched))
        same = (words == words[index]).all(axis=1)
        copies = int(np.count_nonzero(same))
        if 2 * copies >= n:
            return (index, same) if copies >= 2 else None
        unmatched &= ~same
        if 2 * int(np.count_nonzero(unmatched)) < n:
            return None
    counts = Counter(tile.tobytes() for tile in plain)
    content, copies = counts.most_common(1)[0]
    if copies >= 2 and 2 * copies >= n:
        same = np.array([tile.tobytes() == content for tile in plain])
        return int(np.argmax(same)), same
    return None


def _majority_tile(
    stack: np.ndarray, cued: np.ndarray, alpha: float, ignore: np.ndarray, lossless: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """The most common cell content seen without the cue (float32), and which uncued cells are exact copies of it.

    The second value is a bool per uncued cell (row-major), None when the
    reference is a per-pixel median rather than an exact repeated tile.
    """
    plain = stack[~cued]
    if len(plain) and not lossless:
        return np.median(plain.astype(np.float32), axis=0), None
    if len(plain):
        found = _exact_majority(plain)
        if found is not None:
            index, same = found
            return plain[index].astype(np.float32), same
        return np.median(plain.astype(np.float32), axis=0), None
    # every cell is cued: undo the tint and take the per-pixel median, border band excluded
    untinted = (stack.astype(np.float32) - alpha * _CUE) / (1 - alpha)
    untinted[ignore] = np.nan
    flat = untinted.reshape(-1, *stack.shape[2:])
    return np.nan_to_num(np.nanmedian(flat, axis=0), nan=255.0), None


_CHUNK_PIXELS = 1 << 20  # cells compared per numpy call are capped at about this many pixels (bounded memory)


def _accepted_range(expected: np.ndarray, tolerance: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Per element, the integers ``v`` with ``abs(float32(v) - expected) <= tolerance``, as uint8 (low, high).

    The float32 difference is monotonic in ``v``, so the accepted values form an
    interval; for a whole-valued ``expected`` (an exact majority tile) it is
    ``expected -/+ tolerance``, otherwise its ends are settled by evaluating the
    float32 test itself at the integers next to ``expected -/+ tolerance``.
    Comparing uint8 pixels with these bounds answers exactly like the float
    comparison without converting every cell to float.  None if some interval
    has no value in 0..255.
    """
    ref = expected.astype(np.float32)
    low, high = np.ceil(ref - tolerance), np.floor(ref + tolerance)
    if not np.array_equal(ref, np.rint(ref)):

        def accepted(v: np.ndarray) -> np.ndarray:
            return np.abs(v - ref) <= tolerance

        # float32 rounding moves an end by at most one integer; the check below proves the ends (else: float path)
        low = np.where(accepted(low - 1), low - 1, np.where(accepted(low), low, low + 1))
        high = np.where(accepted(high + 1), high + 1, np.where(accepted(high), high, high - 1))
        if accepted(low - 1).any() or accepted(high + 1).any() or not (accepted(low) & accepted(high)).all():
            return None
    low, high = np.maximum(low, 0), np.minimum(high, 255)
    if not (low <= high).all():
        return None
    return low.astype(np.uint8), high.astype(np.uint8)


def _differing(cells: np.ndarray, expected: np.ndarray, ignore: np.ndarray, tolerance: int, min_pixels: int) -> np.ndarray:
    """Per cell: True if ``min_pixels`` pixels outside ``ignore`` differ from ``expected`` by more than ``tolerance``.

    ``cells`` is (n, s, s, 3) uint8, ``ignore`` (n, s, s).  A pixel differs when
    some channel lies outside its accepted range (``_accepted_range``): an
    unsigned wrap-around test, ``(v - low) mod 256 > high - low``.
    """
    out = np.zeros(len(cells), dtype=bool)
    bounds = _accepted_range(expected, tolerance) if cells.dtype == np.uint8 else None
    step = max(1, _CHUNK_PIXELS // max(1, cells.shape[1] * cells.shape[2]))
    for lo in range(0, len(cells), step):
        chunk, skip = cells[lo : lo + step], ignore[lo : lo + step]
        if bounds is None:
            outside = np.abs(chunk.astype(np.float32) - expected) > tolerance
        else:
            outside = (chunk - bounds[0]) > (bounds[1] - bounds[0])
        if min_pixels == 1:  # one differing channel of one kept pixel is enough: no per-pixel OR needed
            if skip.any():
                outside &= ~skip[..., None]
            out[lo : lo + step] = outside.reshape(len(chunk), -1).any(axis=1)
            continue
        off = outside[..., 0] | outside[..., 1] | outside[..., 2]
        off &= ~skip
        out[lo : lo + step] = np.count_nonzero(off, axis=(1, 2)) >= min_pixels
    return out


def read_scene(pixels: np.ndarray, geometry: GridGeometry) -> SceneReading:
    """Locate the cue and the odd cells of one rendered scene (``pixels`` as from ``to_pixels``: uint8 RGB)."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise TypeError(f"read_scene needs uint8 RGB pixels (height, width, 3), got {pixels.dtype} {pixels.shape}")
    stack = cell_stack(pixels, geometry)
    frames = _frame_pixels(stack)
    near_grey, exact_grey = _frame_greys(frames)
    cue = _bounding_region(_cued_cells(near_grey))
    cued = np.zeros((geometry.rows, geometry.cols), dtype=bool)
    ignore = np.zeros(stack.shape[:4], dtype=bool)
    alpha = CUE_ALPHA
    if cue is not None:
        cued[cue.r1 - 1 : cue.r2, cue.c1 - 1 : cue.c2] = True
        alpha = _cue_alpha(frames, cued)
        ignore = cell_stack(_border_band(geometry, cue)[..., None], geometry)[..., 0]
    lossless = _is_lossless(exact_grey, cued)
    reference, exact_copies = _majority_tile(stack, cued, alpha, ignore, lossless)
    tinted_reference = reference * (1 - alpha) + _CUE * alpha
    if lossless:
        tolerance, min_pixels = _DIFF_TOLERANCE, _MIN_DIFF_PIXELS
    else:
        tolerance, min_pixels = _LOSSY_TOLERANCE, _LOSSY_MIN_PIXELS
        if cue is not None:
            band = _border_band(geometry, cue, _LOSSY_BAND_MARGIN, outside=_LOSSY_BAND_MARGIN)
            ignore = cell_stack(band[..., None], geometry)[..., 0]
    odd = np.zeros((geometry.rows, geometry.cols), dtype=bool)
    if cued.any():
        odd[cued] = _differing(stack[cued], tinted_reference, ignore[cued], tolerance, min_pixels)
    plain_odd = np.ones(int(np.count_nonzero(~cued)), dtype=bool) if exact_copies is None else ~exact_copies
    compare = np.zeros_like(cued)
    compare[~cued] = plain_odd  # exact copies of the majority tile need no pixel comparison
    if compare.any():
        odd[compare] = _differing(stack[compare], reference, ignore[compare], tolerance, min_pixels)
    cells = frozenset(Cell(int(r) + 1, int(c) + 1) for r, c in zip(*np.nonzero(odd)))
    return SceneReading(geometry=geometry, cue=cue, odd=cells)
