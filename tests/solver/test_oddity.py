"""The vectorised scene reading answers exactly like its per-cell definitions.

``read_scene`` compares whole stacks of cells at once: integer bounds instead of
float differences, whole-array equality instead of counting each cell's bytes.
These tests pin each shortcut to the plain definition it replaces.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from rose_bench.solver.oddity import _accepted_range, _differing, _exact_majority


def _counter_majority(plain: np.ndarray) -> tuple[int, np.ndarray] | None:
    """The definition: the most common content (first seen on ties) if it covers at least half, twice or more."""
    contents = [tile.tobytes() for tile in plain]
    content, copies = Counter(contents).most_common(1)[0]
    if copies >= 2 and 2 * copies >= len(plain):
        same = np.array([c == content for c in contents])
        return int(np.argmax(same)), same
    return None


def _tiles(pattern: str, size: int = 4) -> np.ndarray:
    """One tile per letter; equal letters are byte-identical tiles."""
    rng = np.random.default_rng(7)
    looks = {letter: rng.integers(0, 256, (size, size, 3), dtype=np.uint8) for letter in sorted(set(pattern))}
    return np.stack([looks[letter] for letter in pattern])


MAJORITIES = {
    "uniform": "AAAAAAAA",
    "one-odd": "AAAAAAAB",
    "odd-first": "BAAAAAAA",
    "exact-half-tie": "AAAABBBB",
    "tie-second-first": "BBBBAAAA",
    "half-later": "ABCCCCDC",
    "no-majority": "AABBCCDD",
    "single": "A",
    "two-distinct": "AB",
    "two-same": "AA",
    "many-distinct": "ABCDEFGHIJKL",
    "majority-after-many": "ABCDEFGHHHHHHHHHHHHH",
}


@pytest.mark.parametrize("pattern", MAJORITIES.values(), ids=MAJORITIES.keys())
def test_exact_majority_is_the_counted_majority(pattern: str) -> None:
    plain = _tiles(pattern)
    got, want = _exact_majority(plain), _counter_majority(plain)
    if want is None:
        assert got is None
    else:
        assert got is not None and got[0] == want[0] and np.array_equal(got[1], want[1])


@pytest.mark.parametrize("size", [3, 4, 5, 8], ids=lambda s: f"{s}px")
def test_exact_majority_is_exact_for_every_tile_byte_width(size: int) -> None:
    """Rows are compared as 8/4/2/1-byte words depending on the tile size; one differing byte must still count."""
    plain = np.repeat(_tiles("A", size), 6, axis=0)
    plain[4, size - 1, size - 1, 2] ^= 1
    index, same = _exact_majority(plain)
    assert index == 0 and same.tolist() == [True, True, True, True, False, True]


EXPECTED = {
    "whole": np.float32(200.0),
    "tinted": np.float32(200 * 0.72 + 124 * 0.28),
    "half": np.float32(100.5),
    "just-above-whole": np.nextafter(np.float32(37.0), np.float32(99)),
    "just-below-whole": np.nextafter(np.float32(37.0), np.float32(0)),
    "near-zero": np.float32(2.25),
    "near-top": np.float32(252.75),
}


@pytest.mark.parametrize("tolerance", [0, 6, 48])
@pytest.mark.parametrize("expected", EXPECTED.values(), ids=EXPECTED.keys())
def test_accepted_range_is_the_float_tolerance_test(expected: np.float32, tolerance: int) -> None:
    ref = np.full((2, 2, 3), expected, dtype=np.float32)
    bounds = _accepted_range(ref, tolerance)
    values = np.arange(256, dtype=np.float32)
    inside = np.abs(values - expected) <= tolerance  # the definition, in float32
    if not inside.any():
        assert bounds is None
        return
    assert bounds is not None
    low, high = int(bounds[0][0, 0, 0]), int(bounds[1][0, 0, 0])
    assert np.array_equal((values >= low) & (values <= high), inside)


def test_accepted_range_over_random_references() -> None:
    rng = np.random.default_rng(11)
    ref = rng.uniform(0, 255, (5000,)).astype(np.float32)
    low, high = _accepted_range(ref, 6)
    values = np.arange(256, dtype=np.float32)[:, None]
    assert np.array_equal((values >= low) & (values <= high), np.abs(values - ref) <= 6)


def test_accepted_range_refuses_a_reference_no_pixel_can_match() -> None:
    assert _accepted_range(np.array([-30.5, 100.0], dtype=np.float32), 6) is None


@pytest.mark.parametrize(("tolerance", "min_pixels"), [(6, 1), (48, 4)], ids=["lossless", "lossy"])
def test_differing_matches_the_per_cell_float_comparison(tolerance: int, min_pixels: int) -> None:
    rng = np.random.default_rng(5)
    expected = rng.uniform(0, 255, (6, 6, 3)).astype(np.float32)
    noisy = rng.random((40, 6, 6, 1)) < rng.uniform(0, 0.3, (40, 1, 1, 1))  # a different share of noisy pixels per cell
    cells = np.clip(np.rint(expected) + rng.integers(-60, 61, (40, 6, 6, 3)) * noisy, 0, 255)
    cells = cells.astype(np.uint8)
    ignore = rng.random((40, 6, 6)) < 0.2
    want = []
    for cell, skip in zip(cells, ignore):
        diff = np.abs(cell.astype(np.float32) - expected)
        off = (diff > tolerance).any(axis=-1) & ~skip
        want.append(int(np.count_nonzero(off)) >= min_pixels)
    assert _differing(cells, expected, ignore, tolerance, min_pixels).tolist() == want
    assert any(want) and not all(want)
