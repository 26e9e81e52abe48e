"""Which items a person answers, and in which order: a seeded sample stratified by subset x template.

Pure functions of the item list and the seed (a local ``random.Random``, never
the global one), so the same build, options and seed give the same run on any
machine.  Strata get seats in proportion to their size (largest remainder,
ties in contract order), so a 100-item study covers every subset and template
as the split does; the final order is shuffled so items of one scene or one
template do not come in a block.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

from rose_bench.scoring.contract import CONFIG_TEMPLATES, SUBSET_ORDER, TEMPLATE_CONFIGS, TEMPLATE_ORDER

__all__ = ["ItemKey", "parse_templates", "allocate", "stratified_sample"]


@dataclass(frozen=True, slots=True)
class ItemKey:
    """What sampling needs to know about an item (nothing answer-related)."""

    item_id: str
    rose_subset: str
    task_template: str


def parse_templates(text: str | None) -> tuple[str, ...]:
    """``"t1,T4_CLICK_VISUAL_REGION"`` -> template names in contract order; None/empty -> T1..T5."""
    if not text:
        return TEMPLATE_ORDER
    chosen: set[str] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        template = CONFIG_TEMPLATES.get(part.lower(), part)
        if template not in TEMPLATE_ORDER:
            known = ", ".join(TEMPLATE_CONFIGS[t] for t in TEMPLATE_ORDER)
            raise ValueError(f"unknown template {part!r} (fix: a comma list of {known} or their full names)")
        chosen.add(template)
    if not chosen:
        raise ValueError(f"no template in {text!r} (fix: e.g. --templates t1,t4)")
    return tuple(t for t in TEMPLATE_ORDER if t in chosen)


def _stratum_order(key: tuple[str, str]) -> tuple[int, str, int, str]:
    subset, template = key
    s = SUBSET_ORDER.index(subset) if subset in SUBSET_ORDER else len(SUBSET_ORDER)
    t = TEMPLATE_ORDER.index(template) if template in TEMPLATE_ORDER else len(TEMPLATE_ORDER)
    return s, subset, t, template


def allocate(sizes: Sequence[int], n: int) -> list[int]:
    """Seats per stratum, proportional to ``sizes`` (largest remainder; ties to the earlier stratum)."""
    total = sum(sizes)
    if not 0 <= n <= total:
        raise ValueError(f"cannot take {n} of {total} items")
    if total == 0:
        return [0] * len(sizes)
    base = [size * n // total for size in sizes]
    remainders = sorted(range(len(sizes)), key=lambda i: (-(sizes[i] * n % total), i))
    for i in remainders[: n - sum(base)]:
        base[i] += 1
    return base


def stratified_sample(items: Iterable[ItemKey], n: int, seed: int) -> list[str]:
    """``n`` item ids, stratified by (subset, template), in a seeded shuffled order."""
    strata: dict[tuple[str, str], list[str]] = defaultdict(list)
    for item in items:
        strata[(item.rose_subset, item.task_template)].append(item.item_id)
    keys = sorted(strata, key=_stratum_order)
    seats = allocate([len(strata[k]) for k in keys], n)
    rng = random.Random(seed)
    chosen: list[str] = []
    for key, k in zip(keys, seats, strict=True):
        chosen += rng.sample(sorted(strata[key]), k)
    rng.shuffle(chosen)
    return chosen
