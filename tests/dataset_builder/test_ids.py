"""Ids and seeds (spec §2.2), checked on the spec's examples and on every official bridge row."""

from __future__ import annotations

import pytest

from rose_bench.dataset_builder import ids
from rose_bench.scoring import contract

from builder_support import GLOBAL_CLICK, MATCHED_COUNT, fixture_rows


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: ids.scene_id("CH", 1), "CHSCENE_000001"),
        (lambda: ids.item_id("CH", 1, 1), "CHITEM_000001"),
        (lambda: ids.item_id("CH", 1, 3), "CHITEM_000003"),
        (lambda: ids.item_id("PEDIT", 2, 5), "PEDITITEM_000010"),
        (lambda: ids.item_id("ESTY", 300, 4), "ESTYITEM_001499"),
        (lambda: ids.image_id("CH", 1, cued=False), "CHIMG_000001"),
        (lambda: ids.image_id("CH", 1, cued=True), "CHIMG_000002"),
        (lambda: ids.image_id("PCONT", 7, cued=False), "PCONTIMG_000013"),
        (lambda: ids.image_id("PCONT", 7, cued=True), "PCONTIMG_000014"),
        (lambda: ids.image_path("ROSE-ChineseGlyph", "CHIMG_000001"), "images/ROSE-ChineseGlyph/CHIMG_000001.png"),
        (lambda: ids.item_seed(2026, 1, 1), 202600000011),
        (lambda: ids.item_seed(2026, 1, 3), 202600000013),
        (lambda: ids.item_seed(2027, 1, 1), 202700000011),
        (lambda: ids.scene_seed(2026, 12), 202600000120),
        (lambda: ids.global_click_item_id("CHITEM_000001"), "CHITEM_000001__GCLK"),
        (lambda: ids.matched_local_count_item_id("CHITEM_000003"), "MLCNT_CHITEM_000003"),
    ],
    ids=[
        "scene", "item_t1", "item_t3", "item_pedit_s2_t5", "item_esty_s300_t4", "image_base", "image_cued",
        "image_base_s7", "image_cued_s7", "image_path", "seed_ch_t1", "seed_ch_t3", "seed_pedit", "scene_seed",
        "gclk", "mlcnt",
    ],
)
def test_spec_examples(call, expected) -> None:
    assert call() == expected


def test_item_and_image_numbers_partition_each_scene() -> None:
    items = [ids.item_number(s, t) for s in range(1, 41) for t in range(1, 6)]
    assert items == list(range(1, 201))
    images = [ids.image_number(s, cued=c) for s in range(1, 41) for c in (False, True)]
    assert images == list(range(1, 81))


@pytest.mark.parametrize("path", [GLOBAL_CLICK, MATCHED_COUNT], ids=["T1B", "T2B"])
def test_every_official_bridge_row_follows_the_scheme(path) -> None:
    for row in fixture_rows(path):
        prefix, ptype, year = contract.SUBSET_IDS[row["rose_subset"]]
        s = int(row["scene_id"].rsplit("_", 1)[1])
        t = 1 if row["task_template"] == contract.T1B else 3
        source = ids.item_id(prefix, s, t)
        assert row["scene_id"] == ids.scene_id(prefix, s)
        assert row["image_id"] == ids.image_id(prefix, s, cued=False)
        assert row["image"] == ids.image_path(row["rose_subset"], row["image_id"])
        assert row["item_seed"] == ids.item_seed(year, s, t)
        assert row["primitive_type"] == ptype
        expected = ids.global_click_item_id(source) if t == 1 else ids.matched_local_count_item_id(source)
        assert row["item_id"] == expected
        assert row["source_item_id"] == source


@pytest.mark.parametrize(
    "bad", [lambda: ids.scene_id("CH", 0), lambda: ids.item_id("CH", 1, 6), lambda: ids.item_seed(2026, -1, 1)],
    ids=["scene0", "template6", "negative_scene"],
)
def test_out_of_range_numbers_raise(bad) -> None:
    with pytest.raises(ValueError):
        bad()


def test_derive_seed_is_stable_and_separates_keys() -> None:
    a = ids.derive_seed(20260619, "ROSE-ChineseGlyph", 1, "scene")
    assert a == ids.derive_seed(20260619, "ROSE-ChineseGlyph", 1, "scene")
    assert 0 <= a < 2**64
    # pinned: changing the hashing scheme changes every dataset, so it must be a deliberate edit here
    assert a == 1879572730931615272
    variants = {
        ids.derive_seed(20260619, "ROSE-ChineseGlyph", 1, "scene"),
        ids.derive_seed(20260619, "ROSE-ChineseGlyph", 2, "scene"),
        ids.derive_seed(20260619, "ROSE-ChineseGlyph", "1", "scene"),  # str vs int key
        ids.derive_seed(20260620, "ROSE-ChineseGlyph", 1, "scene"),
        ids.derive_seed(20260619, "ROSE-ChineseGlyph1", "scene"),  # concatenation is not ambiguous
        ids.derive_seed(20260619, "ROSE-ChineseGlyph", 1, "region"),
    }
    assert len(variants) == 6


@pytest.mark.parametrize("keys", [(1.5,), (None,), (True,), ((1, 2),)], ids=["float", "none", "bool", "tuple"])
def test_derive_seed_rejects_other_key_types(keys) -> None:
    with pytest.raises(TypeError):
        ids.derive_seed(1, *keys)
