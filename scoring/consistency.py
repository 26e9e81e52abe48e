"""Same-scene consistency (protocol §9.3): does counting the scene right predict acting on it right?

For each model and subset, scenes whose T1 (global count) passed are the
condition; every other template's PASS is averaged over those scenes only.
A T1-correct scene that lacks a row for a template is a *missing pair* —
counted separately, never as a failure — so partial runs stay unbiased.
Reported numbers are equal-weight means over the subsets that have a value.
Pure functions over per-item rows (§7.5); file handling is in rose_bench/cli/consistency.py.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Mapping, Optional, Sequence

from . import contract as C
from .numeric import format_percent, mean, percent

__all__ = [
    "CONDITIONED_KEYS",
    "METRIC_KEYS",
    "LATEX_KEYS",
    "group_by_model",
    "scene_pass_map",
    "analyze_model",
    "consistency_bundle",
    "percent_rows",
    "latex_rows",
]

# template -> reported key (conditioned on same-scene T1 success)
CONDITIONED_KEYS: dict[str, str] = {
    C.T2: "L-Cnt|T1",
    C.T3: "L-Clk|T1",
    C.T4: "V-Clk|T1",
    C.T5: "Excl-CS|T1",
}
ACTION_RET = "Action Ret."
ACTION_FAIL = "Action Fail."
METRIC_KEYS: tuple[str, ...] = ("T1", *CONDITIONED_KEYS.values(), ACTION_RET, ACTION_FAIL)
LATEX_KEYS: tuple[str, ...] = METRIC_KEYS[:-1]
CONDITION = "same-scene T1_COUNT_GLOBAL pass == 1"
NOTES: dict[str, str] = {
    "macro": "Equal-weight mean over the ROSE subsets that have a value.",
    "paired_denominator": (
        "Each conditioned metric averages PASS over T1-correct scenes that have a row for that template; "
        "T1-correct scenes without one are counted in missing_<metric>, not as failures."
    ),
    ACTION_RET: "Mean of L-Clk|T1, V-Clk|T1 and Excl-CS|T1 within a subset (over those that are defined).",
}


def group_by_model(rows: Iterable[Mapping[str, Any]], split: Optional[str]) -> dict[str, list[Mapping[str, Any]]]:
    """Rows of ``split`` (all when falsy) with a model, a known subset and a T1..T5 template, by model."""
    out: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        if split and str(row.get("rose_split")) != split:
            continue
        model = str(row.get("model") or "").strip()
        subset = str(row.get("rose_subset") or "").strip()
        template = str(row.get("task_template") or "").strip()
        if model and subset in C.SUBSET_ORDER and template in C.TEMPLATE_ORDER:
            out[model].append(row)
    return dict(out)


def scene_pass_map(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    """subset -> scene -> template -> PASS (1 if any duplicate row passed)."""
    out: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        cell = out[str(row.get("rose_subset"))][str(row.get("scene_id"))]
        template = str(row.get("task_template"))
        cell[template] = max(cell.get(template, 0), int(row.get("pass") or 0))
    return out


def _subset_record(scenes: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    with_t1 = [s for s, by_template in scenes.items() if C.T1 in by_template]
    t1_correct = [s for s in with_t1 if scenes[s][C.T1] == 1]
    rec: dict[str, Any] = {
        "n_t1_scenes": len(with_t1),
        "n_t1_correct_scenes": len(t1_correct),
        "T1": len(t1_correct) / len(with_t1) if with_t1 else None,
    }
    for template, key in CONDITIONED_KEYS.items():
        values = [scenes[s][template] for s in t1_correct if template in scenes[s]]
        rec[key] = mean(values)
        rec[f"n_{key}"] = len(values)
        rec[f"missing_{key}"] = len(t1_correct) - len(values)
    ret = mean(rec[CONDITIONED_KEYS[t]] for t in C.ACTION_TEMPLATES)
    rec[ACTION_RET] = ret
    rec[ACTION_FAIL] = None if ret is None else 1.0 - ret
    return rec


def analyze_model(model: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Per-subset records (all five subsets, empty ones with None) and their macro."""
    mapping = scene_pass_map(rows)
    by_subset = {subset: _subset_record(mapping.get(subset, {})) for subset in C.SUBSET_ORDER}
    macro = {key: mean(by_subset[s][key] for s in C.SUBSET_ORDER) for key in METRIC_KEYS}
    return {"model": model, "n_items": len(rows), "macro_equal_subset": macro, "by_subset": by_subset}


def consistency_bundle(
    rows: Iterable[Mapping[str, Any]], split: str, models: Optional[Sequence[str]] = None
) -> dict[str, Any]:
    """The ``scene_consistency_<split>.json`` document for every model (sorted) or the given ones."""
    grouped = group_by_model(rows, split)
    names = sorted(grouped) if not models else [m for m in models if m in grouped]
    records = [analyze_model(name, grouped[name]) for name in names]
    return {
        "split": split,
        "condition": CONDITION,
        "num_models": len(records),
        "models": records,
        "notes": dict(NOTES),
    }


def percent_rows(bundle: Mapping[str, Any], digits: int = 1) -> list[dict[str, Any]]:
    """CSV rows: model + every macro metric in percent (None stays empty)."""
    return [
        {"model": rec["model"], **{k: percent(v, digits) for k, v in rec["macro_equal_subset"].items()}}
        for rec in bundle["models"]
    ]


def latex_rows(bundle: Mapping[str, Any], digits: int = 1) -> str:
    """One LaTeX row per model: name, newline, ``& `` + T1 .. Action Ret. joined by `` & `` + `` \\\\``."""
    blocks = []
    for rec in bundle["models"]:
        macro = rec["macro_equal_subset"]
        cells = [format_percent(macro.get(k), digits) for k in LATEX_KEYS]
        blocks.append(f"{rec['model']}\n& " + " & ".join(cells) + " \\\\")
    return "\n\n".join(blocks) + "\n"
