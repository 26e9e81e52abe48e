"""Pixel similarity of rendered glyphs (used by scripts/mine_glyph_pairs.py, never at build time).

Soft IoU = <a,b> / (|a| + |b| - <a,b>) on anti-aliased ink masks in [0, 1].  Two
glyphs whose shapes agree but sit a pixel or two apart in the em box are still
confusable to a reader, so the final score takes the best IoU over small shifts;
the all-pairs candidate search uses a blur instead, which needs one matrix product.
"""

from __future__ import annotations

import numpy as np


def box_blur(masks: np.ndarray, radius: int) -> np.ndarray:
    """Separable (2r+1)^2 box blur of a stack of masks (N, H, W); edges padded with zeros."""
    if radius <= 0:
        return masks.astype(np.float32, copy=True)
    k = 2 * radius + 1
    out = masks.astype(np.float32)
    for axis in (1, 2):
        pad = [(0, 0)] * 3
        pad[axis] = (radius + 1, radius)
        c = np.cumsum(np.pad(out, pad), axis=axis, dtype=np.float64)
        hi = np.take(c, np.arange(k, c.shape[axis]), axis=axis)
        lo = np.take(c, np.arange(0, c.shape[axis] - k), axis=axis)
        out = ((hi - lo) / k).astype(np.float32)
    return out


def soft_iou_matrix(masks: np.ndarray) -> np.ndarray:
    """All-pairs soft IoU of a stack of masks (N, H, W) -> (N, N) float32."""
    flat = masks.reshape(len(masks), -1).astype(np.float32)
    inter = flat @ flat.T
    ink = np.diag(inter).copy()
    union = ink[:, None] + ink[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def shifted_soft_iou(a: np.ndarray, b: np.ndarray, max_shift: int) -> np.ndarray:
    """Per-pair soft IoU of a[i] and b[i] (both (P, H, W)), maximised over integer shifts of b by up to ``max_shift`` px."""
    a = a.astype(np.float32)
    b = b.astype(np.float32)
    s = max_shift
    height, width = a.shape[1:]
    padded = np.pad(b, ((0, 0), (s, s), (s, s)))
    ink_a = a.sum(axis=(1, 2))
    best = np.zeros(len(a), dtype=np.float32)
    for dy in range(-s, s + 1):
        for dx in range(-s, s + 1):
            shifted = padded[:, s + dy:s + dy + height, s + dx:s + dx + width]
            inter = (a * shifted).sum(axis=(1, 2))
            union = ink_a + shifted.sum(axis=(1, 2)) - inter
            iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
            np.maximum(best, iou, out=best)
    return best
