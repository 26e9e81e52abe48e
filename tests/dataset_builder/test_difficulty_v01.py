"""The difficulty rule of subsets.yaml against v0.1: every one of the 1,112 official T2B labels, from the row's features.

The rule reads the grid profile, the target count, the achieved region case and (EmojiContent)
the pair's similarity.  On v0.1 rows EmojiContent's cut is ``reference_min`` (v0.1's own
similarity measure); the cut the generator uses on ours is checked separately: it must give
a default build the v0.1 share of similar scenes.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from rose_bench.dataset_builder.pair_schedule import apportion
from rose_bench.scoring.contract import achieved_case
from rose_bench.dataset_builder.subset_specs import load_subsets
from rose_bench.scoring.contract import SUBSET_ORDER

SPECS = load_subsets()


def _v01_rule(subset: str):
    rule = SPECS[subset].difficulty
    return dataclasses.replace(rule, similar_min=rule.reference_similar_min) if rule.similar_field else rule


@pytest.mark.parametrize("subset", SUBSET_ORDER)
def test_rule_reproduces_every_v01_label(subset, matched_local_count_rows) -> None:
    rule = _v01_rule(subset)
    rows = [r for r in matched_local_count_rows if r["rose_subset"] == subset]
    wrong = [
        (r["item_id"], r["difficulty"])
        for r in rows
        if rule.label(r["grid_size_profile"], r["global_target_count"], achieved_case(r["region_case"]), r) != r["difficulty"]
    ]
    assert rows and wrong == []
    assert {r["difficulty"] for r in rows} == {"medium", "hard"}


def test_all_1112_labels_are_checked(matched_local_count_rows) -> None:
    assert Counter(r["rose_subset"] for r in matched_local_count_rows) == {
        "ROSE-ChineseGlyph": 301, "ROSE-EmojiStyle": 221, "ROSE-EmojiContent": 221, "ROSE-PixelEdit": 221,
        "ROSE-PixelContent": 148,
    }


@pytest.mark.parametrize(
    "subset, clause",
    [("ROSE-ChineseGlyph", ("large", "many_targets")), ("ROSE-EmojiContent", ("similar", "busy")),
     ("ROSE-PixelEdit", ("busy",))],
    ids=["glyph-large-many", "econtent-similar-busy", "pixeledit-busy"],
)
def test_each_clause_is_needed(subset, clause, matched_local_count_rows) -> None:
    """Dropping a clause breaks some v0.1 labels: the rule is no looser than the data."""
    rule = _v01_rule(subset)
    weaker = dataclasses.replace(rule, hard_when=tuple(c for c in rule.hard_when if c != clause))
    rows = [r for r in matched_local_count_rows if r["rose_subset"] == subset]
    assert any(weaker.label(r["grid_size_profile"], r["global_target_count"], achieved_case(r["region_case"]), r)
               != r["difficulty"] for r in rows)


def test_our_similar_cut_gives_the_v01_share(global_click_rows) -> None:
    """``min`` is the lowest similarity of our pairs whose expected-scene-weighted share at or above it is <= v0.1's."""
    from rose_bench.dataset_builder.sources.registry import get_source

    spec = SPECS["ROSE-EmojiContent"]
    rule, weights = spec.difficulty, spec.pair_weights
    v01 = [r["similarity"] for r in global_click_rows if r["rose_subset"] == spec.name]
    share = sum(s >= rule.reference_similar_min for s in v01) / len(v01)
    assert round(share, 4) == 0.6516  # 144 of 221
    pairs = get_source(spec.name).pairs(0)
    per_category = Counter(p.fields[weights.field] for p in pairs)
    quotas = apportion(spec.scenes, dict(weights.weights), {c: weights.max_uses * per_category[c] for c, _ in weights.weights})
    weight = {p.pair_key: quotas[p.fields[weights.field]] / per_category[p.fields[weights.field]] for p in pairs}
    total = sum(weight.values())

    def share_at(cut: float) -> float:
        return sum(w for p in pairs if p.fields["similarity"] >= cut for w in [weight[p.pair_key]]) / total

    values = sorted({p.fields["similarity"] for p in pairs})
    expected = next(v for v in values if share_at(v) <= share)
    assert rule.similar_min == expected
