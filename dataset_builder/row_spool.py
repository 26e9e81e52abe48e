"""Rows kept on disk while a build runs, so the writer's memory does not grow with the build.

Each row is pickled to one append-only file in the writer's spool directory;
memory holds only the item_ids and, per row, an offset, a length and a small
(template, split) code.  Rows are
read back in item_id order (the order every Parquet file and figure uses), one
at a time.  The file is private to one build and deleted with the spool.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from array import array
from typing import Any, Iterable, Iterator, Mapping

__all__ = ["RowSpool"]


class RowSpool:
    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._out = open(self._path, "ab")  # noqa: SIM115 -- open for the writer's lifetime, closed by close()
        self._ids: list[str] = []
        self._seen: set[str] = set()
        self._offsets = array("q")
        self._lengths = array("q")
        self._kinds = array("H")  # index into self._kind_names: (template, split)
        self._kind_names: list[tuple[str, str]] = []
        self._size = 0

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._seen

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, row: Mapping[str, Any]) -> None:
        """Store a copy of ``row`` (its item_id must be new; the caller validates the row)."""
        data = pickle.dumps(dict(row), protocol=pickle.HIGHEST_PROTOCOL)
        self._out.write(data)
        kind = (row["task_template"], row["split"])
        if kind not in self._kind_names:
            self._kind_names.append(kind)
        self._ids.append(row["item_id"])
        self._seen.add(row["item_id"])
        self._offsets.append(self._size)
        self._lengths.append(len(data))
        self._kinds.append(self._kind_names.index(kind))
        self._size += len(data)

    def ids(self, template: str | None = None, split: str | None = None) -> list[int]:
        """Row numbers in item_id order, optionally of one template and split (``rows`` reads them)."""
        wanted = {i for i, (t, sp) in enumerate(self._kind_names)
                  if (template is None or t == template) and (split is None or sp == split)}
        numbers = [n for n, kind in enumerate(self._kinds) if kind in wanted]
        return sorted(numbers, key=self._ids.__getitem__)

    def rows(self, numbers: Iterable[int]) -> Iterator[dict[str, Any]]:
        """The rows ``numbers`` (from ``ids``), in that order."""
        self._out.flush()
        with open(self._path, "rb") as fh:
            for n in numbers:
                fh.seek(self._offsets[n])
                yield pickle.loads(fh.read(self._lengths[n]))

    def close(self) -> None:
        if not self._out.closed:
            self._out.close()
        self._ids.clear()
        self._seen.clear()
