"""One flag-spelling rule and range-checked argument types for every ``rose`` subcommand.

Spelling: flags use dashes (``--out-dir``); where the official v0.1 evaluator
spells a flag with underscores (``--out_dir``, ``--allow_partial`` ...) that
spelling stays accepted as an alias, so its command lines run unchanged.

Numbers are checked when the arguments are parsed (argparse then prints
``rose CMD: error: argument --flag: ...`` and exits 2), so that a bad value never
reaches work proportional to it.
"""

from __future__ import annotations

import argparse
import math
from typing import Callable, Optional

__all__ = ["flag", "official_flag", "int_range", "float_range", "PORT"]


def flag(name: str) -> list[str]:
    """The dashed spelling of a flag: ``flag("max_failures") == ["--max-failures"]``."""
    return ["--" + name.replace("_", "-")]


def official_flag(name: str) -> list[str]:
    """Dashed spelling first (argparse derives ``dest`` from it), then the official underscore alias.

    Only for flags the official v0.1 evaluator has (tests/cli/test_dispatch.py lists them); a new
    flag uses :func:`flag`.
    """
    dashed = name.replace("_", "-")
    return [f"--{dashed}"] if dashed == name else [f"--{dashed}", f"--{name}"]


def _bounds(lo, hi) -> str:
    if hi is None:
        return f">= {lo}"
    return f"from {lo} to {hi}"


def int_range(lo: int, hi: Optional[int] = None, *, example: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer in ``[lo, hi]`` (``hi`` None: no upper bound)."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text[:40]!r}") from None
        if value < lo or (hi is not None and value > hi):
            hint = f" (fix: use e.g. {example})" if example is not None else ""
            raise argparse.ArgumentTypeError(f"must be an integer {_bounds(lo, hi)}, got {text[:40]}{hint}")
        return value

    parse.__name__ = "integer"  # argparse names the type in "invalid <name> value" messages
    return parse


def float_range(lo: float, hi: float, *, lo_open: bool = False, example: float | None = None) -> Callable[[str], float]:
    """An argparse type: a finite number in ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``)."""
    low = f"> {lo}" if lo_open else f">= {lo}"

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text[:40]!r}") from None
        if not math.isfinite(value) or value < lo or (lo_open and value == lo) or value > hi:
            hint = f" (fix: use e.g. {example})" if example is not None else ""
            raise argparse.ArgumentTypeError(f"must be a finite number {low} and <= {hi}, got {text[:40]}{hint}")
        return value

    parse.__name__ = "number"
    return parse


# a TCP port; 0 asks the system for a free one
PORT = int_range(0, 65535, example=8000)
