"""Generator configs: the shipped YAML loads; malformed copies fail naming file and field; hash semantics."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rose_bench.dataset_builder import config_files, subset_specs, template_specs
from rose_bench.scoring import contract

SUBSETS_TEXT = config_files.SUBSETS_FILE.read_text(encoding="utf-8")
TEMPLATES_TEXT = config_files.TEMPLATES_FILE.read_text(encoding="utf-8")


def test_shipped_configs_load() -> None:
    subsets = subset_specs.load_subsets()
    assert list(subsets) == list(contract.SUBSET_ORDER)
    assert [s.dev_scenes for s in subsets.values()] == [111, 79, 79, 79, 52]
    config = template_specs.load_templates()
    assert [t.name for t in config.templates] == list(contract.TEMPLATE_ORDER)
    assert [b.name for b in config.bridges] == list(contract.BRIDGE_TEMPLATES)


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    "old, new, field",
    [
        ("id_prefix: CH\n", "id_prefix: CHX\n", "subsets.ROSE-ChineseGlyph"),
        ("target_count_weights: {1: 87,", "target_count_weights: {1: -87,", "subsets.ROSE-ChineseGlyph.target_count_weights.1"),
        ("    dev_scenes: 111\n", "    dev_scenes: 412\n", "subsets.ROSE-ChineseGlyph.dev_scenes"),
        ("    cell_size: [42, 64]\n", "    cell_size: [64, 42]\n", "subsets.ROSE-ChineseGlyph.cell_size"),
        ("{RECTANGLE: 121,", "{TRIANGLE: 121,", "subsets.ROSE-ChineseGlyph.region_type_weights.TRIANGLE"),
        ("    image_split: main\n", "", "subsets.ROSE-ChineseGlyph.image_split"),
        ("      - [large, many_targets]\n", "      - [large, crowded]\n", "subsets.ROSE-ChineseGlyph.difficulty.hard_when[1]"),
        ("        - [similar, zero]\n        - [similar, busy]\n", "", "subsets.ROSE-EmojiContent.difficulty.similar"),
        ("        - [similar, busy]\n      similar: {field: similarity, min: 0.928684, reference_min: 0.95}\n",
         "        - [similar, busy]\n      similar: {field: similarity, reference_min: 0.95}\n",
         "subsets.ROSE-EmojiContent.difficulty.similar.min"),
        ("      max_uses: 4\n", "      max_uses: 0\n", "subsets.ROSE-EmojiContent.pair_weights.max_uses"),
        ("    span_weights_by_profile:\n      small:\n        ROW_RANGE: {1: 5, 2: 3, 3: 4}",
         "    span_weights_by_profile:\n      tiny:\n        ROW_RANGE: {1: 5, 2: 3, 3: 4}",
         "subsets.ROSE-PixelEdit.span_weights_by_profile.tiny"),
        ("        RECTANGLE_WIDTH: {4: 10, 5: 14}\n", "", "subsets.ROSE-PixelEdit.span_weights_by_profile.large.RECTANGLE_WIDTH"),
        ("    rectangle_min_ratio: 0.10\n", "    rectangle_min_ratio: 1.5\n", "subsets.ROSE-PixelEdit.rectangle_min_ratio"),
    ],
    ids=["prefix", "negative_weight", "dev_too_large", "reversed_range", "unknown_region", "missing_key",
         "unknown_condition", "similar_without_clause", "similar_without_cut", "max_uses_zero", "unknown_profile",
         "profile_span_missing", "min_ratio_above_one"],
)
def test_bad_subsets_yaml(tmp_path: Path, old: str, new: str, field: str) -> None:
    path = tmp_path / "subsets.yaml"
    path.write_text(_edit(SUBSETS_TEXT, old, new), encoding="utf-8")
    with pytest.raises(config_files.ConfigError) as exc:
        subset_specs.load_subsets(path)
    assert str(exc.value).startswith(f"{path}: {field}")


@pytest.mark.parametrize(
    "old, new, field",
    [
        ('expected_output_format: "COUNT(n)"\n    phrases: numeric\n    prompt_local: "Count the number of cells that are different from the majority {region}. Answer only in the format: COUNT(n)."\n\n  T2',
         'expected_output_format: "COUNT(x)"\n    phrases: numeric\n    prompt_local: "Count the number of cells that are different from the majority {region}. Answer only in the format: COUNT(n)."\n\n  T2',
         "templates.T1_COUNT_GLOBAL.expected_output_format"),
        ("    region_sampler: visual\n", "    region_sampler: spiral\n", "templates.T4_CLICK_VISUAL_REGION.region_sampler"),
        ("    phrases: exclusion\n", "    phrases: nowhere\n", "templates.T5_CLICK_COUNT_EXCLUSION.phrases"),
    ],
    ids=["format", "sampler", "phrases"],
)
def test_bad_templates_yaml(tmp_path: Path, old: str, new: str, field: str) -> None:
    path = tmp_path / "templates.yaml"
    path.write_text(_edit(TEMPLATES_TEXT, old, new), encoding="utf-8")
    with pytest.raises(config_files.ConfigError) as exc:
        template_specs.load_templates(path)
    assert str(exc.value).startswith(f"{path}: {field}")


def test_config_hash_ignores_comments_but_not_values(tmp_path: Path) -> None:
    a, b = tmp_path / "s.yaml", tmp_path / "t.yaml"
    a.write_text(SUBSETS_TEXT, encoding="utf-8")
    b.write_text(TEMPLATES_TEXT, encoding="utf-8")
    base = config_files.config_hash((a, b))
    assert base == config_files.config_hash()
    a.write_text("# another comment\n" + SUBSETS_TEXT, encoding="utf-8")
    assert config_files.config_hash((a, b)) == base
    data = yaml.safe_load(SUBSETS_TEXT)
    data["subsets"]["ROSE-PixelEdit"]["cell_size"] = [120, 155]
    a.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert config_files.config_hash((a, b)) != base


@pytest.mark.parametrize(
    "subset, profile, key, values",
    [("ROSE-PixelContent", "large", "RECTANGLE_HEIGHT", (4, 5)), ("ROSE-PixelEdit", "small", "RECTANGLE_WIDTH", (2, 3, 4, 5)),
     ("ROSE-ChineseGlyph", "large", "RECTANGLE_HEIGHT", (3, 4, 5, 6))],
    ids=["pcontent-large", "pedit-small", "glyph-profile-free"],
)
def test_spans_per_profile(subset, profile, key, values) -> None:
    assert subset_specs.load_subsets()[subset].span(key, profile).values == values


def test_profile_spans_sum_to_the_profile_free_ones() -> None:
    """The per-profile tables are the same v0.1 counts split by profile."""
    for spec in subset_specs.load_subsets().values():
        for key in subset_specs.SPAN_KEYS:
            if not spec.profile_spans:
                continue
            total: dict = {}
            for _, spans in spec.profile_spans:
                dist = dict(spans)[key]
                for v, w in zip(dist.values, dist.weights):
                    total[v] = total.get(v, 0) + w
            free = spec.span(key)
            assert total == dict(zip(free.values, free.weights)), (spec.name, key)
