"""Which element pair each scene of a subset uses: one pair per scene, or even reuse when a build needs more.

A source offers a fixed list of pairs.  Without category weights and with at
least as many pairs as scenes, scene ``s`` takes the ``s``-th pair of a seeded
shuffle (one pair <-> one scene; a smaller ``--scale`` gives a prefix of the
same pairs).  Otherwise the schedule is planned per split:

* scenes are apportioned to content categories (``PairWeights``: a pair field
  such as ``h2_label`` and its weights; without weights there is one category)
  by largest remainder, test split first, never above a category's capacity of
  ``bound * pairs`` where ``bound = max(ceil(scenes / usable pairs), max_uses)``;
* the categories are laid out over the split's scenes in a seeded random order;
* each category hands out its pairs in rounds, every round a fresh seeded
  shuffle of all of them, so uses stay even (at most ``ceil(quota / pairs)``)
  and two consecutive hand-outs differ: neighbouring scenes of a split never
  share a pair (a one-pair category is kept apart by the layout instead).

``disjoint`` gives dev and test separate pairs (each category split in
proportion to the split sizes).  Pure: indices in, indices out.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence

from rose_bench.scoring.contract import SPLITS

from .options import BuildError
from .seeds import derive_rng
from .subset_specs import PairWeights

__all__ = ["PairReuse", "apportion", "schedule_pairs", "reuse_summary"]

_SPLIT_ORDER = tuple(sorted(SPLITS, key=lambda s: s != "test"))  # the reported split gets the exact quotas


@dataclass(frozen=True)
class PairReuse:
    """How a subset's scenes used its pairs (recorded in the manifest and on the card)."""

    scenes: int
    pairs_available: int
    pairs_used: int
    max_uses: int
    bound: int  # the most uses any pair was allowed
    disjoint: bool

    @property
    def reused_scenes(self) -> int:
        """Scenes whose pair an earlier scene already used."""
        return self.scenes - self.pairs_used

    def as_dict(self) -> dict[str, int | bool]:
        return {"scenes": self.scenes, "pairs_available": self.pairs_available, "pairs_used": self.pairs_used,
                "reused_scenes": self.reused_scenes, "max_uses": self.max_uses, "bound": self.bound,
                "disjoint": self.disjoint}


def apportion(total: int, weights: Mapping[str, float], caps: Mapping[str, int] | None = None) -> dict[str, int]:
    """Largest-remainder apportionment of ``total`` by ``weights`` (ties: mapping order), no value above its cap."""
    out = {k: 0 for k in weights}
    active = [k for k, w in weights.items() if w > 0 and (caps is None or caps[k] > 0)]
    left = total
    while left > 0:
        if not active:
            raise BuildError(f"cannot place {left} more scenes: every category is at its pair-use bound")
        mass = sum(Fraction(weights[k]) for k in active)
        exact = {k: Fraction(weights[k]) * left / mass for k in active}
        share = {k: math.floor(v) for k, v in exact.items()}
        rest = left - sum(share.values())
        for k in sorted(active, key=lambda k: -(exact[k] - share[k]))[:rest]:  # sorted() is stable: ties keep order
            share[k] += 1
        over = [k for k in active if caps is not None and out[k] + share[k] > caps[k]]
        if not over:
            for k in active:
                out[k] += share[k]
            return out
        for k in over:  # fill capped categories to their cap, re-apportion the rest among the others
            left -= caps[k] - out[k]
            out[k] = caps[k]
        active = [k for k in active if k not in over]
    return out


class _Rounds:
    """Hands out a category's pairs in rounds of seeded shuffles; two consecutive hand-outs differ."""

    def __init__(self, items: Sequence[int], rng: random.Random) -> None:
        self.items, self.rng, self.queue, self.last = list(items), rng, [], None

    def next(self) -> int:
        if not self.queue:
            order = list(self.items)
            self.rng.shuffle(order)
            if len(order) > 1 and order[0] == self.last:
                order[0], order[-1] = order[-1], order[0]
            self.queue = order[::-1]
        self.last = self.queue.pop()
        return self.last


def _layout(quotas: Mapping[str, int], apart: set[str], rng: random.Random, where: str) -> list[str]:
    """A seeded random order of the category multiset in which no category of ``apart`` is its own neighbour."""
    left = dict(quotas)
    slots = sum(left.values())
    order, prev = [], None
    for remaining in range(slots, 0, -1):
        urgent = [c for c in left if c in apart and left[c] > remaining // 2]
        if len(urgent) > 1 or (urgent and urgent[0] == prev):
            what = "a category with one pair" if urgent[0] else "its only pair"
            raise BuildError(f"{where}: {what} must serve {max(left[c] for c in urgent)} of the last {remaining} "
                             "scenes, so two of them would be neighbours (fix: lower --scale, add pairs or drop --disjoint-pairs)")
        options = urgent or [c for c in left if left[c] > 0 and not (c == prev and c in apart)]
        pick = options[0] if len(options) == 1 else rng.choices(options, weights=[left[c] for c in options])[0]
        left[pick] -= 1
        order.append(pick)
        prev = pick
    return order


def _categories(n_pairs: int, labels: Sequence[str] | None, weights: PairWeights | None) -> dict[str, list[int]]:
    """Usable pair indices per category, in weight order (no weights: one category)."""
    if weights is None:
        return {"": list(range(n_pairs))}
    by = {c: [] for c, w in weights.weights if w > 0}
    for i, label in enumerate(labels or ()):
        if label in by:
            by[label].append(i)
    return {c: items for c, items in by.items() if items}


def schedule_pairs(
    n_pairs: int,
    splits: Sequence[str],
    master_seed: int,
    subset: str,
    *,
    labels: Sequence[str] | None = None,
    weights: PairWeights | None = None,
    disjoint: bool = False,
) -> tuple[list[int], int]:
    """(pair index of each scene, in scene order; the per-pair use bound).

    ``labels[i]`` is pair ``i``'s value of ``weights.field``.
    """
    total = len(splits)
    if n_pairs < 1:
        raise BuildError(f"{subset}: the source offers no pairs (fix: install the subset's assets)")
    if weights is None and n_pairs >= total:
        order = list(range(n_pairs))
        derive_rng(master_seed, subset, "pairs").shuffle(order)
        return order[:total], 1
    cats = _categories(n_pairs, labels, weights)
    if not cats:
        raise BuildError(f"{subset}: no pair has a {weights.field} with a weight in pair_weights (fix: subsets.yaml)")
    positions = {split: [i for i, s in enumerate(splits) if s == split] for split in SPLITS}
    crowded = [split for split in SPLITS if len(positions[split]) > 1]
    if sum(map(len, cats.values())) == 1 and crowded:
        raise BuildError(f"{subset}: the source offers 1 usable pair but split {crowded[0]} needs "
                         f"{len(positions[crowded[0]])} scenes, and neighbouring scenes must not share a pair "
                         "(fix: lower --scale / --scenes-per-subset or install more assets)")
    if disjoint:
        pools = _disjoint_pools(cats, {s: len(p) for s, p in positions.items()}, master_seed, subset)
        groups = [((split,), pools[split]) for split in _SPLIT_ORDER]
    else:
        groups = [(_SPLIT_ORDER, cats)]
    result: list[int] = [-1] * total
    bound_used = 1
    for group_splits, pool in groups:
        needed = sum(len(positions[s]) for s in group_splits)
        if needed == 0:
            continue
        usable = sum(len(items) for items in pool.values())
        if usable == 0:
            raise BuildError(f"{subset}: no pairs left for split {'/'.join(group_splits)} (fix: drop --disjoint-pairs)")
        bound = max(math.ceil(needed / usable), weights.max_uses if weights else 1)
        bound_used = max(bound_used, bound)
        tag = "+".join(group_splits)
        quotas = apportion(needed, {c: w for c, w in (weights.weights if weights else (("", 1.0),)) if c in pool},
                           {c: bound * len(items) for c, items in pool.items()})
        rounds = {c: _Rounds(items, derive_rng(master_seed, subset, "pairs", tag, c)) for c, items in pool.items()}
        apart = {c for c, items in pool.items() if len(items) == 1}
        for split in group_splits:
            slots = positions[split]
            share = apportion(len(slots), {c: q for c, q in quotas.items()}, quotas)
            layout_rng = derive_rng(master_seed, subset, "pairs", "layout", split)
            layout = _layout(share, {c for c in apart if share.get(c)}, layout_rng, f"{subset} {split}")
            for slot, category in zip(slots, layout):
                result[slot] = rounds[category].next()
            quotas = {c: q - share[c] for c, q in quotas.items()}
    return result, bound_used


def _disjoint_pools(
    cats: Mapping[str, list[int]], sizes: Mapping[str, int], master_seed: int, subset: str
) -> dict[str, dict[str, list[int]]]:
    """Each category's pairs split between dev and test in proportion to the split sizes (seeded)."""
    total = sum(sizes.values())
    pools: dict[str, dict[str, list[int]]] = {s: {} for s in SPLITS}
    for category, items in cats.items():
        order = list(items)
        derive_rng(master_seed, subset, "pairs", "disjoint", category).shuffle(order)
        if len(order) == 1:
            pools[max(SPLITS, key=lambda s: (sizes[s], s == "test"))][category] = order
            continue
        least = 2 if len(order) >= 4 else 1  # two pairs a side where possible: one pair cannot fill neighbouring scenes
        dev = min(max(math.floor(len(order) * sizes["dev"] / total + 0.5), least), len(order) - least)
        pools["dev"][category], pools["test"][category] = order[:dev], order[dev:]
    return {s: {c: items for c, items in p.items() if items} for s, p in pools.items()}


def reuse_summary(chosen: Sequence[int], n_pairs: int, bound: int, disjoint: bool) -> PairReuse:
    uses = Counter(chosen)
    return PairReuse(len(chosen), n_pairs, len(uses), max(uses.values(), default=0), bound, disjoint)
