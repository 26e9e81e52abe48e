"""Figures that describe a build, computed once from its rows (pure; used by the card and the manifest).

Everything here is derived from the rows themselves rather than taken from the
builder's own bookkeeping, so the card and manifest describe what was
actually written.  The only planning fact rows cannot tell (how many pairs
each source offered) is recorded by the builder under ``generator``.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any, Iterable, Mapping

from rose_bench.scoring.contract import BRIDGE_TEMPLATES, SPLITS, SUBSET_ORDER, T1, TEMPLATE_ORDER

_ALL_TEMPLATES = TEMPLATE_ORDER + BRIDGE_TEMPLATES


def _subset_key(subset: str) -> tuple[int, str]:
    return (SUBSET_ORDER.index(subset) if subset in SUBSET_ORDER else len(SUBSET_ORDER), subset)


def _template_key(template: str) -> tuple[int, str]:
    return (_ALL_TEMPLATES.index(template) if template in _ALL_TEMPLATES else len(_ALL_TEMPLATES), template)


def _sorted_counter(counter: Counter, key=None) -> dict[str, int]:
    return {str(k): counter[k] for k in sorted(counter, key=key or (lambda v: (str(type(v)), v)))}


_SCENE_FIELDS = ("grid_size_profile", "rows", "cols", "cell_size", "global_target_count", "difficulty")


class BuildSummary:
    """The figures below, accumulated one row at a time, so a build of any size is described in one pass.

    Rows must arrive in item_id order (the writer's order); only counters, scene-level
    values and key lists are kept, never the rows.
    """

    def __init__(self) -> None:
        self._by: Counter = Counter()
        self._templates: set[str] = set()
        self._scenes: dict[tuple[str, str], set[str]] = {}  # (subset, split) -> scene ids
        self._images: dict[tuple[str, str], set[str]] = {}  # (subset, split) -> image ids
        self._total = 0
        self._scene_values: dict[str, tuple[bool, str, tuple[Any, ...]]] = {}  # scene_id -> (is T1, subset, values)
        self._per_template: dict[str, dict[str, Counter]] = {}
        self._per_subset_template: dict[tuple[str, str], dict[str, Counter]] = {}
        self._subsets: set[str] = set()
        self._dv: dict[str, set] = {}
        self._bridge_dv: dict[str, set] = {}
        self._pv: dict[str, set] = {}
        self._key_order: dict[tuple[str, str], list[str]] = {}

    @classmethod
    def of(cls, rows: Iterable[Mapping[str, Any]]) -> "BuildSummary":
        summary = cls()
        for row in rows:
            summary.add(row)
        return summary

    def add(self, r: Mapping[str, Any]) -> None:
        subset, split, template = sys.intern(r["rose_subset"]), sys.intern(r["split"]), sys.intern(r["task_template"])
        self._total += 1
        self._by[(subset, split, template)] += 1
        self._templates.add(template)
        self._subsets.add(subset)
        main = template in TEMPLATE_ORDER
        if main:
            self._scenes.setdefault((subset, split), set()).add(r["scene_id"])
            self._images.setdefault((subset, split), set()).add(r["image_id"])
            sid = r["scene_id"]
            held = self._scene_values.get(sid)
            if held is None or (template == T1 and not held[0]):
                self._scene_values[sid] = (template == T1, subset, tuple(r.get(k) for k in _SCENE_FIELDS))
            per = self._per_subset_template.setdefault((subset, template), {"region_case": Counter(), "difficulty": Counter()})
            per["region_case"][r.get("region_case")] += 1
            per["difficulty"][r.get("difficulty")] += 1
            self._dv.setdefault(subset, set()).add(str(r.get("dataset_version")))
        else:
            self._bridge_dv.setdefault(template, set()).add(str(r.get("dataset_version")))
        per_t = self._per_template.setdefault(
            template, {"region_type": Counter(), "region_case": Counter(), "ground_truth_count": Counter()})
        per_t["region_type"][r.get("region_type")] += 1
        per_t["region_case"][r.get("region_case")] += 1
        per_t["ground_truth_count"][r.get("ground_truth_count")] += 1
        self._pv.setdefault(template, set()).add(str(r.get("protocol_version")))
        keys = self._key_order.setdefault((subset, template), [])
        if len(keys) != len(r) or list(r) != keys:
            for k in r:
                if k not in keys:
                    keys.append(k)

    def counts(self) -> dict[str, Any]:
        """Rows per subset/split/template, plus scenes and images (main rows) per subset/split."""
        out: dict[str, Any] = {"rows": {}, "scenes": {}, "images": {}}
        for subset in sorted(self._subsets, key=_subset_key):
            out["rows"][subset] = {}
            out["scenes"][subset] = {}
            out["images"][subset] = {}
            for split in SPLITS:
                per_template = {t: self._by[(subset, split, t)] for t in sorted(self._templates, key=_template_key)}
                out["rows"][subset][split] = {t: n for t, n in per_template.items() if n}
                out["scenes"][subset][split] = len(self._scenes.get((subset, split), ()))
                out["images"][subset][split] = len(self._images.get((subset, split), ()))
        out["total_rows"] = self._total
        out["total_scenes"] = sum(map(len, self._scenes.values()))
        out["total_images"] = sum(map(len, self._images.values()))
        return out

    def statistics(self) -> dict[str, Any]:
        """Scene-level distributions per subset (from each scene's T1 row, else its first main row),
        task-level ones per template and per subset and main template."""
        per_subset: dict[str, Any] = {}
        chosen = [self._scene_values[s] for s in sorted(self._scene_values)]
        for subset in sorted({c[1] for c in chosen}, key=_subset_key):
            values = [c[2] for c in chosen if c[1] == subset]
            per_subset[subset] = {k: _sorted_counter(Counter(v[i] for v in values)) for i, k in enumerate(_SCENE_FIELDS)}
        per_template = {
            t: {k: _sorted_counter(c) for k, c in self._per_template[t].items()}
            for t in sorted(self._per_template, key=_template_key)
        }
        per_subset_template: dict[str, Any] = {}
        for subset in sorted(self._subsets, key=_subset_key):
            per_subset_template[subset] = {}
            for template in TEMPLATE_ORDER:
                per = self._per_subset_template.get((subset, template), {"region_case": Counter(), "difficulty": Counter()})
                per_subset_template[subset][template] = {k: _sorted_counter(c) for k, c in per.items()}
        return {"per_subset": per_subset, "per_template": per_template, "per_subset_template": per_subset_template}

    def versions(self) -> dict[str, Any]:
        """Version strings as found in the rows: main-row dataset_version per subset, bridge ones per template."""
        return {
            "dataset_version": {s: sorted(self._dv[s]) for s in sorted(self._dv, key=_subset_key)},
            "bridge_dataset_version": {t: sorted(self._bridge_dv[t]) for t in sorted(self._bridge_dv, key=_template_key)},
            "protocol_version": {t: sorted(self._pv[t]) for t in sorted(self._pv, key=_template_key)},
        }

    def row_key_order(self) -> dict[str, dict[str, list[str]]]:
        """Per subset and template, the rows' keys in first-seen order (the export writes rows back in this order)."""
        out: dict[str, dict[str, list[str]]] = {}
        for subset, template in sorted(self._key_order, key=lambda st: (_subset_key(st[0]), _template_key(st[1]))):
            out.setdefault(subset, {})[template] = self._key_order[(subset, template)]
        return out

