"""Scene-clustered bootstrap: same figures as scoring.aggregate, known answers, determinism, speed-free."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from rose_bench.scoring import aggregate as agg
from rose_bench.scoring.contract import SUBSET_ORDER, TEMPLATE_ORDER, TEMPLATE_SHORT
from rose_bench.scoring.uncertainty import FIGURES, bootstrap, cluster_table, point_figures


def synthetic(models: dict[str, float], scenes: int, seed: int, *, subsets=SUBSET_ORDER, drop: float = 0.0) -> dict:
    """Rows with a latent scene difficulty (items of a scene correlated); ``drop`` removes random items."""
    rng = random.Random(seed)
    difficulty = {(s, k): rng.gauss(0, 1) for s in subsets for k in range(scenes)}
    out = {}
    for name, ability in models.items():
        rows = []
        for (subset, k), z in difficulty.items():
            for t, template in enumerate(TEMPLATE_ORDER):
                if drop and rng.random() < drop:
                    continue
                passed = int(rng.random() < 1 / (1 + math.exp(-(ability + 1.5 * z - 0.4 * t))))
                click = int(t >= 2)
                rows.append({
                    "rose_subset": subset, "scene_id": f"{subset}-{k}", "task_template": template, "pass": passed,
                    "unified_soft": rng.random() if not passed else 1.0, "format_valid": int(rng.random() < 0.9 or passed),
                    "click_applicable": click, "click_f1_strict": rng.random() if click else None,
                    "region_ok": int(rng.random() < 0.7) if click else None,
                })
        out[name] = rows
    return out


def aggregate_figures(rows: list[dict]) -> dict[str, float | None]:
    t1, t2, gap = agg.table1(rows), agg.table2(rows), agg.perception_action_gap(rows)
    out = {TEMPLATE_SHORT[t]: t2[TEMPLATE_SHORT[t]] for t in TEMPLATE_ORDER}
    out.update({"C-F1": t2["C-F1"], "R-OK": t2["R-OK"], "T2 Avg. PASS": t2["Avg. PASS"]})
    for subset, rec in t1["by_subset"].items():
        short = subset.removeprefix("ROSE-")
        out.update({f"{short} PASS": rec["PASS"], f"{short} SOFT": rec["SOFT"], f"{short} VALID": rec["VALID"]})
    out.update({"Avg. PASS": t1["Avg. PASS"], "Avg. SOFT": t1["Avg. SOFT"], "VALID": t1["VALID"]})
    out.update({"Counting Avg.": gap["Counting Avg."], "Action Avg.": gap["Action Avg."], "gap": gap["gap"]})
    return out


@pytest.mark.parametrize(
    "subsets, drop",
    [(SUBSET_ORDER, 0.0), (SUBSET_ORDER[:2], 0.0), (SUBSET_ORDER, 0.3), (SUBSET_ORDER[1:4], 0.6)],
    ids=["complete", "two-subsets", "partial", "sparse-partial"],
)
def test_point_figures_equal_scoring_aggregate(subsets, drop) -> None:
    rows = synthetic({"a": 0.5, "b": -0.5}, scenes=6, seed=3, subsets=subsets, drop=drop)
    table = cluster_table(rows)
    point = point_figures(table)
    assert point.shape == (2, len(FIGURES))
    for m, name in enumerate(rows):
        expected = aggregate_figures(rows[name])
        assert sorted(expected) == sorted(FIGURES)
        for f, figure in enumerate(FIGURES):
            if expected[figure] is None:
                assert math.isnan(point[m, f]), figure
            else:
                assert point[m, f] == pytest.approx(expected[figure], abs=1e-12), figure


def _one_subset(passes_by_scene: list[list[int]]) -> dict:
    rows = []
    for k, passes in enumerate(passes_by_scene):
        for template, passed in zip(TEMPLATE_ORDER, passes):
            rows.append({"rose_subset": SUBSET_ORDER[0], "scene_id": f"s{k}", "task_template": template,
                         "pass": passed, "unified_soft": passed, "format_valid": 1, "click_applicable": 0})
    return {"m": rows}


def test_known_answer_two_scenes() -> None:
    """Scene A all right, scene B all wrong: Avg. PASS per replicate is Binomial(2, 1/2) / 2."""
    boot = bootstrap(cluster_table(_one_subset([[1] * 5, [0] * 5])), replicates=20_000, seed=1)
    _, reps = boot.column("Avg. PASS")
    values, counts = np.unique(reps[:, 0], return_counts=True)
    assert values.tolist() == [0.0, 0.5, 1.0]
    assert counts / counts.sum() == pytest.approx([0.25, 0.5, 0.25], abs=0.01)
    assert boot.point[0, FIGURES.index("Avg. PASS")] == 0.5


def test_known_answer_constant_scenes_have_zero_width() -> None:
    boot = bootstrap(cluster_table(_one_subset([[1, 0, 1, 0, 1]] * 7)), replicates=500, seed=2)
    lo, hi = boot.interval()
    f = FIGURES.index("Avg. PASS")
    assert lo[0, f] == hi[0, f] == pytest.approx(0.6)
    g = FIGURES.index("gap")  # Counting (1+0)/2 - Action (1+0+1)/3
    assert lo[0, g] == hi[0, g] == pytest.approx(0.5 - 2 / 3)


def test_same_seed_same_replicates_and_chunking_does_not_matter() -> None:
    table = cluster_table(synthetic({"a": 0.0, "b": 1.0}, scenes=8, seed=4))
    one = bootstrap(table, replicates=300, seed=9, chunk=1000)
    two = bootstrap(table, replicates=300, seed=9, chunk=7)
    assert np.array_equal(one.replicates, two.replicates, equal_nan=True)
    other = bootstrap(table, replicates=300, seed=10)
    assert not np.array_equal(one.replicates, other.replicates, equal_nan=True)


def test_a_models_replicates_do_not_depend_on_the_other_models() -> None:
    rows = synthetic({"a": 0.0, "b": 1.0, "c": -1.0}, scenes=8, seed=5)
    alone = bootstrap(cluster_table({"a": rows["a"]}), replicates=200, seed=3)
    together = bootstrap(cluster_table(rows), replicates=200, seed=3)
    assert np.array_equal(alone.replicates[:, 0], together.replicates[:, 0], equal_nan=True)


def test_resampling_is_by_scene_within_subset() -> None:
    """Scenes are grouped per subset, and a replicate draws each subset's own number of scenes."""
    rows = synthetic({"a": 0.0}, scenes=5, seed=6, subsets=SUBSET_ORDER[:2])
    rows["a"] = [r for r in rows["a"] if not (r["rose_subset"] == SUBSET_ORDER[1] and r["scene_id"].endswith("-0"))]
    table = cluster_table(rows)
    assert [sl.stop - sl.start for sl in table.subset_slices()] == [5, 4]
    from rose_bench.scoring.uncertainty import scene_weights

    w = scene_weights(np.random.default_rng(0), 100, 5)
    assert (w.sum(axis=1) == 5).all() and w.min() >= 0
