"""The metadata row, field by field (protocol §5): the one annotated schema every layer derives from.

Each `RowField` says its name, Parquet column type, JSON Schema, whether it may
be null, which subsets and templates carry it, and what it means.  Derived here:

* the key order of a row (`key_order`; dataset_builder.rows builds rows with it);
* the Parquet columns of a build (`parquet_columns`; dataset_builder.parquet_schema);
* the field part (``required``, ``properties``) of ``schemas/metadata_row.schema.json``
  (`render_metadata_schema`; its cross-field rules and ``$defs`` stay hand-written
  in the file; a test checks the committed file is what this renders).

``FIELDS`` is in the official key order: a common supersequence of every
subset's key order, so filtering it by one row's keys gives that row's order.
Bridge keys follow in the order of their bridge (``BRIDGE_KEYS``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from . import contract as C
from .grammar import EXPECTED_OUTPUT_FORMAT, TASK_MODES
from .grid import REGION_TYPES

__all__ = [
    "DTYPES", "RowField", "FIELDS", "FIELD", "BRIDGE_KEYS", "COMMON_KEYS", "subset_keys", "key_order",
    "parquet_columns", "render_metadata_schema",
]

# Parquet column types; "json" is a dict stored as a compact JSON string, "image" the datasets Image()
# struct that replaces the JSONL form's relative path (kept as the struct's "path").
DTYPES = ("string", "int64", "float64", "bool", "list<string>", "list<list<int64>>", "json", "image")


@dataclass(frozen=True)
class RowField:
    name: str
    dtype: str  # one of DTYPES
    json: Mapping[str, Any]  # JSON Schema of the value in the JSONL form (admits null iff nullable)
    description: str
    nullable: bool = False
    subsets: Optional[tuple[str, ...]] = None  # None: rows of every subset
    templates: Optional[tuple[str, ...]] = None  # None: every template; bridge keys name their bridges

    @property
    def common(self) -> bool:
        """Carried by every row (required by the JSON Schema)."""
        return self.subsets is None and self.templates is None


def _ref(name: str) -> dict:
    return {"$ref": f"#/$defs/{name}"}


def _or_null(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


_TEXT = {"type": "string", "minLength": 1}
_COUNT, _POSITIVE, _CELLS, _PARAMS = _ref("count"), _ref("positive"), _ref("cell_labels"), _ref("params_or_json")
_STR_NULL = _ref("string_or_null")
_IMAGE_RE = "^" + re.escape(C.image_path("SUBSET", "ID")).replace("SUBSET", r"[^/\\]+").replace("ID", r"[^/\\]+") + "$"

_GLYPH, _ESTY, _ECON, _PEDIT, _PCONT = C.SUBSET_ORDER
_EMOJI = (_ESTY, _ECON)


def _common(name: str, dtype: str, schema: Mapping[str, Any], description: str) -> RowField:
    return RowField(name, dtype, schema, description)


def _subset(name: str, dtype: str, subsets: tuple[str, ...], description: str, schema: Optional[dict] = None) -> RowField:
    return RowField(name, dtype, schema or _STR_NULL, description, nullable=True, subsets=subsets)


def _bridge(name: str, dtype: str, schema: dict, templates: tuple[str, ...], description: str) -> RowField:
    return RowField(name, dtype, schema, description, nullable=True, templates=templates)


FIELDS: tuple[RowField, ...] = (
    _common("item_id", "string", _ref("id"), "unique task id (protocol §2.2)"),
    _common("scene_id", "string", _ref("id"), "scene id, shared by the five tasks of a scene"),
    _common("image_id", "string", _ref("id"), "id of the image the task shows (base or cued)"),
    _common("split", "string", {"enum": list(C.SPLITS)}, "dev or test; the scorer filters on it"),
    _common("dataset_version", "string", _TEXT, "release label (protocol §2.3)"),
    _common("protocol_version", "string", _TEXT, "protocol label (protocol §2.3)"),
    _common("item_seed", "int64", {"type": "integer", "minimum": 0}, "published label Y*10^8 + 10*scene + template; drives no RNG"),
    _common("primitive_type", "string", {"enum": [ids[1] for ids in C.SUBSET_IDS.values()]}, "the subset's visual primitive"),
    _common("task_template", "string", _ref("task_template"), "T1..T5, or a bridge template"),
    _common("task_mode", "string", {"enum": list(TASK_MODES)}, "answer form: COUNT, CLICK or CLICK_COUNT"),
    _common("reference_source", "string", {"const": C.REFERENCE_SOURCE}, "constant"),
    _common("selection_predicate", "string", {"const": C.SELECTION_PREDICATE}, "constant"),
    _common("target_rule", "string", {"const": C.TARGET_RULE}, "constant"),
    _common("region_type", "string", _ref("region_type"), "shape of the task region"),
    _common("region_params", "json", _PARAMS, "region bounds, 1-indexed and inclusive"),
    _common("region_case", "string", {
        "type": "string", "pattern": C.REGION_CASE_PATTERN,
    }, "how many targets the region holds (zero/partial/all), with the wanted case on a fallback"),
    _common("cue_type", "string", _TEXT, "visual cue of the task (NONE except T4)"),
    _common("prompt_global", "string", _TEXT, "the fixed instructions shared by every row"),
    _common("prompt_local", "string", _TEXT, "the task-specific question"),
    _common("expected_output_format", "string", {"enum": list(EXPECTED_OUTPUT_FORMAT.values())}, "answer format of the mode"),
    _common("ground_truth_count", "int64", _COUNT, "derived: number of targets to act on"),
    _common("ground_truth_clicks", "list<string>", _CELLS, "derived: target cells to click, sorted by (row, col)"),
    _common("ground_truth_formal_answer", "string", _TEXT, "derived: the canonical answer"),
    _common("all_target_cells", "list<string>", _CELLS, "derived: every target of the scene, sorted by (row, col)"),
    _common("region_target_cells", "list<string>", _CELLS, "derived: targets inside the region"),
    _common("region_non_target_count", "int64", _COUNT, "derived: region cells without a target"),
    _common("num_out_region_targets", "int64", _COUNT, "derived: targets outside the region"),
    _common("global_target_count", "int64", _COUNT, "derived: number of targets in the scene"),
    _common("region_target_count", "int64", _COUNT, "derived: number of targets inside the region"),
    _common("region_cell_count", "int64", _COUNT, "derived: number of cells in the region"),
    _common("region_ratio", "float64", {"type": "number", "minimum": 0, "maximum": 1},
            "derived: region_cell_count / (rows * cols), rounded to 6 decimals"),
    _common("difficulty", "string", _TEXT, "difficulty label"),
    _common("rose_subset", "string", {"enum": list(C.SUBSET_ORDER)}, "the ROSE subset"),
    _common("image", "image", {"type": "string", "pattern": _IMAGE_RE}, f"relative image path {C.IMAGE_PATH_PATTERN}"),
    _common("prompt", "string", _TEXT, 'derived: prompt_global + "\\n" + prompt_local'),
    _common("answer", "string", _TEXT, "derived: same as ground_truth_formal_answer"),
    _common("rows", "int64", _POSITIVE, "grid rows"),
    _common("cols", "int64", _POSITIVE, "grid columns"),
    _common("cell_size", "int64", _POSITIVE, "tile side in pixels"),
    _subset("font_size", "int64", (_GLYPH,), "derived: glyph size, floor(0.72 * cell_size)", _ref("positive_or_null")),
    _common("image_width", "int64", _POSITIVE, "derived: cols * cell_size"),
    _common("image_height", "int64", _POSITIVE, "derived: rows * cell_size"),
    _common("grid_size_profile", "string", {"enum": ["small", "medium", "large"]}, "grid size class"),
    _common("target_cells", "list<list<int64>>", {
        "type": "array",
        "items": {"type": "array", "prefixItems": [_POSITIVE, _POSITIVE], "minItems": 2, "maxItems": 2},
    }, "scene targets as [row, col] in draw order"),
    _subset("background_char", "string", (_GLYPH,), "majority glyph"),
    _subset("target_char", "string", (_GLYPH,), "odd glyph"),
    _subset("source_group", "list<string>", (_GLYPH,), "glyph group of the pair", _ref("strings_or_null")),
    _subset("source_pair", "list<string>", (_GLYPH,), "the glyph pair", _ref("strings_or_null")),
    _subset("pair_direction", "string", (_GLYPH,), "derived: which glyph of the pair is the majority"),
    _subset("undirected_pair_key", "string", (_GLYPH,), "derived: the pair regardless of direction"),
    _subset("font_name", "string", (_GLYPH,), "font the glyphs are drawn in"),
    _subset("similarity_level", "string", (_GLYPH,), "how alike the two glyphs look"),
    _subset("background_emoji", "string", _EMOJI, "majority emoji"),
    _subset("target_emoji", "string", _EMOJI, "odd emoji"),
    _subset("emoji_char", "string", (_ESTY,), "the emoji drawn in two styles"),
    _subset("unicode_key", "string", (_ESTY,), "code points of the emoji"),
    _subset("majority_style", "string", (_ESTY,), "style of the majority tiles"),
    _subset("target_style", "string", (_ESTY,), "style of the odd tile"),
    _subset("background_unicode", "string", (_ECON,), "code points of the majority emoji"),
    _subset("target_unicode", "string", (_ECON,), "code points of the odd emoji"),
    _subset("h2_label", "string", _EMOJI, "emoji category"),
    _subset("h3_title", "string", _EMOJI, "emoji subcategory"),
    _subset("emoji_name_zh", "string", (_ESTY,), "emoji name (Chinese)"),
    _subset("background_name_zh", "string", (_ECON,), "majority emoji name (Chinese)"),
    _subset("target_name_zh", "string", (_ECON,), "odd emoji name (Chinese)"),
    _subset("background_name_en", "string", (_ECON,), "majority emoji name (English)"),
    _subset("target_name_en", "string", (_ECON,), "odd emoji name (English)"),
    _subset("similarity", "float64", (_ECON,), "similarity score of the emoji pair", {"type": ["number", "null"]}),
    _subset("pair_key", "string", (_GLYPH, _ECON, _PEDIT, _PCONT), "id of the element pair"),
    _subset("asset_resize_mode", "string", (_PEDIT, _PCONT), "how the pixel asset is fitted to a tile"),
    _subset("background_path", "string", _EMOJI, "source asset of the majority element"),
    _subset("target_path", "string", _EMOJI, "source asset of the odd element"),
    _common("image_split", "string", _TEXT, "image batch label (protocol §2.3)"),
    _common("image_cue_type", "string", _TEXT, "cue drawn on the image shown (NONE on the base image)"),
    _common("image_region_type", "string", _ref("region_type"), "region drawn on the image (GLOBAL on the base image)"),
    _common("image_region_params", "json", _PARAMS, "bounds of the drawn region ({} on the base image)"),
    _common("image_note", "string", {"type": "string"}, "free-text note on the image"),
    _bridge("source_item_id", "string", _or_null(_ref("id")), (C.T1B, C.T2B), "the main item the bridge item was made from"),
    _bridge("source_click_item_id", "string", _or_null(_ref("id")), (C.T2B,), "the T3 item whose region the count asks about"),
    _bridge("source_task_template", "string", _or_null(_ref("task_template")), (C.T1B, C.T2B), "template of the source item"),
    _bridge("source_task_mode", "string", _or_null({"enum": list(TASK_MODES)}), (C.T2B,), "mode of the source item"),
    _bridge("bridge_task", "bool", {"type": ["boolean", "null"]}, (C.T1B, C.T2B), "true on bridge rows"),
    _bridge("bridge_type", "string", _STR_NULL, (C.T2B,), "kind of bridge"),
)

FIELD: dict[str, RowField] = {f.name: f for f in FIELDS}

# bridge keys in the order each bridge appends them (protocol §5.3)
BRIDGE_KEYS: dict[str, tuple[str, ...]] = {
    C.T1B: ("source_item_id", "source_task_template", "bridge_task"),
    C.T2B: ("bridge_task", "bridge_type", "source_item_id", "source_click_item_id", "source_task_template", "source_task_mode"),
}

COMMON_KEYS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.common)
_MAIN_ORDER: tuple[str, ...] = tuple(f.name for f in FIELDS if f.templates is None)


def _check_table() -> None:
    """The table is data; refuse an inconsistent edit at import rather than in a build."""
    problems = ["a field is declared twice"] if len(FIELD) != len(FIELDS) else []
    problems += [f"{f.name}: unknown dtype {f.dtype!r}" for f in FIELDS if f.dtype not in DTYPES]
    problems += [f"{f.name}: unknown subset" for f in FIELDS if f.subsets and not set(f.subsets) <= set(C.SUBSET_ORDER)]
    problems += [
        f"BRIDGE_KEYS[{t}] disagrees with the fields that name {t}" for t, keys in BRIDGE_KEYS.items()
        if set(keys) != {f.name for f in FIELDS if f.templates and t in f.templates}
    ]
    if problems:
        raise ValueError("scoring/row_schema.py: " + "; ".join(problems))


_check_table()


def subset_keys(subset: str) -> tuple[str, ...]:
    """The subset-specific keys of ``subset``'s rows, in row order."""
    return tuple(f.name for f in FIELDS if f.subsets is not None and subset in f.subsets)


def key_order(keys: Any, template: Optional[str] = None) -> list[str]:
    """The official order of a row holding ``keys``: main keys by the table, then ``template``'s bridge keys.

    Raises ValueError for a key the table does not declare (or a bridge key out of place).
    """
    present = set(keys)
    bridge = BRIDGE_KEYS.get(template, ()) if template else ()
    unknown = present - set(_MAIN_ORDER) - set(bridge)
    if unknown:
        raise ValueError(f"row keys {sorted(unknown)} are not declared in scoring/row_schema.py (fix: declare them there)")
    return [k for k in _MAIN_ORDER if k in present] + [k for k in bridge if k in present]


def parquet_columns() -> dict[str, Any]:
    """Column name and type of every main field, and of each bridge's keys (in their order)."""
    return {
        "main": [(name, FIELD[name].dtype) for name in _MAIN_ORDER],
        "bridge": {t: [(name, FIELD[name].dtype) for name in keys] for t, keys in BRIDGE_KEYS.items()},
    }


def render_metadata_schema(base: Mapping[str, Any]) -> str:
    """``base`` (the committed metadata schema) with its field part and contract enums derived from this table."""
    schema = dict(base)
    schema["required"] = list(COMMON_KEYS)
    schema["properties"] = {f.name: {"description": f.description, **f.json} for f in FIELDS}
    defs = dict(schema.get("$defs", {}))
    defs["task_template"] = {"enum": [*C.TEMPLATE_ORDER, *C.BRIDGE_TEMPLATES]}
    defs["region_type"] = {"enum": list(REGION_TYPES)}
    schema["$defs"] = defs
    return _layout(schema) + "\n"


def _layout(value: Any, indent: int = 0, lead: int = 0, width: int = 120) -> str:
    """JSON indented by 2, with every object or list that fits in ``width`` columns kept on one line."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, (dict, list)) or not value or indent + lead + len(flat) <= width:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, list):
        items = [pad + _layout(v, indent + 2, 0, width) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    items = []
    for key, child in value.items():
        head = f"{json.dumps(key, ensure_ascii=False)}: "
        items.append(pad + head + _layout(child, indent + 2, len(head), width))
    return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"


if __name__ == "__main__":  # regenerate the committed schema: python -m rose_bench.scoring.row_schema
    from importlib.resources import files

    from .io import atomic_write

    target = files("rose_bench.scoring") / "schemas" / "metadata_row.schema.json"
    atomic_write(str(target), render_metadata_schema(json.loads(target.read_text(encoding="utf-8"))))
    print(f"wrote {target}")
