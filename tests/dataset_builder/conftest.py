"""Makes ``builder_support`` (test-only Source and fixture helpers) importable from the builder tests.

pytest runs with --import-mode=importlib, which does not put test folders on
sys.path; the builder tests import their helpers by name, so this folder is
added once here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.append(_HERE)

from builder_support import ShapeSource  # noqa: E402


@pytest.fixture(scope="session")
def shape_sources() -> dict[str, ShapeSource]:
    """One test Source per subset (500 pairs each)."""
    from rose_bench.dataset_builder.specs import load_subsets

    return {s: ShapeSource(s) for s in load_subsets()}
