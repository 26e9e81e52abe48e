"""Ids (protocol §2.2) as the builder makes them (``scoring.contract``), checked on the protocol's examples
and on every official bridge row."""

from __future__ import annotations

import pytest

from rose_bench.scoring import contract

from tests.support.fixtures import GLOBAL_CLICK, MATCHED_COUNT, fixture_rows


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: contract.scene_id("CH", 1), "CHSCENE_000001"),
        (lambda: contract.item_id("CH", 1, 1), "CHITEM_000001"),
        (lambda: contract.item_id("CH", 1, 3), "CHITEM_000003"),
        (lambda: contract.item_id("PEDIT", 2, 5), "PEDITITEM_000010"),
        (lambda: contract.item_id("ESTY", 300, 4), "ESTYITEM_001499"),
        (lambda: contract.image_id("CH", 1, cued=False), "CHIMG_000001"),
        (lambda: contract.image_id("CH", 1, cued=True), "CHIMG_000002"),
        (lambda: contract.image_id("PCONT", 7, cued=False), "PCONTIMG_000013"),
        (lambda: contract.image_id("PCONT", 7, cued=True), "PCONTIMG_000014"),
        (lambda: contract.image_path("ROSE-ChineseGlyph", "CHIMG_000001"), "images/ROSE-ChineseGlyph/CHIMG_000001.png"),
        (lambda: contract.item_seed(2026, 1, 1), 202600000011),
        (lambda: contract.item_seed(2026, 1, 3), 202600000013),
        (lambda: contract.item_seed(2027, 1, 1), 202700000011),
        (lambda: contract.scene_seed(2026, 12), 202600000120),
        (lambda: contract.global_click_item_id("CHITEM_000001"), "CHITEM_000001__GCLK"),
        (lambda: contract.matched_local_count_item_id("CHITEM_000003"), "MLCNT_CHITEM_000003"),
    ],
    ids=[
        "scene", "item_t1", "item_t3", "item_pedit_s2_t5", "item_esty_s300_t4", "image_base", "image_cued",
        "image_base_s7", "image_cued_s7", "image_path", "seed_ch_t1", "seed_ch_t3", "seed_pedit", "scene_seed",
        "gclk", "mlcnt",
    ],
)
def test_protocol_examples(call, expected) -> None:
    assert call() == expected


def test_item_and_image_numbers_partition_each_scene() -> None:
    items = [contract.item_number(s, t) for s in range(1, 41) for t in range(1, 6)]
    assert items == list(range(1, 201))
    images = [contract.image_number(s, cued=c) for s in range(1, 41) for c in (False, True)]
    assert images == list(range(1, 81))


@pytest.mark.parametrize("path", [GLOBAL_CLICK, MATCHED_COUNT], ids=["T1B", "T2B"])
def test_every_official_bridge_row_follows_the_scheme(path) -> None:
    for row in fixture_rows(path):
        prefix, ptype, year = contract.SUBSET_IDS[row["rose_subset"]]
        s = int(row["scene_id"].rsplit("_", 1)[1])
        t = 1 if row["task_template"] == contract.T1B else 3
        source = contract.item_id(prefix, s, t)
        assert row["scene_id"] == contract.scene_id(prefix, s)
        assert row["image_id"] == contract.image_id(prefix, s, cued=False)
        assert row["image"] == contract.image_path(row["rose_subset"], row["image_id"])
        assert row["item_seed"] == contract.item_seed(year, s, t)
        assert row["primitive_type"] == ptype
        expected = contract.global_click_item_id(source) if t == 1 else contract.matched_local_count_item_id(source)
        assert row["item_id"] == expected
        assert row["source_item_id"] == source


@pytest.mark.parametrize(
    "bad", [lambda: contract.scene_id("CH", 0), lambda: contract.item_id("CH", 1, 6), lambda: contract.item_seed(2026, -1, 1)],
    ids=["scene0", "template6", "negative_scene"],
)
def test_out_of_range_numbers_raise(bad) -> None:
    with pytest.raises(ValueError):
        bad()
