"""Group summaries and paper tables over per-item records (protocol §8.1–§8.5).

Pure functions of the §7.5 rows produced by ``item.score_item``.  Two
conventions from the official evaluator matter for reproducing its numbers:

* means skip None (a metric that does not apply to a row is not a zero), and a
  group with no applicable rows gives None, never 0;
* paper averages are *macro over visual subsets that have rows* — each subset
  weighs the same although subsets differ in size — so they are not item means.

Rows are grouped once and read column by column (``RowTable``): each metric is
extracted from the rows and converted to numbers once, a group is a list of row
positions, and a mean is ``sum`` over the group's numbers in row order, so every
figure is bit-identical to ``numeric.mean`` over the same rows -- without
rescanning all rows for every group and key.  Plain Python: importing numpy
would cost a short ``rose score`` run more than it saves.
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial
from itertools import compress, repeat
from operator import eq, is_, is_not, itemgetter, ne
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

from .contract import ACTION_TEMPLATES, SUBSET_ORDER, T1, T4, TEMPLATE_ORDER, TEMPLATE_SHORT
from .numeric import difference, mean, number, percent

__all__ = [
    "mean",
    "RowTable",
    "TABLE_KEYS",
    "summary_for",
    "group_summary",
    "macro_over_subsets",
    "table1",
    "table2",
    "primary_table",
    "perception_action_gap",
    "scene_conditioned_action",
    "percentage_tree",
    "PERCENT_KEYS",
    "PRIMARY_COLUMNS",
]

Row = Mapping[str, Any]

# Non-"rate" keys whose values are fractions and are shown as percentages.
PERCENT_KEYS = frozenset(
    {"PASS", "SOFT", "VALID", "Avg. PASS", "Avg. SOFT", "C-F1", "R-OK", *TEMPLATE_SHORT.values(), "Action Avg."}
)

# Column names of the README/paper primary table (§8.4; paper spells Excl-CS).
PRIMARY_COLUMNS: tuple[str, ...] = (
    "G-Cnt", "L-Cnt", "L-Clk", "V-Clk", "Excl-CS", "Glyph", "Emoji", "Pixel", "Avg.", "VALID",
)
_PRIMARY_TEMPLATE_COLUMN = dict(zip(TEMPLATE_ORDER, PRIMARY_COLUMNS[:5], strict=True))
_SUBSET_FAMILIES: dict[str, tuple[str, ...]] = {  # primary-table columns: ChineseGlyph | the two Emoji | the two Pixel
    "Glyph": SUBSET_ORDER[:1],
    "Emoji": SUBSET_ORDER[1:3],
    "Pixel": SUBSET_ORDER[3:5],
}
# every key the summaries and paper tables read: fetched from each row in one pass (one row's dict at a time)
TABLE_KEYS: tuple[str, ...] = (
    "rose_subset", "task_template", "task_mode", "region_type", "scene_id", "pass", "unified_soft", "format_valid",
    "format_error", "api_error", "count_applicable", "click_applicable", "submit_applicable", "pred_count",
    "count_exact", "count_mae", "count_bias", "count_soft", "click_exact_set", "click_exact_set_strict",
    "click_precision", "click_recall", "click_f1", "click_f1_strict", "click_iou", "click_iou_strict", "region_ok",
    "region_violation_count", "invalid_coordinate_count", "duplicate_click_count", "over_click_count",
    "under_click_count", "near_miss_rate", "submit_exact", "click_submit_consistency", "global_default_error",
    "exclusion_failure",
)
_NONE = type(None)
_is_number = partial(is_not, None)

Index = Sequence[int]  # row positions, ascending


class RowTable:
    """Per-item rows read column by column; a group is a list of row positions, built once.

    The ``TABLE_KEYS`` columns are fetched in one pass over the rows when first
    needed (any other key on its first use), converted to numbers once per key,
    and every mean is ``sum`` over the group's numbers in row order -- the very
    arithmetic of ``numeric.mean``, so figures are bit-identical to it.
    """

    def __init__(self, rows: Iterable[Row]) -> None:
        self.rows: Sequence[Row] = rows if isinstance(rows, (list, tuple)) else list(rows)
        self.all: Index = range(len(self.rows))
        self._raw: dict[str, Sequence[Any]] = {}
        self._numbers: dict[str, Sequence[Optional[float]]] = {}
        self._flags: dict[tuple[str, Any, Any], Sequence[Any]] = {}
        self._groups: dict[str, dict[str, list[int]]] = {}
        self._getters: dict[int, tuple[Index, Callable[[Sequence[Any]], Any]]] = {}

    def _fetch_table_keys(self) -> None:
        getter = itemgetter(*TABLE_KEYS)
        try:
            fetched = [getter(r) for r in self.rows]
        except KeyError:  # a row without some key: ``get`` semantics, key by key
            fetched = [tuple(r.get(k) for k in TABLE_KEYS) for r in self.rows]
        columns = list(zip(*fetched)) if fetched else [()] * len(TABLE_KEYS)
        self._raw.update(zip(TABLE_KEYS, columns))

    def raw(self, key: str) -> Sequence[Any]:
        """``row.get(key)`` for every row, in row order."""
        if key not in self._raw:
            if key in TABLE_KEYS:
                self._fetch_table_keys()
            else:
                self._raw[key] = [r.get(key) for r in self.rows]
        return self._raw[key]

    def flags(self, key: str, op: Callable[[Any, Any], Any], value: Any) -> Sequence[Any]:
        """``op(row.get(key), value)`` for every row (e.g. ``operator.eq``), computed once; used for its truth."""
        if (key, op, value) not in self._flags:
            raw = self.raw(key)
            self._flags[(key, op, value)] = list(map(op, raw, repeat(value, len(raw))))
        return self._flags[(key, op, value)]

    def take(self, column: Sequence[Any], idx: Index) -> Sequence[Any]:
        """``column`` at the positions ``idx``, in order (one C-level gather; the getter is kept per index list)."""
        if idx is self.all:
            return column
        if len(idx) < 2:
            return [column[i] for i in idx]
        entry = self._getters.get(id(idx))
        if entry is None or entry[0] is not idx:
            entry = self._getters[id(idx)] = (idx, itemgetter(*idx))  # the entry keeps idx alive: its id stays valid
        return entry[1](column)

    def where(self, idx: Index, key: str, value: Any, *, equal: bool = True) -> list[int]:
        """The positions of ``idx`` whose ``row.get(key) == value`` (``is None`` for None), or ``!=`` if not ``equal``."""
        op = (is_ if equal else is_not) if value is None else (eq if equal else ne)
        return list(compress(idx, self.take(self.flags(key, op, value), idx)))

    def numbers(self, key: str) -> Sequence[Optional[float]]:
        """``numeric.number`` of every value (None where it is not a number), converted once per key."""
        if key not in self._numbers:
            raw = self.raw(key)
            types = set(map(type, raw))
            if types <= {float, _NONE}:
                self._numbers[key] = raw
            elif types <= {float, int, bool}:
                self._numbers[key] = list(map(float, raw))
            elif types <= {float, int, bool, _NONE}:
                self._numbers[key] = [None if v is None else float(v) for v in raw]
            else:
                self._numbers[key] = [number(v) for v in raw]
        return self._numbers[key]

    def mean(self, key: str, idx: Index) -> Optional[float]:
        """``numeric.mean`` of ``key`` over the rows ``idx``: the same numbers, summed in the same order."""
        values = list(filter(_is_number, self.take(self.numbers(key), idx)))
        return sum(values) / len(values) if values else None

    def positive_share(self, key: str, idx: Index) -> Optional[float]:
        """Share of rows ``idx`` whose ``key`` is > 0 (missing counts as 0); None for no rows."""
        if (key, "> 0", None) not in self._flags:
            self._flags[(key, "> 0", None)] = [int((v or 0) > 0) for v in self.raw(key)]
        return sum(self.take(self._flags[(key, "> 0", None)], idx)) / len(idx) if len(idx) else None

    def groups(self, key: str) -> dict[str, list[int]]:
        """Row positions per ``str(row.get(key))``, values in sorted order: one pass, no rescans."""
        if key not in self._groups:
            buckets: dict[str, list[int]] = defaultdict(list)
            for i, value in enumerate(self.raw(key)):
                buckets[value if type(value) is str else str(value)].append(i)
            self._groups[key] = {value: buckets[value] for value in sorted(buckets)}
        return self._groups[key]

    def by_subset(self) -> dict[str, list[int]]:
        """Row positions per visual subset, in the official subset order (other subsets are left out)."""
        found = self.groups("rose_subset")
        return {s: found.get(s, []) for s in SUBSET_ORDER}


Rows = Union[Sequence[Row], RowTable]


def _table(rows: Rows) -> RowTable:
    return rows if isinstance(rows, RowTable) else RowTable(rows)


def _summary(table: RowTable, idx: Index) -> dict:
    if not len(idx):
        return {"n": 0}
    count_idx = table.where(idx, "count_applicable", 1)
    click_idx = table.where(idx, "click_applicable", 1)
    submit_idx = table.where(idx, "submit_applicable", 1)
    exclusion_idx = table.where(idx, "region_type", "EXCLUSION")
    parsed_count_idx = table.where(count_idx, "pred_count", None, equal=False)
    not_t1_idx = table.where(idx, "task_template", T1, equal=False)
    m, share = table.mean, table.positive_share
    return {
        "n": len(idx),
        "pass_rate": m("pass", idx),
        "unified_soft": m("unified_soft", idx),
        "valid_rate": m("format_valid", idx),
        "format_error_rate": m("format_error", idx),
        "api_error_rate": m("api_error", idx),
        "n_count_applicable": len(count_idx),
        "count_exact_rate": m("count_exact", count_idx),
        "count_mae_parsed": m("count_mae", parsed_count_idx),
        "count_bias_parsed": m("count_bias", parsed_count_idx),
        "count_soft": m("count_soft", count_idx),
        "n_click_applicable": len(click_idx),
        "click_exact_set_rate": m("click_exact_set", click_idx),
        "click_exact_set_strict_rate": m("click_exact_set_strict", click_idx),
        "click_precision": m("click_precision", click_idx),
        "click_recall": m("click_recall", click_idx),
        "click_f1": m("click_f1", click_idx),
        "click_f1_strict": m("click_f1_strict", click_idx),
        "click_iou": m("click_iou", click_idx),
        "click_iou_strict": m("click_iou_strict", click_idx),
        "region_ok_rate": m("region_ok", click_idx),
        "region_violation_sample_rate": share("region_violation_count", click_idx),
        "invalid_coordinate_sample_rate": share("invalid_coordinate_count", click_idx),
        "duplicate_click_sample_rate": share("duplicate_click_count", click_idx),
        "over_click_sample_rate": share("over_click_count", click_idx),
        "under_click_sample_rate": share("under_click_count", click_idx),
        "near_miss_rate": m("near_miss_rate", click_idx),
        "n_submit_applicable": len(submit_idx),
        "submit_exact_rate": m("submit_exact", submit_idx),
        "click_submit_consistency_rate": m("click_submit_consistency", submit_idx),
        "global_default_error_rate": m("global_default_error", not_t1_idx),
        "n_exclusion": len(exclusion_idx),
        "exclusion_failure_rate": m("exclusion_failure", exclusion_idx),
    }


def summary_for(rows: Rows) -> dict:
    """§8.1 group summary; keys and order are the official ones ({"n": 0} when empty)."""
    table = _table(rows)
    return _summary(table, table.all)


def group_summary(rows: Rows, key: str) -> dict[str, dict]:
    """``summary_for`` per value of ``key`` (stringified), keys sorted as strings."""
    table = _table(rows)
    return {value: _summary(table, idx) for value, idx in table.groups(key).items()}


def _macro(table: RowTable, selected: Sequence[Any], key: str) -> Optional[float]:
    return mean(table.mean(key, list(compress(idx, table.take(selected, idx)))) for idx in table.by_subset().values())


def macro_over_subsets(rows: Rows, selector: Callable[[Row], bool], key: str) -> Optional[float]:
    """Mean over subsets (that have selected rows) of the item mean of ``key``."""
    table = _table(rows)
    return _macro(table, [bool(selector(r)) for r in table.rows], key)


def table1(rows: Rows) -> dict:
    """§8.2: per-subset item-mean PASS/SOFT/VALID plus their macro averages."""
    table = _table(rows)
    by_subset = {
        subset: {
            "n": len(idx),
            "PASS": table.mean("pass", idx),
            "SOFT": table.mean("unified_soft", idx),
            "VALID": table.mean("format_valid", idx),
        }
        for subset, idx in table.by_subset().items()
    }
    return {
        "by_subset": by_subset,
        "Avg. PASS": mean(rec["PASS"] for rec in by_subset.values()),
        "Avg. SOFT": mean(rec["SOFT"] for rec in by_subset.values()),
        "VALID": mean(rec["VALID"] for rec in by_subset.values()),
    }


def table2(rows: Rows) -> dict:
    """§8.3: template PASS, C-F1, R-OK (each macro over subsets) and their Avg. PASS."""
    table = _table(rows)
    template_pass = {TEMPLATE_SHORT[t]: _macro(table, table.flags("task_template", eq, t), "pass") for t in TEMPLATE_ORDER}
    clicks = table.flags("click_applicable", eq, 1)
    return {
        **template_pass,
        "C-F1": _macro(table, clicks, "click_f1_strict"),
        "R-OK": _macro(table, clicks, "region_ok"),
        "Avg. PASS": mean(template_pass.values()),
    }


def primary_table(rows: Rows) -> dict:
    """§8.4 README table: template PASS, Glyph/Emoji/Pixel family PASS, Avg., VALID."""
    table = _table(rows)
    t1, t2 = table1(table), table2(table)
    out: dict[str, Optional[float]] = {
        column: t2[TEMPLATE_SHORT[template]] for template, column in _PRIMARY_TEMPLATE_COLUMN.items()
    }
    for family, subsets in _SUBSET_FAMILIES.items():
        out[family] = mean(t1["by_subset"][s]["PASS"] for s in subsets)
    out["Avg."] = t1["Avg. PASS"]
    out["VALID"] = t1["VALID"]
    return out


def perception_action_gap(rows: Rows) -> dict:
    """§8.5: Counting Avg. (G-Cnt, L-Cnt), Action Avg. (L-Clk, V-Clk, Excl-CS), gap Δ = Counting − Action;
    and the Fig. 1 pair G-Cnt ("Per.") / V-Clk ("Act.") with Δ = V-Clk − G-Cnt."""
    t2 = table2(rows)
    counting = mean(t2[TEMPLATE_SHORT[t]] for t in TEMPLATE_ORDER[:2])
    action = mean(t2[TEMPLATE_SHORT[t]] for t in ACTION_TEMPLATES)
    per, act = t2[TEMPLATE_SHORT[T1]], t2[TEMPLATE_SHORT[T4]]
    return {
        "Counting Avg.": counting,
        "Action Avg.": action,
        "gap": difference(counting, action),
        "fig1": {"G-Cnt": per, "V-Clk": act, "delta": difference(act, per)},
    }


def scene_conditioned_action(rows: Rows) -> dict:
    """§8.5 (evaluator key ``scene_conditioned_action_available_rows``): action PASS on
    scenes whose T1 passed, per subset, then macro over subsets per template."""
    table = _table(rows)
    scenes = [str(v) for v in table.raw("scene_id")]
    by_subset: dict[str, dict] = {}
    for subset, idx in table.by_subset().items():
        solved = {scenes[i] for i in table.where(table.where(idx, "task_template", T1), "pass", 1)}
        record: dict[str, Any] = {"n_t1_correct_scenes": len(solved)}
        for template in ACTION_TEMPLATES:
            matched = [i for i in table.where(idx, "task_template", template) if scenes[i] in solved]
            record[TEMPLATE_SHORT[template]] = {"n": len(matched), "pass_rate": table.mean("pass", matched)}
        by_subset[subset] = record
    macro = {
        TEMPLATE_SHORT[t]: mean(rec[TEMPLATE_SHORT[t]]["pass_rate"] for rec in by_subset.values())
        for t in ACTION_TEMPLATES
    }
    return {
        "by_subset": by_subset,
        "macro": {**macro, "Action Avg.": mean(macro.values())},
        "note": (
            "Computed only from scenes for which both sampled T1 and action rows are "
            "available. A random partial run may have a small denominator."
        ),
    }


def percentage_tree(value: Any, digits: int = 4) -> Any:
    """Copy of ``value`` with rate-like numbers (key contains "rate", or a table column
    name) as percentages rounded to ``digits``; counts stay as they are."""
    if isinstance(value, list):
        return [percentage_tree(v, digits) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, child in value.items():
        if isinstance(child, (dict, list)):
            out[key] = percentage_tree(child, digits)
        elif child is not None and isinstance(child, (int, float)) and ("rate" in key.lower() or key in PERCENT_KEYS):
            out[key] = percent(child, digits)
        else:
            out[key] = child
    return out
