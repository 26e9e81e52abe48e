"""A small real build shared by the human-page tests: `rose build --scenes-per-subset 4 --no-certify`.

Four scenes per subset give one dev scene per subset, i.e. 25 dev items (5
subsets x 5 templates), enough for a 20-item run that covers every stratum.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import small_build


@pytest.fixture(scope="session")
def human_build(tmp_path_factory) -> Path:
    return small_build(tmp_path_factory.mktemp("human") / "build")
