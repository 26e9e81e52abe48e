"""The fixed render style of every ROSE image: declared once, drawn by the builder, read by the solver.

White tiles with a 1-px frame on all four sides (inner grid lines are therefore
2 px, outer ones 1 px), no margins or labels, so an image is exactly
cols*cell_size x rows*cell_size and cell (r, c) occupies one exact pixel box.
The T4 cue is a translucent fill with an opaque rounded border drawn inside the
region's pixel box.
"""

from __future__ import annotations

import math

BACKGROUND_RGB = (255, 255, 255)
FRAME_RGB = (200, 200, 200)  # 1-px frame on all four sides of every tile
CUE_RGB = (124, 58, 237)  # T4 cue: fill colour and opaque border colour
CUE_ALPHA = 0.28  # opacity of the cue fill
PNG_COMPRESS_LEVEL = 6
MIN_CELL_SIZE = 3


def cue_border_width(cell_size: int) -> int:
    """Width of the opaque cue border, drawn inside the region's pixel box."""
    return max(3, cell_size // 16)


# ChineseGlyph: glyphs are drawn at floor(GLYPH_FONT_RATIO * cell_size) px (observed on every official row;
# the row's ``font_size`` field records it).
GLYPH_FONT_RATIO = 0.72


def glyph_font_size(cell_size: int) -> int:
    """The ChineseGlyph font size of a ``cell_size`` tile: ``floor(0.72 * cell_size)``."""
    return math.floor(GLYPH_FONT_RATIO * cell_size)
