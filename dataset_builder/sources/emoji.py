"""ROSE-EmojiStyle and ROSE-EmojiContent: emoji from the committed, licence-pinned asset pack.

EmojiStyle pairs one emoji (one code point) drawn by two providers; EmojiContent
pairs two related emoji (same CLDR sub-group) drawn by one provider, kept only
when they look alike.  Both read ``assets/emoji`` (built by
``scripts/build_asset_pack.py`` from pinned npm packages; nothing is fetched at
build time) and share one tile renderer and one pair-visibility check.

Definitions that the tests and the dataset card rely on:

* similarity (EmojiContent): each image is alpha-composited on white, resized
  to 32x32 with a box filter, and turned into an "ink" vector ``255 - RGB``
  (white contributes nothing); ``similarity`` is the cosine of the two ink
  vectors, rounded to 6 decimals.  Pairs need ``>= SIMILARITY_THRESHOLD``.
* labels: ``h2_label`` / ``h3_title`` are the exact strings v0.1 rows use for the
  emoji's CLDR group / sub-group (100 of the 106 groups in the pack); the other
  six are "first emoji of the group + emojibase-data Chinese group name".
* visibility (both subsets): the two tiles rendered at the subset's smallest
  cell size (42 px) must differ in ``>= MIN_DIFF_PIXELS`` pixels, a pixel
  differing when some RGB channel changes by ``>= DIFF_LEVEL``.  Pairs that
  fail are dropped and counted in ``provenance()["rejected_pairs"]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from PIL import Image

from .asset_pack import ASSETS_DIR, DIFF_LEVEL, PackSource, diff_pixels, load_index, load_rgba
from .base import ElementPair

__all__ = [
    "PACK_DIR", "SIMILARITY_THRESHOLD", "DIFF_LEVEL", "MIN_DIFF_PIXELS", "CHECK_CELL_SIZE",
    "EmojiImage", "EmojiStyleSource", "EmojiContentSource",
    "normalise_key", "ink_vector", "similarity", "render_emoji_tile", "diff_pixels",
]

PACK_DIR = ASSETS_DIR / "emoji"

SIMILARITY_SIZE = 32
SIMILARITY_THRESHOLD = 0.90
MIN_DIFF_PIXELS = 24
CHECK_CELL_SIZE = 42  # smallest cell size of both emoji subsets (protocol §3.1)


def normalise_key(unified: str) -> str:
    """Code-point key as in file names: lower-case hex joined by '-', without FE0F (e.g. '1f64e-1f3fb')."""
    return "-".join(p for p in unified.lower().split("-") if p and p != "fe0f")


@dataclass(frozen=True)
class EmojiImage:
    """One emoji as drawn by one provider; ``path`` is relative to the pack (forward slashes)."""

    unicode_key: str
    style: str
    path: str


# -- pure image functions --------------------------------------------------------------------------

def on_white(img: Image.Image) -> Image.Image:
    base = Image.new("RGBA", img.size, (255, 255, 255, 255))
    return Image.alpha_composite(base, img.convert("RGBA")).convert("RGB")


def ink_vector(img: Image.Image) -> np.ndarray:
    """255 - RGB of the emoji on white at 32x32 (box filter), flattened as float64."""
    small = on_white(img).resize((SIMILARITY_SIZE, SIMILARITY_SIZE), Image.BOX)
    return (255.0 - np.asarray(small, dtype=np.float64)).ravel()


def similarity(a: Image.Image, b: Image.Image) -> float:
    va, vb = ink_vector(a), ink_vector(b)
    denom = float(np.linalg.norm(va) * np.linalg.norm(vb))
    return round(float(va @ vb) / denom, 6) if denom else 0.0


def emoji_box(cell_size: int) -> int:
    """Side of the square the emoji is scaled into: the inner tile minus a padding of cell_size // 10 per side."""
    return cell_size - 2 - 2 * max(2, cell_size // 10)


def render_emoji_tile(img: Image.Image, cell_size: int) -> Image.Image:
    """The shared framed tile with ``img`` scaled (LANCZOS, deterministic) into the centred emoji box."""
    from ..render import tile_frame

    tile = tile_frame(cell_size).convert("RGBA")
    side = emoji_box(cell_size)
    scaled = img.convert("RGBA").resize((side, side), Image.LANCZOS)
    offset = (cell_size - side) // 2
    tile.alpha_composite(scaled, (offset, offset))
    return tile.convert("RGB")


# -- sources ---------------------------------------------------------------------------------------

class _EmojiSource(PackSource):
    pack_kind = "emoji"
    visibility_check = {"cell_size": CHECK_CELL_SIZE, "diff_level": DIFF_LEVEL, "min_diff_pixels": MIN_DIFF_PIXELS}

    def render_tile(self, element: EmojiImage, pair: ElementPair, cell_size: int) -> Image.Image:
        return render_emoji_tile(load_rgba(self.pack_dir, element.path), cell_size)

    # helpers --------------------------------------------------------------------------------------
    def _visible(self, a: EmojiImage, b: EmojiImage) -> bool:
        ta = render_emoji_tile(load_rgba(self.pack_dir, a.path), CHECK_CELL_SIZE)
        tb = render_emoji_tile(load_rgba(self.pack_dir, b.path), CHECK_CELL_SIZE)
        return diff_pixels(ta, tb) >= MIN_DIFF_PIXELS

    def _labels(self, entry: Mapping[str, Any]) -> tuple[str, str]:
        groups = load_index(self.pack_dir)["groups"]
        return groups[entry["group"]]["label"], groups[entry["subgroup"]]["label"]


class EmojiStyleSource(_EmojiSource):
    """Same emoji, two providers.  CHOICE: the majority is always Twemoji (as in v0.1);
    the target provider alternates Noto / Fluent Flat along the pack's style list."""

    subset = "ROSE-EmojiStyle"

    def _build_pairs(self) -> tuple[tuple[ElementPair, ...], dict[str, int]]:
        index = load_index(self.pack_dir)
        emoji = {e["unicode_key"]: e for e in index["emoji"]}
        majority_style = index["style_majority"]
        targets = index["style_targets"]
        out, rejected = [], {"not_visible_at_42px": 0, "missing_provider": 0}
        for i, key in enumerate(index["style_keys"]):
            entry = emoji[key]
            wanted = targets[i % len(targets)]
            options = [wanted] + [t for t in targets if t != wanted]
            style = next((t for t in options if t in entry["images"]), None)
            if majority_style not in entry["images"] or style is None:
                rejected["missing_provider"] += 1
                continue
            bg = EmojiImage(key, majority_style, entry["images"][majority_style])
            tg = EmojiImage(key, style, entry["images"][style])
            if not self._visible(bg, tg):
                rejected["not_visible_at_42px"] += 1
                continue
            h2, h3 = self._labels(entry)
            fields = {
                "background_emoji": entry["char"],
                "target_emoji": entry["char"],
                "emoji_char": entry["char"],
                "unicode_key": key,
                "majority_style": majority_style,
                "target_style": style,
                "h2_label": h2,
                "h3_title": h3,
                "emoji_name_zh": entry["name_zh"],
                "background_path": bg.path,
                "target_path": tg.path,
            }
            out.append(ElementPair(pair_key=key, majority=bg, target=tg, fields=fields))
        return tuple(out), rejected


class EmojiContentSource(_EmojiSource):
    """Two emoji of one sub-group in one provider's style (Twemoji, as in v0.1), similar by ``similarity``.

    CHOICE: direction alternates along the pack's pair list (even: lower code point is
    the majority, odd: the higher one), so neither order is a cue.
    """

    subset = "ROSE-EmojiContent"

    def _build_pairs(self) -> tuple[tuple[ElementPair, ...], dict[str, int]]:
        index = load_index(self.pack_dir)
        emoji = {e["unicode_key"]: e for e in index["emoji"]}
        style = index["content_style"]
        out = []
        rejected = {"below_similarity_threshold": 0, "not_visible_at_42px": 0}
        for i, (ka, kb) in enumerate(index["content_pairs"]):
            a, b = sorted((ka, kb))
            ea, eb = emoji[a], emoji[b]
            ia = EmojiImage(a, style, ea["images"][style])
            ib = EmojiImage(b, style, eb["images"][style])
            sim = similarity(load_rgba(self.pack_dir, ia.path), load_rgba(self.pack_dir, ib.path))
            if sim < SIMILARITY_THRESHOLD:
                rejected["below_similarity_threshold"] += 1
                continue
            if not self._visible(ia, ib):
                rejected["not_visible_at_42px"] += 1
                continue
            (bg, ebg), (tg, etg) = ((ia, ea), (ib, eb)) if i % 2 == 0 else ((ib, eb), (ia, ea))
            h2, h3 = self._labels(ebg)
            fields = {
                "background_emoji": ebg["char"],
                "target_emoji": etg["char"],
                "background_unicode": bg.unicode_key,
                "target_unicode": tg.unicode_key,
                "h2_label": h2,
                "h3_title": h3,
                "background_name_zh": ebg["name_zh"],
                "target_name_zh": etg["name_zh"],
                "background_name_en": ebg["name_en"],
                "target_name_en": etg["name_en"],
                "similarity": sim,
                "pair_key": f"{a}__{b}",
                "background_path": bg.path,
                "target_path": tg.path,
            }
            out.append(ElementPair(pair_key=f"{a}__{b}", majority=bg, target=tg, fields=fields))
        return tuple(out), rejected

    def _extra_provenance(self) -> dict[str, Any]:
        return {"similarity": {"measure": "cosine of 255-RGB ink vectors, RGBA on white, 32x32 box filter",
                               "threshold": SIMILARITY_THRESHOLD}}
