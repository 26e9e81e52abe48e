"""Fidelity of a build's scene and task statistics to a reference release (``rose stats``).

Each (subset, attribute) pair is a distribution over scenes: scene attributes come
from the global-click bridge rows (T1B, one per scene), region attributes from the
matched local count bridge rows (T2B, one per scene, carrying the T3 region).
Numeric attributes are binned on fixed edges, so a table means the same thing for
every build.  For each pair we report the total-variation distance (TVD) between
build and reference, a permutation p-value (scene labels shuffled between the two
samples, seeded) and the means of numeric attributes.

An attribute is *outside the noise band* when p < ALPHA.  With m attributes about
ALPHA*m fall outside by chance; the verdict fails when the count is improbable
under that chance model (binomial tail < ALPHA overall, or < SUBSET_ALPHA within one
subset).  Attributes are correlated, so the rule is a screen, not an exact test.

An attribute whose values are labels of different things in the two releases is
reported but *not compared* (left out of the verdict), with the reason in the
table: ``glyph_similarity_level`` -- v0.1 says "unknown" for 249 of its 301 test
scenes, while our levels come from our own pair mining (high/medium by a soft-IoU
score), so the two columns cannot agree by construction and calibrating them
would only relabel our pairs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rose_bench.scoring.contract import SUBSET_ORDER
from rose_bench.scoring.grid import parse_cells

from .seeds import numpy_rng

ALPHA = 0.05
SUBSET_ALPHA = 0.01
DEFAULT_PERMUTATIONS = 2000
DEFAULT_SEED = 0

RATIO_EDGES = (0.10, 0.15, 0.20, 0.30)
CELL_COUNT_EDGES = (10, 20, 30, 45)
LONG_SIDE_EDGES = (500, 700, 900, 1200, 1600, 2000)
BORDER_SHARE_EDGES = (1e-9, 0.5)


def _bin(value: float, edges: Sequence[float]) -> str:
    """Label of the half-open bin [edge_i, edge_i+1) holding ``value``."""
    for i, edge in enumerate(edges):
        if value < edge:
            return f"<{edges[0]:g}" if i == 0 else f"{edges[i - 1]:g}-{edge:g}"
    return f">={edges[-1]:g}"


def _border_share(row: Mapping[str, Any]) -> float:
    cells = parse_cells(row.get("target_cells") or [])  # the one cell reader (scoring.grid)
    rows, cols = int(row["rows"]), int(row["cols"])
    on_border = sum(c.row in (1, rows) or c.col in (1, cols) for c in cells)
    return on_border / len(cells) if cells else 0.0


@dataclass(frozen=True)
class Attribute:
    """One compared distribution: ``level`` says which bridge row carries it."""

    name: str
    level: str  # "scene" (T1B rows) or "region" (T2B rows)
    category: Callable[[Mapping[str, Any]], str]
    value: Callable[[Mapping[str, Any]], float] | None = None  # numeric attributes: for the means
    subsets: tuple[str, ...] = SUBSET_ORDER
    not_compared: str = ""  # non-empty: reported, left out of the verdict, for this reason


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("grid_size_profile", "scene", lambda r: str(r["grid_size_profile"])),
    Attribute("rows", "scene", lambda r: str(r["rows"]), lambda r: float(r["rows"])),
    Attribute("cols", "scene", lambda r: str(r["cols"]), lambda r: float(r["cols"])),
    Attribute("cell_size", "scene", lambda r: str(r["cell_size"]), lambda r: float(r["cell_size"])),
    Attribute("image_long_side", "scene", lambda r: _bin(max(r["image_width"], r["image_height"]), LONG_SIDE_EDGES),
              lambda r: float(max(r["image_width"], r["image_height"]))),
    Attribute("target_count", "scene", lambda r: str(r["global_target_count"]), lambda r: float(r["global_target_count"])),
    Attribute("target_border_share", "scene", lambda r: _bin(_border_share(r), BORDER_SHARE_EDGES), _border_share),
    Attribute("emoji_category", "scene", lambda r: str(r.get("h2_label")),
              subsets=("ROSE-EmojiStyle", "ROSE-EmojiContent")),
    Attribute("glyph_similarity_level", "scene", lambda r: str(r.get("similarity_level")), subsets=("ROSE-ChineseGlyph",),
              not_compared="labelling differs by construction (v0.1: mostly 'unknown'; ours: our mining levels)"),
    Attribute("region_type", "region", lambda r: str(r["region_type"])),
    Attribute("region_case", "region", lambda r: str(r["region_case"])),
    Attribute("region_ratio", "region", lambda r: _bin(float(r["region_ratio"]), RATIO_EDGES), lambda r: float(r["region_ratio"])),
    Attribute("region_cell_count", "region", lambda r: _bin(int(r["region_cell_count"]), CELL_COUNT_EDGES),
              lambda r: float(r["region_cell_count"])),
    Attribute("difficulty", "region", lambda r: str(r["difficulty"])),
    Attribute("region_case_x_difficulty", "region", lambda r: f"{r['region_case']}|{r['difficulty']}"),
)


@dataclass(frozen=True)
class Comparison:
    subset: str
    attribute: str
    n_build: int
    n_reference: int
    tvd: float
    p_value: float
    mean_build: float | None
    mean_reference: float | None
    not_compared: str = ""

    @property
    def outside(self) -> bool:
        """Outside the noise band and counted in the verdict (never for a not-compared attribute)."""
        return self.p_value < ALPHA and not self.not_compared


@dataclass(frozen=True)
class Verdict:
    comparisons: tuple[Comparison, ...]
    outside: int
    tail_p: float
    subset_outside: dict[str, int]
    subset_tail_p: dict[str, float]

    @property
    def passed(self) -> bool:
        return self.tail_p >= ALPHA and all(p >= SUBSET_ALPHA for p in self.subset_tail_p.values())

    @property
    def counted(self) -> int:
        """Attributes that count in the verdict."""
        return sum(not c.not_compared for c in self.comparisons)


def binomial_tail(k: int, m: int, p: float = ALPHA) -> float:
    """P(X >= k) for X ~ Binomial(m, p)."""
    return float(sum(math.comb(m, i) * p**i * (1 - p) ** (m - i) for i in range(k, m + 1)))


def tvd_and_p(a: Sequence[str], b: Sequence[str], rng: "np.random.Generator", permutations: int) -> tuple[float, float]:
    """Total-variation distance of two categorical samples and its permutation p-value (see ``tvd_and_p_counts``)."""
    return tvd_and_p_counts(Counter(a), Counter(b), rng, permutations)


def tvd_and_p_counts(
    a: Mapping[str, int], b: Mapping[str, int], rng: "np.random.Generator", permutations: int
) -> tuple[float, float]:
    """TVD and permutation p-value of two samples given as category counts.

    A random relabelling of the pooled scenes gives sample ``a`` a multivariate
    hypergeometric draw of the pooled category counts, so each permutation is drawn
    as those counts directly: the same null distribution as shuffling, in O(categories).
    """
    labels = sorted(set(a) | set(b))
    count_a = np.array([a.get(label, 0) for label in labels], dtype=np.int64)
    pooled = count_a + np.array([b.get(label, 0) for label in labels], dtype=np.int64)
    n_a, n_b = int(count_a.sum()), int(pooled.sum() - count_a.sum())

    def tvd(counts: np.ndarray) -> np.ndarray:
        return 0.5 * np.abs(counts / n_a - (pooled - counts) / n_b).sum(axis=-1)

    observed = float(tvd(count_a))
    null = tvd(rng.multivariate_hypergeometric(pooled, n_a, size=permutations))
    p = (1 + int(np.sum(null >= observed - 1e-12))) / (permutations + 1)
    return observed, p


class Tally:
    """Per (subset, attribute): the category counts and the sum of the numeric values -- all ``compare`` needs.

    A build's writer adds its rows one at a time, so comparing a build of any size
    keeps a few counters, never the rows.
    """

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], Counter] = {}
        self.sums: dict[tuple[str, str], float] = {}

    def add(self, level: str, subset: str, row: Mapping[str, Any]) -> None:
        """Count one bridge row of ``level`` ("scene": T1B, "region": T2B)."""
        for attr in ATTRIBUTES:
            if attr.level != level or subset not in attr.subsets:
                continue
            key = (subset, attr.name)
            self.counts.setdefault(key, Counter())[attr.category(row)] += 1
            if attr.value is not None:
                self.sums[key] = self.sums.get(key, 0.0) + attr.value(row)

    @classmethod
    def of(cls, grouped: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]]) -> "Tally":
        """The tally of ``{level: {subset: rows}}``."""
        tally = cls()
        for level, by_subset in grouped.items():
            for subset, rows in by_subset.items():
                for row in rows:
                    tally.add(level, subset, row)
        return tally

    def mean(self, key: tuple[str, str]) -> float | None:
        n = sum(self.counts[key].values())
        return self.sums[key] / n if key in self.sums and n else None


def compare(
    build: Tally | Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]],
    reference: Tally | Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]],
    *,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
) -> Verdict:
    """Compare ``{level: {subset: rows}}`` (or its ``Tally``) of a build against the same of a reference."""
    build = build if isinstance(build, Tally) else Tally.of(build)
    reference = reference if isinstance(reference, Tally) else Tally.of(reference)
    rng = numpy_rng(seed)
    comparisons = []
    for subset in SUBSET_ORDER:
        for attr in ATTRIBUTES:
            key = (subset, attr.name)
            if subset not in attr.subsets or key not in build.counts or key not in reference.counts:
                continue
            count_b, count_r = build.counts[key], reference.counts[key]
            tvd, p = tvd_and_p_counts(count_b, count_r, rng, permutations)
            comparisons.append(Comparison(
                subset, attr.name, sum(count_b.values()), sum(count_r.values()), tvd, p,
                build.mean(key), reference.mean(key), attr.not_compared,
            ))
    counted = [c for c in comparisons if not c.not_compared]
    outside = sum(c.outside for c in counted)
    per_subset = {s: [c for c in counted if c.subset == s] for s in SUBSET_ORDER}
    per_subset = {s: cs for s, cs in per_subset.items() if cs}
    return Verdict(
        tuple(comparisons),
        outside,
        binomial_tail(outside, len(counted)) if counted else 1.0,
        {s: sum(c.outside for c in cs) for s, cs in per_subset.items()},
        {s: binomial_tail(sum(c.outside for c in cs), len(cs)) for s, cs in per_subset.items()},
    )


def _fmt_mean(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _mark(c: Comparison) -> str:
    if c.not_compared:
        return f"not compared: {c.not_compared}"
    return "*" if c.outside else ""


def table_rows(verdict: Verdict) -> list[list[str]]:
    header = ["subset", "attribute", "n build", "n ref", "TVD", "p", "mean build", "mean ref", "outside"]
    body = [
        [c.subset, c.attribute, str(c.n_build), str(c.n_reference), f"{c.tvd:.3f}", f"{c.p_value:.3f}",
         _fmt_mean(c.mean_build), _fmt_mean(c.mean_reference), _mark(c)]
        for c in verdict.comparisons
    ]
    return [header, *body]


def summary_line(verdict: Verdict) -> str:
    m = verdict.counted
    state = "PASS" if verdict.passed else "FAIL"
    worst = min(verdict.subset_tail_p.items(), key=lambda kv: kv[1], default=("-", 1.0))
    return (f"{state}: {verdict.outside} of {m} attributes outside the {1 - ALPHA:.0%} noise band "
            f"(about {ALPHA * m:.1f} expected by chance; binomial tail p = {verdict.tail_p:.3f}; "
            f"least likely subset {worst[0]}: {verdict.subset_outside.get(worst[0], 0)} outside, tail p = {worst[1]:.3f})"
            + (f"; {len(verdict.comparisons) - m} more reported, not compared" if len(verdict.comparisons) > m else ""))


def to_text(verdict: Verdict) -> str:
    rows = table_rows(verdict)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join([*lines, "", summary_line(verdict)]) + "\n"


def to_markdown(verdict: Verdict) -> str:
    rows = table_rows(verdict)
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join([*out, "", summary_line(verdict)]) + "\n"


def to_json(verdict: Verdict, *, permutations: int, seed: int) -> dict[str, Any]:
    return {
        "passed": verdict.passed,
        "alpha": ALPHA,
        "subset_alpha": SUBSET_ALPHA,
        "permutations": permutations,
        "seed": seed,
        "outside": verdict.outside,
        "attributes": verdict.counted,
        "not_compared": len(verdict.comparisons) - verdict.counted,
        "binomial_tail_p": verdict.tail_p,
        "subset_outside": verdict.subset_outside,
        "subset_binomial_tail_p": verdict.subset_tail_p,
        "comparisons": [
            {"subset": c.subset, "attribute": c.attribute, "n_build": c.n_build, "n_reference": c.n_reference,
             "tvd": c.tvd, "p_value": c.p_value, "mean_build": c.mean_build, "mean_reference": c.mean_reference,
             "outside": c.outside, "not_compared": c.not_compared or None}
            for c in verdict.comparisons
        ],
    }


def from_json(report: Mapping[str, Any]) -> Verdict:
    """The verdict a ``to_json`` report describes (the dataset card renders the manifest's report with it)."""
    comparisons = tuple(
        Comparison(c["subset"], c["attribute"], int(c["n_build"]), int(c["n_reference"]), float(c["tvd"]),
                   float(c["p_value"]), c.get("mean_build"), c.get("mean_reference"), c.get("not_compared") or "")
        for c in report["comparisons"]
    )
    return Verdict(comparisons, int(report["outside"]), float(report["binomial_tail_p"]),
                   dict(report["subset_outside"]), dict(report["subset_binomial_tail_p"]))
