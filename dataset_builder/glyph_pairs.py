"""The committed confusable-pair list (``assets/glyph/pairs.tsv``): record type and reader.

The list is produced offline by ``scripts/mine_glyph_pairs.py`` so a build only
reads a small text file: fast, and identical on every machine.  Rows are stored
in the order the ChineseGlyph source hands pairs to the builder (best first).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .glyph_fonts import ASSET_DIR, FONTS_FILE, font_pool

PAIRS_FILE = "pairs.tsv"
COLUMNS = ("char_a", "char_b", "similarity", "similarity_level", "origin", "source_group", "failed_fonts")
LEVELS = ("high", "medium", "low")
ORIGINS = ("mined", "curated", "both")


@dataclass(frozen=True)
class GlyphPair:
    """Two confusable characters with the evidence for them and the fonts verified to draw both."""

    char_a: str
    char_b: str
    similarity: float  # shift-tolerant soft IoU averaged over the mining fonts
    similarity_level: str
    origin: str  # mined | curated | both
    source_group: tuple[str, ...]
    fonts: tuple[str, ...]  # pool variants verified to draw both (stored as the complement, failed_fonts)

    @property
    def key(self) -> str:
        """Undirected key: both characters sorted, joined by ``__`` (protocol §3.5)."""
        return "__".join(sorted((self.char_a, self.char_b)))

    def sort_key(self) -> tuple[int, float, str]:
        return (LEVELS.index(self.similarity_level), -self.similarity, self.key)


class PairFileError(ValueError):
    pass


def _parse_row(path: str, lineno: int, cells: list[str], pool: tuple[str, ...]) -> GlyphPair:
    def fail(field: str, message: str) -> PairFileError:
        return PairFileError(f"{path}:{lineno}: {field}: {message} (fix: regenerate with scripts/mine_glyph_pairs.py)")

    if len(cells) != len(COLUMNS):
        raise fail("row", f"expected {len(COLUMNS)} tab-separated columns, got {len(cells)}")
    row = dict(zip(COLUMNS, cells))
    for name in ("char_a", "char_b"):
        if len(row[name]) != 1:
            raise fail(name, f"expected one character, got {row[name]!r}")
    if row["char_a"] == row["char_b"]:
        raise fail("char_b", "a pair needs two different characters")
    try:
        similarity = float(row["similarity"])
    except ValueError:
        raise fail("similarity", f"not a number: {row['similarity']!r}") from None
    if row["similarity_level"] not in LEVELS:
        raise fail("similarity_level", f"{row['similarity_level']!r} is not one of {', '.join(LEVELS)}")
    if row["origin"] not in ORIGINS:
        raise fail("origin", f"{row['origin']!r} is not one of {', '.join(ORIGINS)}")
    group = tuple(row["source_group"].split(" "))
    if row["char_a"] not in group or row["char_b"] not in group:
        raise fail("source_group", "must contain both characters of the pair")
    failed = tuple(f for f in row["failed_fonts"].split(",") if f)
    unknown = [f for f in failed if f not in pool]
    if unknown:
        raise fail("failed_fonts", f"{unknown} not in the font pool ({FONTS_FILE})")
    fonts = tuple(f for f in pool if f not in failed)
    if not fonts:
        raise fail("failed_fonts", "no font of the pool is left for this pair")
    return GlyphPair(row["char_a"], row["char_b"], similarity, row["similarity_level"], row["origin"], group, fonts)


def read_pairs(path: Path | None = None) -> tuple[GlyphPair, ...]:
    """All rows of the pair file, in file order; duplicate keys are an error."""
    source = ASSET_DIR / PAIRS_FILE if path is None else path
    text = source.read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or tuple(lines[0].split("\t")) != COLUMNS:
        raise PairFileError(f"{source}:1: header: expected {' '.join(COLUMNS)} (fix: regenerate with scripts/mine_glyph_pairs.py)")
    pool = tuple(v.name for v in font_pool())
    pairs: list[GlyphPair] = []
    seen: set[str] = set()
    for lineno, line in enumerate(lines[1:], start=2):
        pair = _parse_row(str(source), lineno, line.split("\t"), pool)
        if pair.key in seen:
            raise PairFileError(f"{source}:{lineno}: char_a/char_b: duplicate pair {pair.key}")
        seen.add(pair.key)
        pairs.append(pair)
    return tuple(pairs)
