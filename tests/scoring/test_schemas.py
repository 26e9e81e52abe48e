"""Metadata/prediction schemas and `rose validate` (protocol §5, §8.6)."""

from __future__ import annotations

import copy
import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from rose_bench.scoring.validate import (
    METADATA,
    PREDICTIONS,
    Problem,
    detect_file_kind,
    load_schema,
    validate_file,
    validate_rows,
)

from rose_bench.cli import main as rose_main

from tests.support.fixtures import GLOBAL_CLICK as GCLK, MATCHED_COUNT as MLCNT


def _rows(path: Path, n: int | None = None) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return rows if n is None else rows[:n]


def _write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows), encoding="utf-8")
    return path


def _fields(problems: list[Problem], line: int) -> set[str]:
    return {p.field for p in problems if p.line == line}


@pytest.mark.parametrize("name", ["metadata_row.schema.json", "prediction_row.schema.json"])
def test_schema_is_shipped_package_data_and_valid_2020_12(name):
    resource = files("rose_bench.scoring") / "schemas" / name
    assert resource.is_file()
    schema = json.loads(resource.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_metadata_schema_requires_exactly_the_48_common_keys():
    required = load_schema(METADATA)["required"]
    assert len(required) == len(set(required)) == 48
    # every required key is on every row of both official files
    for path in (GCLK, MLCNT):
        for row in _rows(path, 50):
            assert set(required) <= set(row)


@pytest.mark.parametrize("path", [GCLK, MLCNT], ids=["global_click", "matched_local_count"])
def test_official_fixture_files_validate_unchanged(path):
    report = validate_file(path)
    assert report.kind == METADATA
    assert report.rows == 1112
    assert report.problems == ()


def test_validate_rows_python_api_on_official_rows():
    rows = _rows(GCLK, 40) + _rows(MLCNT, 40)
    assert validate_rows(rows, METADATA) == []


def _set(key, value):
    def mutate(row):
        row[key] = value
    return mutate


def _delete(key):
    def mutate(row):
        del row[key]
    return mutate


def _region(**params):
    def mutate(row):
        row["region_params"] = {**row["region_params"], **params}
    return mutate


def _bump(key, delta=1):
    def mutate(row):
        row[key] = row[key] + delta
    return mutate


def _add_click(row):
    row["ground_truth_clicks"] = sorted(row["ground_truth_clicks"] + ["R1,C1"], key=lambda s: tuple(int(x[1:]) for x in s.split(",")))
    row["ground_truth_count"] = len(row["ground_truth_clicks"])


def _wrong_answer(row):
    row["ground_truth_formal_answer"] = row["answer"] = "COUNT(9)"


def _row_range_with_cols(row):
    row["region_type"] = "ROW_RANGE"
    row["region_params"] = {"c1": 1, "c2": 2}


def _string_params_broken(row):
    row["region_params"] = '{"r1": 1, "r2": '


def _wrong_case(row):
    row["region_case"] = "all" if row["region_case"] != "all" else "zero"


# (id, mutation applied to matched-local-count row 0, JSON pointers that must be reported)
BAD_METADATA = [
    ("wrong_type", _set("rows", "15"), {"/rows"}),
    ("unknown_task_mode", _set("task_mode", "POINT"), {"/task_mode"}),
    ("unknown_region_type", _set("region_type", "CIRCLE"), {"/region_type"}),
    ("region_out_of_grid", _region(r2=99), {"/region_params"}),
    ("region_inverted", _region(r1=9, r2=8), {"/region_params"}),
    ("region_params_wrong_shape", _row_range_with_cols, {"/region_params/c1", "/region_params/r1"}),
    ("region_params_bad_json_string", _string_params_broken, {"/region_params"}),
    ("missing_field", _delete("ground_truth_count"), {"/ground_truth_count"}),
    ("missing_bridge_key", _delete("source_click_item_id"), {"/source_click_item_id"}),
    ("gt_count_inconsistent", _bump("ground_truth_count"), {"/ground_truth_count"}),
    ("gt_clicks_not_region_targets", _add_click, {"/ground_truth_clicks", "/ground_truth_count"}),
    ("image_width", _bump("image_width", 3), {"/image_width"}),
    ("region_cell_count", _bump("region_cell_count"), {"/region_cell_count"}),
    ("region_ratio_rounding", _set("region_ratio", 0.0941), {"/region_ratio"}),
    ("formal_answer", _wrong_answer, {"/ground_truth_formal_answer"}),
    ("answer_differs", _set("answer", "COUNT(7)"), {"/answer"}),
    ("region_case_geometry", _wrong_case, {"/region_case"}),
    ("bad_cell_label", _set("all_target_cells", ["R0,C1"]), {"/all_target_cells/0"}),
    ("expected_output_format", _set("expected_output_format", "CLICK(Rr,Cc); ...; DONE"), {"/expected_output_format"}),
    ("primitive_type_vs_subset", _set("primitive_type", "PIXEL_EDIT"), {"/primitive_type"}),
    ("target_outside_grid", _set("target_cells", [[99, 1]]), {"/target_cells/0"}),
]


@pytest.mark.parametrize("mutate,expected", [c[1:] for c in BAD_METADATA], ids=[c[0] for c in BAD_METADATA])
def test_each_bad_metadata_row_is_reported_with_line_and_field(tmp_path, mutate, expected):
    good = _rows(MLCNT, 3)
    bad = copy.deepcopy(good[0])
    mutate(bad)
    path = _write_jsonl(tmp_path / "metadata_test.jsonl", [good[1], bad, good[2]])
    problems = list(validate_file(path).problems)
    assert expected <= _fields(problems, 2), problems
    assert _fields(problems, 1) == _fields(problems, 3) == set()
    assert all(p.file == str(path) for p in problems)


def test_malformed_json_line_and_duplicate_id_are_reported(tmp_path):
    good = _rows(GCLK, 2)
    path = _write_jsonl(tmp_path / "metadata_dev.jsonl", [good[0], "{not json", "", "[1, 2]", good[1], good[0]])
    problems = list(validate_file(path).problems)
    by_line = {p.line: p for p in problems}
    assert set(by_line) == {2, 4, 6}
    assert "invalid JSON" in by_line[2].reason
    assert "expected a JSON object" in by_line[4].reason
    assert by_line[6].field == "/item_id" and "first at" in by_line[6].reason and ":1)" in by_line[6].reason


def test_parquet_form_string_params_and_embedded_image(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = _rows(MLCNT, 4) + _rows(GCLK, 2)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
    keys = list(dict.fromkeys(k for r in rows for k in r))
    flat = []
    for r in rows:
        row = {k: r.get(k) for k in keys}  # absent subset/bridge keys -> null, as in the HF dataset
        for key in ("region_params", "image_region_params"):
            row[key] = json.dumps(row[key], ensure_ascii=False, separators=(",", ":"))
        row["image"] = {"bytes": png, "path": r["image"]}
        flat.append(row)
    flat[3]["image"] = {"bytes": b"GIF89a", "path": None}
    flat[4]["image"] = {"bytes": png, "path": "images/elsewhere/x.png"}
    path = tmp_path / "test-00000-of-00001.parquet"
    pq.write_table(pa.Table.from_pylist(flat), path)
    report = validate_file(path)
    assert report.kind == METADATA and report.rows == 6
    assert [(p.line, p.field) for p in report.problems] == [(4, "/image/bytes"), (5, "/image")]


GOOD_PREDICTIONS = [
    {"item_id": "CHITEM_000001__GCLK", "raw_text": "CLICK(R4,C11); DONE", "model": "m", "error": None},
    {"item_id": "CHITEM_000006__GCLK", "raw_text": None, "model": "m", "error": "timeout", "latency": 3.2},
]

# (id, bad row, JSON pointer)
BAD_PREDICTIONS = [
    ("missing_item_id", {"raw_text": "DONE"}, "/item_id"),
    ("item_id_not_string", {"item_id": 7, "raw_text": "DONE"}, "/item_id"),
    ("raw_text_not_string", {"item_id": "X1", "raw_text": 3}, "/raw_text"),
    ("duplicate_item_id", {"item_id": "CHITEM_000001__GCLK", "raw_text": "DONE", "model": "m"}, "/item_id"),
    ("second_model", {"item_id": "X2", "raw_text": "DONE", "model": "other"}, "/model"),
]


def test_good_predictions_validate():
    assert validate_rows(GOOD_PREDICTIONS, PREDICTIONS) == []


@pytest.mark.parametrize("bad,field", [c[1:] for c in BAD_PREDICTIONS], ids=[c[0] for c in BAD_PREDICTIONS])
def test_bad_prediction_rows(tmp_path, bad, field):
    path = _write_jsonl(tmp_path / "run.jsonl", [*GOOD_PREDICTIONS, bad])
    report = validate_file(path, PREDICTIONS)
    assert [(p.line, p.field) for p in report.problems] == [(3, field)]


@pytest.mark.parametrize(
    "name,first,kind",
    [
        ("metadata_test.jsonl", {}, METADATA),
        ("qwen_predictions.jsonl", {}, PREDICTIONS),
        ("rows.jsonl", {"item_id": "a", "task_mode": "COUNT"}, METADATA),
        ("rows.jsonl", {"item_id": "a", "raw_text": "DONE"}, PREDICTIONS),
        ("rows.jsonl", {"item_id": "a"}, None),
    ],
    ids=["name_metadata", "name_predictions", "row_metadata", "row_predictions", "unknown"],
)
def test_kind_detection(tmp_path, name, first, kind):
    assert detect_file_kind(_write_jsonl(tmp_path / name, [first])) == kind


def test_cli_exit_codes_and_report(tmp_path, capsys):
    clean = _write_jsonl(tmp_path / "clean_metadata.jsonl", _rows(GCLK, 5) + _rows(MLCNT, 5))
    assert rose_main(["validate", str(clean)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("rose validate: OK: 1 file(s), 10 rows (metadata 10), 0 problem(s)")

    good = _rows(MLCNT, 2)
    bad = copy.deepcopy(good[1])
    bad["task_mode"] = "POINT"
    path = _write_jsonl(tmp_path / "metadata_test.jsonl", [good[0], "{oops", bad])
    assert rose_main(["validate", str(path)]) == 1  # the check ran and found problems
    lines = capsys.readouterr().out.splitlines()
    assert f"{path}:2: (row): invalid JSON" in lines[0]
    assert any(line.startswith(f"{path}:3: /task_mode:") for line in lines)
    assert "FAILED" in lines[-1] and "in 2 row(s)" in lines[-1]


def test_cli_unknown_kind_and_duplicates_across_files(tmp_path, capsys):
    unknown = _write_jsonl(tmp_path / "rows.jsonl", [{"item_id": "a"}])
    assert rose_main(["validate", str(unknown)]) == 1
    assert "--kind" in capsys.readouterr().out
    rows = _rows(GCLK, 1)
    a = _write_jsonl(tmp_path / "a_metadata.jsonl", rows)
    b = _write_jsonl(tmp_path / "b_metadata.jsonl", rows)
    assert rose_main(["validate", str(a), str(b)]) == 1
    assert f"{b}:1: /item_id: duplicate item_id" in capsys.readouterr().out


def test_cli_directory_expands_to_metadata_files(tmp_path, capsys):
    root = tmp_path / "ds"
    (root / "data" / "t1b").mkdir(parents=True)
    _write_jsonl(root / "metadata_test.jsonl", _rows(GCLK, 3))
    _write_jsonl(root / "notes.jsonl", [{"item_id": "ignored"}])
    assert rose_main(["validate", str(root)]) == 0
    assert "1 file(s), 3 rows" in capsys.readouterr().out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert rose_main(["validate", str(empty)]) == 1
    assert "directory holds no" in capsys.readouterr().out
    assert rose_main(["validate", str(tmp_path / "missing.jsonl")]) == 2  # a bad argument, not a failed check
    assert "no such file or directory" in capsys.readouterr().err


def test_a_leading_utf8_bom_is_accepted_like_rose_score_accepts_it(tmp_path, capsys):
    """One JSONL policy for every command: the BOM is stripped, the rows are read as without it."""
    plain = _write_jsonl(tmp_path / "metadata_test.jsonl", _rows(GCLK, 3))
    bom = tmp_path / "bom" / "metadata_test.jsonl"
    bom.parent.mkdir()
    bom.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    report = validate_file(bom)
    assert (report.kind, report.rows, report.problems) == ("metadata", 3, ()) and validate_file(plain).problems == ()
    preds = tmp_path / "predictions.jsonl"
    preds.write_bytes(b"\xef\xbb\xbf" + b'{"item_id": "a", "raw_text": "DONE"}\n')
    assert validate_file(preds).problems == ()
    assert rose_main(["validate", str(bom), str(preds)]) == 0
    assert "OK: 2 file(s), 4 rows" in capsys.readouterr().out


def test_report_order_does_not_depend_on_string_hashing(tmp_path):
    """Several reasons on one field (schema + rules) are listed in one fixed order, whatever PYTHONHASHSEED is."""
    import os
    import subprocess
    import sys

    rows = _rows(GCLK, 6)
    for row in rows:
        row.update(task_mode="WEIRD", primitive_type="X", image_width=1)
    path = _write_jsonl(tmp_path / "metadata_test.jsonl", rows)
    code = ("import sys; from rose_bench.scoring.validate import validate_file; "
            "print('\\n'.join(map(str, validate_file(sys.argv[1]).problems)))")
    outputs = {
        subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1 and outputs.pop().count("/task_mode") >= 6
