"""DatasetWriter: Parquet configs that `datasets` loads offline, byte-identical rebuilds, all-or-nothing output."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import huggingface_hub
import huggingface_hub.constants
import pytest
import yaml
from PIL import Image

from rose_bench.dataset_builder import card
from rose_bench.scoring.contract import SPLITS, TEMPLATE_CONFIGS, all_configs
from rose_bench.dataset_builder.writer import DatasetWriter, WriterError

from tests.support import writer as ws


ROWS = ws.scene_rows()
BY_ID = {r["item_id"]: r for r in ROWS}
TEMPLATE_OF = {c: t for t, c in TEMPLATE_CONFIGS.items()}


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    # three rows per shard: every folder/split gets several shards
    return ws.write_build(tmp_path_factory.mktemp("w") / "rose-bench", max_shard_rows=3)


@pytest.fixture
def offline(monkeypatch, tmp_path) -> Path:
    """No Hub, and a private empty cache (datasets reads the env at import, so patch its constants too)."""
    cache = tmp_path / "hf"
    monkeypatch.setenv("HF_HOME", str(cache))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(cache / "datasets"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", cache / "datasets")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    return cache / "datasets"


def _expected_ids(config: str, split: str) -> list[str]:
    templates = {TEMPLATE_OF[f] for f in all_configs()[config]}
    return sorted(r["item_id"] for r in ROWS if r["task_template"] in templates and r["split"] == split)


@pytest.mark.parametrize("config", list(all_configs()), ids=list(all_configs()))
def test_every_config_and_split_loads_offline(build, offline, config):
    for split in SPLITS:
        ds = datasets.load_dataset(str(build), config, split=split, cache_dir=str(offline))
        assert sorted(ds["item_id"]) == _expected_ids(config, split)
        assert len(ds) > 0
        first = ds[0]
        assert isinstance(first["image"], Image.Image)
        assert first["image"].size == (24, 24)
        original = BY_ID[first["item_id"]]
        assert json.loads(first["region_params"]) == original["region_params"]
        assert json.loads(first["image_region_params"]) == original["image_region_params"]


def test_values_round_trip_with_their_types(build, offline):
    ds = datasets.load_dataset(str(build), "all", split="test", cache_dir=str(offline))
    assert ds.features["item_seed"] == datasets.Value("int64")
    assert ds.features["image"] == datasets.Image()
    assert ds.features["target_cells"] == datasets.List(datasets.List(datasets.Value("int64")))
    for row in ds:
        original = BY_ID[row["item_id"]]
        for key, value in original.items():
            got = row[key]
            if key == "image":
                assert isinstance(got, Image.Image)
            elif key in ("region_params", "image_region_params"):
                assert json.loads(got) == value
            else:
                assert got == value, (row["item_id"], key)
        # fields of other subsets are null, not missing
        absent = [k for k in ds.column_names if k not in original]
        assert absent and all(row[k] is None for k in absent)
    gclk = datasets.load_dataset(str(build), "global_click", split="dev", cache_dir=str(offline))
    assert gclk[0]["bridge_task"] is True


def test_image_bytes_and_official_path_are_kept(build, offline):
    ds = datasets.load_dataset(str(build), "t4", split="test", cache_dir=str(offline))
    ds = ds.cast_column("image", datasets.Image(decode=False))
    pngs = ws.images_for(ROWS)
    for row in ds:
        original = BY_ID[row["item_id"]]
        assert row["image"]["path"] == original["image"]
        assert row["image"]["bytes"] == pngs[(original["rose_subset"], original["image_id"])]


def test_bare_dataset_name_resolves_to_the_directory(build, offline, monkeypatch):
    monkeypatch.chdir(build.parent)
    ds = datasets.load_dataset("rose-bench", "count", split="test", cache_dir=str(offline))
    assert sorted(ds["item_id"]) == _expected_ids("count", "test")
    default = datasets.load_dataset("rose-bench", split="dev", cache_dir=str(offline))
    assert sorted(default["item_id"]) == _expected_ids("all", "dev")


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_inputs_give_byte_identical_files(build, tmp_path):
    again = ws.write_build(tmp_path / "again", rows=list(reversed(ROWS)), max_shard_rows=3)
    first, second = _files(build), _files(again)
    assert list(first) == list(second)
    assert len([p for p in first if p.startswith("data/t1/test-")]) > 1  # sharded
    for name in first:
        assert first[name] == second[name], name


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir())


def test_exception_inside_the_writer_leaves_nothing(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="boom"):
        with DatasetWriter(out) as writer:
            writer.add_image("ROSE-ChineseGlyph", "CHIMG_000001", ws.png(1))
            raise RuntimeError("boom")
    assert _leftovers(tmp_path) == []


def test_failed_commit_leaves_nothing_and_names_the_field(tmp_path):
    rows = [dict(r) for r in ROWS]
    rows[3]["item_seed"] = "not-a-number"
    with pytest.raises(WriterError, match=rf"{rows[3]['item_id']}: field item_seed: expected int64"):
        ws.write_build(tmp_path / "out", rows=rows)
    assert _leftovers(tmp_path) == []


def test_abort_discards_everything(tmp_path):
    writer = DatasetWriter(tmp_path / "out")
    writer.add_image("ROSE-ChineseGlyph", "CHIMG_000001", ws.png(1))
    writer.abort()
    assert _leftovers(tmp_path) == []
    with pytest.raises(WriterError, match="already committed or aborted"):
        writer.add_rows([])


def test_existing_output_needs_overwrite(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("x")
    with pytest.raises(WriterError, match="not empty.*--overwrite"):
        DatasetWriter(out)
    ws.write_build(out, overwrite=True)
    assert not (out / "old.txt").exists()
    assert (out / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _bad(mutate):
    rows = [dict(r) for r in ROWS]
    mutate(rows)
    return rows


BAD_ROWS = [
    ("duplicate", _bad(lambda rs: rs.append(dict(rs[0]))), "duplicate item_id"),
    ("template", _bad(lambda rs: rs[0].update(task_template="T9")), "task_template: unknown"),
    ("split", _bad(lambda rs: rs[0].update(split="train")), "split: 'train'"),
    ("image-path", _bad(lambda rs: rs[0].update(image="images/x.png")), "image = images/<rose_subset>/<image_id>.png"),
    ("mixed-list", _bad(lambda rs: rs[0].update(ground_truth_clicks=[1, 2])), "ground_truth_clicks: expected list<string>"),
    ("bad-json", _bad(lambda rs: rs[0].update(region_params="{oops")), "region_params: expected a dict"),
]


@pytest.mark.parametrize("rows,message", [(r, m) for _, r, m in BAD_ROWS], ids=[n for n, _, _ in BAD_ROWS])
def test_bad_rows_are_refused_with_a_clear_message(tmp_path, rows, message):
    with pytest.raises(WriterError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.").replace("*", r"\*")):
        ws.write_build(tmp_path / "out", rows=rows)
    assert _leftovers(tmp_path) == []


def test_bad_images_are_refused(tmp_path):
    with DatasetWriter(tmp_path / "out") as writer:
        with pytest.raises(WriterError, match="not a PNG"):
            writer.add_image("ROSE-ChineseGlyph", "CHIMG_000001", b"GIF89a")
        with pytest.raises(WriterError, match="unknown subset"):
            writer.add_image("ChineseGlyph", "CHIMG_000001", ws.png(1))
        writer.add_image("ROSE-ChineseGlyph", "CHIMG_000001", ws.png(1))
        writer.add_image("ROSE-ChineseGlyph", "CHIMG_000001", ws.png(1))  # same bytes: fine
        with pytest.raises(WriterError, match="added twice with different bytes"):
            writer.add_image("ROSE-ChineseGlyph", "CHIMG_000001", ws.png(2))
        writer.add_rows(ROWS[3:4])  # the T4 row uses the cued image, never added
        with pytest.raises(WriterError, match="was never added"):
            writer.commit(ws.BUILD_INFO)


def test_unknown_fields_are_kept_with_an_inferred_type(tmp_path, offline):
    rows = [dict(r, extra_score=i + 0.5) for i, r in enumerate(ROWS)]
    out = ws.write_build(tmp_path / "out", rows=rows)
    ds = datasets.load_dataset(str(out), "t3", split="test", cache_dir=str(offline))
    assert ds.features["extra_score"] == datasets.Value("float64")
    want = {r["item_id"]: r["extra_score"] for r in rows}
    assert len(ds) == 5 and all(row["extra_score"] == want[row["item_id"]] for row in ds)


def test_an_empty_split_is_left_out(tmp_path, offline):
    # `datasets` cannot load a 0-row split, so a split without rows is not declared at all
    out = ws.write_build(tmp_path / "out", rows=[r for r in ROWS if r["split"] == "test"])
    header = yaml.safe_load((out / "README.md").read_text(encoding="utf-8").split("---\n")[1])
    assert all([f["split"] for f in c["data_files"]] == ["test"] for c in header["configs"])
    assert not list((out / "data" / "t1").glob("dev-*"))
    assert len(datasets.load_dataset(str(out), "t1", split="test", cache_dir=str(offline))) == 5
    with pytest.raises(ValueError, match="dev"):
        datasets.load_dataset(str(out), "t1", split="dev", cache_dir=str(offline))
    from rose_bench.dataset_builder.manifest import verify_manifest

    assert verify_manifest(out) == []


def test_readme_front_matter_and_card(build):
    text = (build / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    header = yaml.safe_load(text.split("---\n")[1])
    configs = {c["config_name"]: c for c in header["configs"]}
    assert list(configs) == list(all_configs())
    assert configs["all"]["default"] is True
    assert configs["action"]["data_files"][1] == {
        "split": "test", "path": ["data/t3/test-*.parquet", "data/t4/test-*.parquet", "data/t5/test-*.parquet"]
    }
    infos = {i["config_name"]: i for i in header["dataset_info"]}
    assert [s["num_examples"] for s in infos["count"]["splits"]] == [10, 10]
    assert header["license"] == "cc-by-4.0" and header["size_categories"] == ["n<1K"]
    assert "{{" not in text
    assert "| ROSE-PixelContent | test | 1 | 2 | 1 | 1 | 1 | 1 | 1 | 1 | 1 |" in text
    assert "| ROSE-ChineseGlyph | OFL-1.1 |" in text
    assert "- T4 cue: translucent purple box (test build)." in text
    assert "arXiv:2606.19965" in text and "BEGIN generator choices" in text
    # the Hub's own card parser accepts the metadata block
    parsed = huggingface_hub.DatasetCard.load(build / "README.md").data.to_dict()
    assert parsed["configs"] == header["configs"] and parsed["license"] == "cc-by-4.0"


def test_the_packaged_card_template_is_the_top_level_one():
    top_level = Path(__file__).resolve().parents[2] / "dataset_card.md"
    assert card.load_template() == top_level.read_text(encoding="utf-8")


def test_card_refuses_unknown_placeholders():
    with pytest.raises(card.CardError, match="unknown placeholder.*nope"):
        card.render("a {{nope}} b", {"version": "x"})


def test_parquet_carries_hf_features_and_hub_friendly_options(build):
    import pyarrow.parquet as pq

    shard = sorted((build / "data" / "t4").glob("test-*.parquet"))[0]
    meta = pq.ParquetFile(shard).metadata
    hf = json.loads(meta.metadata[b"huggingface"])
    assert hf["info"]["features"]["image"] == {"_type": "Image"}
    assert hf["info"]["features"]["item_seed"] == {"dtype": "int64", "_type": "Value"}
    assert b"content_defined_chunking" in meta.metadata
    columns = {meta.row_group(0).column(i).path_in_schema: meta.row_group(0).column(i) for i in range(meta.num_columns)}
    assert columns["image.bytes"].compression == "UNCOMPRESSED"  # raw PNG bytes dedupe across versions on the Hub
    assert columns["item_id"].compression == "SNAPPY"


def test_shards_are_cut_by_bytes_too(tmp_path, offline):
    out = ws.write_build(tmp_path / "out", max_shard_bytes=1)  # every row exceeds the limit: one row per shard
    shards = sorted(p.name for p in (out / "data" / "t2").glob("test-*.parquet"))
    assert shards == [f"test-{i:05d}-of-00005.parquet" for i in range(5)]
    assert sorted(datasets.load_dataset(str(out), "t2", split="test", cache_dir=str(offline))["item_id"]) == _expected_ids("t2", "test")
