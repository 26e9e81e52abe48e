"""Check metadata and prediction rows against the ROSE schemas and the protocol's derived-field rules.

One import for callers; the work is split by what it checks:

* `validate_schema`: JSON Schema (names, types, enums, region-param shapes);
* `validate_semantics`: cross-field rules a schema cannot say -- the region lies
  inside the grid, every derived field (protocol §5.1 "D") agrees with the
  fields it is derived from, image path and bridge ids follow the contract;
* `validate_rows`: the pure row-level driver (unique item ids, one model per
  predictions file), collecting every problem rather than stopping at the first;
* `validate_files`: JSONL/Parquet reading with per-line problems.
"""

from __future__ import annotations

from .validate_files import detect_file_kind, detect_kind, validate_file
from .validate_rows import FileReport, Problem, validate_rows
from .validate_schema import KINDS, METADATA, PREDICTIONS, load_schema, schema_problems
from .validate_semantics import metadata_semantics

__all__ = [
    "METADATA",
    "PREDICTIONS",
    "KINDS",
    "Problem",
    "FileReport",
    "load_schema",
    "schema_problems",
    "metadata_semantics",
    "validate_rows",
    "validate_file",
    "detect_kind",
    "detect_file_kind",
]
