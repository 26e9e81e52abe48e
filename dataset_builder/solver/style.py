"""The fixed render style the solver reads images by (dataset_builder/render.py; README "Cell style").

Only facts of the published style live here; every threshold the solver
chooses for itself is next to the code that uses it.
"""

from __future__ import annotations

FRAME_RGB = (200, 200, 200)  # 1-px frame on all four sides of every tile
CUE_RGB = (124, 58, 237)  # T4 cue: fill colour and opaque border colour
CUE_ALPHA = 0.28  # opacity of the cue fill


def cue_border_width(cell_size: int) -> int:
    """Width of the opaque cue border, drawn inside the region's pixel box."""
    return max(3, cell_size // 16)
