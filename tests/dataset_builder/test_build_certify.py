"""``rose build`` certifies solvability by default: recorded in manifest + card, refused builds leave nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rose_bench import cli
from rose_bench.dataset_builder.build import BuildOptions, run_build
from rose_bench.dataset_builder.certification import CertificationFailed
from rose_bench.dataset_builder.manifest import verify_manifest
from rose_bench.solver.certify import certify
from rose_bench.dataset_builder.sources import registry
from rose_bench.scoring.contract import BRIDGE_TEMPLATES, TEMPLATE_ORDER

from tests.support.sources import IdenticalTilesSource, ShapeSource

ALL_TEMPLATES = list(TEMPLATE_ORDER + BRIDGE_TEMPLATES)
SUBSETS = ("ROSE-ChineseGlyph", "ROSE-EmojiContent")


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def certified_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("certified") / "rose"
    sources = {s: ShapeSource(s, n_pairs=6) for s in SUBSETS}
    return run_build(BuildOptions(out=out, seed=5, scenes_per_subset=3, subsets=SUBSETS, progress=False), sources=sources)


def test_default_build_is_certified_in_the_manifest(certified_build: Path) -> None:
    record = _manifest(certified_build)["solvability"]
    assert record["certified"] is True and record["policy"] == "solver" and record["failures"] == []
    assert record["rows_checked"] == record["rows_passed"] == len(SUBSETS) * 3 * len(ALL_TEMPLATES)
    assert list(record["by_subset_template"]) == list(SUBSETS)
    for per_template in record["by_subset_template"].values():
        assert list(per_template) == ALL_TEMPLATES
        assert all(stats == {"items": 3, "passed": 3, "pass_rate": 1.0} for stats in per_template.values())
    assert verify_manifest(certified_build) == []


def test_build_certificate_matches_rose_certify_on_the_written_files(certified_build: Path) -> None:
    """In-memory certification (rows + PNG bytes before the rename) agrees with re-reading the Parquet."""
    record = _manifest(certified_build)["solvability"]
    on_disk = certify(certified_build)
    assert on_disk["ok"]
    for key in ("by_subset", "by_template", "by_subset_template"):
        assert record[key] == on_disk[key], key


def test_card_shows_the_certificate(certified_build: Path) -> None:
    card = (certified_build / "README.md").read_text(encoding="utf-8")
    section = card[card.index("## Solvability") : card.index("## Configs and splits")]
    assert "**Certified**" in section and f"all {len(SUBSETS) * 3 * 7} rows" in section
    assert "| Subset | T1 | T2 | T3 | T4 | T5 | T1B | T2B | All |" in section
    assert "| ChineseGlyph | 1.000 (3) |" in section and "| EmojiContent | 1.000 (3) |" in section


def test_no_certify_records_not_certified(tmp_path: Path) -> None:
    out = tmp_path / "o"
    code = cli.main(["build", "--no-progress", "--no-certify", "--workers", "1", "--out", str(out),
                     "--subsets", "ChineseGlyph", "--scenes-per-subset", "2"])
    assert code == 0
    record = _manifest(out)["solvability"]
    assert record["certified"] is False and "--no-certify" in record["reason"]
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "**Not certified**: built with --no-certify" in card and "**Certified**" not in card
    assert verify_manifest(out) == []


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "workers"])
def test_unsolvable_items_abort_the_build(tmp_path: Path, workers: int) -> None:
    out = tmp_path / "o"
    with pytest.raises(CertificationFailed) as exc:
        run_build(
            BuildOptions(out=out, seed=1, scenes_per_subset=3, subsets=("ROSE-PixelEdit",), workers=workers, progress=False),
            sources={"ROSE-PixelEdit": IdenticalTilesSource("ROSE-PixelEdit", n_pairs=6)},
        )
    cert = exc.value.certificate
    failing = [f["item_id"] for f in cert["failures"]]
    assert not cert["ok"] and failing and len(failing) == cert["items"] - cert["passed"]
    # every scene has >= 1 target, which the image cannot show: all global T1 and T1B items fail
    assert sum(f["task_template"] in ("T1_COUNT_GLOBAL", "T1B_CLICK_GLOBAL") for f in cert["failures"]) == 2 * 3
    message = str(exc.value)
    assert "solvability check failed" in message and "nothing was written" in message
    for item_id in failing[:20]:
        assert f"FAIL {item_id} " in message
    assert all(f["reason"] for f in cert["failures"])
    assert list(tmp_path.iterdir()) == []


def test_cli_refuses_an_unsolvable_build_with_exit_1(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(registry._REGISTRY, "ROSE-PixelEdit", "tests.support.sources:identical_pixel_edit")
    out = tmp_path / "o"
    code = cli.main(["build", "--no-progress", "--workers", "1", "--out", str(out), "--subsets", "PixelEdit",
                     "--scenes-per-subset", "8"])
    assert code == 1
    err = capsys.readouterr().err
    assert "rose build: solvability check failed" in err
    listed = [line for line in err.splitlines() if line.startswith("  FAIL ")]
    assert len(listed) == 20 and all(" [T" in line and "]: " in line for line in listed)  # 16+ global items fail
    assert re.search(r"\.\.\. and \d+ more failing rows", err)
    assert not out.exists() and list(tmp_path.iterdir()) == []
    # the same source passes with --no-certify (the quick-build switch), and says so
    assert cli.main(["build", "--no-progress", "--no-certify", "--workers", "1", "--out", str(out), "--subsets", "PixelEdit",
                     "--scenes-per-subset", "8"]) == 0
    assert _manifest(out)["solvability"]["certified"] is False
