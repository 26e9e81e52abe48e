"""The ChineseGlyph font pool: named font variants, glyph masks and tofu checks.

Fonts come from pinned pip packages (see ``assets/glyph/fonts.json``), so every
machine that installs the project renders the same glyphs.  A character counts
as renderable in a variant only if the face's cmap maps it *and* its rendered
mask is non-empty and differs from the face's .notdef rendering: cmap coverage
alone would accept characters mapped to an empty or placeholder glyph.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import numpy as np
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

from rose_bench.scoring.render_style import glyph_font_size

from .manifest import sha256_file

ASSET_DIR = resources.files("rose_bench.dataset_builder") / "assets" / "glyph"
FONTS_FILE = "fonts.json"

# A code point no CJK font maps (last plane-16 private-use slot): renders as .notdef.
_NOTDEF_PROBE = "\U0010fffd"
# Size used for the render check; big enough that a real glyph never equals the .notdef box.
_CHECK_SIZE = 40


@dataclass(frozen=True)
class FontVariant:
    """One entry of the pool: a face of a font file at one weight."""

    name: str
    package: str
    module: str
    version: str
    file: str
    index: int
    weight: int | None

    @property
    def path(self) -> Path:
        return Path(str(resources.files(self.module) / self.file))


def load_config() -> dict[str, Any]:
    """``fonts.json``: the pinned font packages, the pool's variants and the fonts pairs are mined with."""
    return json.loads((ASSET_DIR / FONTS_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def font_pool() -> tuple[FontVariant, ...]:
    """All configured variants, in file order; fails clearly if a font package is missing or off-pin."""
    config = load_config()
    packages = config["packages"]
    pool = []
    for entry in config["variants"]:
        pkg = packages[entry["package"]]
        try:
            installed = metadata.version(entry["package"])
        except metadata.PackageNotFoundError as exc:
            raise RuntimeError(
                f"font package {entry['package']} is not installed (fix: pip install "
                f"{entry['package']}=={pkg['version']}, or re-run scripts/setup.sh)"
            ) from exc
        if installed != pkg["version"]:
            raise RuntimeError(
                f"font package {entry['package']} is {installed}, {FONTS_FILE} pins {pkg['version']} "
                f"(fix: pip install {entry['package']}=={pkg['version']})"
            )
        pool.append(FontVariant(entry["name"], entry["package"], pkg["module"], pkg["version"],
                                entry["file"], int(entry["index"]), entry["weight"]))
    return tuple(pool)


def variant(name: str) -> FontVariant:
    for v in font_pool():
        if v.name == name:
            return v
    raise KeyError(f"unknown font variant {name!r}; known: {', '.join(v.name for v in font_pool())}")


@lru_cache(maxsize=16)
def load_font(name: str, size: int) -> ImageFont.FreeTypeFont:
    """A Pillow font for ``name`` at ``size`` px, with the variant's weight applied.

    Few are kept: a face that has drawn glyphs holds about 3 MB, and a large build
    visits all ~200 (variant, size) pairs, while reopening one costs under 1 ms.
    """
    v = variant(name)
    font = ImageFont.truetype(str(v.path), size, index=v.index)
    if v.weight is not None:
        font.set_variation_by_axes([v.weight])
    return font


@lru_cache(maxsize=8)
def _cmap(path: str, index: int) -> frozenset[int]:
    with TTFont(path, fontNumber=index, lazy=True) as tt:
        return frozenset(tt.getBestCmap())


def _mask_bytes(font: ImageFont.FreeTypeFont, char: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


@lru_cache(maxsize=32)
def _notdef(name: str) -> tuple[tuple[int, int], bytes]:
    return _mask_bytes(load_font(name, _CHECK_SIZE), _NOTDEF_PROBE)


@lru_cache(maxsize=65536)
def renders(name: str, char: str) -> bool:
    """True if variant ``name`` draws ``char`` as a real glyph (cmap hit, ink, not the .notdef box)."""
    v = variant(name)
    if len(char) != 1 or ord(char) not in _cmap(str(v.path), v.index):
        return False
    size, data = _mask_bytes(load_font(name, _CHECK_SIZE), char)
    if not any(data):
        return False
    return (size, data) != _notdef(name)


@lru_cache(maxsize=8)
def _em_box_middle(path: str, index: int) -> float:
    """Height of the ideographic em box's centre above the baseline, in em (OS/2 typo metrics; 0.38 for Noto CJK)."""
    with TTFont(path, fontNumber=index, lazy=True) as tt:
        os2 = tt["OS/2"]
        return (os2.sTypoAscender + os2.sTypoDescender) / 2 / tt["head"].unitsPerEm


def draw_glyph(draw: ImageDraw.ImageDraw, centre: tuple[float, float], char: str, name: str, size: int, fill: Any) -> None:
    """Draw ``char`` with its ideographic em box centred on ``centre``.

    Centring the em box (not the ink) keeps each glyph where the type designer
    put it, so two characters of a pair differ only in shape, never in an
    artificial offset; Pillow's "mm" anchor would use the taller hhea line box
    and sit CJK glyphs about 6% of the size too low.
    """
    v = variant(name)
    font = load_font(name, size)
    x = centre[0] - font.getlength(char) / 2
    y = centre[1] + _em_box_middle(str(v.path), v.index) * size
    draw.text((x, y), char, font=font, fill=fill, anchor="ls")


def glyph_mask(name: str, char: str, canvas: int, size: int) -> np.ndarray:
    """``char`` drawn as in a tile (em box centred) on a ``canvas`` x ``canvas`` float mask in [0, 1]."""
    img = Image.new("L", (canvas, canvas), 0)
    draw_glyph(ImageDraw.Draw(img), (canvas / 2, canvas / 2), char, name, size, 255)
    return np.asarray(img, dtype=np.float32) / 255.0


def distinct_pixels(name: str, a: str, b: str, cell_size: int) -> int:
    """Pixels whose ink differs by at least half the range between ``a`` and ``b`` drawn as in a ``cell_size`` tile."""
    size = glyph_font_size(cell_size)
    return int((np.abs(glyph_mask(name, a, cell_size, size) - glyph_mask(name, b, cell_size, size)) >= 0.5).sum())


@lru_cache(maxsize=1)
def font_provenance() -> tuple[dict[str, Any], ...]:
    """One record per font file used by the pool: package, version, file, sha256, licence, variants."""
    config = load_config()
    by_file: dict[tuple[str, str], list[FontVariant]] = {}
    for v in font_pool():
        by_file.setdefault((v.package, v.file), []).append(v)
    records = []
    for (package, file), variants in by_file.items():
        pkg = config["packages"][package]
        records.append({
            "package": package,
            "version": pkg["version"],
            "file": file,
            "sha256": sha256_file(variants[0].path),
            "license": pkg["license"],
            "upstream": pkg["upstream"],
            "variants": [v.name for v in variants],
        })
    return tuple(records)


# A pair is usable in a font only if the two glyphs differ visibly in the smallest
# cell a scene uses (cell_size 42 -> font_size 30): at least this many pixels must
# change ink by half the range or more.
DISTINCT_CHECK_CELL = 42
MIN_DISTINCT_PIXELS = 6


def verified_fonts(a: str, b: str, names: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The pool variants (in pool order) that render both characters without tofu and visibly apart."""
    names = tuple(v.name for v in font_pool()) if names is None else names
    return tuple(
        n for n in names
        if renders(n, a) and renders(n, b) and distinct_pixels(n, a, b, DISTINCT_CHECK_CELL) >= MIN_DISTINCT_PIXELS
    )
