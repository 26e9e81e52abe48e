"""scoring.bridge_files: the official output names are chosen at the I/O edge, one file per result part."""

from __future__ import annotations

import dataclasses
import json

import pytest

from rose_bench.scoring import contract as C
from rose_bench.scoring.bridge_files import BRIDGE_FILES, bridge_outputs, output_groups, write_bridge_outputs
from rose_bench.scoring.bridges import evaluate_global_click, evaluate_matched_count

from tests.support.fixtures import GLOBAL_CLICK, MATCHED_COUNT, fixture_rows


@pytest.fixture(scope="module")
def results():
    out = {}
    for template, path, evaluate in ((C.T1B, GLOBAL_CLICK, evaluate_global_click), (C.T2B, MATCHED_COUNT, evaluate_matched_count)):
        meta = list(fixture_rows(path)[:12])
        preds = [{"item_id": m["item_id"], "raw_text": m["answer"] if i % 3 else "DONE"} for i, m in enumerate(meta)]
        out[template] = evaluate(meta, preds, [], model="m")
    return out


@pytest.mark.parametrize("template", [C.T1B, C.T2B])
def test_every_part_has_its_official_file(results, template):
    result = results[template]
    files = bridge_outputs(result)
    assert sorted(files) == sorted(BRIDGE_FILES[template].values())
    names = BRIDGE_FILES[template]
    assert files[names["rows"]] is result.rows and files[names["summary"]] is result.summary
    assert files[names["paper_row"]] == [result.paper]
    assert files[names["error_cases"]] == [r for r in result.rows if r["pass"] != 1]
    groups = output_groups(result)
    assert {suffix for suffix, named in groups.items() for name in named if not name.endswith("." + suffix)} == set()


def test_a_part_without_a_file_name_is_refused(results):
    extra = dataclasses.replace(results[C.T1B], tables={**results[C.T1B].tables, "by_colour": []})
    with pytest.raises(ValueError, match="do not match its output files"):
        bridge_outputs(extra)


def test_write_adds_files_and_leaves_others(tmp_path, results):
    (tmp_path / "per_item_eval.jsonl").write_text("main\n", encoding="utf-8")
    written = write_bridge_outputs(tmp_path, results[C.T1B])
    assert sorted(p.name for p in written) == sorted(BRIDGE_FILES[C.T1B].values())
    assert (tmp_path / "per_item_eval.jsonl").read_text(encoding="utf-8") == "main\n"
    paper = json.loads((tmp_path / "global_click_paper_table.json").read_text(encoding="utf-8"))
    assert paper == results[C.T1B].paper
