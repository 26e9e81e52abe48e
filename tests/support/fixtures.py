"""The official ROSE v0.1 bridge rows committed under ``tests/fixtures/`` (paths and a cached reader).

Module-level paths are here (not only in ``tests/conftest.py``) because some
tests parametrize over the files at collection time.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
OFFICIAL_DIR = REPO_ROOT / "tests" / "fixtures" / "rose-v0.1-official"
GLOBAL_CLICK = OFFICIAL_DIR / "global_click_metadata_test.jsonl"
MATCHED_COUNT = OFFICIAL_DIR / "matched_local_count_metadata_test.jsonl"


@lru_cache(maxsize=2)
def fixture_rows(path: Path) -> tuple[dict[str, Any], ...]:
    """The rows of one official JSONL file, read once per session (treat them as read-only)."""
    with open(path, encoding="utf-8") as fh:
        return tuple(json.loads(line) for line in fh if line.strip())
