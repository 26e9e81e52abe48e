"""Column types of the Parquet representation and the row <-> column value conversions.

The known columns and their types come from the annotated row schema
(``rose_bench.scoring.row_schema``: one table for the JSON Schema, the Parquet
columns and the key order); a row field the table does not know gets a type
inferred from its values, so a new field added by the builder is stored rather
than dropped.  Every value is
checked against its column type, because a mistyped field would otherwise
surface only as a cast error deep inside ``datasets`` at load time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

from datasets import Features, Image, List, Value
from datasets import config as ds_config

from rose_bench.scoring.row_schema import DTYPES, parquet_columns

_SCHEMA_MODULE = "scoring/row_schema.py"


class SchemaError(ValueError):
    """A row field whose value does not fit its column type."""


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # one of DTYPES


@lru_cache(maxsize=1)
def _column_table() -> dict[str, Any]:
    return parquet_columns()


def known_main_columns() -> tuple[Column, ...]:
    return tuple(Column(n, t) for n, t in _column_table()["main"])


def known_bridge_columns(template: str) -> tuple[Column, ...]:
    return tuple(Column(n, t) for n, t in _column_table()["bridge"].get(template, []))


def dumps_compact(obj: Any) -> str:
    """The agreed JSON-string form of dict fields (compact, key order kept)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def infer_dtype(values: Iterable[Any]) -> str | None:
    """Type of an unknown field from its non-null values (None when all are null)."""
    kinds = set()
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            kinds.add("bool")
        elif isinstance(v, int):
            kinds.add("int64")
        elif isinstance(v, float):
            kinds.add("float64")
        elif isinstance(v, str):
            kinds.add("string")
        elif isinstance(v, dict):
            kinds.add("json")
        elif isinstance(v, (list, tuple)):
            kinds.add("list<list<int64>>" if v and isinstance(v[0], (list, tuple)) else "list<string>")
        else:
            kinds.add(type(v).__name__)
    if not kinds:
        return None
    if kinds == {"int64", "float64"}:
        return "float64"
    if len(kinds) == 1 and next(iter(kinds)) in DTYPES:
        return next(iter(kinds))
    raise SchemaError(f"values of mixed or unsupported types {sorted(kinds)}")


def _kind(value: Any) -> tuple[type, bool]:
    """What ``infer_dtype`` distinguishes about a value: its type, and for a list whether it nests lists."""
    nested = isinstance(value, (list, tuple)) and bool(value) and isinstance(value[0], (list, tuple))
    return type(value), nested


class SchemaCollector:
    """The columns of a group of configs that share one schema, collected one row at a time: known main
    columns, then the known bridge columns of ``templates``, then unknown fields in first-seen order (one
    example value per kind).

    ``infer_dtype`` depends only on the set of kinds among the values, so one
    example of each kind decides the type exactly as all the values would.
    """

    def __init__(self, templates: Iterable[str]) -> None:
        columns = list(known_main_columns())
        for template in templates:
            for col in known_bridge_columns(template):
                if col.name not in {c.name for c in columns}:
                    columns.append(col)
        self._known = tuple(columns)
        self._names = {c.name for c in columns}
        self._extra: dict[str, dict[tuple[type, bool], Any]] = {}

    def add(self, row: Mapping[str, Any]) -> None:
        for key, value in row.items():
            if key in self._names:
                continue
            examples = self._extra.setdefault(key, {})
            if value is not None:
                examples.setdefault(_kind(value), value)

    def columns(self) -> tuple[Column, ...]:
        columns = list(self._known)
        for key, examples in self._extra.items():
            try:
                dtype = infer_dtype(examples.values())
            except SchemaError as exc:
                raise SchemaError(f"field {key!r}: {exc} (fix: emit one type per field, or declare it in {_SCHEMA_MODULE})") from None
            columns.append(Column(key, dtype or "string"))
        return tuple(columns)


def _feature(dtype: str):
    return {
        "string": Value("string"),
        "int64": Value("int64"),
        "float64": Value("float64"),
        "bool": Value("bool"),
        "list<string>": List(Value("string")),
        "list<list<int64>>": List(List(Value("int64"))),
        "json": Value("string"),
        "image": Image(),
    }[dtype]


def features_for(columns: Sequence[Column]) -> Features:
    return Features({c.name: _feature(c.dtype) for c in columns})


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def encode_value(column: Column, value: Any) -> Any:
    """Python value for the Parquet column, or SchemaError naming what was expected.

    ``image`` columns are handled by the writer (they need the spooled bytes).
    """
    if value is None:
        return None
    t = column.dtype
    if t == "string" and isinstance(value, str):
        return value
    if t == "int64" and _is_int(value):
        return value
    if t == "float64" and (isinstance(value, float) or _is_int(value)):
        return float(value)
    if t == "bool" and isinstance(value, bool):
        return value
    if t == "list<string>" and isinstance(value, (list, tuple)) and all(isinstance(x, str) for x in value):
        return list(value)
    if t == "list<list<int64>>" and isinstance(value, (list, tuple)) and all(
        isinstance(x, (list, tuple)) and all(_is_int(y) for y in x) for x in value
    ):
        return [list(x) for x in value]
    if t == "json":
        if isinstance(value, dict):
            return dumps_compact(value)
        if isinstance(value, str):
            try:
                parsed = json.loads(value)
            except json.JSONDecodeError as exc:
                raise SchemaError(f"expected a dict or a JSON object string, got invalid JSON ({exc.msg})") from None
            if isinstance(parsed, dict):
                return dumps_compact(parsed)
    raise SchemaError(f"expected {t}, got {type(value).__name__} {value!r:.60}")


def decode_value(column: Column, value: Any) -> Any:
    """Inverse of :func:`encode_value` for export: JSON-string dict fields become dicts again."""
    if column.dtype == "json" and isinstance(value, str):
        return json.loads(value)
    return value


def parquet_write_options(columns: tuple[Column, ...]) -> dict[str, Any]:
    """Per-leaf options as ``datasets`` 5.x writes them (Xet-friendly raw image bytes, snappy elsewhere)."""
    compression: dict[str, str] = {}
    encoding: dict[str, str] = {}
    dictionary: list[str] = []
    for col in columns:
        if col.dtype == "image":
            leaves = [f"{col.name}.bytes", f"{col.name}.path"]
        elif col.dtype == "list<string>":
            leaves = [f"{col.name}.list.element"]
        elif col.dtype == "list<list<int64>>":
            leaves = [f"{col.name}.list.element.list.element"]
        else:
            leaves = [col.name]
        for leaf in leaves:
            if col.dtype == "image":
                compression[leaf] = "none"
                encoding[leaf] = "PLAIN"
            else:
                compression[leaf] = "snappy"
                dictionary.append(leaf)
    return {
        "compression": compression,
        "use_dictionary": dictionary,
        "column_encoding": encoding,
        "write_page_index": True,
        "use_content_defined_chunking": ds_config.DEFAULT_CDC_OPTIONS,
        "write_statistics": True,
    }
