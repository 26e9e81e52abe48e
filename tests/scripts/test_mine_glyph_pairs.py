"""scripts/mine_glyph_pairs.py: the glyph similarity it scores pairs with, and the committed pairs.tsv it wrote."""

from __future__ import annotations

import numpy as np
import pytest

from rose_bench.dataset_builder import glyph_fonts as gf
from rose_bench.dataset_builder.glyph_pairs import read_pairs
from scripts import mine_glyph_pairs as mine


def test_shift_tolerant_iou_forgives_small_offsets_only():
    rng = np.random.default_rng(0)
    a = np.zeros((1, 24, 24), dtype=np.float32)
    a[0, 6:18, 6:18] = rng.random((12, 12)) > 0.5
    shifted = np.roll(a, (2, -1), axis=(1, 2))
    far = np.roll(a, (5, 0), axis=(1, 2))
    assert mine.soft_iou_matrix(np.concatenate([a, shifted]))[0, 1] < 0.9
    assert mine.shifted_soft_iou(a, shifted, 2)[0] == pytest.approx(1.0)
    assert mine.shifted_soft_iou(a, far, 2)[0] < 0.9
    assert np.allclose(np.diag(mine.soft_iou_matrix(np.concatenate([a, far]))), 1.0)
    assert mine.box_blur(a, 1).sum() == pytest.approx(a.sum(), rel=1e-5)


def test_stored_scores_match_the_mining_script():
    pairs = read_pairs()
    sample = pairs[:10] + pairs[len(pairs) // 2:len(pairs) // 2 + 5] + pairs[-5:]
    fonts = [v.name for v in mine.mining_fonts()]
    a = {f: mine.masks_for(f, [p.char_a for p in sample]) for f in fonts}
    b = {f: mine.masks_for(f, [p.char_b for p in sample]) for f in fonts}
    score = sum(mine.shifted_soft_iou(a[f], b[f], mine.MAX_SHIFT) for f in fonts) / len(fonts)
    for p, s in zip(sample, score):
        assert p.similarity == pytest.approx(float(s), abs=2e-4), p.key
        assert p.similarity_level == mine.level_of(p.similarity)


def test_format_pairs_writes_back_the_committed_file():
    """The script's writer and the builder's reader agree: reading pairs.tsv and writing it again changes nothing."""
    committed = (gf.ASSET_DIR / "pairs.tsv").read_text(encoding="utf-8")
    assert mine.format_pairs(read_pairs()) == committed
