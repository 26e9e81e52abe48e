"""Cells, grids and regions: the one definition shared by builder, scorer and tests.

Coordinates are 1-indexed and inclusive, as in the ROSE prompts ("row 1" is the
top row).  Region membership deliberately follows the official evaluator: a
range region is *not* clipped to the grid, so a malformed region with r2 > rows
yields cells outside the grid and those count in ``region_cell_count``.  Data
written by rose-bench never contains such regions (``Region.check_within``).
Work stays bounded all the same: a grid is at most ``MAX_GRID_ROWS`` x
``MAX_GRID_COLS`` cells and a range longer than that is refused (ValueError)
before any cell is enumerated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping, NamedTuple, Optional, Union

from .contract import MAX_GRID_COLS, MAX_GRID_ROWS

__all__ = [
    "Cell",
    "Grid",
    "Region",
    "GlobalRegion",
    "RowRange",
    "ColRange",
    "Rectangle",
    "VisualRegion",
    "Exclusion",
    "REGION_TYPES",
    "region_from_params",
    "parse_cell",
    "parse_cells",
    "keys_numeric",
    "keys_string_sorted",
]

_COORD_RE = re.compile(r"\s*R\s*(\d+)\s*,\s*C\s*(\d+)\s*", re.IGNORECASE)
_COORD_SEARCH_RE = re.compile(r"R\s*(\d+)\s*,\s*C\s*(\d+)", re.IGNORECASE)


class Cell(NamedTuple):
    """One grid cell; orders numerically by (row, col).

    A named tuple, not a dataclass: scoring builds millions of small cell sets,
    and a tuple hashes and compares in C (set construction about 4x faster).
    The hash is ``hash((row, col))`` either way, so set iteration order, and
    with it every output byte, is the same.
    """

    row: int
    col: int

    @property
    def key(self) -> str:
        """The ROSE coordinate label, e.g. ``"R3,C12"``."""
        return f"R{self.row},C{self.col}"

    def __str__(self) -> str:
        return self.key

    def l1(self, other: "Cell") -> int:
        return abs(self.row - other.row) + abs(self.col - other.col)


def parse_cell(value: Any) -> Cell:
    """Read a ``"R3,C4"`` label (any case, inner whitespace allowed) or a ``[3, 4]`` pair."""
    if isinstance(value, Cell):
        return value
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return Cell(int(value[0]), int(value[1]))
    cell = _label_cell(str(value))
    if cell is None:
        raise ValueError(f"invalid cell label {value!r}: expected 'R<row>,C<col>' or [row, col]")
    return cell


@lru_cache(maxsize=16384)
def _label_cell(label: str) -> Optional[Cell]:
    match = _COORD_RE.fullmatch(label)
    return Cell(int(match.group(1)), int(match.group(2))) if match else None


@lru_cache(maxsize=16384)
def _label_set(labels: tuple[Any, ...]) -> frozenset[Cell]:
    # The target lists of one scene recur in each of its seven task rows: parse each list once.
    return frozenset(map(parse_cell, labels))


def parse_cells(values: Any) -> frozenset[Cell]:
    """A set of cells from a list of labels/pairs (None -> empty).

    A single string is searched for every ``R<r>,C<c>`` label in it, as the
    official evaluator does for free-form coordinate strings.
    """
    if values is None:
        return frozenset()
    if isinstance(values, str):
        return frozenset(Cell(int(r), int(c)) for r, c in _COORD_SEARCH_RE.findall(values))
    if type(values) is list or type(values) is tuple:
        try:  # the metadata form (labels): parsed once per distinct list
            return _label_set(tuple(values))
        except TypeError:  # unhashable entries such as [row, col] lists: parsed below, uncached
            pass
    if isinstance(values, Iterable):
        return frozenset(parse_cell(v) for v in values)
    raise ValueError(f"unsupported coordinate collection: {type(values).__name__}")


def keys_numeric(cells: Iterable[Cell]) -> list[str]:
    """Labels sorted by (row, col): the order of metadata fields and canonical answers."""
    return [c.key for c in sorted(set(cells))]


@lru_cache(maxsize=16384)
def _string_sorted(cells: frozenset[Cell]) -> tuple[str, ...]:
    return tuple(sorted(c.key for c in cells))


def keys_string_sorted(cells: Iterable[Cell]) -> list[str]:
    """Labels sorted as strings ("R10,C1" < "R2,C3"): the order of per-item output fields."""
    return list(_string_sorted(cells if type(cells) is frozenset else frozenset(cells)))


@dataclass(frozen=True, slots=True)
class Grid:
    rows: int
    cols: int

    def __post_init__(self) -> None:
        if self.rows < 1 or self.cols < 1:
            raise ValueError(f"grid must have at least one row and column, got {self.rows}x{self.cols}")
        if self.rows > MAX_GRID_ROWS or self.cols > MAX_GRID_COLS:
            raise ValueError(
                f"grid of {self.rows}x{self.cols} cells exceeds the limit of {MAX_GRID_ROWS}x{MAX_GRID_COLS} "
                "(MAX_GRID_ROWS x MAX_GRID_COLS in scoring/contract.py)"
            )

    @property
    def size(self) -> int:
        return self.rows * self.cols

    def contains(self, cell: Cell) -> bool:
        return 1 <= cell.row <= self.rows and 1 <= cell.col <= self.cols

    def cells(self) -> frozenset[Cell]:
        return _grid_cells(self.rows, self.cols)


@lru_cache(maxsize=512)
def _grid_cells(rows: int, cols: int) -> frozenset[Cell]:
    """All cells of a rows x cols grid; cached because the builder asks for the same few grids thousands of times."""
    return frozenset(Cell(r, c) for r in range(1, rows + 1) for c in range(1, cols + 1))


def _span(a: int, b: int) -> range:
    return range(a, b + 1)


def _bounded(region_type: str, name: str, lo: int, hi: int, limit: int) -> range:
    """The span lo..hi, refused before enumeration when it is longer than any grid can be."""
    if hi - lo + 1 > limit:
        axis = "rows" if name == "r" else "columns"
        raise ValueError(
            f"{region_type} {name}-range {lo}..{hi} spans {hi - lo + 1} {axis}; "
            f"no grid has more than {limit} (MAX_GRID_{'ROWS' if name == 'r' else 'COLS'} in scoring/contract.py)"
        )
    return _span(lo, hi)


class _RegionBase:
    """Behaviour shared by every region type (implemented by each dataclass).

    A rectangular region is its ``spans``; ``cells`` enumerates them, while
    ``size``, ``size_in`` and ``contains`` answer by arithmetic, so scoring an
    item never enumerates its region (tests/scoring/test_grid.py checks that
    all of them agree, for malformed regions too).  ``Exclusion`` and
    ``GlobalRegion`` override what differs.
    """

    region_type: str

    def cells(self, grid: Grid) -> frozenset[Cell]:
        """Every cell of the region, rows then columns (not clipped to ``grid``)."""
        rows, cols = self.spans(grid)
        return frozenset(Cell(r, c) for r in rows for c in cols)

    def params(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def spans(self, grid: Grid) -> tuple[range, range]:  # pragma: no cover - abstract
        """(rows, columns) of a rectangular region, unclipped; refused like ``cells`` when too long."""
        raise NotImplementedError

    def contains(self, cell: Cell, grid: Grid) -> bool:
        """``cell in self.cells(grid)``."""
        rows, cols = self.spans(grid)
        return cell.row in rows and cell.col in cols

    def size(self, grid: Grid) -> int:
        """``len(self.cells(grid))``: cells outside the grid included, as officially."""
        rows, cols = self.spans(grid)
        return len(rows) * len(cols)

    def size_in(self, grid: Grid) -> int:
        """The number of the region's cells that lie inside ``grid``."""
        rows, cols = self.spans(grid)
        return len(range(max(rows.start, 1), min(rows.stop, grid.rows + 1))) * \
            len(range(max(cols.start, 1), min(cols.stop, grid.cols + 1)))

    def check_within(self, grid: Grid) -> None:
        """Raise ValueError unless the region is well formed and inside ``grid``."""

    def _check_range(self, name: str, lo: int, hi: int, limit: int, grid: Grid) -> None:
        if not (1 <= lo <= hi <= limit):
            raise ValueError(
                f"{self.region_type} {name}-range {lo}..{hi} is outside the "
                f"{grid.rows}x{grid.cols} grid (need 1 <= {name}1 <= {name}2 <= {limit})"
            )


@dataclass(frozen=True, slots=True)
class GlobalRegion(_RegionBase):
    region_type = "GLOBAL"

    def cells(self, grid: Grid) -> frozenset[Cell]:
        return grid.cells()

    def spans(self, grid: Grid) -> tuple[range, range]:
        return _span(1, grid.rows), _span(1, grid.cols)

    def params(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True, slots=True)
class RowRange(_RegionBase):
    r1: int
    r2: int
    region_type = "ROW_RANGE"

    def spans(self, grid: Grid) -> tuple[range, range]:
        return _bounded(self.region_type, "r", self.r1, self.r2, MAX_GRID_ROWS), _span(1, grid.cols)

    def params(self) -> dict[str, Any]:
        return {"r1": self.r1, "r2": self.r2}

    def check_within(self, grid: Grid) -> None:
        self._check_range("r", self.r1, self.r2, grid.rows, grid)


@dataclass(frozen=True, slots=True)
class ColRange(_RegionBase):
    c1: int
    c2: int
    region_type = "COL_RANGE"

    def spans(self, grid: Grid) -> tuple[range, range]:
        return _span(1, grid.rows), _bounded(self.region_type, "c", self.c1, self.c2, MAX_GRID_COLS)

    def params(self) -> dict[str, Any]:
        return {"c1": self.c1, "c2": self.c2}

    def check_within(self, grid: Grid) -> None:
        self._check_range("c", self.c1, self.c2, grid.cols, grid)


@dataclass(frozen=True, slots=True)
class Rectangle(_RegionBase):
    r1: int
    r2: int
    c1: int
    c2: int
    region_type = "RECTANGLE"

    def spans(self, grid: Grid) -> tuple[range, range]:
        return (_bounded(self.region_type, "r", self.r1, self.r2, MAX_GRID_ROWS),
                _bounded(self.region_type, "c", self.c1, self.c2, MAX_GRID_COLS))

    def params(self) -> dict[str, Any]:
        return {"r1": self.r1, "r2": self.r2, "c1": self.c1, "c2": self.c2}

    def check_within(self, grid: Grid) -> None:
        self._check_range("r", self.r1, self.r2, grid.rows, grid)
        self._check_range("c", self.c1, self.c2, grid.cols, grid)

    @property
    def height(self) -> int:
        return self.r2 - self.r1 + 1

    @property
    def width(self) -> int:
        return self.c2 - self.c1 + 1


@dataclass(frozen=True, slots=True)
class VisualRegion(Rectangle):
    """A rectangle shown to the model only as a visual cue (T4)."""

    region_type = "VISUAL_REGION"


NumericRegion = Union[RowRange, ColRange, Rectangle]


@dataclass(frozen=True, slots=True)
class Exclusion(_RegionBase):
    """Every cell of the grid except those of ``excluded`` (T5)."""

    excluded: "Region"
    region_type = "EXCLUSION"

    def cells(self, grid: Grid) -> frozenset[Cell]:
        return grid.cells() - self.excluded.cells(grid)

    def contains(self, cell: Cell, grid: Grid) -> bool:
        return grid.contains(cell) and not self.excluded.contains(cell, grid)

    def size(self, grid: Grid) -> int:
        return grid.size - self.excluded.size_in(grid)

    def size_in(self, grid: Grid) -> int:
        return self.size(grid)

    def params(self) -> dict[str, Any]:
        return {"exclude_type": self.excluded.region_type, "exclude_params": self.excluded.params()}

    def check_within(self, grid: Grid) -> None:
        if isinstance(self.excluded, (GlobalRegion, Exclusion)):
            raise ValueError(f"EXCLUSION cannot exclude a {self.excluded.region_type} region")
        self.excluded.check_within(grid)


Region = Union[GlobalRegion, RowRange, ColRange, Rectangle, VisualRegion, Exclusion]

REGION_TYPES: tuple[str, ...] = ("GLOBAL", "ROW_RANGE", "COL_RANGE", "RECTANGLE", "VISUAL_REGION", "EXCLUSION")

_PARAM_KEYS: dict[str, tuple[str, ...]] = {
    "GLOBAL": (),
    "ROW_RANGE": ("r1", "r2"),
    "COL_RANGE": ("c1", "c2"),
    "RECTANGLE": ("r1", "r2", "c1", "c2"),
    "VISUAL_REGION": ("r1", "r2", "c1", "c2"),
}


def region_from_params(region_type: str, params: Mapping[str, Any] | None) -> Region:
    """Build a region from metadata ``region_type`` / ``region_params``.

    Raises ValueError naming the missing key or unknown type (the official
    evaluator also refuses unknown region types).
    """
    params = dict(params or {})
    if region_type == "EXCLUSION":
        if "exclude_type" not in params or "exclude_params" not in params:
            raise ValueError("EXCLUSION region_params need 'exclude_type' and 'exclude_params'")
        return Exclusion(region_from_params(str(params["exclude_type"]), params["exclude_params"]))
    keys = _PARAM_KEYS.get(region_type)
    if keys is None:
        raise ValueError(f"unknown region_type {region_type!r}; expected one of {', '.join(REGION_TYPES)}")
    missing = [k for k in keys if k not in params]
    if missing:
        raise ValueError(f"{region_type} region_params missing {', '.join(missing)}")
    try:
        values = [int(params[k]) for k in keys]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{region_type} region_params must be integers, got {params}") from exc
    return {
        "GLOBAL": GlobalRegion,
        "ROW_RANGE": RowRange,
        "COL_RANGE": ColRange,
        "RECTANGLE": Rectangle,
        "VISUAL_REGION": VisualRegion,
    }[region_type](*values)
