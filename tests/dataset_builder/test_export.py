"""rose export-official: the authors' release layout, rows identical to the builder's, images byte-identical."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from rose_bench.cli import main as rose_main
from rose_bench.scoring.contract import BRIDGE_TEMPLATES, TEMPLATE_ORDER

from tests.support import writer as ws


ROWS = ws.scene_rows()
T1B, T2B = BRIDGE_TEMPLATES


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    return ws.write_build(tmp_path_factory.mktemp("e") / "build", max_shard_rows=4)


@pytest.fixture(scope="module")
def official(build, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("o") / "official"
    assert rose_main(["export-official", str(build), str(out)]) == 0
    return out


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _expected(templates, split):
    return [r for r in ROWS if r["task_template"] in templates and r["split"] == split]


LAYOUT = [
    ("metadata_dev.jsonl", TEMPLATE_ORDER, "dev"),
    ("metadata_test.jsonl", TEMPLATE_ORDER, "test"),
    ("analysis/data/global_click/metadata_dev.jsonl", (T1B,), "dev"),
    ("analysis/data/global_click/metadata_test.jsonl", (T1B,), "test"),
    ("analysis/data/matched_local_count/metadata_dev.jsonl", (T2B,), "dev"),
    ("analysis/data/matched_local_count/metadata_test.jsonl", (T2B,), "test"),
]


@pytest.mark.parametrize("name,templates,split", LAYOUT, ids=[n for n, _, _ in LAYOUT])
def test_rows_come_back_exactly_as_built(official, name, templates, split):
    got = _read(official / name)
    want = {r["item_id"]: r for r in _expected(templates, split)}
    assert sorted(r["item_id"] for r in got) == sorted(want)
    for row in got:
        # same keys in the same order, same values and types (dicts are dicts again)
        assert list(row.items()) == list(want[row["item_id"]].items())


def test_lines_use_the_official_json_style(official):
    line = (official / "analysis/data/global_click/metadata_test.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert line.startswith('{"item_id":"CHITEM_000001__GCLK","scene_id":"CHSCENE_000001"')
    assert '"region_params":{}' in line and '"background_char":"架"' in line


def test_one_image_file_per_id_with_the_parquet_bytes(official, build):
    files = sorted(p.relative_to(official).as_posix() for p in (official / "images").rglob("*.png"))
    assert files == sorted({r["image"] for r in ROWS})
    for shard in sorted((build / "data").rglob("*.parquet")):
        for row in pq.read_table(shard, columns=["image"]).to_pylist():
            assert (official / row["image"]["path"]).read_bytes() == row["image"]["bytes"]
    pngs = ws.images_for(ROWS)
    for (subset, image_id), data in pngs.items():
        assert (official / "images" / subset / f"{image_id}.png").read_bytes() == data


def test_existing_output_is_kept_without_overwrite(build, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    assert rose_main(["export-official", str(build), str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert rose_main(["export-official", str(build), str(out), "--overwrite"]) == 0
    assert (out / "metadata_test.jsonl").is_file() and not (out / "keep.txt").exists()


def test_a_build_that_fails_verification_is_not_exported(build, tmp_path, capsys):
    copy = tmp_path / "build"
    shutil.copytree(build, copy)
    (copy / "README.md").write_text("edited", encoding="utf-8")
    assert rose_main(["export-official", str(copy), str(tmp_path / "out")]) == 2
    assert "README.md: size" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_gold_answers_score_pass_1(official, tmp_path):
    for split in ("dev", "test"):
        gold = tmp_path / f"gold_{split}.jsonl"
        rows = _read(official / f"metadata_{split}.jsonl")
        gold.write_text(
            "".join(json.dumps({"item_id": r["item_id"], "raw_text": r["answer"]}) + "\n" for r in rows), encoding="utf-8"
        )
        out = tmp_path / f"eval_{split}"
        argv = ["score", "--dataset_root", str(official), "--predictions", str(gold), "--split", split, "--out_dir", str(out)]
        assert rose_main(argv) == 0
        summary = json.loads((out / "evaluation_summary.json").read_text(encoding="utf-8"))
        assert summary["overall"]["n"] == len(rows)
        assert summary["overall"]["pass_rate"] == 1.0


def test_a_real_build_exports_and_its_gold_answers_score_pass_1(shape_sources, tmp_path):
    """End to end: builder (test sources) -> writer -> export-official -> `rose score` on the official layout."""
    from rose_bench.dataset_builder.build import BuildOptions, run_build

    build = run_build(
        BuildOptions(out=tmp_path / "build", scenes_per_subset=2, progress=False), sources=shape_sources
    )
    out = tmp_path / "official"
    assert rose_main(["export-official", str(build), str(out)]) == 0
    originals = {r["item_id"]: r for shard in sorted((build / "data").rglob("*.parquet")) for r in pq.read_table(shard).to_pylist()}
    for split in ("dev", "test"):
        rows = _read(out / f"metadata_{split}.jsonl")
        assert rows and all(r["split"] == split and isinstance(r["region_params"], dict) for r in rows)
        assert all(originals[r["item_id"]]["image"]["path"] == r["image"] for r in rows)
        gold = tmp_path / f"gold_{split}.jsonl"
        gold.write_text("".join(json.dumps({"item_id": r["item_id"], "raw_text": r["answer"]}) + "\n" for r in rows), encoding="utf-8")
        argv = ["score", "--dataset_root", str(out), "--predictions", str(gold), "--split", split, "--out_dir", str(tmp_path / split)]
        assert rose_main(argv) == 0
        summary = json.loads((tmp_path / split / "evaluation_summary.json").read_text(encoding="utf-8"))
        assert summary["overall"]["n"] == len(rows) and summary["overall"]["pass_rate"] == 1.0
    assert len(_read(out / "analysis/data/global_click/metadata_test.jsonl")) == 5
