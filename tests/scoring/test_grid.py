"""Cells, grids and regions: membership, parameter errors, exclusion nesting, label orders."""

from __future__ import annotations

import pytest

from rose_bench.scoring.grid import (
    Cell,
    ColRange,
    Exclusion,
    GlobalRegion,
    Grid,
    Rectangle,
    RowRange,
    VisualRegion,
    keys_numeric,
    keys_string_sorted,
    parse_cell,
    parse_cells,
    region_from_params,
)

G45 = Grid(4, 5)


def cells(*pairs):
    return frozenset(Cell(r, c) for r, c in pairs)


REGIONS = [
    ("global", "GLOBAL", {}, 20, {(1, 1), (4, 5)}, set()),
    ("row-one", "ROW_RANGE", {"r1": 2, "r2": 2}, 5, {(2, 1), (2, 5)}, {(1, 1), (3, 1)}),
    ("rows", "ROW_RANGE", {"r1": 1, "r2": 3}, 15, {(1, 5), (3, 3)}, {(4, 1)}),
    ("col-one", "COL_RANGE", {"c1": 5, "c2": 5}, 4, {(1, 5), (4, 5)}, {(1, 4)}),
    ("cols", "COL_RANGE", {"c1": 2, "c2": 4}, 12, {(4, 2), (1, 4)}, {(1, 1), (1, 5)}),
    ("rect", "RECTANGLE", {"r1": 2, "r2": 3, "c1": 2, "c2": 4}, 6, {(2, 2), (3, 4)}, {(1, 2), (2, 5), (4, 4)}),
    ("visual", "VISUAL_REGION", {"r1": 1, "r2": 1, "c1": 1, "c2": 2}, 2, {(1, 1), (1, 2)}, {(2, 1), (1, 3)}),
    ("excl-rows", "EXCLUSION", {"exclude_type": "ROW_RANGE", "exclude_params": {"r1": 1, "r2": 2}}, 10,
     {(3, 1), (4, 5)}, {(1, 1), (2, 5)}),
    ("excl-cols", "EXCLUSION", {"exclude_type": "COL_RANGE", "exclude_params": {"c1": 1, "c2": 1}}, 16,
     {(1, 2), (4, 5)}, {(1, 1), (4, 1)}),
    ("excl-rect", "EXCLUSION",
     {"exclude_type": "RECTANGLE", "exclude_params": {"r1": 2, "r2": 3, "c1": 2, "c2": 3}}, 16,
     {(1, 1), (2, 4)}, {(2, 2), (3, 3)}),
    # not clipped to the grid (official behaviour): r2 beyond the last row counts phantom cells
    ("row-unclipped", "ROW_RANGE", {"r1": 3, "r2": 6}, 20, {(3, 1), (6, 5)}, {(2, 1)}),
    ("rect-unclipped", "RECTANGLE", {"r1": 4, "r2": 5, "c1": 5, "c2": 6}, 4, {(4, 5), (5, 6)}, {(4, 4)}),
    ("rect-reversed", "RECTANGLE", {"r1": 3, "r2": 2, "c1": 1, "c2": 2}, 0, set(), {(2, 1), (3, 1)}),
    ("string-params", "ROW_RANGE", {"r1": "2", "r2": "3"}, 10, {(2, 1)}, {(1, 1)}),
]


@pytest.mark.parametrize("name,rtype,params,n,inside,outside", REGIONS, ids=[r[0] for r in REGIONS])
def test_region_cells(name, rtype, params, n, inside, outside):
    region = region_from_params(rtype, params)
    assert region.region_type == rtype
    got = region.cells(G45)
    assert len(got) == n
    assert cells(*inside) <= got
    assert not (cells(*outside) & got)
    for r, c in inside:
        assert region.contains(Cell(r, c), G45)


@pytest.mark.parametrize(
    "rtype,params,message",
    [
        ("TRIANGLE", {}, "unknown region_type"),
        ("ROW_RANGE", {"r1": 1}, "missing r2"),
        ("RECTANGLE", {"r1": 1, "r2": 2}, "missing c1, c2"),
        ("COL_RANGE", {"c1": "a", "c2": 2}, "must be integers"),
        ("EXCLUSION", {"exclude_type": "ROW_RANGE"}, "exclude_params"),
        ("EXCLUSION", {"exclude_type": "BLOB", "exclude_params": {}}, "unknown region_type"),
        ("None", None, "unknown region_type"),
    ],
    ids=["unknown", "row-missing", "rect-missing", "not-int", "excl-no-params", "excl-unknown", "none"],
)
def test_region_from_params_errors(rtype, params, message):
    with pytest.raises(ValueError, match=message):
        region_from_params(rtype, params)


def test_region_round_trip_params():
    for name, rtype, params, *_ in REGIONS:
        if name == "string-params":
            continue
        region = region_from_params(rtype, params)
        assert region.params() == params
        assert region_from_params(rtype, region.params()) == region


def test_exclusion_nesting():
    inner = region_from_params("EXCLUSION", {"exclude_type": "ROW_RANGE", "exclude_params": {"r1": 1, "r2": 1}})
    outer = region_from_params("EXCLUSION", {"exclude_type": "EXCLUSION", "exclude_params": inner.params()})
    assert isinstance(outer, Exclusion) and isinstance(outer.excluded, Exclusion)
    # excluding "all but row 1" leaves exactly row 1
    assert outer.cells(G45) == RowRange(1, 1).cells(G45)
    # excluding the whole grid leaves nothing
    assert region_from_params("EXCLUSION", {"exclude_type": "GLOBAL", "exclude_params": {}}).cells(G45) == frozenset()
    with pytest.raises(ValueError, match="cannot exclude"):
        outer.check_within(G45)


@pytest.mark.parametrize(
    "region,ok",
    [
        (RowRange(1, 4), True),
        (RowRange(0, 2), False),
        (RowRange(3, 5), False),
        (ColRange(5, 5), True),
        (ColRange(2, 1), False),
        (Rectangle(1, 4, 1, 5), True),
        (VisualRegion(2, 3, 4, 6), False),
        (Exclusion(Rectangle(1, 2, 1, 2)), True),
        (Exclusion(GlobalRegion()), False),
    ],
    ids=["row-ok", "row-zero", "row-over", "col-ok", "col-reversed", "rect-full", "visual-over", "excl-ok",
         "excl-global"],
)
def test_check_within(region, ok):
    if ok:
        region.check_within(G45)
    else:
        with pytest.raises(ValueError):
            region.check_within(G45)


def test_visual_region_is_not_a_rectangle_value():
    assert VisualRegion(1, 2, 1, 2) != Rectangle(1, 2, 1, 2)
    assert VisualRegion(1, 2, 1, 2).cells(G45) == Rectangle(1, 2, 1, 2).cells(G45)


def _every_region(span: range) -> list:
    """Every region over ``span`` on both axes, malformed ones (reversed, zero, beyond the grid) included."""
    rects = [Rectangle(a, b, c, d) for a in span for b in span for c in span for d in span]
    plain = ([GlobalRegion()] + [RowRange(a, b) for a in span for b in span] + [ColRange(a, b) for a in span for b in span]
             + rects + [VisualRegion(1, 2, 2, 3)])
    return plain + [Exclusion(r) for r in plain] + [Exclusion(Exclusion(RowRange(1, 2)))]


@pytest.mark.parametrize("grid", [Grid(1, 1), Grid(3, 5), Grid(6, 4)], ids=["1x1", "3x5", "6x4"])
def test_region_arithmetic_agrees_with_cells(grid):
    """``size``, ``size_in`` and ``contains`` (what scoring uses) give exactly what enumerating ``cells`` gives."""
    probes = [Cell(r, c) for r in range(-1, 9) for c in range(-1, 9)]
    for region in _every_region(range(-1, 8)):
        got = region.cells(grid)
        assert region.size(grid) == len(got), region
        assert region.size_in(grid) == len(got & grid.cells()), region
        assert [region.contains(p, grid) for p in probes] == [p in got for p in probes], region


@pytest.mark.parametrize(
    "value,expected",
    [("R3,C12", Cell(3, 12)), (" r 3 , c 4 ", Cell(3, 4)), ([2, 7], Cell(2, 7)), ((1, 1), Cell(1, 1))],
    ids=["label", "loose-label", "list", "tuple"],
)
def test_parse_cell(value, expected):
    assert parse_cell(value) == expected


@pytest.mark.parametrize("value", ["R3C4", "3,4", "R3,C4,", "", [1, 2, 3]], ids=["no-comma", "no-letters",
                                                                               "trailing", "empty", "triple"])
def test_parse_cell_errors(value):
    with pytest.raises(ValueError):
        parse_cell(value)


def test_parse_cells_forms():
    assert parse_cells(None) == frozenset()
    assert parse_cells([]) == frozenset()
    assert parse_cells(["R1,C2", [1, 2], "R3,C4"]) == cells((1, 2), (3, 4))
    assert parse_cells(("R1,C2", (3, 4), Cell(5, 6))) == cells((1, 2), (3, 4), (5, 6))
    # a free-form string is searched for every label in it (official behaviour)
    assert parse_cells("gold: R1,C2 and r10 , c3") == cells((1, 2), (10, 3))


def test_cached_parsing_returns_what_parsing_does():
    """Label lists are parsed once per distinct list: a bad label still fails every time, results are fresh."""
    for _ in range(2):
        assert parse_cells(["R1,C2", "r 3 , c 4"]) == cells((1, 2), (3, 4))
        with pytest.raises(ValueError, match="invalid cell label 'R1C2'"):
            parse_cells(["R1,C1", "R1C2"])
        with pytest.raises(ValueError, match="invalid cell label 7"):
            parse_cell(7)
    keys = keys_string_sorted(cells((2, 1), (10, 1)))
    keys.append("mutated")
    assert keys_string_sorted(cells((2, 1), (10, 1))) == ["R10,C1", "R2,C1"]


def test_cell_is_a_tuple_that_hashes_as_one():
    """Cells hash as ``(row, col)``: set iteration order (and so output bytes) is what it was for the dataclass."""
    assert hash(Cell(3, 4)) == hash((3, 4)) and Cell(3, 4) == (3, 4)
    assert sorted([Cell(2, 1), Cell(1, 9), Cell(1, 2)]) == [Cell(1, 2), Cell(1, 9), Cell(2, 1)]
    with pytest.raises(AttributeError):
        Cell(1, 1).row = 2


def test_sort_orders():
    cs = [Cell(10, 1), Cell(2, 3), Cell(2, 10), Cell(1, 1), Cell(2, 3)]
    assert keys_numeric(cs) == ["R1,C1", "R2,C3", "R2,C10", "R10,C1"]
    assert keys_string_sorted(cs) == ["R1,C1", "R10,C1", "R2,C10", "R2,C3"]  # "," sorts before digits
    assert Cell(2, 3).l1(Cell(4, 1)) == 4


def test_grid_rejects_empty():
    with pytest.raises(ValueError):
        Grid(0, 3)
    assert G45.size == 20 and len(G45.cells()) == 20
    assert G45.contains(Cell(4, 5)) and not G45.contains(Cell(5, 1)) and not G45.contains(Cell(0, 1))


# sizes read from metadata are bounded before any cell is enumerated (scoring/contract.py MAX_GRID_*)
@pytest.mark.parametrize(
    "rows,cols,ok",
    [(100, 100, True), (101, 5, False), (5, 101, False), (10**9, 10**9, False)],
    ids=["at-limit", "rows-over", "cols-over", "1e9"],
)
def test_grid_size_limit(rows, cols, ok):
    from rose_bench.scoring.contract import MAX_GRID_COLS, MAX_GRID_ROWS

    assert (MAX_GRID_ROWS, MAX_GRID_COLS) == (100, 100)
    if ok:
        assert Grid(rows, cols).size == rows * cols
    else:
        with pytest.raises(ValueError, match="exceeds the limit of 100x100"):
            Grid(rows, cols)


@pytest.mark.parametrize(
    "rtype,params,n",
    [
        ("ROW_RANGE", {"r1": 1, "r2": 10**9}, None),
        ("ROW_RANGE", {"r1": -(10**9), "r2": 4}, None),
        ("COL_RANGE", {"c1": 1, "c2": 10**18}, None),
        ("RECTANGLE", {"r1": 1, "r2": 2, "c1": 1, "c2": 10**9}, None),
        ("EXCLUSION", {"exclude_type": "ROW_RANGE", "exclude_params": {"r1": 1, "r2": 10**9}}, None),
        ("ROW_RANGE", {"r1": 1, "r2": 100}, 500),  # hangs over the 4x5 grid (official behaviour) within the limit
        ("RECTANGLE", {"r1": 10**9, "r2": 1, "c1": 1, "c2": 1}, 0),  # reversed: empty, nothing to enumerate
    ],
    ids=["r2-1e9", "r1-minus-1e9", "c2-1e18", "rect-c2-1e9", "excluded-r2-1e9", "overhang-within-limit", "reversed"],
)
def test_range_longer_than_any_grid_is_refused_before_enumeration(rtype, params, n):
    region = region_from_params(rtype, params)
    if n is None:
        with pytest.raises(ValueError, match="no grid has more than 100"):
            region.cells(G45)
        with pytest.raises(ValueError, match="no grid has more than 100"):
            region.size(G45)
    else:
        assert len(region.cells(G45)) == region.size(G45) == n
