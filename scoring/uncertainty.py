"""Scene-clustered bootstrap of every ROSE figure (pure numpy, seeded, no I/O).

The five templates of a scene share its image, so items are not independent:
the unit of resampling is the *scene*, drawn with replacement *within its
subset* (the paper's averages are macro over subsets, so each subset keeps its
size and weight).  Each replicate recomputes the whole pipeline of
``scoring.aggregate`` -- subset x template item means, Table 2 template PASS,
C-F1, R-OK and Avg. PASS, Table 1 subset PASS/SOFT/VALID and their macro
averages, Counting / Action averages and the gap -- from per-scene sums, so a
replicate is one matrix product per subset instead of a pass over items.  Every
model is evaluated on the same resampled scenes (paired by construction).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from .contract import ACTION_TEMPLATES, COUNT_TEMPLATES, SUBSET_ORDER, SUBSET_SHORT, TEMPLATE_ORDER, TEMPLATE_SHORT

__all__ = [
    "METRICS", "FIGURES", "HEADLINE", "ClusterTable", "Bootstrap",
    "cluster_table", "figures_from_sums", "bootstrap", "point_figures",
]

# per-item metrics carried through the bootstrap; the last two only on click rows (as aggregate.table2)
METRICS: tuple[str, ...] = ("pass", "unified_soft", "format_valid", "click_f1_strict", "region_ok")
_CLICK_ONLY = frozenset({"click_f1_strict", "region_ok"})
_K = {name: k for k, name in enumerate(METRICS)}

TEMPLATE_FIGURES: tuple[str, ...] = tuple(TEMPLATE_SHORT[t] for t in TEMPLATE_ORDER)
SUBSET_FIGURES: tuple[str, ...] = tuple(
    f"{SUBSET_SHORT[s]} {m}" for s in SUBSET_ORDER for m in ("PASS", "SOFT", "VALID")
)
# every figure a replicate yields, in column order of Bootstrap.replicates
FIGURES: tuple[str, ...] = (
    *TEMPLATE_FIGURES, "C-F1", "R-OK", "T2 Avg. PASS",
    *SUBSET_FIGURES, "Avg. PASS", "Avg. SOFT", "VALID",
    "Counting Avg.", "Action Avg.", "gap",
)
HEADLINE = "Avg. PASS"  # Table 1 macro average over subsets: the figure models are ranked by
FIGURE_INDEX: dict[str, int] = {name: i for i, name in enumerate(FIGURES)}


@dataclass(frozen=True)
class ClusterTable:
    """Per-scene sums and counts of each metric, per model and template.

    ``sums``/``counts`` have shape (scenes, models, templates, metrics); scenes are
    ordered by subset (``subset_of`` gives each scene's index into ``subsets``).
    A count is the number of rows where the metric applies (None values skipped).
    """

    models: tuple[str, ...]
    subsets: tuple[str, ...]
    scene_ids: tuple[str, ...]
    subset_of: np.ndarray
    sums: np.ndarray
    counts: np.ndarray

    def subset_slices(self) -> list[slice]:
        bounds = np.searchsorted(self.subset_of, np.arange(len(self.subsets) + 1))
        return [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]


def cluster_table(rows_by_model: Mapping[str, Sequence[Mapping[str, Any]]]) -> ClusterTable:
    """Collapse per-item records (``item.score_item`` rows) of each model into per-scene sums."""
    models = tuple(rows_by_model)
    scenes: dict[tuple[int, str], None] = {}
    for rows in rows_by_model.values():
        for row in rows:
            subset = row.get("rose_subset")
            if subset in SUBSET_ORDER and row.get("task_template") in TEMPLATE_ORDER:
                scenes.setdefault((SUBSET_ORDER.index(subset), str(row.get("scene_id"))), None)
    keys = sorted(scenes)
    position = {key: i for i, key in enumerate(keys)}
    present = sorted({s for s, _ in keys})
    remap = {s: i for i, s in enumerate(present)}
    t_index = {t: i for i, t in enumerate(TEMPLATE_ORDER)}
    shape = (len(keys), len(models), len(TEMPLATE_ORDER), len(METRICS))
    sums, counts = np.zeros(shape), np.zeros(shape)
    for m, rows in enumerate(rows_by_model.values()):
        for row in rows:
            subset, template = row.get("rose_subset"), row.get("task_template")
            if subset not in SUBSET_ORDER or template not in t_index:
                continue
            c = position[(SUBSET_ORDER.index(subset), str(row.get("scene_id")))]
            t = t_index[template]
            for k, metric in enumerate(METRICS):
                value = row.get(metric)
                if value is None or (metric in _CLICK_ONLY and row.get("click_applicable") != 1):
                    continue
                sums[c, m, t, k] += float(value)
                counts[c, m, t, k] += 1.0
    return ClusterTable(
        models=models,
        subsets=tuple(SUBSET_ORDER[s] for s in present),
        scene_ids=tuple(scene for _, scene in keys),
        subset_of=np.array([remap[s] for s, _ in keys], dtype=np.int64),
        sums=sums,
        counts=counts,
    )


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    """Mean skipping NaN (aggregate.mean skips None); NaN where nothing is left."""
    ok = ~np.isnan(values)
    return _ratio(np.where(ok, values, 0.0).sum(axis=axis), ok.sum(axis=axis).astype(float))


def figures_from_sums(sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """FIGURES from subset-level sums/counts of shape (..., subsets, templates, metrics) -> (..., len(FIGURES)).

    The same definitions as ``aggregate.table1``/``table2``/``perception_action_gap``:
    item means within a subset, then the mean over subsets that have rows.
    """
    p = _K["pass"]
    cell_pass = _ratio(sums[..., p], counts[..., p])  # (..., S, T)
    template_pass = _nanmean(cell_pass, axis=-2)  # (..., T)
    click_sums, click_counts = sums.sum(axis=-2), counts.sum(axis=-2)  # (..., S, K) over templates
    cf1 = _nanmean(_ratio(click_sums[..., _K["click_f1_strict"]], click_counts[..., _K["click_f1_strict"]]), -1)
    rok = _nanmean(_ratio(click_sums[..., _K["region_ok"]], click_counts[..., _K["region_ok"]]), -1)
    t2_avg = _nanmean(template_pass, axis=-1)
    subset_fig = np.stack(
        [_ratio(click_sums[..., _K[k]], click_counts[..., _K[k]]) for k in ("pass", "unified_soft", "format_valid")],
        axis=-1,
    )  # (..., S, 3)
    t1_avg = _nanmean(subset_fig, axis=-2)  # (..., 3)
    counting = _nanmean(template_pass[..., [TEMPLATE_ORDER.index(t) for t in COUNT_TEMPLATES]], axis=-1)
    action = _nanmean(template_pass[..., [TEMPLATE_ORDER.index(t) for t in ACTION_TEMPLATES]], axis=-1)
    return np.concatenate(
        [template_pass, cf1[..., None], rok[..., None], t2_avg[..., None], subset_fig.reshape(*subset_fig.shape[:-2], -1),
         t1_avg, counting[..., None], action[..., None], (counting - action)[..., None]],
        axis=-1,
    )


def _full_subset_axis(table: ClusterTable, per_subset: np.ndarray) -> np.ndarray:
    """Place present subsets on the fixed SUBSET_ORDER axis (absent ones: zero counts -> NaN figures)."""
    shape = list(per_subset.shape)
    shape[-3] = len(SUBSET_ORDER)
    out = np.zeros(shape)
    for i, subset in enumerate(table.subsets):
        out[..., SUBSET_ORDER.index(subset), :, :] = per_subset[..., i, :, :]
    return out


def point_figures(table: ClusterTable) -> np.ndarray:
    """(models, FIGURES) on the observed scenes; equals scoring.aggregate on the same rows."""
    sums = np.stack([table.sums[sl].sum(axis=0) for sl in table.subset_slices()], axis=-3)  # (M, S, T, K)
    counts = np.stack([table.counts[sl].sum(axis=0) for sl in table.subset_slices()], axis=-3)
    return figures_from_sums(_full_subset_axis(table, sums), _full_subset_axis(table, counts))


@dataclass(frozen=True)
class Bootstrap:
    """Replicates of every figure: ``replicates[r, m, f]``; ``point[m, f]`` on the observed scenes."""

    models: tuple[str, ...]
    figures: tuple[str, ...]
    point: np.ndarray
    replicates: np.ndarray
    seed: int

    def column(self, figure: str) -> tuple[np.ndarray, np.ndarray]:
        """(point (M,), replicates (R, M)) of one figure."""
        f = self.figures.index(figure)
        return self.point[:, f], self.replicates[:, :, f]

    def interval(self, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Percentile interval (lower, upper), each (M, F); NaN where a figure is undefined."""
        tail = 50.0 * (1.0 - level)
        if not self.replicates.size:
            return np.full_like(self.point, np.nan), np.full_like(self.point, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN figure (e.g. no click rows): NaN interval
            lo, hi = np.nanpercentile(self.replicates, [tail, 100.0 - tail], axis=0)
        return lo, hi


def scene_weights(rng: np.random.Generator, replicates: int, n_scenes: int) -> np.ndarray:
    """How often each scene is drawn in each replicate: (replicates, n_scenes), rows sum to n_scenes."""
    return rng.multinomial(n_scenes, np.full(n_scenes, 1.0 / n_scenes), size=replicates).astype(np.float64)


def bootstrap(table: ClusterTable, replicates: int = 10_000, seed: int = 0, chunk: int = 1000) -> Bootstrap:
    """Scene-clustered bootstrap of FIGURES for every model (same scenes for every model).

    One generator per subset, spawned from ``seed`` in subset order, so a figure's
    replicates do not depend on the chunk size or on which other models are present.
    """
    if replicates < 0:
        raise ValueError("replicates must be >= 0")
    slices = table.subset_slices()
    flat_sums = [table.sums[sl].reshape(sl.stop - sl.start, -1) for sl in slices]
    # complete submissions share their counts across models: one product for all of them
    shared = bool(np.all(table.counts == table.counts[:, :1]))
    counts_src = table.counts[:, :1] if shared else table.counts
    flat_counts = [counts_src[sl].reshape(sl.stop - sl.start, -1) for sl in slices]
    rngs = [np.random.default_rng([seed, SUBSET_ORDER.index(s)]) for s in table.subsets]
    n_models = len(table.models)
    inner = table.sums.shape[1:]  # (M, T, K)
    out = np.empty((replicates, n_models, len(FIGURES)))
    for start in range(0, replicates, chunk):
        size = min(chunk, replicates - start)
        sums = np.empty((size, len(slices), *inner))
        counts = np.empty((size, len(slices), *counts_src.shape[1:]))
        for i, sl in enumerate(slices):
            w = scene_weights(rngs[i], size, sl.stop - sl.start)
            sums[:, i] = (w @ flat_sums[i]).reshape(size, *inner)
            counts[:, i] = (w @ flat_counts[i]).reshape(size, *counts_src.shape[1:])
        counts = np.broadcast_to(counts, sums.shape)
        # (R, S, M, T, K) -> (R, M, S, T, K)
        sums, counts = np.moveaxis(sums, 1, 2), np.moveaxis(counts, 1, 2)
        out[start:start + size] = figures_from_sums(_full_subset_axis(table, sums), _full_subset_axis(table, counts))
    return Bootstrap(models=table.models, figures=FIGURES, point=point_figures(table), replicates=out, seed=seed)
