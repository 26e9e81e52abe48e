"""Session fixtures shared by every test folder: the committed official v0.1 rows and the test sources.

The rows are read from ``tests/fixtures/rose-v0.1-official/`` inside the
repository (never from beside it), so the suite runs from a plain clone.
Helpers that tests import directly live in ``tests.support``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.fixtures import GLOBAL_CLICK, MATCHED_COUNT, OFFICIAL_DIR, fixture_rows


@pytest.fixture(scope="session")
def official_fixture_dir() -> Path:
    """The folder holding the official v0.1 bridge metadata (test split) and its MIT licence."""
    return OFFICIAL_DIR


@pytest.fixture(scope="session")
def global_click_rows() -> tuple[dict[str, Any], ...]:
    """The 1,112 official T1B_CLICK_GLOBAL rows (shared, read-only: copy before changing one)."""
    return fixture_rows(GLOBAL_CLICK)


@pytest.fixture(scope="session")
def matched_local_count_rows() -> tuple[dict[str, Any], ...]:
    """The 1,112 official T2B_COUNT_LOCAL_MATCHED rows (shared, read-only: copy before changing one)."""
    return fixture_rows(MATCHED_COUNT)


@pytest.fixture(scope="session")
def shape_sources() -> dict[str, Any]:
    """One test ShapeSource per subset (500 pairs each); imported here so scoring-only runs need no builder."""
    from tests.support.sources import shape_sources

    return shape_sources()
