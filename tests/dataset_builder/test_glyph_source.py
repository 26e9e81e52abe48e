"""ROSE-ChineseGlyph: font pool, pair list, tofu checks, tiles, row fields and provenance."""

from __future__ import annotations

import json
import pickle
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest

from rose_bench.dataset_builder import glyph_fonts as gf
from rose_bench.dataset_builder.glyph_pairs import COLUMNS, LEVELS, PairFileError, read_pairs
from rose_bench.dataset_builder.manifest import sha256_file
from rose_bench.dataset_builder.sources.base import Source
from rose_bench.dataset_builder.sources.glyph import ChineseGlyphSource
from rose_bench.scoring.render_style import glyph_font_size

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
ASSETS = Path(str(gf.ASSET_DIR))
GLYPH_FIELDS = ("font_size", "background_char", "target_char", "source_group", "source_pair", "pair_direction",
                "undirected_pair_key", "font_name", "similarity_level", "pair_key")
SCENES_NEEDED = 412  # official ChineseGlyph scenes (dev + test)
SEED = 0  # the source seed the pairs are drawn with (a build passes derive_seed(master, subset, "source"))


@pytest.fixture(scope="module")
def source() -> ChineseGlyphSource:
    return ChineseGlyphSource()


@pytest.fixture(scope="module")
def fixture_rows(global_click_rows, matched_local_count_rows) -> list[dict]:
    rows = [r for r in (*global_click_rows, *matched_local_count_rows) if r["rose_subset"] == "ROSE-ChineseGlyph"]
    assert rows
    return rows


# -- fonts -----------------------------------------------------------------------------------------

def test_font_packages_are_pinned_dependencies_and_installed_at_the_pin():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    config = json.loads((ASSETS / "fonts.json").read_text(encoding="utf-8"))
    for package, info in config["packages"].items():
        assert f"{package}=={info['version']}" in deps, f"pin {package}=={info['version']} in pyproject dependencies"
        assert metadata.version(package) == info["version"]
    assert 10 <= len(gf.font_pool()) <= 20
    assert len({v.name for v in gf.font_pool()}) == len(gf.font_pool())


def test_font_provenance_matches_installed_files_and_licences():
    records = gf.font_provenance()
    assert {n for r in records for n in r["variants"]} == {v.name for v in gf.font_pool()}
    for r in records:
        v = gf.variant(r["variants"][0])
        assert r["sha256"] == sha256_file(v.path)
        assert r["license"] == "OFL-1.1"
        md = metadata.metadata(r["package"])
        declared = (md.get("License-Expression") or "") + (md.get("License") or "")
        assert "OFL-1.1" in declared or "SIL Open Font License" in declared, r["package"]


def test_variable_weights_really_differ():
    ink = {n: gf.glyph_mask(n, "国", 64, 46).sum() for n in
           ("NotoSansCJKsc-Thin", "NotoSansCJKsc-Regular", "NotoSansCJKsc-Black")}
    assert ink["NotoSansCJKsc-Thin"] < ink["NotoSansCJKsc-Regular"] < ink["NotoSansCJKsc-Black"]


@pytest.mark.parametrize("char,font,expected", [
    ("国", "NotoSansCJKsc-Regular", True),
    ("\ue000", "NotoSansCJKsc-Regular", False),  # private use: not in the cmap
    ("\U0010fffd", "NotoSerifSC-Regular", False),
    ("\u3000", "NotoSansCJKsc-Regular", False),  # mapped, but draws no ink
    ("䢺", "NotoSansCJKsc-Regular", True),  # CJK Extension A
    ("䢺", "NotoSerifTC-Regular", False),  # ... missing from the regional serif subset
    ("已", "NotoSerifTC-Regular", True),
], ids=["common", "pua", "plane16", "ideographic-space", "extA-sans", "extA-serif-tc", "serif-tc"])
def test_renders_detects_tofu(char, font, expected):
    assert gf.renders(font, char) is expected


# -- pair list -------------------------------------------------------------------------------------

def test_pair_file_is_well_formed_and_ordered_best_first():
    pairs = read_pairs()
    assert len({p.key for p in pairs}) == len(pairs)
    assert [p.sort_key() for p in pairs] == sorted(p.sort_key() for p in pairs)
    assert {p.origin for p in pairs} == {"mined", "curated", "both"}
    for p in pairs:
        assert p.fonts and p.char_a in p.source_group and p.char_b in p.source_group
    offered = [p for p in pairs if p.similarity_level != "low"]
    assert len(offered) >= 1.5 * SCENES_NEEDED
    assert all(p.similarity >= q.similarity for p in offered for q in pairs if q.similarity_level == "low")


def test_every_offered_pair_renders_in_its_fonts_and_only_there():
    """Tofu check for every pair the build can draw, in every font it may use; failed fonts really fail."""
    pool = tuple(v.name for v in gf.font_pool())
    bad = []
    for p in read_pairs():
        if p.similarity_level == "low":
            continue
        for font in pool:
            draws = gf.renders(font, p.char_a) and gf.renders(font, p.char_b)
            if font in p.fonts and not draws:
                bad.append((p.key, font, "tofu"))
            elif font not in p.fonts and draws and (
                    gf.distinct_pixels(font, p.char_a, p.char_b, gf.DISTINCT_CHECK_CELL) >= gf.MIN_DISTINCT_PIXELS):
                bad.append((p.key, font, "passes but is listed as failed"))
    assert not bad, f"{bad[:10]} (run scripts/mine_glyph_pairs.py)"


def test_stored_verification_matches_a_fresh_one_on_a_sample():
    pairs = read_pairs()
    for p in pairs[::max(1, len(pairs) // 60)]:
        assert gf.verified_fonts(p.char_a, p.char_b) == p.fonts, p.key


def test_low_pairs_render_without_tofu_in_their_fonts():
    for p in read_pairs():
        if p.similarity_level == "low":
            assert all(gf.renders(f, c) for f in p.fonts for c in (p.char_a, p.char_b)), p.key


def test_pair_file_errors_name_line_and_field(tmp_path):
    header = "\t".join(COLUMNS)
    cases = {
        "未\t未\t0.7\thigh\tmined\t未\t": ":2: char_b:",
        "未\t末\t0.7\tsuper\tmined\t未 末\t": ":2: similarity_level:",
        "未\t末\t0.7\thigh\tmined\t未 味\t": ":2: source_group:",
        "未\t末\t0.7\thigh\tmined\t未 末\tNoSuchFont": ":2: failed_fonts:",
        "未\t末\tx\thigh\tmined\t未 末\t": ":2: similarity:",
    }
    for line, where in cases.items():
        path = tmp_path / "pairs.tsv"
        path.write_text(f"{header}\n{line}\n", encoding="utf-8")
        with pytest.raises(PairFileError, match=where):
            read_pairs(path)
    path.write_text(f"{header}\n未\t末\t0.7\thigh\tmined\t未 末\t\n末\t未\t0.6\tmedium\tmined\t未 末\t\n", encoding="utf-8")
    with pytest.raises(PairFileError, match=":3: .*duplicate"):
        read_pairs(path)


# -- the Source ------------------------------------------------------------------------------------

def test_registered_source_satisfies_the_protocol():
    from rose_bench.dataset_builder.sources.registry import get_source

    s = get_source("ROSE-ChineseGlyph")
    assert isinstance(s, Source) and isinstance(s, ChineseGlyphSource)


def test_options_are_validated():
    with pytest.raises(ValueError, match="min_level"):
        ChineseGlyphSource(min_level="extreme")


def test_pairs_are_unique_verified_and_enough(source):
    pairs = source.pairs(SEED)
    assert len({p.pair_key for p in pairs}) == len(pairs) >= 1.5 * SCENES_NEEDED
    by_key = {p.key: p for p in read_pairs()}
    levels = [p.fields["similarity_level"] for p in pairs]
    assert set(levels) <= {"high", "medium"} and levels == sorted(levels, key=LEVELS.index)
    for p in pairs:
        assert {p.majority, p.target} == {by_key[p.pair_key].char_a, by_key[p.pair_key].char_b}
        assert p.fields["font_name"] in by_key[p.pair_key].fonts


def test_direction_and_font_are_a_function_of_seed_and_pair(source):
    mine, other = source.pairs(SEED), source.pairs(SEED + 1)
    wider = {p.pair_key: p for p in ChineseGlyphSource(min_level="low").pairs(SEED)}
    assert ChineseGlyphSource().pairs(SEED) == mine
    assert [p.pair_key for p in other] == [p.pair_key for p in mine]
    flips = sum(a.majority != b.majority for a, b in zip(mine, other))
    fonts = sum(a.fields["font_name"] != b.fields["font_name"] for a, b in zip(mine, other))
    n = len(mine)
    assert 0.35 * n < flips < 0.65 * n and fonts > 0.7 * n
    assert all(wider[p.pair_key] == p for p in mine)  # independent of which pairs are offered
    majority_first = sum(p.majority == p.fields["source_pair"][0] for p in mine)
    assert 0.35 * n < majority_first < 0.65 * n
    used = {p.fields["font_name"] for p in mine}
    assert used == {v.name for v in gf.font_pool()}


@pytest.mark.parametrize("cell_size", [42, 64])
def test_tiles_are_framed_and_majority_differs_visibly_from_target(source, cell_size):
    small = []
    for pair in source.pairs(SEED):
        tiles = [np.asarray(source.render_tile(e, pair, cell_size)) for e in (pair.majority, pair.target)]
        for t in tiles:
            assert t.shape == (cell_size, cell_size, 3)
            assert (t[0] == 200).all() and (t[-1] == 200).all() and (t[:, 0] == 200).all() and (t[:, -1] == 200).all()
            assert (t[1:-1, 1:-1] < 128).any(), f"{pair.pair_key}: empty tile"
            ink = np.argwhere(t[1:-1, 1:-1, 0] < 128)
            centre = (ink.min(axis=0) + ink.max(axis=0)) / 2 + 1
            assert np.abs(centre - (cell_size - 1) / 2).max() < 0.2 * cell_size, f"{pair.pair_key}: off-centre glyph"
        diff = int((np.abs(tiles[0].astype(int) - tiles[1].astype(int)).max(axis=-1) >= 128).sum())
        if diff < gf.MIN_DISTINCT_PIXELS:
            small.append((pair.pair_key, diff))
    assert not small, f"pairs too similar to tell apart at cell_size {cell_size}: {small[:10]}"


def test_source_pickles_for_worker_processes(source):
    clone = pickle.loads(pickle.dumps(source))
    pair = clone.pairs(SEED)[3]
    assert clone.pairs(SEED) == source.pairs(SEED)
    assert clone.render_tile(pair.target, pair, 45).tobytes() == source.render_tile(pair.target, pair, 45).tobytes()


def test_render_tile_is_pure_and_rejects_foreign_elements(source):
    pair = source.pairs(SEED)[0]
    a = source.render_tile(pair.majority, pair, 50)
    b = source.render_tile(pair.majority, pair, 50)
    assert a.tobytes() == b.tobytes()
    with pytest.raises(ValueError, match="neither character"):
        source.render_tile("國", pair, 50)


def test_scene_fields_match_official_glyph_fields(source, fixture_rows):
    official = [k for k in fixture_rows[0] if k in GLYPH_FIELDS]
    assert tuple(official) == GLYPH_FIELDS
    for pair in source.pairs(SEED)[:50]:
        for cell_size in (42, 47, 64):
            fields = source.scene_fields(pair, cell_size)
            assert tuple(fields) == GLYPH_FIELDS
            for key in GLYPH_FIELDS:
                want = fixture_rows[0][key]
                assert type(fields[key]) is type(want), key
                if isinstance(want, list):
                    assert all(isinstance(c, str) and len(c) == 1 for c in fields[key])
            bg, tgt = fields["background_char"], fields["target_char"]
            assert fields["font_size"] == glyph_font_size(cell_size)
            assert fields["pair_direction"] == f"{bg}_majority_{tgt}_target"
            assert fields["undirected_pair_key"] == fields["pair_key"] == "__".join(sorted((bg, tgt)))
            assert set(fields["source_pair"]) == {bg, tgt} and {bg, tgt} <= set(fields["source_group"])
            assert (bg, tgt) == (pair.majority, pair.target)
    # the same derivations hold on every official row, and font_size follows the observed rule
    for row in fixture_rows:
        assert row["font_size"] == glyph_font_size(row["cell_size"])
        assert row["undirected_pair_key"] == "__".join(sorted(row["source_pair"]))
        assert row["pair_direction"] == f"{row['background_char']}_majority_{row['target_char']}_target"


def test_every_asset_file_has_licence_and_current_checksum():
    prov = json.loads((ASSETS / "PROVENANCE.json").read_text(encoding="utf-8"))["files"]
    files = sorted(p.name for p in ASSETS.iterdir() if p.is_file() and p.name != "PROVENANCE.json")
    assert files and set(files) == set(prov), "every asset file needs a PROVENANCE.json entry (and no stale ones)"
    for name in files:
        rec = prov[name]
        assert rec["license"] and rec["source"], name
        assert rec["sha256"] == sha256_file(ASSETS / name), f"{name}: sha256 out of date"
    assert "Apache License" in (ASSETS / "LICENSE-pycorrector.txt").read_text(encoding="utf-8")
    gen = prov["pairs.tsv"]["generator"]
    assert gen["verified_with"]["files"] == {r["file"]: r["sha256"] for r in gf.font_provenance()}


def test_provenance_lists_fonts_and_pair_sources(source):
    prov = source.provenance()
    json.dumps(prov)
    assert prov["subset"] == "ROSE-ChineseGlyph" and prov["pairs_offered"] == len(source.pairs(SEED))
    assert {f["file"] for f in prov["fonts"]} == {"NotoSansCJK-VF.otf.ttc", "NotoSerifSC-Regular.otf", "NotoSerifTC-Regular.otf"}
    assert all(len(f["sha256"]) == 64 and f["license"] == "OFL-1.1" for f in prov["fonts"])
    assert prov["assets"]["same_stroke.txt"]["license"] == "Apache-2.0"
    assert prov["assets"]["pairs.tsv"]["sha256"] == sha256_file(ASSETS / "pairs.tsv")
