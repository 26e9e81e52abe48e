"""Paired comparisons, rank intervals and tiers from a scene-clustered bootstrap; analytic cross-checks.

Because every model is scored on the same resampled scenes, the replicate
difference of two models carries the pairing: its spread is the spread of the
difference, far smaller than the two intervals side by side suggest (Miller,
"Adding Error Bars to Evals", arXiv 2411.00640).  The analytic clustered
standard error (a delta-method linearisation over scenes within subsets) is
kept to cross-check the bootstrap and to state the smallest detectable
difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Mapping, Optional, Sequence

import numpy as np

from .contract import ACTION_TEMPLATES, COUNT_TEMPLATES, SUBSET_ORDER, TEMPLATE_ORDER, TEMPLATE_SHORT
from .uncertainty import HEADLINE, Bootstrap, ClusterTable

__all__ = [
    "Pair", "bootstrap_p_value", "holm", "paired_comparisons", "competition_ranks", "rank_intervals", "tiers",
    "template_weights", "clustered_se", "minimum_detectable_difference",
]


@dataclass(frozen=True)
class Pair:
    """Model ``a`` minus model ``b`` on one figure."""

    a: str
    b: str
    difference: float
    lower: float
    upper: float
    p_value: float
    p_holm: float


def bootstrap_p_value(differences: np.ndarray) -> float:
    """Two-sided bootstrap p-value of "difference = 0": twice the smaller tail share, with +1 smoothing."""
    d = differences[~np.isnan(differences)]
    if d.size == 0:
        return float("nan")
    below, above = np.count_nonzero(d <= 0), np.count_nonzero(d >= 0)
    return float(min(1.0, 2.0 * (min(below, above) + 1) / (d.size + 1)))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (family-wise error control), in input order."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    m = p.size
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted.tolist()


def paired_comparisons(boot: Bootstrap, figure: str = HEADLINE, level: float = 0.95) -> list[Pair]:
    """Every unordered pair (i < j in model order): interval of a - b and its Holm-adjusted p-value."""
    point, reps = boot.column(figure)
    tail = 50.0 * (1.0 - level)
    raw: list[tuple[int, int, float, float, float, float]] = []
    for i in range(len(boot.models)):
        for j in range(i + 1, len(boot.models)):
            d = reps[:, i] - reps[:, j]
            with np.errstate(invalid="ignore"):
                lo, hi = (np.nanpercentile(d, [tail, 100 - tail]) if np.any(~np.isnan(d)) else (np.nan, np.nan))
            raw.append((i, j, float(point[i] - point[j]), float(lo), float(hi), bootstrap_p_value(d)))
    adjusted = holm([r[5] for r in raw]) if raw else []
    return [Pair(boot.models[i], boot.models[j], d, lo, hi, p, q) for (i, j, d, lo, hi, p), q in zip(raw, adjusted)]


def _ranks(values: np.ndarray) -> np.ndarray:
    """Competition ranks along the last axis, higher is better: 1 + number of strictly better models."""
    v = np.where(np.isnan(values), -np.inf, values)
    return 1 + (v[..., None, :] > v[..., :, None]).sum(axis=-1)


def competition_ranks(values: Mapping[str, Optional[float]]) -> dict[str, int]:
    """``_ranks`` of named figures: 1 + the number strictly better (ties share a rank); None/NaN ranks last."""
    names = list(values)
    point = np.array([np.nan if values[n] is None else values[n] for n in names], dtype=float)
    return {n: int(r) for n, r in zip(names, _ranks(point))}


def rank_intervals(boot: Bootstrap, figure: str = HEADLINE, level: float = 0.95) -> dict[str, tuple[int, int, int]]:
    """model -> (observed rank, lower, upper): quantiles of the model's rank over replicates."""
    point, reps = boot.column(figure)
    observed = _ranks(point)
    if reps.shape[0] == 0:
        return {m: (int(r), int(r), int(r)) for m, r in zip(boot.models, observed)}
    ranks = _ranks(reps)
    tail = (1.0 - level) / 2.0
    lo = np.quantile(ranks, tail, axis=0, method="inverted_cdf")
    hi = np.quantile(ranks, 1.0 - tail, axis=0, method="inverted_cdf")
    return {m: (int(o), int(a), int(b)) for m, o, a, b in zip(boot.models, observed, lo, hi)}


def tiers(point: Mapping[str, float], pairs: Sequence[Pair], alpha: float = 0.05) -> dict[str, int]:
    """Tier numbers (1 = best): walking down the observed order, a model opens a new tier when it is
    significantly worse (Holm-adjusted) than the model that opened the current tier."""
    significant = {frozenset((p.a, p.b)) for p in pairs if p.p_holm < alpha}
    order = sorted(point, key=lambda m: (-np.nan_to_num(point[m], nan=-np.inf), m))
    out: dict[str, int] = {}
    tier, leader = 0, None
    for model in order:
        if leader is None or frozenset((leader, model)) in significant:
            tier, leader = tier + 1, model
        out[model] = tier
    return out


# --------------------------------------------------------------------------- analytic cross-check


def template_weights(figure: str) -> dict[str, float]:
    """Template PASS figures as weights over the five template PASS cells (linear figures only)."""
    short = {TEMPLATE_SHORT[t]: t for t in TEMPLATE_ORDER}
    if figure in short:
        return {short[figure]: 1.0}
    if figure == "T2 Avg. PASS":
        return {t: 1.0 / len(TEMPLATE_ORDER) for t in TEMPLATE_ORDER}
    counting = {t: 1.0 / len(COUNT_TEMPLATES) for t in COUNT_TEMPLATES}
    action = {t: 1.0 / len(ACTION_TEMPLATES) for t in ACTION_TEMPLATES}
    if figure == "Counting Avg.":
        return counting
    if figure == "Action Avg.":
        return action
    if figure == "gap":
        return {**counting, **{t: -w for t, w in action.items()}}
    raise ValueError(f"no analytic form for figure {figure!r}")


def clustered_se(table: ClusterTable, figure: str, model: int, minus: int | None = None) -> float:
    """Clustered (scene within subset) standard error of a template-PASS figure, or of a paired difference.

    The figure is sum_t w_t * mean_s(Y_st / N_st); each scene's influence is
    sum_t w_t (y_kt - R_st n_kt) / (S N_st); subsets are independent, so the variance
    is the sum over subsets of n/(n-1) times the sum of squared centred influences.
    """
    weights = template_weights(figure)
    t_index = [TEMPLATE_ORDER.index(t) for t in weights]
    w = np.array(list(weights.values()))
    total = 0.0
    slices = table.subset_slices()
    for sl in slices:
        y = table.sums[sl][:, :, t_index, 0]
        n = table.counts[sl][:, :, t_index, 0]
        big_n = n.sum(axis=0)
        ratio = y.sum(axis=0) / np.where(big_n > 0, big_n, 1.0)
        influence = ((y - ratio * n) / np.where(big_n > 0, big_n, 1.0) * w).sum(axis=-1) / len(slices)  # (k, M)
        u = influence[:, model] - (influence[:, minus] if minus is not None else 0.0)
        k = u.shape[0]
        if k > 1:
            total += k / (k - 1) * float(((u - u.mean()) ** 2).sum())
    return float(np.sqrt(total))


def minimum_detectable_difference(se_difference: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest true difference a two-sided level-alpha test detects with the given power:
    (z_{1-alpha/2} + z_power) * SE of the difference (2.80 SE at 5% / 80%)."""
    z = NormalDist()
    return (z.inv_cdf(1.0 - alpha / 2.0) + z.inv_cdf(power)) * se_difference


def subsets_present(table: ClusterTable) -> list[str]:
    return [s for s in SUBSET_ORDER if s in table.subsets]
