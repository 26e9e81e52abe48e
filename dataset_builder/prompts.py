"""Fill the ``prompt_local`` patterns of templates.yaml with a region phrase.

The phrase is chosen by region type (``*_SINGLE`` when a range spans one row or
column, as in the observed "in row 4" / "in rows 4 to 6"); an EXCLUSION region
is phrased through the region it excludes.  Every ``{slot}`` must be filled:
a leftover brace is a config bug and raises.
"""

from __future__ import annotations

import string
from typing import Mapping

from rose_bench.scoring.grid import ColRange, Exclusion, Region, RowRange

__all__ = ["region_phrase", "fill_prompt_local", "slots"]


def slots(pattern: str) -> set[str]:
    """The ``{names}`` used in a format pattern."""
    return {field for _, field, _, _ in string.Formatter().parse(pattern) if field is not None}


def _fill(pattern: str, values: Mapping[str, object], what: str) -> str:
    missing = slots(pattern) - set(values)
    if missing:
        raise ValueError(f"{what} pattern {pattern!r} has unfilled slots {sorted(missing)}")
    return pattern.format(**values)


def region_phrase(phrases: Mapping[str, str], region: Region) -> str:
    """The region phrase for ``region`` from one phrase set of templates.yaml."""
    shown = region.excluded if isinstance(region, Exclusion) else region
    key = shown.region_type
    if (isinstance(shown, RowRange) and shown.r1 == shown.r2) or (isinstance(shown, ColRange) and shown.c1 == shown.c2):
        key += "_SINGLE"
    if key not in phrases:
        raise ValueError(f"no region phrase {key!r} in phrase set {sorted(phrases)} (templates.yaml region_phrases)")
    params = shown.params()
    values = dict(params)
    if "r1" in params:
        values["r"] = params["r1"]
    if "c1" in params:
        values["c"] = params["c1"]
    return _fill(phrases[key], values, f"region phrase {key}")


def fill_prompt_local(pattern: str, phrases: Mapping[str, str], region: Region) -> str:
    return _fill(pattern, {"region": region_phrase(phrases, region)}, "prompt_local")
