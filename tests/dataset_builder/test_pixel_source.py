"""ROSE-PixelEdit / ROSE-PixelContent sources: local visible edits, related pairs, stretch tiles, determinism."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rose_bench.dataset_builder import render
from rose_bench.dataset_builder.sources import pixel

SUBSETS = ["ROSE-PixelEdit", "ROSE-PixelContent"]


@pytest.mark.parametrize("subset", SUBSETS, ids=SUBSETS)
def test_fields_and_check_size(sources, specs, subset):
    assert pixel.CHECK_CELL_SIZE == min(s.cell_size[0] for s in specs.values() if s.name in SUBSETS)
    for pair in sources[subset].pairs(0):
        fields = dict(pair.fields) | sources[subset].scene_fields(pair, 130)
        assert list(fields) == list(specs[subset].row_fields) == ["pair_key", "asset_resize_mode"]
        assert fields["asset_resize_mode"] == "stretch" and fields["pair_key"] == pair.pair_key


def test_edits_are_local_visible_and_small(sources):
    src = sources["ROSE-PixelEdit"]
    for pair in src.pairs(0):
        a, b = src.sprite_array(pair.majority), src.sprite_array(pair.target)
        n, box = pixel.changed_box(a, b)
        assert 1 <= n <= 9 and box <= pixel.EDIT_MAX_BOX_FRACTION * a.size / 4, pair.pair_key
        assert pixel.is_local(a, b) and pixel.visible(a, b)
        assert pair.majority.edit == () and pair.majority.path == pair.target.path
        assert pair.pair_key == Path(pair.majority.path).name


def test_edit_checks_reject_global_or_invisible_changes():
    sprite = np.zeros((16, 16, 4), dtype=np.uint8)
    sprite[4:12, 4:12] = (200, 30, 30, 255)
    spread = sprite.copy()
    spread[4, 4] = spread[11, 11] = (20, 20, 200, 255)
    assert not pixel.is_local(sprite, spread)  # 8x8 box = 25 % of the sprite
    faint = sprite.copy()
    faint[6:8, 6:8] = (205, 35, 35, 255)
    assert pixel.is_local(sprite, faint) and not pixel.visible(sprite, faint)
    strong = sprite.copy()
    strong[6:8, 6:8] = (20, 20, 200, 255)
    assert pixel.is_local(sprite, strong) and pixel.visible(sprite, strong)
    edit = pixel.make_edit(sprite, random.Random(3))
    assert edit == pixel.make_edit(sprite, random.Random(3))
    assert pixel.is_local(sprite, pixel.apply_edit(sprite, edit))


def test_content_pairs_are_related_distinct_and_visible(sources):
    src = sources["ROSE-PixelContent"]
    families = set()
    for pair in src.pairs(0):
        a, b = src.sprite_array(pair.majority), src.sprite_array(pair.target)
        assert a.shape == b.shape and pixel.visible(a, b)
        assert pair.pair_key == "__".join(sorted(Path(e.path).name for e in (pair.majority, pair.target)))
        families.add(pair.majority.path.split("/")[0])
    assert families == {"dicebear", "pixelarticons"}


def test_nearest_stretch_tile(sources):
    src = sources["ROSE-PixelContent"]
    pair = src.pairs(0)[0]
    sprite = src.sprite_array(pair.majority)
    for cell in (120, 137, 150):
        tile = src.render_tile(pair.majority, pair, cell)
        arr = np.asarray(tile)
        assert tile.size == (cell, cell)
        frame = np.asarray(render.tile_frame(cell))
        assert (arr[0] == frame[0]).all() and (arr[-1] == frame[-1]).all() and (arr[:, 0] == frame[:, 0]).all()
        rgba = Image.fromarray(sprite, "RGBA")
        flat = np.asarray(Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB"))
        allowed = {tuple(c) for c in flat.reshape(-1, 3)}
        assert {tuple(c) for c in arr[1:-1, 1:-1].reshape(-1, 3)} <= allowed  # no interpolated colours
        assert tuple(arr[1, 1]) == tuple(flat[0, 0]) and tuple(arr[-2, -2]) == tuple(flat[-1, -1])


def test_rejected_pairs_are_counted(tmp_path):
    pack = tmp_path / "pixel"
    shutil.copytree(pixel.PACK_DIR, pack)
    index = json.loads((pack / "index.json").read_text(encoding="utf-8"))
    usable = [{"majority": p.majority.path, "target": p.target.path} for p in pixel.PixelContentSource().pairs(0)[:3]]
    same = usable[0]["majority"]
    index["content_pairs"] = [{"majority": same, "target": same, "relation": "identical"}] + usable
    blank = Image.new("RGBA", (16, 16), (0, 0, 0, 0))
    blank.save(pack / "dicebear" / "blank.png")
    index["edit_bases"] = ["dicebear/blank.png"] + index["edit_bases"][:2]
    (pack / "index.json").write_text(json.dumps(index), encoding="utf-8")
    content, edit = pixel.PixelContentSource(pack_dir=pack), pixel.PixelEditSource(pack_dir=pack)
    assert len(content.pairs(0)) == 3 and content.provenance()["rejected_pairs"] == {"not_visible_at_120px": 1}
    assert len(edit.pairs(0)) == 2 and edit.provenance()["rejected_pairs"] == {"no_local_visible_edit": 1}


@pytest.mark.parametrize("subset", SUBSETS, ids=SUBSETS)
def test_provenance_names_the_majority_rule_and_only_cc0_mit(sources, subset):
    """The schema has no field for which sprite is the majority, so provenance must record it."""
    prov = sources[subset].provenance()
    assert set(prov["licenses"]) == {"CC0-1.0", "MIT"}
    assert prov["majority"]


_DIGEST_SNIPPET = """
import hashlib
from rose_bench.dataset_builder.sources.registry import get_source
h = hashlib.sha256()
for subset in ("ROSE-PixelEdit", "ROSE-PixelContent", "ROSE-EmojiStyle", "ROSE-EmojiContent"):
    for p in get_source(subset).pairs(0):
        h.update(repr((p.pair_key, p.majority, p.target, sorted(p.fields.items()))).encode())
print(h.hexdigest())
"""


def test_pair_lists_do_not_depend_on_the_hash_seed():
    import os
    import subprocess
    import sys

    digests = set()
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        out = subprocess.run([sys.executable, "-c", _DIGEST_SNIPPET], env=env, capture_output=True, text=True, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1
