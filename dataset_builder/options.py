"""The options of a build and the one place their values are checked.

``BuildOptions`` checks itself when it is made, so the command line and the
Python API refuse the same values with the same messages (``BuildError``:
exit code 2 from ``rose build``).  The bounds are far above any real build:
they exist so that a typo never starts hours of work.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from rose_bench.scoring.contract import SUBSET_ORDER, SUBSET_SHORT
from rose_bench.scoring.errors import UsageError

__all__ = [
    "DEFAULT_SEED", "MAX_SEED", "MAX_SCALE", "MAX_SCENES_PER_SUBSET", "MAX_WORKERS",
    "BuildError", "BuildOptions", "parse_subsets", "check_scale", "check_scenes_per_subset", "default_workers",
]

# 2026-06-19: the v0.1 release month (arXiv 2606.19965); any int works, this one is the documented default.
DEFAULT_SEED = 20260619
MAX_SEED = 2**64 - 1
MAX_SCALE = 100.0  # ~41,000 scenes of the largest subset: hours of CPU, tens of GB
MAX_SCENES_PER_SUBSET = 100_000
MAX_WORKERS = 64


class BuildError(UsageError):
    """Bad build options or inputs; the message says what to change."""


def _int_in(flag: str, value: Any, lo: int, hi: int, why: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise BuildError(f"{flag} must be an integer from {lo} to {hi}{why}, got {value!r}")
    return value


def check_scale(value: Any) -> float:
    """``--scale``: a finite number in (0, MAX_SCALE]."""
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    if not ok or not 0 < value <= MAX_SCALE:
        raise BuildError(f"--scale must be a finite number > 0 and <= {MAX_SCALE:g}, got {value!r} (fix: e.g. --scale 0.05)")
    return float(value)


def check_scenes_per_subset(value: Any) -> int:
    """``--scenes-per-subset``: at least one dev and one test scene."""
    return _int_in("--scenes-per-subset", value, 2, MAX_SCENES_PER_SUBSET, " (one dev + one test scene at least)")


def parse_subsets(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """Subset names from a comma list or a sequence (short names like "ChineseGlyph" accepted), in official order."""
    if text is None:
        return SUBSET_ORDER
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    if not names:
        raise BuildError("--subsets is empty (fix: e.g. --subsets ROSE-ChineseGlyph,ROSE-PixelEdit)")
    by_short = {short: full for full, short in SUBSET_SHORT.items()}
    wanted = set()
    for name in names:
        full = by_short.get(name, name)
        if full not in SUBSET_ORDER:
            raise BuildError(f"unknown subset {name!r} (fix: one of {', '.join(SUBSET_ORDER)})")
        wanted.add(full)
    return tuple(s for s in SUBSET_ORDER if s in wanted)


@dataclass(frozen=True)
class BuildOptions:
    """What ``run_build`` makes; checked on creation (``subsets`` is normalised to the official order)."""

    out: Path
    seed: int = DEFAULT_SEED
    scale: float = 1.0
    scenes_per_subset: int | None = None  # overrides scale
    subsets: tuple[str, ...] = SUBSET_ORDER
    workers: int = 1
    overwrite: bool = False
    progress: bool = True
    certify: bool = True  # answer every row with the reference solver before committing (False: quick builds)
    disjoint_pairs: bool = False  # dev and test scenes never share an element pair (matters only when pairs are reused)

    def __post_init__(self) -> None:
        _int_in("--seed", self.seed, 0, MAX_SEED)
        if self.scenes_per_subset is None:
            check_scale(self.scale)
        else:
            check_scenes_per_subset(self.scenes_per_subset)
        _int_in("--workers", self.workers, 1, MAX_WORKERS)
        object.__setattr__(self, "subsets", parse_subsets(self.subsets))
        object.__setattr__(self, "out", Path(self.out))


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))
