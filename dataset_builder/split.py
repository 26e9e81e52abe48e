"""Scene-level dev/test split per subset (protocol §2.1).

All tasks and both images of a scene share its split.  Which scenes are dev
is a seeded random choice of exactly ``dev_count`` scene numbers (the official
dev scenes are interleaved with test ones; their rule/seed is unknown), so the
split numbers match the release: 111/301, 79/221, 79/221, 79/221, 52/148.
"""

from __future__ import annotations

import math

from rose_bench.scoring.contract import SPLITS

from .options import check_scale, check_scenes_per_subset
from .seeds import derive_rng
from .subset_specs import SubsetSpec

__all__ = ["scaled_counts", "assign_splits"]

DEV, TEST = SPLITS


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def scaled_counts(spec: SubsetSpec, *, scale: float = 1.0, scenes: int | None = None) -> tuple[int, int]:
    """(scenes, dev scenes) for a build.

    ``scale`` multiplies both default counts (rounded half up); ``scenes``
    fixes the scene count and keeps the default dev fraction.  Every subset
    keeps at least one dev and one test scene, so a build needs >= 2 scenes.
    """
    if scenes is None:
        scale = check_scale(scale)
        total = max(2, _round_half_up(spec.scenes * scale))
        dev = _round_half_up(spec.dev_scenes * scale)
    else:
        total = check_scenes_per_subset(scenes)
        dev = _round_half_up(scenes * spec.dev_scenes / spec.scenes)
    return total, min(max(dev, 1), total - 1)


def assign_splits(spec: SubsetSpec, master_seed: int, total: int, dev: int) -> tuple[str, ...]:
    """``splits[s-1]`` is the split of scene ``s``: exactly ``dev`` scenes are in the dev split."""
    if not 0 <= dev <= total:
        raise ValueError(f"dev count {dev} must lie in 0..{total}")
    rng = derive_rng(master_seed, spec.name, "split")
    dev_numbers = set(rng.sample(range(1, total + 1), dev))
    return tuple(DEV if s in dev_numbers else TEST for s in range(1, total + 1))
