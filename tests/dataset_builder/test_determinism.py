"""Same seed -> identical rows and files; scenes never depend on each other or on --workers."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rose_bench.dataset_builder.build import BuildOptions, run_build
from rose_bench.dataset_builder.plan import plan_subset
from rose_bench.dataset_builder.subset_specs import load_subsets
from rose_bench.dataset_builder.template_specs import load_templates

from tests.support.sources import ShapeSource

SPECS = load_subsets()
CONFIG = load_templates()
SUBSETS = ("ROSE-ChineseGlyph", "ROSE-PixelContent")


def _rows(subset: str, seed: int, scenes: int) -> list[dict]:
    return list(plan_subset(SPECS[subset], CONFIG, ShapeSource(subset, n_pairs=30), seed, scenes=scenes).rows)


def test_same_seed_same_rows_and_different_seed_different_rows() -> None:
    for subset in SUBSETS:
        a = _rows(subset, 42, 8)
        assert a == _rows(subset, 42, 8)
        b = _rows(subset, 43, 8)
        assert [r["item_id"] for r in a] == [r["item_id"] for r in b]  # same ids ...
        assert a != b  # ... different content
        differing = sum(x["target_cells"] != y["target_cells"] for x, y in zip(a, b) if x["task_template"].startswith("T1_"))
        assert differing >= 6


def test_scene_content_does_not_depend_on_other_scenes() -> None:
    """Scene s is the same in a 6-scene and a 12-scene build (only its split may move) while pairs are not reused."""
    subset = "ROSE-PixelEdit"
    small = _rows(subset, 7, 6)
    large = _rows(subset, 7, 12)
    strip = lambda r: {k: v for k, v in r.items() if k != "split"}  # noqa: E731
    assert [strip(r) for r in small] == [strip(r) for r in large[: len(small)]]


def test_with_category_weights_only_the_pair_choice_depends_on_the_build_size() -> None:
    """EmojiContent apportions pairs over the whole build; each scene's layout, targets and regions stay its own."""
    subset = "ROSE-EmojiContent"
    small = _rows(subset, 7, 6)
    large = _rows(subset, 7, 12)[: len(small)]
    layout = ("item_id", "rows", "cols", "cell_size", "grid_size_profile", "target_cells", "region_params", "region_case")
    assert [[r[k] for k in layout] for r in small] == [[r[k] for k in layout] for r in large]
    same_pair = [(a, b) for a, b in zip(small, large) if a["pair_key"] == b["pair_key"]]
    strip = lambda r: {k: v for k, v in r.items() if k != "split"}  # noqa: E731
    assert all(strip(a) == strip(b) for a, b in same_pair)


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_build_output_is_byte_identical_for_any_worker_count(tmp_path: Path) -> None:
    sources = {s: ShapeSource(s, n_pairs=10) for s in SUBSETS}
    digests = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        run_build(
            BuildOptions(out=out, seed=3, scenes_per_subset=3, subsets=SUBSETS, workers=workers, progress=False),
            sources=sources,
        )
        digests.append(_tree_digest(out))
    assert digests[0] == digests[1]
    assert any(name.endswith(".parquet") for name in digests[0])
