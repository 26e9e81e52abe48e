"""`rose stats`: a build against itself passes (0), against a drifted reference fails (1), bad input is refused (2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rose_bench.dataset_builder.fidelity_data import build_rows

from tests.support.cli import rose


@pytest.fixture(scope="module")
def glyph_build(tmp_path_factory) -> Path:
    """60 ChineseGlyph scenes (about 44 test scenes): enough for drift to show in a permutation test."""
    out = tmp_path_factory.mktemp("stats") / "build"
    result = rose("build", "--out", out, "--subsets", "ChineseGlyph", "--scenes-per-subset", "60", "--seed", "3",
                  "--workers", "1", "--no-certify", "--no-progress")
    assert result.code == 0, result.err
    return out


def _write_reference(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_build_against_itself_passes(glyph_build: Path, tmp_path: Path) -> None:
    result = rose("stats", glyph_build, "--reference", glyph_build, "--permutations", "200",
                  "--json", tmp_path / "r.json", "--markdown", tmp_path / "r.md")
    assert result.code == 0, result.err
    assert "PASS: 0 of 13 attributes outside" in result.out
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["passed"] is True and all(c["tvd"] == 0 for c in report["comparisons"])
    assert "| ROSE-ChineseGlyph | difficulty |" in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_a_drifted_reference_fails_and_names_the_attributes(glyph_build: Path, tmp_path: Path) -> None:
    rows = build_rows(glyph_build, "test")
    for row in rows:
        row.update(difficulty="hard", region_case="zero", region_ratio=0.9, region_cell_count=90, grid_size_profile="large")
    reference = _write_reference(tmp_path / "drifted_metadata_test.jsonl", rows)
    result = rose("stats", glyph_build, "--reference", reference, "--permutations", "200", "--json", tmp_path / "r.json")
    assert result.code == 1
    assert "FAIL" in result.out and "FAIL" in result.err
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))  # the report is written before exit 1
    flagged = {c["attribute"] for c in report["comparisons"] if c["outside"]}
    assert {"difficulty", "region_case", "region_ratio", "region_cell_count", "grid_size_profile"} <= flagged


@pytest.mark.parametrize(
    "args, message",
    [
        (["{tmp}/nowhere"], "not a `rose build` directory"),
        (["{build}", "--reference", "{tmp}/missing.jsonl"], "not found"),
        (["{build}", "--reference", "{tmp}/bad_metadata_test.jsonl"], "invalid JSON"),
        (["{build}", "--permutations", "5"], "--permutations"),
        (["{build}", "--split", "train"], "invalid choice"),
        (["{build}", "--json", "{build}/manifest.json"], "manifest.json"),
    ],
    ids=["not-a-build", "missing-reference", "bad-reference", "too-few-permutations", "bad-split", "json-over-input"],
)
def test_bad_input_exits_2(glyph_build: Path, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "bad_metadata_test.jsonl").write_text('{"task_template": "T1B_GLOBAL_CLICK"\n', encoding="utf-8")
    argv = [a.format(tmp=tmp_path, build=glyph_build) for a in args]
    before = (glyph_build / "manifest.json").read_bytes()
    result = rose("stats", *argv)
    assert result.code == 2, (result.out, result.err)
    assert message in result.err
    assert (glyph_build / "manifest.json").read_bytes() == before  # never overwrites its input
