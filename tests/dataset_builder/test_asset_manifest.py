"""The committed emoji / pixel asset packs: every file licensed, pinned, attributed and checksummed."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from rose_bench.dataset_builder.sources import emoji, pixel
from scripts import build_asset_pack

ROOT = Path(__file__).resolve().parents[2]
PACKS = {"emoji": emoji.PACK_DIR, "pixel": pixel.PACK_DIR}
ALLOWED_LICENSES = {"Apache-2.0", "CC-BY-4.0", "MIT", "CC0-1.0"}
EXCLUDED = re.compile(r"apple|facebook|joypixels|emojione-assets|openmoji|emoji-assets", re.I)
RECORD_KEYS = ("path", "package", "version", "upstream_path", "license", "attribution", "sha256")
MAX_PACK_BYTES = 15_000_000


def _manifest(kind: str) -> dict:
    return json.loads((PACKS[kind] / "manifest.json").read_text(encoding="utf-8"))


def _pack_files(kind: str) -> set[str]:
    root = PACKS[kind]
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != "manifest.json"}


@pytest.mark.parametrize("kind", sorted(PACKS), ids=sorted(PACKS))
def test_manifest_lists_exactly_the_pack_files(kind):
    listed = [r["path"] for r in _manifest(kind)["files"]]
    assert len(listed) == len(set(listed)), "duplicate manifest paths"
    assert set(listed) == _pack_files(kind)


@pytest.mark.parametrize("kind", sorted(PACKS), ids=sorted(PACKS))
def test_every_record_is_complete_and_matches_its_file(kind):
    root = PACKS[kind]
    for rec in _manifest(kind)["files"]:
        for key in RECORD_KEYS:
            assert isinstance(rec.get(key), str) and rec[key].strip(), f"{rec.get('path')}: empty {key}"
        assert rec["license"] in ALLOWED_LICENSES, rec
        assert not EXCLUDED.search(rec["package"]) and not EXCLUDED.search(rec["upstream_path"]), rec
        assert "\\" not in rec["path"] and not rec["path"].startswith("/")
        assert hashlib.sha256((root / rec["path"]).read_bytes()).hexdigest() == rec["sha256"], rec["path"]
        if rec["package"] != "rose-bench":
            assert re.fullmatch(r"\d+\.\d+\.\d+", rec["version"]), f"{rec['path']}: unpinned version {rec['version']}"


@pytest.mark.parametrize("kind", sorted(PACKS), ids=sorted(PACKS))
def test_packages_are_pinned_and_licensed(kind):
    for pkg in _manifest(kind)["packages"]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", pkg["version"]), pkg
        assert pkg["license"] in ALLOWED_LICENSES and pkg["attribution"].strip(), pkg
        assert re.fullmatch(r"[0-9a-f]{64}", pkg["tarball_sha256"]), pkg
        assert not EXCLUDED.search(pkg["package"]), pkg


LICENCE_TEXTS = {
    "emoji": ["LICENSES/Apache-2.0.txt", "LICENSES/CC-BY-4.0.txt", "LICENSES/MIT.txt"],
    "pixel": ["LICENSES/CC0-1.0.txt", "LICENSES/DiceBear-pixel-art-LICENSE.txt", "LICENSES/pixelarticons-LICENSE.txt"],
}


@pytest.mark.parametrize("kind", sorted(PACKS), ids=sorted(PACKS))
def test_licence_texts_are_shipped(kind):
    for rel in LICENCE_TEXTS[kind]:
        assert (PACKS[kind] / rel).stat().st_size > 500, rel


def test_packs_stay_small():
    total = sum(p.stat().st_size for root in PACKS.values() for p in root.rglob("*") if p.is_file())
    assert total < MAX_PACK_BYTES, f"asset packs are {total / 1e6:.1f} MB"


def test_index_paths_are_manifest_entries():
    listed = {r["path"] for r in _manifest("emoji")["files"]}
    index = json.loads((PACKS["emoji"] / "index.json").read_text(encoding="utf-8"))
    for entry in index["emoji"]:
        assert set(entry["images"].values()) <= listed, entry["unicode_key"]
    listed = {r["path"] for r in _manifest("pixel")["files"]}
    index = json.loads((PACKS["pixel"] / "index.json").read_text(encoding="utf-8"))
    paths = set(index["edit_bases"]) | {p[k] for p in index["content_pairs"] for k in ("majority", "target")}
    assert paths <= listed


def test_emoji_providers_match_their_licences():
    expected = {"twemoji_svg/": "CC-BY-4.0", "noto_png/": "Apache-2.0", "fluent_flat_svg/": "MIT"}
    for rec in _manifest("emoji")["files"]:
        for prefix, lic in expected.items():
            if rec["path"].startswith(prefix):
                assert rec["license"] == lic, rec


def test_pack_script_pins_exact_versions():
    for name, version in build_asset_pack.PACKAGES.values():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), (name, version)
        assert not EXCLUDED.search(name), name
    recorded = {(p["package"], p["version"]) for kind in PACKS for p in _manifest(kind)["packages"]}
    assert recorded <= set(build_asset_pack.PACKAGES.values())
