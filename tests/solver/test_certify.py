"""rose certify / rose solve on a small real build (rose build, ChineseGlyph, scale 0.03)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from rose_bench.cli import main
from rose_bench.scoring.contract import TEMPLATE_CONFIGS, build_shards
from rose_bench.solver.certify import certify
from rose_bench.solver.solve import solve
from rose_bench.scoring.contract import BRIDGE_TEMPLATES, TEMPLATE_ORDER

ALL_TEMPLATES = list(TEMPLATE_ORDER + BRIDGE_TEMPLATES)


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("certify") / "build"
    code = main(["build", "--out", str(out), "--subsets", "ROSE-ChineseGlyph", "--scale", "0.03", "--workers", "1", "--no-progress"])
    assert code == 0
    return out


def test_solver_passes_every_row_of_every_template_and_bridge(build) -> None:
    cert = certify(build)
    assert cert["ok"] and cert["failures"] == []
    assert cert["pass_rate"] == 1.0 and cert["items"] >= len(ALL_TEMPLATES)
    assert list(cert["by_template"]) == ALL_TEMPLATES
    assert all(stats["pass_rate"] == 1.0 for stats in cert["by_template"].values())
    assert cert["by_subset"]["ROSE-ChineseGlyph"]["items"] == cert["items"]
    json.dumps(cert)  # plain data, ready for the manifest


def test_certify_cli_reports_pass_and_writes_the_certificate(build, tmp_path, capsys) -> None:
    out = tmp_path / "cert.json"
    assert main(["certify", str(build), "--split", "test", "--templates", "t4,T5_CLICK_COUNT_EXCLUSION", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "-> OK" in printed and "T4_CLICK_VISUAL_REGION" in printed
    cert = json.loads(out.read_text(encoding="utf-8"))
    assert cert["splits"] == ["test"] and cert["templates"] == ["T4_CLICK_VISUAL_REGION", "T5_CLICK_COUNT_EXCLUSION"]


def test_a_baseline_fails_certification_and_every_failure_is_listed(build, capsys) -> None:
    assert main(["certify", str(build), "--policy", "global", "--templates", "t3", "--max-failures", "1000"]) == 1
    printed = capsys.readouterr().out
    cert = certify(build, policy="global", templates=["t3"])
    assert not cert["ok"] and len(cert["failures"]) == cert["items"] - cert["passed"] > 0
    for failure in cert["failures"]:
        assert f"FAIL {failure['item_id']} " in printed
        assert "answered" in failure["reason"] and "grid read correctly" in failure["reason"]


def test_a_wrong_label_in_the_build_is_caught(build, tmp_path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(build, broken)
    shard = build_shards(broken, TEMPLATE_CONFIGS["T1_COUNT_GLOBAL"], "test")[0]
    table = pq.read_table(shard)
    counts = table.column("ground_truth_count").to_pylist()
    counts[0] += 1
    table = table.set_column(table.schema.get_field_index("ground_truth_count"), "ground_truth_count", pa.array(counts, pa.int64()))
    pq.write_table(table, shard)
    (broken / "manifest.json").unlink()  # else certify refuses the rewritten shard as not the build's (size differs)
    cert = certify(broken, templates=["t1"], splits=["test"])
    assert [f["item_id"] for f in cert["failures"]] == [table.column("item_id")[0].as_py()]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["certify", "/nonexistent/rose-build"], "no data/ folder"),
        (["certify", "{build}", "--templates", "t9"], "unknown template 't9'"),
    ],
    ids=["missing-dir", "unknown-template"],
)
def test_certify_bad_input_exits_2(build, capsys, args, message) -> None:
    assert main([a.format(build=build) for a in args]) == 2
    assert message in capsys.readouterr().err


def test_rose_solve_prints_the_answer_of_a_built_row(build, tmp_path, capsys) -> None:
    row = pq.read_table(build_shards(build, "t4", "test")[0]).slice(0, 1).to_pylist()[0]
    png = tmp_path / "item.png"
    png.write_bytes(row["image"]["bytes"])
    local = tmp_path / "local.txt"
    local.write_text(row["prompt_local"], encoding="utf-8")
    assert main(["solve", "--image", str(png), "--prompt-local-file", str(local)]) == 0
    assert capsys.readouterr().out.strip() == row["ground_truth_formal_answer"]
    with Image.open(io.BytesIO(row["image"]["bytes"])) as img:
        assert solve(img, row["prompt_global"], row["prompt_local"]) == row["ground_truth_formal_answer"]


def test_rose_solve_bad_image_exits_2(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a png")
    assert main(["solve", "--image", str(bad), "--prompt-local", "Count ... in row 1. Answer only in the format: COUNT(n)."]) == 2
    assert "cannot read the image" in capsys.readouterr().err


@pytest.mark.parametrize("config", ["t1", "t3", "t4", "t5"])
def test_built_rows_sent_as_jpeg_are_still_solved(build, config) -> None:
    """The runner's --image_format jpeg (quality 92) path: lossy pixels, same answers."""
    for row in pq.read_table(build_shards(build, config, "test")[0]).to_pylist():
        buf = io.BytesIO()
        Image.open(io.BytesIO(row["image"]["bytes"])).convert("RGB").save(buf, "JPEG", quality=92)
        with Image.open(io.BytesIO(buf.getvalue())) as img:
            assert solve(img, row["prompt_global"], row["prompt_local"]) == row["ground_truth_formal_answer"], row["item_id"]


def _rows_of_one_image(build) -> list:
    """Rows of several templates sharing the first test scene's base image, plus rows the solver cannot answer."""
    from rose_bench.solver.certify import iter_build_rows

    rows = list(iter_build_rows(build, ["t1", "t2", "t3", "t5", "t1b", "t2b"], ["test"]))
    first = rows[0].png
    shared = [r for r in rows if r.png == first]
    bad_prompt = type(shared[0])({**shared[0].meta, "prompt_local": "Describe the picture."}, first, "bad prompt")
    outside = type(shared[0])({**shared[1].meta, "prompt_local": "Count the cells that are different from the majority "
                               "in rows 40 to 41. Answer only in the format: COUNT(n)."}, first, "region outside")
    return shared + [bad_prompt, outside]


@pytest.mark.parametrize("policy", ["solver", "global", "count-only"])
def test_rows_sharing_an_image_read_it_once_with_the_same_answers(build, policy) -> None:
    """check_rows reads each image once; every row's check (answer, error, reason) equals check_row's."""
    from rose_bench.solver.certify import check_row, check_rows

    rows = _rows_of_one_image(build)
    assert len({r.png for r in rows}) == 1 and len(rows) >= 5
    one_by_one = [check_row(r, policy) for r in rows]
    assert list(check_rows(rows, policy)) == one_by_one
    with Image.open(io.BytesIO(rows[0].png)) as img:
        pixels = {rows[0].png: np.asarray(img.convert("RGB"))}
    assert list(check_rows(rows, policy, pixels=pixels)) == one_by_one
    if policy == "solver":
        reasons = [c.failure["reason"] for c in one_by_one if c.failure]
        assert any("PromptNotUnderstood" in r for r in reasons) and any("RegionOutsideGrid" in r for r in reasons)


def test_an_image_without_a_grid_fails_every_row_with_the_same_reason(build) -> None:
    from rose_bench.solver.certify import BuildRow, check_row, check_rows

    buf = io.BytesIO()
    Image.new("RGB", (320, 320), "white").save(buf, "PNG")
    rows = [BuildRow(r.meta, buf.getvalue(), r.source) for r in _rows_of_one_image(build)]
    checks = list(check_rows(rows))
    assert checks == [check_row(r) for r in rows]
    assert all(not c.passed for c in checks)
    assert sum("GridNotFound" in c.failure["reason"] for c in checks) == len(rows) - 1  # an unreadable prompt is reported first
