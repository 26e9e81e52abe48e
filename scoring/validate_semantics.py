"""The cross-field half of validation: rules of protocol §4.1/§5 that JSON Schema cannot express.

The region lies inside the grid, every derived field (§5.1 "D") agrees with the
fields it is derived from, the image path and bridge ids follow the contract.
Each check is a small function that appends ``(JSON pointer, reason)`` pairs
and runs only when its inputs have the right types, so a type error (already
reported by the schema) does not cascade into many follow-ups.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from . import contract as C
from .grammar import EXPECTED_OUTPUT_FORMAT, TASK_MODES, format_answer
from .grid import Cell, Grid, Region, keys_numeric, parse_cell, parse_cells, region_from_params
from .render_style import GLYPH_FONT_RATIO, glyph_font_size
from .row_schema import FIELD
from .validate_schema import PARAM_FIELDS

__all__ = ["from_parquet_form", "metadata_semantics"]

Found = list[tuple[str, str]]
Row = Mapping[str, Any]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- the Parquet form -------------------------------------------------------------------------


def _decode_params(row: dict, problems: Found) -> dict:
    """Copy of ``row`` with JSON-string region params (Parquet form) decoded."""
    decoded = dict(row)
    for _, key in PARAM_FIELDS:
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


def _embedded_image(row: dict, problems: Found) -> dict:
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
    out["image"] = path if isinstance(path, str) and path else C.image_path(str(row.get("rose_subset")), str(row.get("image_id")))
    return out


def from_parquet_form(row: dict, problems: Found) -> dict:
    """``row`` as its JSONL form: region params decoded, the embedded image replaced by its path."""
    return _embedded_image(_decode_params(row, problems), problems)


# --- helpers ----------------------------------------------------------------------------------


def _int(row: Row, key: str) -> Optional[int]:
    value = row.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _expect(problems: Found, field: str, actual: Any, expected: Any, how: str) -> None:
    if actual is not None and actual != expected:
        problems.append((field, f"is {actual!r} but {how} gives {expected!r}"))


def _strings(row: Row, *keys: str) -> bool:
    return all(isinstance(row.get(k), str) for k in keys)


@dataclass(frozen=True)
class _Item:
    """The parts of a row most checks need, parsed once."""

    row: Row
    grid: Optional[Grid]
    targets: Optional[frozenset[Cell]]


# --- grid and image ---------------------------------------------------------------------------


def _grid(row: Row, p: Found) -> Optional[Grid]:
    """The row's grid; sizes beyond the contract's limits are refused before any per-cell work."""
    rows, cols = _int(row, "rows"), _int(row, "cols")
    for field, value, limit in (("rows", rows, C.MAX_GRID_ROWS), ("cols", cols, C.MAX_GRID_COLS)):
        if value is not None and value > limit:
            p.append((f"/{field}", f"is {value}; no grid has more than {limit} (MAX_GRID_{field.upper()})"))
    fits = rows and cols and 0 < rows <= C.MAX_GRID_ROWS and 0 < cols <= C.MAX_GRID_COLS
    return Grid(rows, cols) if fits else None


def _check_image_size(item: _Item, p: Found) -> None:
    cell_size = _int(item.row, "cell_size")
    if item.grid and cell_size:
        _expect(p, "/image_width", _int(item.row, "image_width"), item.grid.cols * cell_size, "cols * cell_size")
        _expect(p, "/image_height", _int(item.row, "image_height"), item.grid.rows * cell_size, "rows * cell_size")
    if cell_size and item.row.get("rose_subset") in (FIELD["font_size"].subsets or ()):
        _expect(p, "/font_size", _int(item.row, "font_size"), glyph_font_size(cell_size),
                f"floor({GLYPH_FONT_RATIO} * cell_size)")


def _check_subset_fields(item: _Item, p: Found) -> None:
    row, subset = item.row, item.row.get("rose_subset")
    if subset in C.SUBSET_IDS and isinstance(row.get("primitive_type"), str):
        _expect(p, "/primitive_type", row["primitive_type"], C.SUBSET_IDS[subset][1], f"rose_subset {subset}")
    if _strings(row, "image", "image_id", "rose_subset"):
        _expect(p, "/image", row["image"], C.image_path(subset, row["image_id"]), C.IMAGE_PATH_PATTERN)


# --- prompt, answer, ids ----------------------------------------------------------------------


def _check_prompt_and_answer(item: _Item, p: Found) -> None:
    row, mode = item.row, item.row.get("task_mode")
    if mode in TASK_MODES and isinstance(row.get("expected_output_format"), str):
        _expect(p, "/expected_output_format", row["expected_output_format"], EXPECTED_OUTPUT_FORMAT[mode], f"task_mode {mode}")
    if _strings(row, "prompt", "prompt_global", "prompt_local"):
        _expect(p, "/prompt", row["prompt"], row["prompt_global"] + "\n" + row["prompt_local"], 'prompt_global + "\\n" + prompt_local')
    if _strings(row, "answer", "ground_truth_formal_answer"):
        _expect(p, "/answer", row["answer"], row["ground_truth_formal_answer"], "ground_truth_formal_answer")


_BRIDGE_IDS = {
    C.T1B: (C.global_click_item_id, C.global_click_item_id("<source_item_id>")),
    C.T2B: (C.matched_local_count_item_id, C.matched_local_count_item_id("<source_item_id>")),
}


def _check_bridge_id(item: _Item, p: Found) -> None:
    row = item.row
    rule = _BRIDGE_IDS.get(row.get("task_template"))
    if rule and _strings(row, "item_id", "source_item_id"):
        make, pattern = rule
        _expect(p, "/item_id", row["item_id"], make(row["source_item_id"]), pattern)


# --- targets ----------------------------------------------------------------------------------


def _targets(row: Row, grid: Optional[Grid], p: Found) -> Optional[frozenset[Cell]]:
    """The target cells (None when ``target_cells`` is unusable), checked against the grid and each other."""
    raw = row.get("target_cells")
    if not isinstance(raw, list):
        return None
    try:
        cells = [parse_cell(v) for v in raw]
    except (TypeError, ValueError):
        return None
    targets = frozenset(cells)
    if len(targets) != len(cells):
        p.append(("/target_cells", "lists the same cell more than once"))
    if grid:
        for i, cell in enumerate(cells):
            if not grid.contains(cell):
                p.append((f"/target_cells/{i}", f"{cell.key} is outside the {grid.rows}x{grid.cols} grid"))
    if isinstance(row.get("all_target_cells"), list):
        _expect(p, "/all_target_cells", row["all_target_cells"], keys_numeric(targets), "target_cells sorted by (row, col)")
    _expect(p, "/global_target_count", _int(row, "global_target_count"), len(targets), "len(target_cells)")
    return targets


# --- regions ----------------------------------------------------------------------------------


def _region(item: _Item, type_key: str, params_key: str, broken: frozenset[str], p: Found) -> Optional[Region]:
    """The region of ``type_key``/``params_key`` when it is usable and inside the grid."""
    rtype, params = item.row.get(type_key), item.row.get(params_key)
    if not isinstance(rtype, str) or not isinstance(params, Mapping) or item.grid is None:
        return None
    if {type_key, params_key} & broken:
        return None  # the schema already rejected the region; derived checks would only echo it
    try:
        region = region_from_params(rtype, params)
    except ValueError:
        return None  # malformed params are reported by the schema
    try:
        region.check_within(item.grid)
    except ValueError as exc:
        p.append((f"/{params_key}", str(exc)))
        return None
    return region


def _check_region_size(item: _Item, region: Region, n_cells: int, p: Found) -> None:
    _expect(p, "/region_cell_count", _int(item.row, "region_cell_count"), n_cells, f"the {region.region_type} region")
    ratio = item.row.get("region_ratio")
    if isinstance(ratio, (int, float)) and not isinstance(ratio, bool):
        expected = round(n_cells / item.grid.size, 6)
        if abs(ratio - expected) > 1e-12:
            p.append(("/region_ratio", f"is {ratio!r} but region_cell_count / (rows * cols) rounded to 6 decimals gives {expected!r}"))


def _check_region_targets(item: _Item, region: Region, region_cells: frozenset[Cell], p: Found) -> None:
    row, targets = item.row, item.targets
    inside = targets & region_cells
    gold = keys_numeric(inside)
    how = "targets inside the region, sorted by (row, col)"
    _expect(p, "/ground_truth_clicks", row.get("ground_truth_clicks"), gold, how)
    _expect(p, "/region_target_cells", row.get("region_target_cells"), gold, how)
    _expect(p, "/ground_truth_count", _int(row, "ground_truth_count"), len(inside), "the number of targets inside the region")
    _expect(p, "/region_target_count", _int(row, "region_target_count"), len(inside), "the number of targets inside the region")
    _expect(p, "/num_out_region_targets", _int(row, "num_out_region_targets"), len(targets) - len(inside), "targets outside the region")
    _expect(p, "/region_non_target_count", _int(row, "region_non_target_count"), len(region_cells) - len(inside), "region cells without a target")
    case = row.get("region_case")
    if isinstance(case, str) and re.fullmatch(C.REGION_CASE_PATTERN, case) and region.region_type != "EXCLUSION":
        achieved = C.achieved_case(case)  # a malformed label is the schema's finding
        actual = C.region_case_of(len(inside), len(targets))
        if achieved != actual:
            p.append(("/region_case", f"says {achieved!r} but the region holds {len(inside)} of {len(targets)} targets ({actual!r})"))
    mode = row.get("task_mode")
    if mode in TASK_MODES and isinstance(row.get("ground_truth_formal_answer"), str):
        expected = format_answer(mode, inside, count=len(inside))
        _expect(p, "/ground_truth_formal_answer", row["ground_truth_formal_answer"], expected, "the canonical answer for the region targets")


def _check_regions(item: _Item, broken: frozenset[str], p: Found) -> None:
    for type_key, params_key in PARAM_FIELDS:
        region = _region(item, type_key, params_key, broken, p)
        if region is None or type_key != "region_type":
            continue  # the image region only has to lie inside the grid
        region_cells = region.cells(item.grid)
        _check_region_size(item, region, len(region_cells), p)
        if item.targets is not None:
            _check_region_targets(item, region, region_cells, p)


# --- stored fields among themselves -----------------------------------------------------------


def _check_clicks(item: _Item, p: Found) -> None:
    """The stored clicks agree with the stored count and are canonical (also when targets are unusable)."""
    clicks = item.row.get("ground_truth_clicks")
    if not (isinstance(clicks, list) and all(isinstance(c, str) for c in clicks)):
        return
    _expect(p, "/ground_truth_count", _int(item.row, "ground_truth_count"), len(clicks), "len(ground_truth_clicks)")
    try:
        ordered = keys_numeric(parse_cells(clicks))
    except ValueError:
        return
    if ordered != clicks:
        p.append(("/ground_truth_clicks", "must list distinct cells sorted by (row, col)"))


def metadata_semantics(row: Row, broken: frozenset[str] = frozenset()) -> Found:
    """Every cross-field problem of one metadata row, sorted by pointer.

    ``broken`` holds the top-level fields the schema already rejected.
    """
    p: Found = []
    grid = _grid(row, p)
    item = _Item(row, grid, None)
    _check_image_size(item, p)
    _check_subset_fields(item, p)
    _check_prompt_and_answer(item, p)
    _check_bridge_id(item, p)
    item = _Item(row, grid, _targets(row, grid, p))
    _check_regions(item, broken, p)
    _check_clicks(item, p)
    return sorted(set(p))  # by pointer, then reason: the same order on every run
