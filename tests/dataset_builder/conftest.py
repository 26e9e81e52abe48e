"""Fixtures shared by the source tests: each module lists its subsets in ``SUBSETS``."""

from __future__ import annotations

import pytest

from rose_bench.dataset_builder.sources.registry import get_source
from rose_bench.dataset_builder.subset_specs import load_subsets


@pytest.fixture(scope="module")
def sources(request) -> dict:
    """subset -> its registered source, for the subsets the test module names in ``SUBSETS``."""
    return {s: get_source(s) for s in request.module.SUBSETS}


@pytest.fixture(scope="module")
def specs() -> dict:
    """subset name -> its spec (dataset_builder/config/subsets.yaml)."""
    return load_subsets()
