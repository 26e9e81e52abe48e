"""The one mean, difference and percent conversion every ROSE figure uses.

Conventions of the official evaluator, needed to reproduce its numbers:
a value that does not apply to a row is None and is skipped (never a zero),
a mean over nothing is None, and None propagates through differences and
percentages.  Tables print None as ``--``.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Optional

__all__ = ["number", "mean", "difference", "percent", "format_percent", "MISSING"]

MISSING = "--"  # how tables print a figure with no rows behind it


def number(value: Any) -> Optional[float]:
    """``value`` as a float; None for None, "" and anything unparseable."""
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def mean(values: Iterable[Any]) -> Optional[float]:
    """Mean of the numeric values (None / unparseable skipped); None if there are none."""
    numbers = [v for v in map(number, values) if v is not None]
    return sum(numbers) / len(numbers) if numbers else None


def difference(a: Optional[float], b: Optional[float]) -> Optional[float]:
    """``a - b``, None when either side is missing."""
    return None if a is None or b is None else float(a) - float(b)


def percent(value: Optional[float], digits: int) -> Optional[float]:
    """A fraction as a percentage number rounded to ``digits`` (None stays None)."""
    return None if value is None else round(100.0 * float(value), digits)


def format_percent(value: Optional[float], digits: int = 1, suffix: str = "", *, missing: str = MISSING) -> str:
    """A fraction as percentage text with ``digits`` decimals, e.g. ``40.0`` or ``40.0%``.

    None and NaN (a bootstrap figure with no rows behind it) print as ``missing``.
    """
    if value is None or math.isnan(value):
        return missing
    return f"{100.0 * value:.{digits}f}{suffix}"
