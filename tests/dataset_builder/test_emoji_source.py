"""ROSE-EmojiStyle / ROSE-EmojiContent sources: pairs, fields, visibility, determinism, builder integration."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rose_bench.dataset_builder import render
from rose_bench.dataset_builder.sources import emoji

SUBSETS = ["ROSE-EmojiStyle", "ROSE-EmojiContent"]
FLOAT_FIELDS = {"similarity"}


@pytest.mark.parametrize("subset", SUBSETS, ids=SUBSETS)
def test_fields_follow_the_official_order_and_types(sources, specs, subset):
    order = list(specs[subset].row_fields)
    for pair in sources[subset].pairs(0):
        fields = dict(pair.fields) | sources[subset].scene_fields(pair, 50)
        assert list(fields) == order, pair.pair_key
        for key, value in fields.items():
            assert isinstance(value, float if key in FLOAT_FIELDS else str), (pair.pair_key, key, value)
            if key.endswith("_path"):
                assert "\\" not in value and (emoji.PACK_DIR / value).is_file(), value


@pytest.mark.parametrize("subset", SUBSETS, ids=SUBSETS)
def test_check_size_is_the_smallest_cell_size(specs, subset):
    assert emoji.CHECK_CELL_SIZE == specs[subset].cell_size[0]


def test_style_pairs_are_one_emoji_in_two_providers(sources):
    styles = set()
    for pair in sources["ROSE-EmojiStyle"].pairs(0):
        f = pair.fields
        assert f["background_emoji"] == f["target_emoji"] == f["emoji_char"]
        assert emoji.normalise_key("-".join(f"{ord(c):x}" for c in f["emoji_char"])) == f["unicode_key"] == pair.pair_key
        assert f["majority_style"] != f["target_style"]
        assert pair.majority.unicode_key == pair.target.unicode_key == f["unicode_key"]
        assert f["background_path"] == f"{f['majority_style']}/{f['unicode_key']}.png"
        assert f["h2_label"] and f["h3_title"] and f["emoji_name_zh"]
        styles.add(f["target_style"])
    assert styles == {"noto_png", "fluent_flat_svg"}


def test_content_pairs_are_similar_related_and_keyed(sources):
    index = emoji.load_index(str(emoji.PACK_DIR))
    subgroup = {e["unicode_key"]: e["subgroup"] for e in index["emoji"]}
    for pair in sources["ROSE-EmojiContent"].pairs(0):
        f = pair.fields
        a, b = f["background_unicode"], f["target_unicode"]
        assert a != b and subgroup[a] == subgroup[b]
        assert f["pair_key"] == "__".join(sorted((a, b))) == pair.pair_key
        assert f["similarity"] >= emoji.SIMILARITY_THRESHOLD
        img = [emoji.load_rgba(str(emoji.PACK_DIR), f[k]) for k in ("background_path", "target_path")]
        assert emoji.similarity(*img) == f["similarity"]
        assert f["background_name_en"] != f["target_name_en"] and f["background_name_zh"]


def test_similarity_definition():
    red = Image.new("RGBA", (64, 64), (255, 0, 0, 255))
    blank = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    half = red.copy()
    half.paste((0, 0, 0, 0), (0, 0, 32, 64))
    assert emoji.similarity(red, red) == 1.0
    assert emoji.similarity(red, blank) == 0.0
    assert emoji.similarity(red, half) == pytest.approx(np.sqrt(0.5), abs=1e-6)


@pytest.mark.parametrize("subset", SUBSETS, ids=SUBSETS)
def test_every_pair_is_visible_at_the_smallest_cell(sources, subset):
    src = sources[subset]
    for pair in src.pairs(0):
        a = src.render_tile(pair.majority, pair, emoji.CHECK_CELL_SIZE)
        b = src.render_tile(pair.target, pair, emoji.CHECK_CELL_SIZE)
        assert emoji.diff_pixels(a, b) >= emoji.MIN_DIFF_PIXELS, pair.pair_key


def _tmp_pack(tmp_path: Path, edit) -> Path:
    pack = tmp_path / "emoji"
    shutil.copytree(emoji.PACK_DIR, pack)
    index = json.loads((pack / "index.json").read_text(encoding="utf-8"))
    edit(index)
    (pack / "index.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    return pack


def _dissimilar_pair(index) -> list[str]:
    images = [(e["unicode_key"], e["images"]["twemoji_svg"]) for e in index["emoji"]]
    for (ka, pa), (kb, pb) in zip(images, images[::-1]):
        pack = str(emoji.PACK_DIR)
        if emoji.similarity(emoji.load_rgba(pack, pa), emoji.load_rgba(pack, pb)) < emoji.SIMILARITY_THRESHOLD:
            return [ka, kb]
    raise AssertionError("no dissimilar pair in the pack")


def test_invisible_or_dissimilar_pairs_are_rejected_and_counted(tmp_path):
    def edit(index):
        same = index["content_pairs"][0][0]
        index["content_pairs"] = [[same, same], _dissimilar_pair(index)] + index["content_pairs"][:3]
        key = index["style_keys"][0]
        entry = next(e for e in index["emoji"] if e["unicode_key"] == key)
        entry["images"]["noto_png"] = entry["images"]["fluent_flat_svg"] = entry["images"]["twemoji_svg"]
        index["style_keys"] = index["style_keys"][:4]

    pack = _tmp_pack(tmp_path, edit)
    style = emoji.EmojiStyleSource(pack_dir=pack)
    assert [p.pair_key for p in style.pairs(0)] == [p.pair_key for p in emoji.EmojiStyleSource().pairs(0)[1:4]]
    assert style.provenance()["rejected_pairs"] == {"not_visible_at_42px": 1, "missing_provider": 0}
    content = emoji.EmojiContentSource(pack_dir=pack)
    assert len(content.pairs(0)) == 3
    assert content.provenance()["rejected_pairs"] == {"below_similarity_threshold": 1, "not_visible_at_42px": 1}


def test_tiles_are_framed_centred_and_deterministic(sources):
    src = sources["ROSE-EmojiStyle"]
    pair = src.pairs(0)[0]
    for cell in (42, 53, 64):
        tile = src.render_tile(pair.target, pair, cell)
        assert tile.mode == "RGB" and tile.size == (cell, cell)
        arr = np.asarray(tile)
        frame = np.asarray(render.tile_frame(cell))
        assert (arr[0] == frame[0]).all() and (arr[:, -1] == frame[:, -1]).all()
        ys, xs = np.nonzero((arr[1:-1, 1:-1] < 250).any(axis=2))
        pad = max(2, cell // 10)
        assert ys.min() >= pad and xs.min() >= pad and ys.max() < cell - 2 - pad and xs.max() < cell - 2 - pad
        assert render.png_bytes(tile) == render.png_bytes(src.render_tile(pair.target, pair, cell))


