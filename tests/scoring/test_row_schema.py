"""scoring.row_schema: the one annotated row table agrees with the committed JSON Schema and the official rows."""

from __future__ import annotations

import json
from importlib.resources import files

import jsonschema
import pytest

from rose_bench.scoring import contract as C
from rose_bench.scoring import row_schema as R
from rose_bench.scoring.validate import load_schema

from tests.support.fixtures import GLOBAL_CLICK, MATCHED_COUNT, fixture_rows

SCHEMA_FILE = files("rose_bench.scoring") / "schemas" / "metadata_row.schema.json"
OFFICIAL = {C.T1B: GLOBAL_CLICK, C.T2B: MATCHED_COUNT}


def test_committed_json_schema_is_derived_from_the_table():
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    assert R.render_metadata_schema(json.loads(text)) == text, "run: python -m rose_bench.scoring.row_schema"
    schema = load_schema("metadata")
    assert schema["required"] == list(R.COMMON_KEYS) and len(R.COMMON_KEYS) == 48
    assert list(schema["properties"]) == [f.name for f in R.FIELDS]


def _property_validator(field: R.RowField) -> jsonschema.Draft202012Validator:
    root = load_schema("metadata")
    return jsonschema.Draft202012Validator({**dict(field.json), "$defs": root["$defs"]})


@pytest.mark.parametrize("field", R.FIELDS, ids=[f.name for f in R.FIELDS])
def test_null_is_allowed_exactly_when_the_field_is_nullable(field):
    assert _property_validator(field).is_valid(None) is field.nullable
    assert field.nullable is not field.common  # common keys are never null; subset and bridge keys may be


_PY_TYPES = {
    "string": lambda v: isinstance(v, str),
    "image": lambda v: isinstance(v, str),  # the JSONL form is the relative path
    "int64": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float64": lambda v: isinstance(v, float),
    "bool": lambda v: isinstance(v, bool),
    "list<string>": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "list<list<int64>>": lambda v: isinstance(v, list) and all(isinstance(x, list) and all(type(y) is int for y in x) for x in v),
    "json": lambda v: isinstance(v, dict),
}


@pytest.mark.parametrize("template", [C.T1B, C.T2B])
def test_official_rows_match_types_order_and_subsets(template):
    rows = fixture_rows(OFFICIAL[template])
    seen_subsets = set()
    for row in rows:
        assert list(row) == R.key_order(row, template), row["item_id"]
        for key, value in row.items():
            field = R.FIELD[key]
            if value is not None:
                assert _PY_TYPES[field.dtype](value), (key, value)
                assert _property_validator(field).is_valid(value), (key, value)
        subset = row["rose_subset"]
        seen_subsets.add(subset)
        extra = tuple(k for k in row if k not in R.COMMON_KEYS and k not in R.BRIDGE_KEYS[template])
        assert extra == R.subset_keys(subset), subset
        assert tuple(k for k in row if k in R.BRIDGE_KEYS[template]) == R.BRIDGE_KEYS[template]
    assert seen_subsets == set(C.SUBSET_ORDER)


def test_parquet_columns_follow_the_table():
    columns = R.parquet_columns()
    assert [name for name, _ in columns["main"]] == [f.name for f in R.FIELDS if f.templates is None]
    assert dict(columns["main"])["image"] == "image" and dict(columns["main"])["region_params"] == "json"
    assert {t: [n for n, _ in cols] for t, cols in columns["bridge"].items()} == {t: list(k) for t, k in R.BRIDGE_KEYS.items()}


@pytest.mark.parametrize(
    "keys,template,expected",
    [
        (["answer", "item_id"], None, ["item_id", "answer"]),
        (["bridge_task", "source_item_id", "item_id"], C.T1B, ["item_id", "source_item_id", "bridge_task"]),
        (["bridge_task", "source_item_id", "item_id"], C.T2B, ["item_id", "bridge_task", "source_item_id"]),
    ],
    ids=["main", "t1b-order", "t2b-order"],
)
def test_key_order(keys, template, expected):
    assert R.key_order(keys, template) == expected


@pytest.mark.parametrize(
    "keys,template", [(["item_id", "colour"], None), (["item_id", "bridge_task"], C.T1), (["source_click_item_id"], C.T1B)],
    ids=["unknown-key", "bridge-key-on-main-row", "other-bridge-key"],
)
def test_key_order_refuses_undeclared_keys(keys, template):
    with pytest.raises(ValueError, match="not declared in scoring/row_schema.py"):
        R.key_order(keys, template)
