"""manifest.json: contents, and verify_manifest catching every kind of drift between a build and its manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from rose_bench.dataset_builder import manifest as manifest_mod
from rose_bench.dataset_builder.manifest import read_manifest, verify_manifest

from tests.support import writer as ws


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    return ws.write_build(tmp_path_factory.mktemp("m") / "build")


@pytest.fixture
def build(pristine, tmp_path) -> Path:
    copy = tmp_path / "build"
    shutil.copytree(pristine, copy)
    return copy


def test_manifest_describes_the_build(pristine):
    m = read_manifest(pristine)
    assert m["format"] == "rose-bench-build/1"
    assert m["seed"] == 7 and m["scale"] == "test" and m["config_hash"] == "sha256:test"
    assert m["code_version"]["package"] == "rose-bench" and m["code_version"]["version"]
    assert m["versions"]["dataset_version"]["ROSE-ChineseGlyph"] == ["chinese_v0.3"]
    assert m["versions"]["bridge_dataset_version"] == {
        "T1B_CLICK_GLOBAL": ["ROSEv0.1_global_click_bridge"],
        "T2B_COUNT_LOCAL_MATCHED": ["chinese_v0.3", "emoji_pilot_v0.1", "pixel_v0.1-cuefix-v2"],
    }
    assert m["versions"]["protocol_version"]["T1B_CLICK_GLOBAL"] == ["v0.3+global_click_bridge"]
    counts = m["counts"]
    assert counts["rows"]["ROSE-EmojiStyle"]["test"]["T4_CLICK_VISUAL_REGION"] == 1
    assert counts["images"]["ROSE-EmojiStyle"] == {"dev": 2, "test": 2}
    assert counts["total_rows"] == 70 and counts["total_scenes"] == 10 and counts["total_images"] == 20
    assert counts["parquet_rows"]["t2b"] == {"dev": 5, "test": 5}
    paths = [f["path"] for f in m["files"]]
    assert paths == sorted(paths) and "README.md" in paths and "manifest.json" not in paths
    for entry in m["files"]:
        data = (pristine / entry["path"]).read_bytes()
        assert entry["size"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert verify_manifest(pristine) == []


def _first_parquet(build: Path) -> Path:
    return sorted((build / "data" / "t1").glob("*.parquet"))[0]


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


TAMPERING = [
    ("flipped-byte", lambda b: _flip_byte(_first_parquet(b)), "sha256 differs"),
    ("truncated", lambda b: _first_parquet(b).write_bytes(_first_parquet(b).read_bytes()[:100]), "size"),
    ("deleted", lambda b: _first_parquet(b).unlink(), "listed in the manifest but missing"),
    ("stray-file", lambda b: (b / "data" / "t1" / "extra.parquet").write_bytes(b"x"), "not listed in the manifest"),
    ("edited-card", lambda b: (b / "README.md").write_text("changed", encoding="utf-8"), "README.md"),
    ("no-manifest", lambda b: (b / "manifest.json").unlink(), "manifest.json: missing"),
    ("broken-manifest", lambda b: (b / "manifest.json").write_text("{", encoding="utf-8"), "unreadable"),
]


@pytest.mark.parametrize("tamper,message", [(t, m) for _, t, m in TAMPERING], ids=[n for n, _, _ in TAMPERING])
def test_tampering_is_detected(build, tamper, message):
    tamper(build)
    problems = verify_manifest(build)
    assert problems and any(message in p for p in problems), problems


def test_row_counts_are_checked_against_the_parquet(build):
    m = read_manifest(build)
    m["counts"]["parquet_rows"]["t3"]["test"] = 99
    (build / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    assert verify_manifest(build) == ["data/t3/test: 5 rows in Parquet != manifest 99"]


def test_code_version_without_git(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no git executable: the version is still reported
    info = manifest_mod.code_version()
    assert info["version"] and info["git_commit"] is None


def test_code_version_in_the_source_checkout():
    info = manifest_mod.code_version()
    if not (Path(__file__).resolve().parents[2] / ".git").exists():
        pytest.skip("not running from a git checkout")
    assert len(info["git_commit"]) == 40 and isinstance(info["git_dirty"], bool)


def test_the_writer_records_the_code_version_when_not_given(tmp_path):
    from rose_bench.dataset_builder.writer import DatasetWriter

    rows = [r for r in ws.scene_rows(per_subset=1)]
    info = {k: v for k, v in ws.BUILD_INFO.items() if k != "code_version"}
    with DatasetWriter(tmp_path / "b") as writer:
        for (subset, image_id), data in ws.images_for(rows).items():
            writer.add_image(subset, image_id, data)
        writer.add_rows(rows)
        out = writer.commit(info)
    import rose_bench

    recorded = read_manifest(out)["code_version"]
    assert set(recorded) == {"package", "version", "git_commit", "git_dirty"}
    assert recorded["version"] == rose_bench.__version__
