"""Check metadata and prediction rows against the ROSE schemas and the spec's derived-field rules.

JSON Schema (``scoring/schemas/*.schema.json``) covers names, types, enums and
the shape of ``region_params``; this module adds what a schema cannot say:
the region lies inside the grid, every derived field (§5.1 "D") agrees with
the fields it is derived from, item ids are unique.  Every problem is
collected — nothing stops at the first — so one run lists everything to fix.

The core (`validate_rows`) is pure; `validate_file` adds JSONL/Parquet reading
with per-line error reporting (malformed lines are problems, not exceptions).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Optional, Sequence

import jsonschema

from . import contract as C
from .grammar import EXPECTED_OUTPUT_FORMAT, TASK_MODES, format_answer
from .grid import Grid, keys_numeric, parse_cell, parse_cells, region_from_params

__all__ = [
    "METADATA",
    "PREDICTIONS",
    "KINDS",
    "Problem",
    "FileReport",
    "load_schema",
    "validate_rows",
    "validate_file",
    "detect_kind",
    "detect_file_kind",
]

METADATA = "metadata"
PREDICTIONS = "predictions"
KINDS: tuple[str, ...] = (METADATA, PREDICTIONS)

_SCHEMA_FILES = {METADATA: "metadata_row.schema.json", PREDICTIONS: "prediction_row.schema.json"}
_PARAM_FIELDS = (("region_type", "region_params"), ("image_region_type", "image_region_params"))
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one row: where (file, line, JSON pointer) and why."""

    file: str
    line: Optional[int]
    field: str
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field or '(row)'}: {self.reason}"


@dataclass(frozen=True, slots=True)
class FileReport:
    """Outcome of validating one file."""

    file: str
    kind: str
    rows: int
    problems: tuple[Problem, ...]

    @property
    def bad_rows(self) -> int:
        return len({p.line for p in self.problems if p.line is not None})


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


def _schema_problems(row: Mapping[str, Any], kind: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for error in _validator(kind).iter_errors(row):
        base = _pointer(error.absolute_path)
        if error.validator == "required":
            instance = error.instance if isinstance(error.instance, Mapping) else {}
            for key in error.validator_value:
                if key not in instance:
                    out.append((f"{base}/{key}", "required field is missing"))
        elif error.validator == "additionalProperties" and error.validator_value is False:
            allowed = set(error.schema.get("properties", {}))
            for key in error.instance:
                if key not in allowed:
                    reason = f"unexpected key (allowed: {', '.join(sorted(allowed)) or 'none'})"
                    if "then" in error.absolute_schema_path:
                        reason += f" ({_condition(base, row)})"
                    out.append((f"{base}/{key}", reason))
        elif error.validator in ("anyOf", "oneOf"):
            reasons = sorted({e.message for e in _leaf_errors(error)})
            out.append((base, f"{error.instance!r} matches none of the allowed forms: " + "; ".join(reasons)))
        else:
            reason = error.message
            if error.validator == "const":
                reason = f"is {error.instance!r}, expected {error.validator_value!r}"
            if "then" in error.absolute_schema_path:
                reason += f" ({_condition(base, row)})"
            out.append((base, reason))
    return sorted(set(out), key=lambda p: p[0])


def _condition(field: str, row: Mapping[str, Any]) -> str:
    """Which field made a conditional (if/then) rule apply, for the message."""
    for type_key, params_key in _PARAM_FIELDS:
        if field.startswith(f"/{params_key}"):
            return f"required by {type_key} {row.get(type_key)!r}"
    return f"required by task_template {row.get('task_template')!r}"


# --- semantic checks ------------------------------------------------------------------------


def _decode_params(row: dict, problems: list[tuple[str, str]]) -> dict:
    """Copy of ``row`` with JSON-string region params (Parquet form) decoded."""
    decoded = dict(row)
    for _, key in _PARAM_FIELDS:
        value = row.get(key)
        if isinstance(value, str):
            try:
                decoded[key] = json.loads(value)
            except json.JSONDecodeError as exc:
                problems.append((f"/{key}", f"JSON-string form is not valid JSON ({exc.msg} at char {exc.pos})"))
                continue
            if not isinstance(decoded[key], dict):
                problems.append((f"/{key}", f"JSON-string form must encode an object, got {value!r}"))
    return decoded


def _embedded_image(row: dict, problems: list[tuple[str, str]]) -> dict:
    """Parquet rows carry the image itself (datasets Image feature: {bytes, path}).

    The struct's ``path`` stands for the JSONL form's relative path (and is
    checked like it); without one, the canonical path is assumed.  The bytes
    must be a PNG.
    """
    image = row.get("image")
    if not isinstance(image, Mapping):
        return row
    data = image.get("bytes")
    if not data:
        problems.append(("/image/bytes", "embedded image has no bytes"))
    elif bytes(data[:8]) != _PNG_SIGNATURE:
        problems.append(("/image/bytes", "embedded image is not a PNG (bad signature)"))
    out = dict(row)
    path = image.get("path")
    out["image"] = path if isinstance(path, str) and path else f"images/{row.get('rose_subset')}/{row.get('image_id')}.png"
    return out


def _int(row: Mapping[str, Any], key: str) -> Optional[int]:
    value = row.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _expect(problems: list, field: str, actual: Any, expected: Any, how: str) -> None:
    if actual is not None and actual != expected:
        problems.append((field, f"is {actual!r} but {how} gives {expected!r}"))


def _metadata_semantics(row: Mapping[str, Any], broken: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Cross-field rules of spec §4.1/§5 that JSON Schema cannot express.

    Each check runs only when its inputs have the right types, so a type error
    (already reported by the schema) does not cascade into many follow-ups;
    ``broken`` holds the top-level fields the schema already rejected.
    """
    p: list[tuple[str, str]] = []
    rows, cols, cell_size = _int(row, "rows"), _int(row, "cols"), _int(row, "cell_size")
    grid = Grid(rows, cols) if rows and cols and rows > 0 and cols > 0 else None

    if grid and cell_size:
        _expect(p, "/image_width", _int(row, "image_width"), cols * cell_size, "cols * cell_size")
        _expect(p, "/image_height", _int(row, "image_height"), rows * cell_size, "rows * cell_size")
    if cell_size and row.get("rose_subset") == "ROSE-ChineseGlyph":
        _expect(p, "/font_size", _int(row, "font_size"), math.floor(0.72 * cell_size), "floor(0.72 * cell_size)")

    subset = row.get("rose_subset")
    if subset in C.SUBSET_IDS and isinstance(row.get("primitive_type"), str):
        _expect(p, "/primitive_type", row["primitive_type"], C.SUBSET_IDS[subset][1], f"rose_subset {subset}")
    if isinstance(row.get("image"), str) and isinstance(row.get("image_id"), str) and isinstance(subset, str):
        _expect(p, "/image", row["image"], f"images/{subset}/{row['image_id']}.png", "images/<rose_subset>/<image_id>.png")

    mode = row.get("task_mode")
    if mode in TASK_MODES and isinstance(row.get("expected_output_format"), str):
        _expect(p, "/expected_output_format", row["expected_output_format"], EXPECTED_OUTPUT_FORMAT[mode], f"task_mode {mode}")
    if all(isinstance(row.get(k), str) for k in ("prompt", "prompt_global", "prompt_local")):
        _expect(p, "/prompt", row["prompt"], row["prompt_global"] + "\n" + row["prompt_local"], 'prompt_global + "\\n" + prompt_local')
    if isinstance(row.get("answer"), str) and isinstance(row.get("ground_truth_formal_answer"), str):
        _expect(p, "/answer", row["answer"], row["ground_truth_formal_answer"], "ground_truth_formal_answer")

    template, item_id, source = row.get("task_template"), row.get("item_id"), row.get("source_item_id")
    if isinstance(item_id, str) and isinstance(source, str):
        if template == C.T1B:
            _expect(p, "/item_id", item_id, f"{source}__GCLK", "<source_item_id>__GCLK")
        elif template == C.T2B:
            _expect(p, "/item_id", item_id, f"MLCNT_{source}", "MLCNT_<source_item_id>")

    # targets
    targets = None
    raw_targets = row.get("target_cells")
    if isinstance(raw_targets, list):
        try:
            cells = [parse_cell(v) for v in raw_targets]
        except (TypeError, ValueError):
            cells = None
        if cells is not None:
            targets = frozenset(cells)
            if len(targets) != len(cells):
                p.append(("/target_cells", "lists the same cell more than once"))
            if grid:
                for i, cell in enumerate(cells):
                    if not grid.contains(cell):
                        p.append((f"/target_cells/{i}", f"{cell.key} is outside the {rows}x{cols} grid"))
            if isinstance(row.get("all_target_cells"), list):
                _expect(p, "/all_target_cells", row["all_target_cells"], keys_numeric(targets), "target_cells sorted by (row, col)")
            _expect(p, "/global_target_count", _int(row, "global_target_count"), len(targets), "len(target_cells)")

    # regions
    for type_key, params_key in _PARAM_FIELDS:
        rtype, params = row.get(type_key), row.get(params_key)
        if not isinstance(rtype, str) or not isinstance(params, Mapping) or grid is None:
            continue
        if {type_key, params_key} & broken:
            continue  # the schema already rejected the region; derived checks would only echo it
        try:
            region = region_from_params(rtype, params)
        except ValueError:
            continue  # malformed params are reported by the schema
        try:
            region.check_within(grid)
        except ValueError as exc:
            p.append((f"/{params_key}", str(exc)))
            continue
        if type_key != "region_type":
            continue
        region_cells = region.cells(grid)
        n_cells = len(region_cells)
        _expect(p, "/region_cell_count", _int(row, "region_cell_count"), n_cells, f"the {rtype} region")
        ratio = row.get("region_ratio")
        if isinstance(ratio, (int, float)) and not isinstance(ratio, bool):
            expected_ratio = round(n_cells / grid.size, 6)
            if abs(ratio - expected_ratio) > 1e-12:
                p.append(("/region_ratio", f"is {ratio!r} but region_cell_count / (rows * cols) rounded to 6 decimals gives {expected_ratio!r}"))
        if targets is None:
            continue
        inside = targets & region_cells
        gold = keys_numeric(inside)
        _expect(p, "/ground_truth_clicks", row.get("ground_truth_clicks"), gold, "targets inside the region, sorted by (row, col)")
        _expect(p, "/region_target_cells", row.get("region_target_cells"), gold, "targets inside the region, sorted by (row, col)")
        _expect(p, "/ground_truth_count", _int(row, "ground_truth_count"), len(inside), "the number of targets inside the region")
        _expect(p, "/region_target_count", _int(row, "region_target_count"), len(inside), "the number of targets inside the region")
        _expect(p, "/num_out_region_targets", _int(row, "num_out_region_targets"), len(targets) - len(inside), "targets outside the region")
        _expect(p, "/region_non_target_count", _int(row, "region_non_target_count"), n_cells - len(inside), "region cells without a target")
        case = row.get("region_case")
        if isinstance(case, str) and rtype != "EXCLUSION":
            achieved = case.split("_")[1] if case.startswith("fallback_") else case
            actual = "zero" if not inside else ("all" if inside == targets else "partial")
            if achieved in ("zero", "partial", "all") and achieved != actual:
                p.append(("/region_case", f"says {achieved!r} but the region holds {len(inside)} of {len(targets)} targets ({actual!r})"))
        if mode in TASK_MODES and isinstance(row.get("ground_truth_formal_answer"), str):
            expected = format_answer(mode, inside, count=len(inside))
            _expect(p, "/ground_truth_formal_answer", row["ground_truth_formal_answer"], expected, "the canonical answer for the region targets")

    # consistency of the stored fields among themselves (also when targets are unusable)
    clicks = row.get("ground_truth_clicks")
    if isinstance(clicks, list) and all(isinstance(c, str) for c in clicks):
        _expect(p, "/ground_truth_count", _int(row, "ground_truth_count"), len(clicks), "len(ground_truth_clicks)")
        try:
            ordered = keys_numeric(parse_cells(clicks))
        except ValueError:
            ordered = None
        if ordered is not None and ordered != clicks:
            p.append(("/ground_truth_clicks", "must list distinct cells sorted by (row, col)"))
    return sorted(set(p), key=lambda x: x[0])


# --- row-level driver -----------------------------------------------------------------------


def validate_rows(
    rows: Iterable[Mapping[str, Any]],
    kind: str,
    *,
    file: str = "<rows>",
    lines: Optional[Sequence[int]] = None,
    seen_ids: Optional[dict[str, tuple[str, Optional[int]]]] = None,
) -> list[Problem]:
    """Every schema and consistency problem of ``rows`` (empty list = clean).

    ``lines`` gives the line number of each row (default: 1, 2, ...).
    ``seen_ids`` (item_id -> where first seen) lets callers check uniqueness
    across several files; it is updated in place.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    seen = {} if seen_ids is None else seen_ids
    models: dict[str, int] = {}
    out: list[Problem] = []
    for index, row in enumerate(rows):
        line = lines[index] if lines is not None else index + 1
        found: list[tuple[str, str]] = []
        if not isinstance(row, Mapping):
            out.append(Problem(file, line, "", f"expected a JSON object, got {type(row).__name__}"))
            continue
        row = dict(row)
        if kind == METADATA:
            row = _embedded_image(_decode_params(row, found), found)
        found += _schema_problems(row, kind)
        if kind == METADATA:
            broken = frozenset(f.split("/")[1] for f, _ in found if f.count("/") >= 1)
            found += _metadata_semantics(row, broken)
        item_id = row.get("item_id")
        if isinstance(item_id, str):
            if item_id in seen:
                where_file, where_line = seen[item_id]
                where = where_file if where_line is None else f"{where_file}:{where_line}"
                found.append(("/item_id", f"duplicate item_id {item_id!r} (first at {where})"))
            else:
                seen[item_id] = (file, line)
        if kind == PREDICTIONS and isinstance(row.get("model"), str) and row["model"].strip():
            model = row["model"].strip()
            if models and model not in models:
                first = next(iter(models))
                found.append(("/model", f"{model!r} differs from {first!r} (line {models[first]}); one predictions file holds one model"))
            models.setdefault(model, line)
        out.extend(Problem(file, line, field, reason) for field, reason in found)
    return out


# --- files ----------------------------------------------------------------------------------


def detect_kind(path: Path, first_row: Optional[Mapping[str, Any]] = None) -> Optional[str]:
    """Guess metadata vs predictions from the file name, else from the first row."""
    name = path.name.lower()
    if name.endswith(".parquet") or "metadata" in name:
        return METADATA
    if "pred" in name:
        return PREDICTIONS
    if isinstance(first_row, Mapping):
        if "task_template" in first_row or "task_mode" in first_row:
            return METADATA
        if "raw_text" in first_row:
            return PREDICTIONS
    return None


def detect_file_kind(path: Path) -> Optional[str]:
    """`detect_kind` from the name, else from the first parseable JSONL row (None if unknown)."""
    path = Path(path)
    kind = detect_kind(path)
    if kind is not None or not path.is_file():
        return kind
    try:
        first = next((value for _, value, err in _jsonl_rows(path) if err is None), None)
    except (OSError, UnicodeDecodeError):
        return None
    return detect_kind(path, first)


def _jsonl_rows(path: Path) -> Iterator[tuple[int, Any, Optional[str]]]:
    """(line number, parsed value or None, error) per non-blank line; never raises on content."""
    with path.open("r", encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line), None
            except json.JSONDecodeError as exc:
                yield number, None, f"malformed JSON ({exc.msg} at column {exc.colno})"


def _parquet_rows(path: Path) -> Iterator[tuple[int, Any, Optional[str]]]:
    import pyarrow.parquet as pq

    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=256):
        for row in batch.to_pylist():
            number += 1
            yield number, row, None


def validate_file(
    path: Path,
    kind: Optional[str] = None,
    *,
    seen_ids: Optional[dict[str, tuple[str, Optional[int]]]] = None,
) -> FileReport:
    """Validate one JSONL (metadata or predictions) or Parquet (metadata) file.

    Unreadable files and undetectable kinds come back as problems, not exceptions.
    """
    path = Path(path)
    name = str(path)
    if path.is_dir():
        return FileReport(name, kind or "?", 0, (Problem(name, None, "", "directory holds no *.parquet or metadata*.jsonl file"),))
    if not path.is_file():
        return FileReport(name, kind or "?", 0, (Problem(name, None, "", "file not found"),))
    parquet = path.suffix.lower() == ".parquet"
    if parquet and kind == PREDICTIONS:
        return FileReport(name, kind, 0, (Problem(name, None, "", "predictions must be JSONL, not Parquet"),))
    try:
        entries = list(_parquet_rows(path) if parquet else _jsonl_rows(path))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return FileReport(name, kind or "?", 0, (Problem(name, None, "", f"cannot read file: {exc}"),))

    if kind is None:
        first = next((value for _, value, err in entries if err is None), None)
        kind = detect_kind(path, first)
        if kind is None:
            reason = "cannot tell whether this is metadata or predictions (fix: pass --kind metadata|predictions)"
            return FileReport(name, "?", len(entries), (Problem(name, None, "", reason),))

    problems = [Problem(name, line, "", err) for line, _, err in entries if err is not None]
    good = [(line, value) for line, value, err in entries if err is None]
    problems += validate_rows(
        [value for _, value in good], kind, file=name, lines=[line for line, _ in good], seen_ids=seen_ids
    )
    if not entries:
        problems.append(Problem(name, None, "", "file holds no rows"))
    problems.sort(key=lambda p: (p.line or 0, p.field))
    return FileReport(name, kind, len(entries), tuple(problems))
