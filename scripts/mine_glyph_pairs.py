#!/usr/bin/env python3
"""Regenerate dataset_builder/assets/glyph/pairs.tsv, the ChineseGlyph confusable-pair list.

Maintainer tool (the build only reads the committed file).  Two sources are merged:
  * curated: every pair inside a group of pycorrector's same_stroke.txt (形近字 groups);
  * mined:   pairs of GB2312 level-1 characters whose rendered glyphs overlap most.
Every pair gets the same score -- the soft IoU of the two ink masks, best over
shifts of up to MAX_SHIFT px, averaged over the mining fonts -- and a level from
fixed thresholds.  Soft IoU = <a,b> / (|a| + |b| - <a,b>) on anti-aliased ink masks
in [0, 1]: two glyphs whose shapes agree but sit a pixel or two apart in the em box
are still confusable to a reader, so the score takes the best IoU over small shifts;
the all-pairs candidate search uses a blur instead, which needs one matrix product.  Each pair is then verified against every font of the pool
(no tofu, visibly distinct at the smallest size); pairs with no verified font are
dropped.  The sha256 values in PROVENANCE.json are refreshed.

Usage: .venv/bin/python scripts/mine_glyph_pairs.py [--check]
  --check  recompute and exit 1 if the committed pairs.tsv differs (nothing written).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Iterable

import numpy as np

from rose_bench.dataset_builder import glyph_fonts as gf
from rose_bench.dataset_builder.glyph_pairs import COLUMNS, LEVELS, ORIGINS, PAIRS_FILE, GlyphPair
from rose_bench.dataset_builder.manifest import sha256_file
from rose_bench.dataset_builder.sources.glyph import PROVENANCE_FILE
from rose_bench.scoring.io import atomic_write
from rose_bench.scoring.render_style import glyph_font_size

ASSETS = Path(str(gf.ASSET_DIR))
GROUPS_FILE = "same_stroke.txt"

CANVAS, FONT_SIZE = 48, 40  # mask geometry for scoring
BLUR_RADIUS = 1  # candidate search: blurred soft IoU (one matrix product per font)
CANDIDATES = 6000  # top blurred pairs re-scored exactly
MAX_SHIFT = 2  # exact score: best soft IoU over shifts of -2..2 px in x and y
MINED_MIN, MINED_MAX = 0.55, 1500  # mined pairs kept: exact score >= MINED_MIN, best MINED_MAX
LEVEL_HIGH, LEVEL_MEDIUM = 0.65, 0.55  # score >= HIGH -> high, >= MEDIUM -> medium, else low
CURATED_MIN = 0.35  # curated pairs scoring below this (about the lowest quarter) look too different to keep


# -- similarity of rendered glyphs ------------------------------------------------------------------

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


# -- candidates and scoring -------------------------------------------------------------------------

def mining_fonts() -> tuple[gf.FontVariant, ...]:
    """The pool variants that pairs are scored with (``mining_fonts`` in fonts.json)."""
    return tuple(gf.variant(n) for n in gf.load_config()["mining_fonts"])


def gb2312_level1() -> list[str]:
    """The 3,755 GB2312 level-1 hanzi (rows 16-55), in codec order (pinyin), from the standard library."""
    chars = []
    for row in range(16, 56):
        for col in range(1, 95):
            try:
                chars.append(bytes([0xA0 + row, 0xA0 + col]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def read_groups(path: Path) -> list[tuple[str, ...]]:
    groups = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        chars = tuple(dict.fromkeys(c for c in line.split("\t") if c))
        bad = [c for c in chars if len(c) != 1]
        if bad:
            raise SystemExit(f"{path}:{lineno}: expected single characters, got {bad}")
        if len(chars) >= 2:
            groups.append(chars)
    return groups


def masks_for(font: str, chars: list[str]) -> np.ndarray:
    return np.stack([gf.glyph_mask(font, c, CANVAS, FONT_SIZE) for c in chars])


def level_of(score: float) -> str:
    return "high" if score >= LEVEL_HIGH else "medium" if score >= LEVEL_MEDIUM else "low"


def build_pairs() -> tuple[list[GlyphPair], dict]:
    t0 = time.perf_counter()
    mining = [v.name for v in mining_fonts()]
    groups = read_groups(ASSETS / GROUPS_FILE)
    common = gb2312_level1()

    curated: dict[frozenset, tuple[tuple[str, str], tuple[str, ...]]] = {}
    for group in groups:  # first group (file order) that holds a pair names it
        for a, b in itertools.combinations(group, 2):
            curated.setdefault(frozenset((a, b)), ((a, b), group))

    chars = list(dict.fromkeys(common + [c for g in groups for c in g]))
    drawable = [c for c in chars if all(gf.renders(f, c) for f in mining)]
    index = {c: i for i, c in enumerate(drawable)}
    masks = {f: masks_for(f, drawable) for f in mining}

    common_idx = np.array([index[c] for c in common if c in index])
    blurred = sum(soft_iou_matrix(box_blur(masks[f][common_idx], BLUR_RADIUS)) for f in mining) / len(mining)
    iu = np.triu_indices(len(common_idx), k=1)
    flat = blurred[iu]
    top = np.argsort(-flat, kind="stable")[:CANDIDATES]
    candidates = [(int(common_idx[iu[0][t]]), int(common_idx[iu[1][t]])) for t in top]

    curated_idx = [(index[a], index[b]) for (a, b), _ in curated.values() if a in index and b in index]
    to_score = list(dict.fromkeys(candidates + curated_idx))
    left = np.array([i for i, _ in to_score])
    right = np.array([j for _, j in to_score])
    score = sum(shifted_soft_iou(masks[f][left], masks[f][right], MAX_SHIFT) for f in mining) / len(mining)
    scored = {frozenset((drawable[i], drawable[j])): (drawable[i], drawable[j], float(s))
              for i, j, s in zip(left, right, score)}

    mined_ranked = sorted((scored[frozenset((drawable[i], drawable[j]))] for i, j in candidates),
                          key=lambda t: (-t[2], t[0], t[1]))
    mined = {frozenset(t[:2]) for t in mined_ranked if t[2] >= MINED_MIN}
    mined = {frozenset(t[:2]) for t in mined_ranked[:MINED_MAX]} & mined

    pairs, dropped, below_floor = [], 0, 0
    for key in sorted(mined | {k for k in curated if k in scored}, key=lambda k: "".join(sorted(k))):
        a, b, s = scored[key]
        if key in curated:
            (a, b), group = curated[key]
        else:
            group = (a, b)
        origin = "both" if key in curated and key in mined else "curated" if key in curated else "mined"
        if s < CURATED_MIN:
            below_floor += 1
            continue
        fonts = gf.verified_fonts(a, b)
        if not fonts:
            dropped += 1
            continue
        s = round(s, 4)
        pairs.append(GlyphPair(a, b, s, level_of(s), origin, group, fonts))
    pairs.sort(key=GlyphPair.sort_key)

    stats = {
        "chars_scored": len(drawable),
        "curated_pairs": len(curated),
        "mined_pairs": len(mined),
        "dropped_below_curated_min": below_floor,
        "dropped_no_verified_font": dropped,
        "pairs": len(pairs),
        "by_level": {lv: sum(p.similarity_level == lv for p in pairs) for lv in LEVELS},
        "by_origin": {o: sum(p.origin == o for p in pairs) for o in ORIGINS},
        "seconds": round(time.perf_counter() - t0, 1),
    }
    return pairs, stats


def format_pairs(pairs: Iterable[GlyphPair]) -> str:
    """pairs.tsv as ``glyph_pairs.read_pairs`` reads it (fonts stored as the complement, ``failed_fonts``)."""
    pool = tuple(v.name for v in gf.font_pool())
    lines = ["\t".join(COLUMNS)]
    for p in pairs:
        lines.append("\t".join((p.char_a, p.char_b, f"{p.similarity:.4f}", p.similarity_level, p.origin,
                                " ".join(p.source_group), ",".join(f for f in pool if f not in p.fonts))))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed pairs.tsv is out of date")
    args = parser.parse_args(argv)
    pairs, stats = build_pairs()
    text = format_pairs(pairs)
    target = ASSETS / PAIRS_FILE
    if args.check:
        same = target.exists() and target.read_text(encoding="utf-8") == text
        print(json.dumps(stats, ensure_ascii=False))
        print("pairs.tsv is up to date" if same else "pairs.tsv differs from a fresh mining run", file=sys.stderr)
        return 0 if same else 1
    atomic_write(target, text)

    prov_path = ASSETS / PROVENANCE_FILE
    prov = json.loads(prov_path.read_text(encoding="utf-8"))
    entry = prov["files"][PAIRS_FILE]
    entry["generator"] = {
        "script": "scripts/mine_glyph_pairs.py",
        "mining_fonts": [v.name for v in mining_fonts()],
        "common_chars": "GB2312 level 1 (Python gb2312 codec)",
        "score": f"soft IoU of {CANVAS}px masks at font size {FONT_SIZE}, best over shifts <= {MAX_SHIFT}px, mean over mining fonts",
        "mined": f"top {CANDIDATES} blurred-IoU candidates, kept if score >= {MINED_MIN} (at most {MINED_MAX})",
        "curated_min": CURATED_MIN,
        "levels": {"high": f">= {LEVEL_HIGH}", "medium": f">= {LEVEL_MEDIUM}", "low": f"< {LEVEL_MEDIUM}"},
        "verification": f"cmap + non-empty, non-.notdef mask; >= {gf.MIN_DISTINCT_PIXELS} differing pixels in a {gf.DISTINCT_CHECK_CELL}-px cell (font size {glyph_font_size(gf.DISTINCT_CHECK_CELL)})",
        "verified_with": {"variants": [v.name for v in gf.font_pool()],
                          "files": {r["file"]: r["sha256"] for r in gf.font_provenance()}},
        "stats": {k: v for k, v in stats.items() if k != "seconds"},
    }
    for name, record in prov["files"].items():
        record["sha256"] = sha256_file(ASSETS / name)
    atomic_write(prov_path, json.dumps(prov, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(stats, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
