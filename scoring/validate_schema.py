"""The JSON Schema half of validation: names, types, enums and the shape of region params.

The schemas are package data (``scoring/schemas/*.schema.json``; the metadata
schema's fields come from `row_schema`).  A jsonschema error becomes one or
more ``(JSON pointer, reason)`` pairs: every missing or unexpected key is named
on its own, an anyOf/oneOf failure lists the specific causes, and a rule that
applies only under a condition (if/then) says which field made it apply.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import Any, Iterable, Iterator, Mapping

import jsonschema

__all__ = ["METADATA", "PREDICTIONS", "KINDS", "PARAM_FIELDS", "load_schema", "schema_problems"]

METADATA = "metadata"
PREDICTIONS = "predictions"
KINDS: tuple[str, ...] = (METADATA, PREDICTIONS)

_SCHEMA_FILES = {METADATA: "metadata_row.schema.json", PREDICTIONS: "prediction_row.schema.json"}
# (region type field, its params field): the item's region and the region drawn on the image
PARAM_FIELDS = (("region_type", "region_params"), ("image_region_type", "image_region_params"))


@lru_cache(maxsize=None)
def load_schema(kind: str) -> dict:
    """The packaged JSON Schema for ``kind`` (shipped as package data)."""
    if kind not in _SCHEMA_FILES:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    text = (files("rose_bench.scoring") / "schemas" / _SCHEMA_FILES[kind]).read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
def _validator(kind: str) -> jsonschema.protocols.Validator:
    schema = load_schema(kind)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _pointer(path: Iterable[Any]) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else ""


def _leaf_errors(error: jsonschema.ValidationError) -> Iterator[jsonschema.ValidationError]:
    """The specific causes of an anyOf/oneOf failure (or the error itself)."""
    if error.context:
        for sub in error.context:
            yield from _leaf_errors(sub)
    else:
        yield error


def _condition(field: str, row: Mapping[str, Any]) -> str:
    """Which field made a conditional (if/then) rule apply, for the message."""
    for type_key, params_key in PARAM_FIELDS:
        if field.startswith(f"/{params_key}"):
            return f"required by {type_key} {row.get(type_key)!r}"
    return f"required by task_template {row.get('task_template')!r}"


def _missing(error: jsonschema.ValidationError, base: str) -> list[tuple[str, str]]:
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    return [(f"{base}/{key}", "required field is missing") for key in error.validator_value if key not in instance]


def _unexpected(error: jsonschema.ValidationError, base: str, row: Mapping[str, Any]) -> list[tuple[str, str]]:
    allowed = set(error.schema.get("properties", {}))
    out = []
    for key in error.instance:
        if key not in allowed:
            reason = f"unexpected key (allowed: {', '.join(sorted(allowed)) or 'none'})"
            if "then" in error.absolute_schema_path:
                reason += f" ({_condition(base, row)})"
            out.append((f"{base}/{key}", reason))
    return out


def _problems_of(error: jsonschema.ValidationError, row: Mapping[str, Any]) -> list[tuple[str, str]]:
    base = _pointer(error.absolute_path)
    if error.validator == "required":
        return _missing(error, base)
    if error.validator == "additionalProperties" and error.validator_value is False:
        return _unexpected(error, base, row)
    if error.validator in ("anyOf", "oneOf"):
        reasons = sorted({e.message for e in _leaf_errors(error)})
        return [(base, f"{error.instance!r} matches none of the allowed forms: " + "; ".join(reasons))]
    reason = error.message
    if error.validator == "const":
        reason = f"is {error.instance!r}, expected {error.validator_value!r}"
    if "then" in error.absolute_schema_path:
        reason += f" ({_condition(base, row)})"
    return [(base, reason)]


def schema_problems(row: Mapping[str, Any], kind: str) -> list[tuple[str, str]]:
    """``(JSON pointer, reason)`` for everything the ``kind`` schema rejects in ``row``, sorted by pointer."""
    out: list[tuple[str, str]] = []
    for error in _validator(kind).iter_errors(row):
        out += _problems_of(error, row)
    return sorted(set(out))  # by pointer, then reason: the same order on every run
