"""ROSE-PixelEdit and ROSE-PixelContent: CC0 / MIT pixel-art sprites from the committed asset pack.

Sprites are DiceBear "Pixel Art" characters (16x16, CC0) and pixelarticons icons
(24x24, MIT), pre-rendered into ``assets/pixel`` by ``scripts/build_asset_pack.py``.
Tiles stretch the sprite into the cell's inner box with nearest-neighbour
scaling (``asset_resize_mode = "stretch"``), so sprite pixels stay crisp blocks.

* PixelEdit: a sprite vs a locally edited copy.  The edit (recolour, erase or
  fill one k x k block, k in {2, 3}; colours preferably from the sprite's own
  palette, else from ``EDIT_PALETTE``) is drawn from ``keyed_rng(EDIT_SEED_NAME,
  <sprite path>)``: a property of the sprite, the same in every build (like the
  sprite itself; the build's seed picks which sprites a build uses).  It
  must pass two automatic checks that replace v0.1's manual verification:
  local (the changed sprite pixels fit one bounding box covering at most
  ``EDIT_MAX_BOX_FRACTION`` of the sprite) and visible (below).
  CHOICE: the unedited sprite is the majority, the edited copy the target.
* PixelContent: two related but distinct sprites listed by the pack (a DiceBear
  character vs the same character with one part swapped / added / removed, or
  name-related pixelarticons such as ``robot-face-happy`` / ``robot-face-sad``).
  CHOICE: the pack's ``majority`` entry (the base character, or the first icon)
  is the majority.
* Visibility (both): the two tiles at the smallest cell size of the subsets
  (120 px) differ in ``>= MIN_DIFF_PIXELS`` pixels (a pixel differs when some RGB
  channel changes by ``>= DIFF_LEVEL``).  Failing pairs are dropped and counted
  in ``provenance()["rejected_pairs"]``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any, Sequence

import numpy as np
from PIL import Image

from ..seeds import keyed_rng
from .asset_pack import ASSETS_DIR, DIFF_LEVEL, PackSource, diff_pixels, load_index, load_rgba
from .base import ElementPair

__all__ = [
    "PACK_DIR", "CHECK_CELL_SIZE", "DIFF_LEVEL", "MIN_DIFF_PIXELS", "EDIT_MAX_BOX_FRACTION",
    "Sprite", "PixelEditSource", "PixelContentSource", "render_pixel_tile", "apply_edit", "make_edit",
]

PACK_DIR = ASSETS_DIR / "pixel"

CHECK_CELL_SIZE = 120          # smallest cell size of PixelEdit and PixelContent (protocol §3.1)
MIN_DIFF_PIXELS = 150          # ~3 DiceBear pixels or ~6 icon pixels at 120 px
EDIT_MAX_BOX_FRACTION = 0.04   # 3x3 of a 16x16 sprite is 3.5 %
EDIT_ATTEMPTS = 40
EDIT_PALETTE = (
    (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48),
    (145, 30, 180), (70, 200, 220), (240, 50, 230), (20, 20, 20), (250, 250, 250), (128, 64, 0),
)
ASSET_RESIZE_MODE = "stretch"
EDIT_SEED_NAME = "rose-pixel-edit"  # keyed_rng(EDIT_SEED_NAME, path): the edit is a fixed property of the sprite


@dataclass(frozen=True)
class Sprite:
    """A pack sprite, optionally with an edit: ``(y, x, r, g, b, a)`` per changed pixel."""

    path: str
    edit: tuple[tuple[int, int, int, int, int, int], ...] = ()


# -- pack access -----------------------------------------------------------------------------------

@lru_cache(maxsize=2048)
def load_sprite(pack_dir: str, rel_path: str) -> np.ndarray:
    arr = np.array(load_rgba(pack_dir, rel_path), dtype=np.uint8)
    arr.setflags(write=False)
    return arr


# -- pure functions --------------------------------------------------------------------------------

def apply_edit(sprite: np.ndarray, edit: Sequence[Sequence[int]]) -> np.ndarray:
    out = sprite.copy()
    for y, x, r, g, b, a in edit:
        out[y, x] = (r, g, b, a)
    return out


def render_pixel_tile(sprite: np.ndarray, cell_size: int) -> Image.Image:
    """The shared framed tile with the sprite (on white) stretched into the inner box, nearest-neighbour."""
    from ..render import tile_frame

    tile = tile_frame(cell_size)
    rgba = Image.fromarray(np.ascontiguousarray(sprite), "RGBA")
    flat = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert("RGB")
    inner = cell_size - 2
    tile.paste(flat.resize((inner, inner), Image.NEAREST), (1, 1))
    return tile


def visible(a: np.ndarray, b: np.ndarray) -> bool:
    return diff_pixels(render_pixel_tile(a, CHECK_CELL_SIZE), render_pixel_tile(b, CHECK_CELL_SIZE)) >= MIN_DIFF_PIXELS


def changed_box(a: np.ndarray, b: np.ndarray) -> tuple[int, int] | None:
    """(number of changed sprite pixels, area of their bounding box), or None if nothing changed."""
    ys, xs = np.nonzero((a != b).any(axis=2))
    if len(ys) == 0:
        return None
    return len(ys), int((ys.max() - ys.min() + 1) * (xs.max() - xs.min() + 1))


def is_local(a: np.ndarray, b: np.ndarray) -> bool:
    box = changed_box(a, b)
    return box is not None and box[1] <= EDIT_MAX_BOX_FRACTION * a.shape[0] * a.shape[1]


def _far_colours(colours: np.ndarray, sprite: np.ndarray) -> list[tuple[int, int, int]]:
    """Edit colours at RGB distance >= 120 from every colour in ``colours`` (N x 3).

    The sprite's own colours come first (a palette-consistent edit, like a recoloured
    cheek); only when none is far enough does the fixed ``EDIT_PALETTE`` apply.
    """
    def far(c) -> bool:
        return len(colours) == 0 or float(np.sqrt(((colours.astype(float) - c) ** 2).sum(axis=1)).min()) >= 120

    own = sorted({tuple(int(v) for v in c) for c in sprite[sprite[:, :, 3] == 255][:, :3]})
    return [c for c in own if far(c)] or [c for c in EDIT_PALETTE if far(c)]


def make_edit(sprite: np.ndarray, rng: random.Random) -> tuple[tuple[int, int, int, int, int, int], ...] | None:
    """A small block edit that is local and visible, or None after ``EDIT_ATTEMPTS`` tries."""
    h, w = sprite.shape[:2]
    opaque = sprite[:, :, 3] > 0
    for _ in range(EDIT_ATTEMPTS):
        k = rng.choice((2, 3))
        op = rng.choice(("recolour", "recolour", "erase", "fill"))
        y, x = rng.randrange(h - k + 1), rng.randrange(w - k + 1)
        block = opaque[y:y + k, x:x + k]
        filled = int(block.sum())
        if op in ("recolour", "erase") and filled < max(3, (k * k + 1) // 2):
            continue
        if op == "fill" and (filled == 0 or filled == k * k):
            continue  # fill only where the block touches the sprite's outline
        edited = sprite.copy()
        if op == "erase":
            edited[y:y + k, x:x + k][block] = (0, 0, 0, 0)
        else:
            near = sprite[max(0, y - 1):y + k + 1, max(0, x - 1):x + k + 1]
            options = _far_colours(near[near[:, :, 3] > 0][:, :3], sprite)
            if not options:
                continue
            colour = (*rng.choice(options), 255)
            target = block if op == "recolour" else np.ones_like(block)
            edited[y:y + k, x:x + k][target] = colour
        if not is_local(sprite, edited) or not visible(sprite, edited):
            continue
        ys, xs = np.nonzero((sprite != edited).any(axis=2))
        return tuple((int(yy), int(xx), *(int(v) for v in edited[yy, xx])) for yy, xx in zip(ys, xs))
    return None


# -- sources ---------------------------------------------------------------------------------------

class _PixelSource(PackSource):
    pack_kind = "pixel"
    visibility_check = {"cell_size": CHECK_CELL_SIZE, "diff_level": DIFF_LEVEL, "min_diff_pixels": MIN_DIFF_PIXELS}

    def sprite_array(self, element: Sprite) -> np.ndarray:
        base = load_sprite(self.pack_dir, element.path)
        return apply_edit(base, element.edit) if element.edit else base

    def render_tile(self, element: Sprite, pair: ElementPair, cell_size: int) -> Image.Image:
        return render_pixel_tile(self.sprite_array(element), cell_size)

    _majority_rule = ""

    def provenance(self) -> dict[str, Any]:
        # the schema has no field saying which sprite is the majority, so the rule is recorded here
        return {**super().provenance(), "majority": self._majority_rule}


class PixelEditSource(_PixelSource):
    subset = "ROSE-PixelEdit"
    _majority_rule = "the unedited sprite is the majority; the locally edited copy is the target"

    def _build_pairs(self) -> tuple[tuple[ElementPair, ...], dict[str, int]]:
        index = load_index(self.pack_dir)
        out, rejected = [], {"no_local_visible_edit": 0}
        for path in index["edit_bases"]:
            sprite = load_sprite(self.pack_dir, path)
            edit = make_edit(sprite, keyed_rng(EDIT_SEED_NAME, path))
            if edit is None:
                rejected["no_local_visible_edit"] += 1
                continue
            key = PurePosixPath(path).name
            fields = {"pair_key": key, "asset_resize_mode": ASSET_RESIZE_MODE}
            out.append(ElementPair(pair_key=key, majority=Sprite(path), target=Sprite(path, edit), fields=fields))
        return tuple(out), rejected

    def _extra_provenance(self) -> dict[str, Any]:
        return {"edit": {"ops": ["recolour", "erase", "fill"], "block_sizes": [2, 3],
                         "max_box_fraction": EDIT_MAX_BOX_FRACTION, "rng": "random.Random('rose-pixel-edit:<path>')"}}


class PixelContentSource(_PixelSource):
    subset = "ROSE-PixelContent"
    _majority_rule = "the pack's 'majority' sprite (base DiceBear character / first icon of the pair)"

    def _build_pairs(self) -> tuple[tuple[ElementPair, ...], dict[str, int]]:
        index = load_index(self.pack_dir)
        out, rejected = [], {"not_visible_at_120px": 0}
        for entry in index["content_pairs"]:
            a, b = entry["majority"], entry["target"]
            if not visible(load_sprite(self.pack_dir, a), load_sprite(self.pack_dir, b)):
                rejected["not_visible_at_120px"] += 1
                continue
            key = "__".join(sorted((PurePosixPath(a).name, PurePosixPath(b).name)))
            fields = {"pair_key": key, "asset_resize_mode": ASSET_RESIZE_MODE}
            out.append(ElementPair(pair_key=key, majority=Sprite(a), target=Sprite(b), fields=fields))
        return tuple(out), rejected
