"""ROSE-ChineseGlyph: two confusable Chinese characters drawn in the same font (protocol §3.5).

Pairs come from the committed list ``assets/glyph/pairs.tsv`` (see
``scripts/mine_glyph_pairs.py``).  The builder shuffles whatever ``pairs(seed)``
offers, so the source offers only pairs at or above ``min_level`` (default
``medium``): that is how similar pairs are preferred.  Which character is the
majority and which verified font draws the scene are drawn from
``keyed_rng(seed, pair_key)``: a function of the build's source seed and the
pair alone, independent of list order.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from PIL import Image, ImageDraw

from rose_bench.scoring.render_style import FRAME_RGB, glyph_font_size

from .. import glyph_fonts as gf
from ..glyph_pairs import LEVELS, PAIRS_FILE, GlyphPair, read_pairs
from ..render import tile_frame
from ..seeds import keyed_rng
from .base import ElementPair

SUBSET = "ROSE-ChineseGlyph"
INK = (0, 0, 0)
PROVENANCE_FILE = "PROVENANCE.json"


def _provenance_file() -> dict[str, Any]:
    return json.loads((gf.ASSET_DIR / PROVENANCE_FILE).read_text(encoding="utf-8"))


def _stored_verification_is_current() -> bool:
    """True if pairs.tsv was verified against exactly the installed font pool (same variants, same file bytes)."""
    stored = _provenance_file()["files"][PAIRS_FILE].get("generator", {}).get("verified_with", {})
    current = {
        "variants": [v.name for v in gf.font_pool()],
        "files": {r["file"]: r["sha256"] for r in gf.font_provenance()},
    }
    return stored == current


class ChineseGlyphSource:
    """The ``Source`` for ROSE-ChineseGlyph; option: ``min_level`` (high|medium|low)."""

    subset = SUBSET

    def __init__(self, min_level: str = "medium") -> None:
        if min_level not in LEVELS:
            raise ValueError(f"{SUBSET} option min_level={min_level!r} (fix: one of {', '.join(LEVELS)})")
        self.min_level = min_level
        wanted = LEVELS[: LEVELS.index(min_level) + 1]
        glyph_pairs = [p for p in read_pairs() if p.similarity_level in wanted]
        if not _stored_verification_is_current():
            print(f"{SUBSET}: installed fonts differ from those pairs.tsv was verified with; re-verifying "
                  f"{len(glyph_pairs)} pairs (run scripts/mine_glyph_pairs.py to refresh the file)", file=sys.stderr)
            glyph_pairs = [p for p in (_reverified(p) for p in glyph_pairs) if p.fonts]
        self._glyph_pairs = tuple(glyph_pairs)
        self._seeded: dict[int, tuple[ElementPair, ...]] = {}

    @staticmethod
    def _element_pair(p: GlyphPair, seed: int) -> ElementPair:
        rng = keyed_rng(seed, p.key)
        majority, target = (p.char_a, p.char_b) if rng.random() < 0.5 else (p.char_b, p.char_a)
        font = rng.choice(p.fonts)
        fields = {
            "background_char": majority,
            "target_char": target,
            "source_group": list(p.source_group),
            "source_pair": [p.char_a, p.char_b],
            "pair_direction": f"{majority}_majority_{target}_target",
            "undirected_pair_key": p.key,
            "font_name": font,
            "similarity_level": p.similarity_level,
            "pair_key": p.key,
        }
        return ElementPair(pair_key=p.key, majority=majority, target=target, fields=fields)

    def pairs(self, seed: int) -> tuple[ElementPair, ...]:
        """Offered pairs, best first (level, then similarity score, then key); direction and font drawn from ``seed``."""
        if seed not in self._seeded:
            self._seeded[seed] = tuple(self._element_pair(p, seed) for p in self._glyph_pairs)
        return self._seeded[seed]

    def render_tile(self, element: Any, pair: ElementPair, cell_size: int) -> Image.Image:
        """The framed tile with ``element`` in black, em box centred, at ``glyph_font_size(cell_size)``."""
        if element not in (pair.majority, pair.target):
            raise ValueError(f"{element!r} is neither character of pair {pair.pair_key}")
        tile = tile_frame(cell_size)
        draw = ImageDraw.Draw(tile)
        gf.draw_glyph(draw, (cell_size / 2, cell_size / 2), element, pair.fields["font_name"],
                      glyph_font_size(cell_size), INK)
        # redraw the frame: the grid lines must stay intact even if a stroke reaches the edge
        draw.rectangle((0, 0, cell_size - 1, cell_size - 1), outline=FRAME_RGB, width=1)
        return tile

    def scene_fields(self, pair: ElementPair, cell_size: int) -> dict[str, Any]:
        """Protocol §5.2 fields in official order; list-valued fields are fresh lists."""
        f = pair.fields
        return {
            "font_size": glyph_font_size(cell_size),
            "background_char": f["background_char"],
            "target_char": f["target_char"],
            "source_group": list(f["source_group"]),
            "source_pair": list(f["source_pair"]),
            "pair_direction": f["pair_direction"],
            "undirected_pair_key": f["undirected_pair_key"],
            "font_name": f["font_name"],
            "similarity_level": f["similarity_level"],
            "pair_key": f["pair_key"],
        }

    def provenance(self) -> dict[str, Any]:
        files = _provenance_file()["files"]
        return {
            "subset": SUBSET,
            "options": {"min_level": self.min_level},
            "pair_choices": "majority/target direction and font from keyed_rng(source seed, pair_key); "
                            "source seed = derive_seed(master seed, subset, 'source')",
            "pairs_offered": len(self._glyph_pairs),
            "fonts": [dict(r) for r in gf.font_provenance()],
            "font_license_note": "Fonts are OFL-1.1; images rendered with them are not covered by the OFL.",
            "assets": {name: dict(rec) for name, rec in files.items()},
        }


def _reverified(p: GlyphPair) -> GlyphPair:
    return GlyphPair(p.char_a, p.char_b, p.similarity, p.similarity_level, p.origin, p.source_group,
                     gf.verified_fonts(p.char_a, p.char_b))
