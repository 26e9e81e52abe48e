"""Paired comparisons, Holm, rank intervals, tiers, the analytic clustered SE cross-check and the power figure."""

from __future__ import annotations

import numpy as np
import pytest

from rose_bench.scoring.uncertainty import Bootstrap, bootstrap, cluster_table
from rose_bench.scoring.uncertainty_compare import (
    Pair, bootstrap_p_value, clustered_se, holm, minimum_detectable_difference, paired_comparisons,
    competition_ranks, rank_intervals, tiers,
)

from .test_uncertainty import synthetic


@pytest.mark.parametrize(
    "p, expected",
    [([0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02]),
     ([0.5], [0.5]),
     ([0.2, 0.2, 0.9], [0.6, 0.6, 0.9]),
     ([0.4, 0.01], [0.4, 0.02])],
    ids=["four", "one", "ties", "clip-monotone"],
)
def test_holm_known_answers(p, expected) -> None:
    assert holm(p) == pytest.approx(expected)


@pytest.mark.parametrize(
    "diffs, expected",
    [(np.ones(99), 2 / 100), (np.zeros(99), 1.0), (np.r_[np.ones(50), -np.ones(49)], 1.0)],
    ids=["all-positive", "all-zero", "balanced"],
)
def test_bootstrap_p_value_known_answers(diffs, expected) -> None:
    assert bootstrap_p_value(diffs) == pytest.approx(expected)


def test_minimum_detectable_difference_is_2_8_standard_errors() -> None:
    assert minimum_detectable_difference(1.0) == pytest.approx(2.801585, abs=1e-6)
    assert minimum_detectable_difference(0.01, alpha=0.05, power=0.5) == pytest.approx(0.0195996, abs=1e-6)


def _fake(points: list[float], reps: np.ndarray) -> Bootstrap:
    names = tuple(f"m{i}" for i in range(len(points)))
    return Bootstrap(models=names, figures=("Avg. PASS",), point=np.array(points)[:, None],
                     replicates=reps[:, :, None], seed=0)


def test_rank_intervals_known_answer() -> None:
    """m0 always best; m1 and m2 swap in half the replicates; m3 ties m2 at the point estimate."""
    reps = np.array([[0.9, 0.5, 0.4, 0.1], [0.9, 0.4, 0.5, 0.1]] * 50)
    ranks = rank_intervals(_fake([0.9, 0.45, 0.45, 0.1], reps))
    assert ranks == {"m0": (1, 1, 1), "m1": (2, 2, 3), "m2": (2, 2, 3), "m3": (4, 4, 4)}


def test_tiers_known_answer() -> None:
    point = {"a": 0.9, "b": 0.85, "c": 0.5, "d": 0.48, "e": 0.1}
    significant = {("a", "c"), ("a", "d"), ("a", "e"), ("b", "e"), ("c", "e"), ("d", "e"), ("b", "c")}
    pairs = [Pair(x, y, 0, 0, 0, 0.0 if (x, y) in significant else 0.5, 0.0 if (x, y) in significant else 0.5)
             for x in point for y in point if x < y]
    assert tiers(point, pairs) == {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3}


def test_identical_models_never_differ_and_a_far_better_model_always_does() -> None:
    rows = synthetic({"a": 0.0, "strong": 4.0}, scenes=30, seed=11)
    rows["twin"] = rows["a"]
    boot = bootstrap(cluster_table(rows), replicates=1000, seed=1)
    pairs = {(p.a, p.b): p for p in paired_comparisons(boot)}
    twin = pairs[("a", "twin")]
    assert twin.difference == twin.lower == twin.upper == 0.0 and twin.p_value == 1.0
    strong = pairs[("a", "strong")]
    assert strong.upper < 0 and strong.p_holm < 0.01
    assert tiers(dict(zip(boot.models, boot.column("Avg. PASS")[0])), list(pairs.values()))["strong"] == 1


@pytest.mark.parametrize("figure", ["G-Cnt", "V-Clk", "T2 Avg. PASS", "Counting Avg.", "Action Avg.", "gap"])
def test_bootstrap_agrees_with_analytic_clustered_se(figure) -> None:
    rows = synthetic({"a": 0.3, "b": 0.6}, scenes=120, seed=21)
    table = cluster_table(rows)
    boot = bootstrap(table, replicates=4000, seed=2)
    _, reps = boot.column(figure)
    for m in range(2):
        assert np.std(reps[:, m]) == pytest.approx(clustered_se(table, figure, m), rel=0.1)
    paired_sd = np.std(reps[:, 0] - reps[:, 1])
    assert paired_sd == pytest.approx(clustered_se(table, figure, 0, minus=1), rel=0.1)
    # pairing matters: shared scene difficulty makes the difference less noisy than two independent runs
    # (not for the gap: a scene's difficulty already cancels within one model's Counting - Action)
    if figure != "gap":
        assert paired_sd < 0.95 * np.hypot(np.std(reps[:, 0]), np.std(reps[:, 1]))


def test_clustering_matters_naive_item_se_is_too_small() -> None:
    """With correlated items in a scene, the item-level (iid) SE understates the clustered one."""
    rows = synthetic({"a": 0.0}, scenes=120, seed=22)
    table = cluster_table(rows)
    clustered = clustered_se(table, "T2 Avg. PASS", 0)
    per_template = table.counts[:, 0, :, 0].sum(axis=0)  # items per template (all subsets)
    p = table.sums[:, 0, :, 0].sum(axis=0) / per_template
    naive = np.sqrt(np.sum(p * (1 - p) / per_template)) / 5
    assert clustered > 1.3 * naive


# Observed ranks: 1 + the rows strictly better, ties share a rank, a missing figure ranks last.
# (id, headline figure per row, expected rank per row)
RANKS = [
    ("distinct", {"a": 0.9, "b": 0.5, "c": 0.7}, {"a": 1, "b": 3, "c": 2}),
    ("ties-share-a-rank", {"a": 0.5, "b": 0.9, "c": 0.5}, {"a": 2, "b": 1, "c": 2}),
    ("missing-ranks-last", {"a": None, "b": 0.0, "c": 0.4}, {"a": 3, "b": 2, "c": 1}),
    ("nan-ranks-last", {"a": float("nan"), "b": 0.1}, {"a": 2, "b": 1}),
    ("all-missing", {"a": None, "b": float("nan")}, {"a": 1, "b": 1}),
    ("empty", {}, {}),
]


@pytest.mark.parametrize("values, expected", [c[1:] for c in RANKS], ids=[c[0] for c in RANKS])
def test_competition_ranks(values, expected) -> None:
    assert competition_ranks(values) == expected
