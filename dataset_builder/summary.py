"""Figures that describe a build, computed once from its rows (pure; used by the card and the manifest).

Everything here is derived from the rows themselves rather than taken from the
builder's own bookkeeping, so the card and manifest describe what was
actually written.  The only planning fact rows cannot tell (how many pairs
each source offered) is recorded by the builder under ``generator``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Mapping, Sequence

from rose_bench.scoring.contract import BRIDGE_TEMPLATES, SPLITS, SUBSET_ORDER, T1, TEMPLATE_ORDER

_ALL_TEMPLATES = TEMPLATE_ORDER + BRIDGE_TEMPLATES


def _subset_key(subset: str) -> tuple[int, str]:
    return (SUBSET_ORDER.index(subset) if subset in SUBSET_ORDER else len(SUBSET_ORDER), subset)


def _template_key(template: str) -> tuple[int, str]:
    return (_ALL_TEMPLATES.index(template) if template in _ALL_TEMPLATES else len(_ALL_TEMPLATES), template)


def _sorted_counter(counter: Counter, key=None) -> dict[str, int]:
    return {str(k): counter[k] for k in sorted(counter, key=key or (lambda v: (str(type(v)), v)))}


def subsets_of(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    return sorted({r["rose_subset"] for r in rows}, key=_subset_key)


def counts(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Rows per subset/split/template, plus scenes and images (main rows) per subset/split."""
    by = Counter((r["rose_subset"], r["split"], r["task_template"]) for r in rows)
    main = [r for r in rows if r["task_template"] in TEMPLATE_ORDER]
    scenes = {(r["rose_subset"], r["split"], r["scene_id"]) for r in main}
    images = {(r["rose_subset"], r["split"], r["image_id"]) for r in main}
    out: dict[str, Any] = {"rows": {}, "scenes": {}, "images": {}}
    for subset in subsets_of(rows):
        out["rows"][subset] = {}
        out["scenes"][subset] = {}
        out["images"][subset] = {}
        for split in SPLITS:
            per_template = {t: by[(subset, split, t)] for t in sorted({k[2] for k in by}, key=_template_key)}
            out["rows"][subset][split] = {t: n for t, n in per_template.items() if n}
            out["scenes"][subset][split] = sum(1 for s in scenes if s[0] == subset and s[1] == split)
            out["images"][subset][split] = sum(1 for i in images if i[0] == subset and i[1] == split)
    out["total_rows"] = len(rows)
    out["total_scenes"] = len(scenes)
    out["total_images"] = len(images)
    return out


def _scene_rows(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """One row per scene (its T1 row, else its first main row) to describe scene-level properties."""
    chosen: dict[str, Mapping[str, Any]] = {}
    for r in rows:
        if r["task_template"] not in TEMPLATE_ORDER:
            continue
        sid = r["scene_id"]
        if sid not in chosen or (r["task_template"] == T1 and chosen[sid]["task_template"] != T1):
            chosen[sid] = r
    return [chosen[s] for s in sorted(chosen)]


def statistics(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Scene-level distributions per subset, task-level ones per template and per subset and main template."""
    scenes = _scene_rows(rows)
    per_subset: dict[str, Any] = {}
    for subset in subsets_of(scenes):
        ss = [r for r in scenes if r["rose_subset"] == subset]
        per_subset[subset] = {
            "grid_size_profile": _sorted_counter(Counter(r.get("grid_size_profile") for r in ss)),
            "rows": _sorted_counter(Counter(r.get("rows") for r in ss)),
            "cols": _sorted_counter(Counter(r.get("cols") for r in ss)),
            "cell_size": _sorted_counter(Counter(r.get("cell_size") for r in ss)),
            "global_target_count": _sorted_counter(Counter(r.get("global_target_count") for r in ss)),
            "difficulty": _sorted_counter(Counter(r.get("difficulty") for r in ss)),
        }
    per_template: dict[str, Any] = {}
    for template in sorted({r["task_template"] for r in rows}, key=_template_key):
        ts = [r for r in rows if r["task_template"] == template]
        per_template[template] = {
            "region_type": _sorted_counter(Counter(r.get("region_type") for r in ts)),
            "region_case": _sorted_counter(Counter(r.get("region_case") for r in ts)),
            "ground_truth_count": _sorted_counter(Counter(r.get("ground_truth_count") for r in ts)),
        }
    per_subset_template: dict[str, Any] = {}
    for subset in subsets_of(rows):
        per_subset_template[subset] = {}
        for template in TEMPLATE_ORDER:
            ts = [r for r in rows if r["rose_subset"] == subset and r["task_template"] == template]
            per_subset_template[subset][template] = {
                "region_case": _sorted_counter(Counter(r.get("region_case") for r in ts)),
                "difficulty": _sorted_counter(Counter(r.get("difficulty") for r in ts)),
            }
    return {"per_subset": per_subset, "per_template": per_template, "per_subset_template": per_subset_template}


def versions(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Version strings as found in the rows: main-row dataset_version per subset, bridge ones per template."""
    dv: dict[str, set] = {}
    bridge_dv: dict[str, set] = {}
    pv: dict[str, set] = {}
    for r in rows:
        if r["task_template"] in TEMPLATE_ORDER:
            dv.setdefault(r["rose_subset"], set()).add(str(r.get("dataset_version")))
        else:
            bridge_dv.setdefault(r["task_template"], set()).add(str(r.get("dataset_version")))
        pv.setdefault(r["task_template"], set()).add(str(r.get("protocol_version")))
    return {
        "dataset_version": {s: sorted(dv[s]) for s in sorted(dv, key=_subset_key)},
        "bridge_dataset_version": {t: sorted(bridge_dv[t]) for t in sorted(bridge_dv, key=_template_key)},
        "protocol_version": {t: sorted(pv[t]) for t in sorted(pv, key=_template_key)},
    }


def row_key_order(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """Per subset and template, the rows' keys in first-seen order (the export writes rows back in this order)."""
    order: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        keys = order.setdefault((r["rose_subset"], r["task_template"]), [])
        if len(keys) != len(r) or list(r) != keys:
            for k in r:
                if k not in keys:
                    keys.append(k)
    out: dict[str, dict[str, list[str]]] = {}
    for subset, template in sorted(order, key=lambda st: (_subset_key(st[0]), _template_key(st[1]))):
        out.setdefault(subset, {})[template] = order[(subset, template)]
    return out
