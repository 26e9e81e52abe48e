"""``rose build`` end to end on the test source: gold answers PASS, clear errors, nothing half-written."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from PIL import Image

from rose_bench import cli
from rose_bench.dataset_builder.build import BuildError, BuildOptions, run_build
from rose_bench.dataset_builder.sources import registry
from rose_bench.scoring import contract
from rose_bench.scoring.item import score_item

from tests.support.sources import ShapeSource

SUBSETS = ("ROSE-EmojiStyle", "ROSE-PixelEdit")


@pytest.fixture(scope="module")
def small_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build") / "rose"
    sources = {s: ShapeSource(s, n_pairs=8) for s in SUBSETS}
    return run_build(BuildOptions(out=out, seed=1, scenes_per_subset=3, subsets=SUBSETS, progress=False), sources=sources)


def _parquet_rows(root: Path) -> list[dict]:
    rows = []
    for path in sorted((root / "data").rglob("*.parquet")):
        rows.extend(pq.read_table(path).to_pylist())
    return rows


def test_every_gold_answer_passes(small_build: Path) -> None:
    rows = _parquet_rows(small_build)
    assert len(rows) == len(SUBSETS) * 3 * 7
    templates = {r["task_template"] for r in rows}
    assert templates == set(contract.TEMPLATE_ORDER + contract.BRIDGE_TEMPLATES)
    for row in rows:
        meta = {k: v for k, v in row.items() if k != "image"}
        meta["image"] = row["image"]["path"]
        scored = score_item(meta, row["answer"])
        assert scored["pass"] == 1 and scored["unified_soft"] == 1.0, row["item_id"]


def test_images_have_the_grid_size_and_t4_uses_the_cued_image(small_build: Path) -> None:
    rows = _parquet_rows(small_build)
    images = {}
    for row in rows:
        img = Image.open(io.BytesIO(row["image"]["bytes"]))
        assert img.size == (row["image_width"], row["image_height"])
        images[row["image_id"]] = row["image"]["bytes"]
    for row in rows:
        if row["task_template"] == contract.T4:
            base_id = row["image_id"][:-6] + f"{int(row['image_id'][-6:]) - 1:06d}"
            assert images[row["image_id"]] != images[base_id]
            assert json.loads(row["image_region_params"]) == json.loads(row["region_params"])


def _run_cli(*args: str) -> int:
    return cli.main(["build", "--no-progress", *args])


def test_cli_unknown_subset(tmp_path: Path, capsys) -> None:
    assert _run_cli("--out", str(tmp_path / "o"), "--subsets", "ROSE-Nope") == 2
    err = capsys.readouterr().err
    assert "unknown subset 'ROSE-Nope'" in err and "ROSE-ChineseGlyph" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("scale", ["0", "-1", "nan", "x"])
def test_cli_bad_scale(tmp_path: Path, scale: str, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        _run_cli("--out", str(tmp_path / "o"), "--scale", scale)
    assert exc.value.code == 2
    assert "--scale" in capsys.readouterr().err


def test_cli_refuses_non_empty_out(tmp_path: Path, capsys) -> None:
    out = tmp_path / "o"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    assert _run_cli("--out", str(out), "--subsets", "ChineseGlyph") == 2
    assert "--overwrite" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


class _Exploding(ShapeSource):
    """Fails while rendering the second scene, after the first one was handed to the writer."""

    calls = 0

    def render_tile(self, element, pair, cell_size):
        type(self).calls += 1
        if type(self).calls > 2:
            raise KeyboardInterrupt
        return super().render_tile(element, pair, cell_size)


def test_failure_leaves_nothing_behind(tmp_path: Path) -> None:
    out = tmp_path / "o"
    with pytest.raises(KeyboardInterrupt):
        run_build(
            BuildOptions(out=out, seed=1, scenes_per_subset=3, subsets=("ROSE-PixelEdit",), progress=False),
            sources={"ROSE-PixelEdit": _Exploding("ROSE-PixelEdit", n_pairs=5)},
        )
    assert list(tmp_path.iterdir()) == []


def test_one_pair_cannot_serve_neighbouring_scenes(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="offers 1 usable pair but split test needs 2 scenes"):
        run_build(
            BuildOptions(out=tmp_path / "o", scenes_per_subset=3, subsets=("ROSE-PixelEdit",), progress=False),
            sources={"ROSE-PixelEdit": ShapeSource("ROSE-PixelEdit", n_pairs=1)},
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("disjoint", [False, True], ids=["shared", "disjoint"])
def test_reuse_is_recorded_in_manifest_and_card(tmp_path: Path, disjoint: bool) -> None:
    out = run_build(
        BuildOptions(out=tmp_path / "o", seed=4, scenes_per_subset=9, subsets=("ROSE-PixelEdit",), progress=False,
                     certify=False, disjoint_pairs=disjoint),
        sources={"ROSE-PixelEdit": ShapeSource("ROSE-PixelEdit", n_pairs=4)},
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    reuse = manifest["generator"]["pair_reuse"]["ROSE-PixelEdit"]
    assert (reuse["scenes"], reuse["pairs_available"], reuse["disjoint"]) == (9, 4, disjoint)
    assert reuse["reused_scenes"] == 9 - reuse["pairs_used"] > 0 and reuse["max_uses"] <= (5 if disjoint else 3)
    assert manifest["generator"]["disjoint_pairs"] is disjoint
    rows = _parquet_rows(out)
    splits_of: dict[str, set] = {}
    for row in rows:
        splits_of.setdefault(row["pair_key"], set()).add(row["split"])
    assert disjoint == all(len(s) == 1 for s in splits_of.values())
    card = (out / "README.md").read_text(encoding="utf-8")
    assert f"| PixelEdit | 9 | 4 | {reuse['pairs_used']} | {reuse['reused_scenes']} | {reuse['max_uses']} |" in card
    assert "### Fidelity to ROSE v0.1" in card and manifest["fidelity"]["split"] == "test"


def test_registry_errors(monkeypatch) -> None:
    with pytest.raises(registry.SourceUnavailable, match="unknown subset 'ROSE-Nope'"):
        registry.get_source("ROSE-Nope")
    monkeypatch.setitem(registry._REGISTRY, "ROSE-PixelContent", "rose_bench.dataset_builder.sources.no_such_module:X")
    with pytest.raises(registry.SourceUnavailable, match="not installed.*available sources: .*ROSE-ChineseGlyph"):
        registry.get_source("ROSE-PixelContent")
    monkeypatch.delitem(registry._REGISTRY, "ROSE-PixelContent")
    with pytest.raises(registry.SourceUnavailable, match="no source is registered for ROSE-PixelContent"):
        registry.get_source("ROSE-PixelContent")
    assert "ROSE-ChineseGlyph" in registry.available_subsets()


@pytest.mark.parametrize("subset", ["ROSE-ChineseGlyph", "ROSE-PixelContent"])
def test_small_build_with_the_installed_source(tmp_path: Path, subset: str) -> None:
    """The registry path end to end: real assets, 2 scenes, rows validate and gold answers PASS."""
    from rose_bench.scoring.validate import validate_rows

    out = run_build(BuildOptions(out=tmp_path / "o", seed=2, scenes_per_subset=2, subsets=(subset,), progress=False))
    rows = _parquet_rows(out)
    assert len(rows) == 14 and {r["split"] for r in rows} == {"dev", "test"}
    assert validate_rows(rows, "metadata") == []
    for row in rows:
        meta = dict(row, image=row["image"]["path"])
        assert score_item(meta, row["answer"])["pass"] == 1, row["item_id"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generator"]["pairs_available"][subset] >= 300
    assert sum(manifest["counts"]["scenes"][subset].values()) == 2
    assert set(manifest["statistics"]["per_subset_template"][subset]) == set(contract.TEMPLATE_ORDER)
    assert len(manifest["config_hash"]) == 64 and manifest["choices"]
