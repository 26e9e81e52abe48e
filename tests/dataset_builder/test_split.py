"""Scene-level dev/test split (protocol §2.1): exact counts, seeded, scene-level."""

from __future__ import annotations

import pytest

from rose_bench.dataset_builder.plan import plan_subset
from rose_bench.dataset_builder.subset_specs import load_subsets
from rose_bench.dataset_builder.template_specs import load_templates
from rose_bench.dataset_builder.split import assign_splits, scaled_counts

from tests.support.sources import ShapeSource

SPECS = load_subsets()

# protocol §2.1: scenes and dev scenes per subset
OFFICIAL = {
    "ROSE-ChineseGlyph": (412, 111),
    "ROSE-EmojiStyle": (300, 79),
    "ROSE-EmojiContent": (300, 79),
    "ROSE-PixelEdit": (300, 79),
    "ROSE-PixelContent": (200, 52),
}


@pytest.mark.parametrize("subset", list(OFFICIAL))
def test_full_scale_matches_the_release(subset: str) -> None:
    spec = SPECS[subset]
    total, dev = scaled_counts(spec)
    assert (total, dev) == OFFICIAL[subset]
    splits = assign_splits(spec, 20260619, total, dev)
    assert len(splits) == total and splits.count("dev") == dev and splits.count("test") == total - dev
    # interleaved, not a block: dev scenes occur in both halves
    assert "dev" in splits[: total // 2] and "dev" in splits[total // 2 :]


@pytest.mark.parametrize(
    "subset, scale, scenes, expected",
    [
        ("ROSE-ChineseGlyph", 0.05, None, (21, 6)),
        ("ROSE-PixelContent", 0.5, None, (100, 26)),
        ("ROSE-EmojiStyle", 2.0, None, (600, 158)),
        ("ROSE-PixelEdit", 0.001, None, (2, 1)),
        ("ROSE-ChineseGlyph", 1.0, 10, (10, 3)),
        ("ROSE-PixelContent", 1.0, 2, (2, 1)),
    ],
    ids=["glyph_0.05", "pcont_half", "esty_double", "tiny_floor", "fixed_10", "fixed_2"],
)
def test_scaled_counts(subset: str, scale: float, scenes, expected) -> None:
    assert scaled_counts(SPECS[subset], scale=scale, scenes=scenes) == expected


@pytest.mark.parametrize(
    "kwargs", [{"scale": 0}, {"scale": -1.0}, {"scale": float("nan")}, {"scenes": 1}, {"scenes": 0}],
    ids=["zero", "negative", "nan", "one_scene", "zero_scenes"],
)
def test_bad_sizes_raise(kwargs) -> None:
    with pytest.raises(ValueError):
        scaled_counts(SPECS["ROSE-ChineseGlyph"], **kwargs)


def test_split_is_seeded_and_depends_on_subset_and_seed() -> None:
    spec = SPECS["ROSE-EmojiStyle"]
    a = assign_splits(spec, 1, 300, 79)
    assert a == assign_splits(spec, 1, 300, 79)
    assert a != assign_splits(spec, 2, 300, 79)
    assert a != assign_splits(SPECS["ROSE-EmojiContent"], 1, 300, 79)


def test_split_is_scene_level() -> None:
    spec = SPECS["ROSE-PixelContent"]
    plan = plan_subset(spec, load_templates(), ShapeSource(spec.name, n_pairs=30), 9, scenes=20)
    by_scene: dict[str, set[str]] = {}
    images: dict[str, set[str]] = {}
    for row in plan.rows:
        by_scene.setdefault(row["scene_id"], set()).add(row["split"])
        images.setdefault(row["image_id"], set()).add(row["split"])
    assert all(len(v) == 1 for v in by_scene.values()) and all(len(v) == 1 for v in images.values())
    assert sum(v == {"dev"} for v in by_scene.values()) == scaled_counts(spec, scenes=20)[1]
