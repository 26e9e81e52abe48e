"""Scenes for the solver tests, rendered with the real ``dataset_builder.render``.

Tiles come in three kinds so the solver is exercised on more than text, each
drawn on ``render.tile_frame`` (white, 1-px grey frame): ``text`` (black strokes
on white, like a glyph), ``emoji`` (a colourful disc whose target differs by one
small feature) and ``pixel`` (a tile filled edge to edge with colour, as a
stretched pixel-art asset is, whose target has a small local edit).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from rose_bench.dataset_builder import render
from rose_bench.scoring.grid import Cell, Rectangle


def tile(kind: str, odd: bool, size: int) -> Image.Image:
    img = render.tile_frame(size)
    draw = ImageDraw.Draw(img)
    if kind == "text":
        font = ImageFont.load_default(size=int(size * 0.72))
        draw.text((size / 2, size / 2), "F" if odd else "E", fill=(0, 0, 0), font=font, anchor="mm")
    elif kind == "emoji":
        draw.ellipse((size * 0.2, size * 0.2, size * 0.8, size * 0.8), fill=(255, 200, 40))
        eye = (60, 40, 10) if odd else (120, 80, 30)
        draw.ellipse((size * 0.36, size * 0.4, size * 0.44, size * 0.48), fill=eye)
    elif kind == "pixel":
        y, x = np.mgrid[1 : size - 1, 1 : size - 1]
        art = np.stack([(x * 7) % 256, (y * 5) % 256, np.full_like(x, 120)], axis=-1).astype(np.uint8)
        img.paste(Image.fromarray(art, "RGB"), (1, 1))
        if odd:
            q = size // 4
            draw.rectangle((q, size // 2, q + 3, size // 2 + 3), fill=(255, 0, 0))
    else:
        raise ValueError(f"unknown tile kind {kind!r}")
    return img


def scene(kind: str, rows: int, cols: int, size: int, targets: Iterable[Cell], cue: Rectangle | None = None) -> Image.Image:
    img = render.render_grid(tile(kind, False, size), tile(kind, True, size), rows, cols, size, targets)
    return img if cue is None else render.add_cue(img, cue, size)
