"""Planning a subset: the pair of each scene (one each, or reused variants), scenes with their tasks and rows, the cued region."""

from __future__ import annotations

import hashlib

import pytest

from rose_bench.dataset_builder.options import BuildError
from rose_bench.dataset_builder.plan import choose_pairs, plan_subset, variant_seed
from rose_bench.dataset_builder.sources.base import ElementPair
from rose_bench.dataset_builder.subset_specs import load_subsets
from rose_bench.dataset_builder.template_specs import load_templates
from rose_bench.dataset_builder.split import assign_splits
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
    assert len({s.pair.pair_key for s in plan.scenes}) == 5  # enough pairs: one pair per scene


def test_the_cued_region_is_the_t4_region_and_only_t4_uses_the_cued_image(plan) -> None:
    for scene_plan in plan.scene_plans:
        t4 = next(t for t in scene_plan.tasks if t.task_template == contract.T4)
        assert scene_plan.cue_region == t4.region
        cued = scene_plan.image_path("ESTY", cued=True)
        assert [r["task_template"] for r in scene_plan.rows if r["image"] == cued] == [contract.T4]


class _Keyed:
    """A minimal source: ``keys`` in a fixed order; ``pairs(seed)`` tags each pair with the seed it was drawn from."""

    subset = "ROSE-PixelEdit"

    def __init__(self, keys, *, keys_follow_seed: bool = False) -> None:
        self.keys, self.keys_follow_seed = list(keys), keys_follow_seed

    def pairs(self, seed):
        keys = sorted(self.keys, key=lambda k: hashlib.sha256(f"{k}:{seed}".encode()).digest()) if self.keys_follow_seed else self.keys
        return [ElementPair(k, "a", "b", {"seed": seed}) for k in keys]


def _splits(total: int) -> tuple[str, ...]:
    return assign_splits(SPECS["ROSE-PixelEdit"], 1, total, max(1, total // 4))


@pytest.mark.parametrize(
    "keys, count, message",
    [(["p1", "p2", "p1"], 2, "duplicate pair_key values \\['p1'\\]"),
     (["p1"], 4, "offers 1 usable pair but split test needs 3 scenes")],
    ids=["duplicate_keys", "one_pair_for_neighbours"],
)
def test_choose_pairs_refuses_what_it_cannot_schedule(keys, count, message) -> None:
    with pytest.raises(BuildError, match=message):
        choose_pairs(_Keyed(keys), SPECS["ROSE-PixelEdit"], 1, _splits(count))


def _keys(count: int, seed: int = 1, subset: str = "ROSE-PixelEdit", n: int = 40) -> list[str]:
    pairs, _ = choose_pairs(_Keyed([f"p{i}" for i in range(n)]), SPECS[subset], seed, _splits(count))
    return [p.pair_key for p in pairs]


def test_one_pair_per_scene_is_a_seeded_shuffle_prefix() -> None:
    first = _keys(10)
    assert first == _keys(10) and len(set(first)) == 10
    assert first[:4] == _keys(4)
    assert first != _keys(10, seed=2)
    assert first != _keys(10, subset="ROSE-PixelContent")


def test_reuse_takes_the_pair_as_drawn_from_another_seed() -> None:
    pairs, reuse = choose_pairs(_Keyed([f"p{i}" for i in range(4)]), SPECS["ROSE-PixelEdit"], 3, _splits(10))
    assert (reuse.scenes, reuse.pairs_available, reuse.pairs_used, reuse.max_uses, reuse.reused_scenes) == (10, 4, 4, 3, 6)
    seen: dict[str, list[int]] = {}
    for pair in pairs:
        seen.setdefault(pair.pair_key, []).append(pair.fields["seed"])
    for seeds in seen.values():  # use u of a pair comes from variant_seed(u): all different, the first the build's own
        assert seeds == [variant_seed(3, "ROSE-PixelEdit", u) for u in range(len(seeds))]


def test_a_source_whose_keys_move_with_the_seed_is_refused() -> None:
    with pytest.raises(BuildError, match="pair list changes with the seed"):
        choose_pairs(_Keyed([f"p{i}" for i in range(4)], keys_follow_seed=True), SPECS["ROSE-PixelEdit"], 3, _splits(10))
