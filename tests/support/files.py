"""Small edits of test inputs on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable


def edit_json(path: Path, change: Callable[[dict], None]) -> None:
    """Load the JSON object at ``path``, let ``change`` modify it in place, write it back (indent 2)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
