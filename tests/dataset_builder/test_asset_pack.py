"""The contract every pack-backed source (sources/asset_pack.PackSource) keeps: protocol, pair supply,
process-safe determinism, provenance and a real two-scene build.  Subset-specific checks live in
test_emoji_source.py and test_pixel_source.py."""

from __future__ import annotations

import io
import json
import pickle

import pytest
from PIL import Image

from rose_bench.dataset_builder.plan import plan_subset
from rose_bench.dataset_builder.render_pool import render_scene
from rose_bench.dataset_builder.sources import emoji, pixel
from rose_bench.dataset_builder.sources.asset_pack import PackSource
from rose_bench.dataset_builder.sources.base import Source
from rose_bench.dataset_builder.template_specs import load_templates

# subset -> (source class, licences its pack must carry, pair index and cell size for the tile check)
CASES = {
    "ROSE-EmojiStyle": (emoji.EmojiStyleSource, {"CC-BY-4.0", "Apache-2.0", "MIT"}, 7, 47),
    "ROSE-EmojiContent": (emoji.EmojiContentSource, {"CC-BY-4.0", "Apache-2.0", "MIT"}, 7, 47),
    "ROSE-PixelEdit": (pixel.PixelEditSource, {"CC0-1.0", "MIT"}, 5, 131),
    "ROSE-PixelContent": (pixel.PixelContentSource, {"CC0-1.0", "MIT"}, 5, 131),
}
SUBSETS = list(CASES)


@pytest.mark.parametrize("subset", SUBSETS, ids=SUBSETS)
def test_registered_source_implements_the_protocol(sources, subset):
    src = sources[subset]
    assert isinstance(src, Source) and isinstance(src, PackSource) and src.subset == subset


@pytest.mark.parametrize("subset", SUBSETS, ids=SUBSETS)
def test_enough_unique_pairs_for_the_default_build(sources, specs, subset):
    pairs = sources[subset].pairs(0)
    assert len(pairs) >= specs[subset].scenes * 1.2, len(pairs)
    assert len({p.pair_key for p in pairs}) == len(pairs)


@pytest.mark.parametrize("subset", SUBSETS, ids=SUBSETS)
def test_fresh_and_unpickled_sources_agree(sources, subset):
    """Render workers get pickled sources: they must offer the same pairs and draw the same tiles."""
    cls, _, index, cell = CASES[subset]
    fresh = cls()
    assert [(p.pair_key, p.majority, p.target, dict(p.fields)) for p in fresh.pairs(0)] == [
        (p.pair_key, p.majority, p.target, dict(p.fields)) for p in sources[subset].pairs(0)]
    clone = pickle.loads(pickle.dumps(sources[subset]))
    pair = sources[subset].pairs(0)[index]
    assert clone.render_tile(pair.target, pair, cell).tobytes() == fresh.render_tile(pair.target, pair, cell).tobytes()


@pytest.mark.parametrize("subset", SUBSETS, ids=SUBSETS)
def test_provenance_records_pack_licences_and_rejections(sources, subset):
    _, licences, _, _ = CASES[subset]
    prov = sources[subset].provenance()
    assert len(prov["asset_pack_manifest_sha256"]) == 64
    assert set(prov["licenses"]) >= licences
    assert all(isinstance(v, int) for v in prov["rejected_pairs"].values())
    assert prov["usable_pairs"] == len(sources[subset].pairs(0))
    json.dumps(prov)


@pytest.mark.parametrize("subset", SUBSETS, ids=SUBSETS)
def test_small_build_produces_official_rows_and_images(sources, specs, subset):
    spec = specs[subset]
    plan = plan_subset(spec, load_templates(), sources[subset], 7, scenes=2)
    keys = list(plan.rows[0])
    assert keys[keys.index("target_cells") + 1: keys.index("image_split")] == list(spec.row_fields)
    scene = plan.scenes[0]
    base, cued = render_scene(sources[subset], scene, plan.scene_plans[0].cue_region)
    for png in (base, cued):
        with Image.open(io.BytesIO(png)) as im:
            assert im.size == (scene.cols * scene.cell_size, scene.rows * scene.cell_size)
