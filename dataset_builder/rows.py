"""Flatten a ``TaskInstance`` into a metadata row with the official key order (protocol §5, fixture rows).

The key order is not spelled here: it comes from the annotated row schema
(``rose_bench.scoring.row_schema``), whose field table is a common
supersequence of the official per-subset orders -- common keys up to
``cell_size``, ``font_size`` (ChineseGlyph), the image size, profile and
``target_cells``, the subset keys, the image keys -- followed by the bridge
keys in their bridge's order.  The subset keys a source emits must be the ones
``subsets.yaml`` lists and the schema declares, in the same order.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from rose_bench.scoring import contract, row_schema

from .tasks import TaskInstance

__all__ = ["COMMON_KEYS", "to_row", "subset_fields"]

COMMON_KEYS: tuple[str, ...] = row_schema.COMMON_KEYS


def subset_fields(pair_fields: Mapping[str, Any], scene_fields: Mapping[str, Any]) -> dict[str, Any]:
    """A source's subset-specific fields for one scene: pair-level ones updated by scene-level ones."""
    merged = dict(pair_fields)
    merged.update(scene_fields)
    return merged


def _plain(value: Any) -> Any:
    """JSON-ready copy: tuples become lists (recursively)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _check_fields(task: TaskInstance, fields: Mapping[str, Any], row_fields: Sequence[str]) -> None:
    missing = [k for k in row_fields if k not in fields]
    extra = [k for k in fields if k not in row_fields]
    if missing or extra:
        raise ValueError(
            f"{task.rose_subset} source fields do not match subsets.yaml row_fields: "
            f"missing {missing}, unexpected {extra} (fix the source's pair.fields/scene_fields)"
        )
    declared = row_schema.subset_keys(task.rose_subset)
    if tuple(row_fields) != declared:
        raise ValueError(
            f"{task.rose_subset} row_fields {list(row_fields)} in subsets.yaml differ from the row schema {list(declared)} "
            "(fix: keep subsets.yaml and scoring/row_schema.py in the same order)"
        )
    bridge = tuple(key for key, _ in task.bridge_fields)
    if bridge != row_schema.BRIDGE_KEYS.get(task.task_template, ()):
        raise ValueError(
            f"{task.task_template} bridge keys {list(bridge)} differ from the row schema "
            f"{list(row_schema.BRIDGE_KEYS.get(task.task_template, ()))} (fix: templates.yaml extra_fields)"
        )


def to_row(task: TaskInstance, fields: Mapping[str, Any], row_fields: Sequence[str]) -> dict[str, Any]:
    """The metadata row of ``task``; ``fields`` are the subset-specific values, ``row_fields`` their official order."""
    _check_fields(task, fields, row_fields)
    scene = task.scene
    values: dict[str, Any] = {
        "item_id": task.item_id,
        "scene_id": task.scene_id,
        "image_id": task.image_id,
        "split": task.split,
        "dataset_version": task.dataset_version,
        "protocol_version": task.protocol_version,
        "item_seed": task.item_seed,
        "primitive_type": task.primitive_type,
        "task_template": task.task_template,
        "task_mode": task.task_mode,
        "reference_source": contract.REFERENCE_SOURCE,
        "selection_predicate": contract.SELECTION_PREDICATE,
        "target_rule": contract.TARGET_RULE,
        "region_type": task.region.region_type,
        "region_params": task.region.params(),
        "region_case": task.region_case,
        "cue_type": task.cue_type,
        "prompt_global": task.prompt_global,
        "prompt_local": task.prompt_local,
        "expected_output_format": task.expected_output_format,
        "ground_truth_count": task.ground_truth_count,
        "ground_truth_clicks": list(task.ground_truth_clicks),
        "ground_truth_formal_answer": task.ground_truth_formal_answer,
        "all_target_cells": task.all_target_cells,
        "region_target_cells": list(task.region_target_cells),
        "region_non_target_count": task.region_non_target_count,
        "num_out_region_targets": task.num_out_region_targets,
        "global_target_count": task.global_target_count,
        "region_target_count": task.region_target_count,
        "region_cell_count": task.region_cell_count,
        "region_ratio": task.region_ratio,
        "difficulty": task.difficulty,
        "rose_subset": task.rose_subset,
        "image": task.image,
        "prompt": task.prompt,
        "answer": task.ground_truth_formal_answer,
        "rows": scene.rows,
        "cols": scene.cols,
        "cell_size": scene.cell_size,
        "image_width": scene.image_width,
        "image_height": scene.image_height,
        "grid_size_profile": scene.profile,
        "target_cells": [[c.row, c.col] for c in scene.targets],
        "image_split": task.image_split,
        "image_cue_type": task.image_cue_type,
        "image_region_type": task.image_region.region_type,
        "image_region_params": task.image_region.params(),
        "image_note": task.image_note,
    }
    values.update((key, _plain(value)) for key, value in fields.items())
    values.update(task.bridge_fields)
    return {key: values[key] for key in row_schema.key_order(values, task.task_template)}
