"""Build options are checked in one place, when ``BuildOptions`` is made (CLI and Python API alike)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rose_bench.dataset_builder import options
from rose_bench.dataset_builder.options import BuildError, BuildOptions, parse_subsets
from rose_bench.scoring.contract import SUBSET_ORDER
from rose_bench.scoring.errors import UsageError

OUT = Path("unused-out")  # options are checked without touching the disk


@pytest.mark.parametrize(
    "kwargs, flag",
    [
        ({"scale": 0}, "--scale"),
        ({"scale": -1.0}, "--scale"),
        ({"scale": float("nan")}, "--scale"),
        ({"scale": float("inf")}, "--scale"),
        ({"scale": options.MAX_SCALE * 2}, "--scale"),
        ({"scale": True}, "--scale"),
        ({"scale": "1"}, "--scale"),
        ({"scenes_per_subset": 1}, "--scenes-per-subset"),
        ({"scenes_per_subset": 2.0}, "--scenes-per-subset"),
        ({"scenes_per_subset": options.MAX_SCENES_PER_SUBSET + 1}, "--scenes-per-subset"),
        ({"seed": -1}, "--seed"),
        ({"seed": options.MAX_SEED + 1}, "--seed"),
        ({"seed": 1.5}, "--seed"),
        ({"workers": 0}, "--workers"),
        ({"workers": options.MAX_WORKERS + 1}, "--workers"),
        ({"subsets": ("ROSE-Nope",)}, "unknown subset"),
        ({"subsets": " , "}, "--subsets is empty"),
    ],
    ids=["scale_zero", "scale_negative", "scale_nan", "scale_inf", "scale_huge", "scale_bool", "scale_text",
         "scenes_one", "scenes_float", "scenes_huge", "seed_negative", "seed_too_big", "seed_float",
         "workers_zero", "workers_many", "subset_unknown", "subsets_empty"],
)
def test_bad_values_are_refused_with_the_flag_named(kwargs, flag) -> None:
    with pytest.raises(BuildError, match=flag) as exc:
        BuildOptions(out=OUT, **kwargs)
    assert isinstance(exc.value, UsageError)  # `rose build` exits 2


def test_scenes_per_subset_overrides_scale_so_scale_is_not_checked() -> None:
    assert BuildOptions(out=OUT, scale=0, scenes_per_subset=2).scenes_per_subset == 2


@pytest.mark.parametrize(
    "text, expected",
    [
        (None, SUBSET_ORDER),
        ("PixelEdit, ROSE-ChineseGlyph", ("ROSE-ChineseGlyph", "ROSE-PixelEdit")),
        (["EmojiContent", "EmojiContent"], ("ROSE-EmojiContent",)),
    ],
    ids=["default_all", "short_names_official_order", "duplicates"],
)
def test_parse_subsets(text, expected) -> None:
    assert parse_subsets(text) == expected


def test_options_are_normalised() -> None:
    built = BuildOptions(out="some/dir", subsets=("PixelContent", "ChineseGlyph"), seed=0, scale=100, workers=64)
    assert built.out == Path("some/dir")
    assert built.subsets == ("ROSE-ChineseGlyph", "ROSE-PixelContent")


def test_default_workers_is_between_1_and_4() -> None:
    assert 1 <= options.default_workers() <= 4
