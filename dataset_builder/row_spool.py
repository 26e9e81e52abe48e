"""Rows kept on disk while a build runs, so the writer's memory does not grow with the build.

Each row is pickled to one append-only file in the writer's spool directory;
memory holds only ``item_id -> (template, split, offset, length)``.  Rows are
read back in item_id order (the order every Parquet file and figure uses), one
at a time.  The file is private to one build and deleted with the spool.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, NamedTuple

__all__ = ["RowSpool"]


class _Entry(NamedTuple):
    template: str
    split: str
    offset: int
    length: int


class RowSpool:
    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._out = open(self._path, "ab")
        self._index: dict[str, _Entry] = {}
        self._size = 0

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._index

    def __len__(self) -> int:
        return len(self._index)

    def add(self, row: Mapping[str, Any]) -> None:
        """Store a copy of ``row`` (its item_id must be new; the caller validates the row)."""
        data = pickle.dumps(dict(row), protocol=pickle.HIGHEST_PROTOCOL)
        self._out.write(data)
        self._index[row["item_id"]] = _Entry(row["task_template"], row["split"], self._size, len(data))
        self._size += len(data)

    def ids(self, template: str | None = None, split: str | None = None) -> list[str]:
        """Sorted item_ids, optionally of one template and split."""
        return sorted(i for i, e in self._index.items()
                      if (template is None or e.template == template) and (split is None or e.split == split))

    def rows(self, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
        """The rows of ``ids``, in that order."""
        self._out.flush()
        with open(self._path, "rb") as fh:
            for item_id in ids:
                entry = self._index[item_id]
                fh.seek(entry.offset)
                yield pickle.loads(fh.read(entry.length))

    def close(self) -> None:
        if not self._out.closed:
            self._out.close()
        self._index.clear()
