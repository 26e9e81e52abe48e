"""Planning a subset: one pair per scene, scenes grouped with their tasks and rows, the cued region."""

from __future__ import annotations

import pytest

from rose_bench.dataset_builder.options import BuildError
from rose_bench.dataset_builder.plan import choose_pairs, plan_subset
from rose_bench.dataset_builder.sources.base import ElementPair
from rose_bench.dataset_builder.specs import load_subsets, load_templates
from rose_bench.scoring import contract

from tests.support.sources import ShapeSource

SPECS = load_subsets()
CONFIG = load_templates()


@pytest.fixture(scope="module")
def plan():
    return plan_subset(SPECS["ROSE-EmojiStyle"], CONFIG, ShapeSource("ROSE-EmojiStyle", n_pairs=20), 4, scenes=5)


def test_each_scene_holds_its_seven_tasks_and_rows_in_template_order(plan) -> None:
    assert len(plan.scene_plans) == 5 and len(plan.rows) == 35
    for number, scene_plan in enumerate(plan.scene_plans, start=1):
        assert scene_plan.scene.number == number
        templates = [t.task_template for t in scene_plan.tasks]
        assert templates == list(contract.TEMPLATE_ORDER + contract.BRIDGE_TEMPLATES)
        assert [r["item_id"] for r in scene_plan.rows] == [t.item_id for t in scene_plan.tasks]
        assert {r["scene_id"] for r in scene_plan.rows} == {contract.scene_id("ESTY", number)}
    assert plan.pairs_available == 20
    assert len({s.pair.pair_key for s in plan.scenes}) == 5  # one pair per scene


def test_the_cued_region_is_the_t4_region_and_only_t4_uses_the_cued_image(plan) -> None:
    for scene_plan in plan.scene_plans:
        t4 = next(t for t in scene_plan.tasks if t.task_template == contract.T4)
        assert scene_plan.cue_region == t4.region
        cued = scene_plan.image_path("ESTY", cued=True)
        assert [r["task_template"] for r in scene_plan.rows if r["image"] == cued] == [contract.T4]


def _pairs(keys):
    return [ElementPair(k, "a", "b") for k in keys]


@pytest.mark.parametrize(
    "keys, count, message",
    [(["p1", "p2", "p1"], 2, "duplicate pair_key values \\['p1'\\]"), (["p1", "p2"], 3, "offers 2 pairs but the build needs 3")],
    ids=["duplicate_keys", "too_few_pairs"],
)
def test_choose_pairs_refuses_what_cannot_give_one_pair_per_scene(keys, count, message) -> None:
    with pytest.raises(BuildError, match=message):
        choose_pairs(_pairs(keys), "ROSE-PixelEdit", 1, count)


def test_choose_pairs_is_a_seeded_shuffle_prefix() -> None:
    pairs = _pairs([f"p{i}" for i in range(40)])
    first = [p.pair_key for p in choose_pairs(pairs, "ROSE-PixelEdit", 1, 10)]
    assert first == [p.pair_key for p in choose_pairs(pairs, "ROSE-PixelEdit", 1, 10)]
    assert first[:4] == [p.pair_key for p in choose_pairs(pairs, "ROSE-PixelEdit", 1, 4)]
    assert first != [p.pair_key for p in choose_pairs(pairs, "ROSE-PixelEdit", 2, 10)]
    assert first != [p.pair_key for p in choose_pairs(pairs, "ROSE-PixelContent", 1, 10)]
