"""Named answer policies: the reference solver and the baselines it is compared with.

Each policy maps (image, prompt_global, prompt_local) to answer text and is
deterministic, so served baselines are reproducible.  The baselines isolate
the failure modes the paper names:

* ``empty``      -- answers nothing: ``COUNT(0)`` / ``DONE`` / ``SUBMIT(0)``.
* ``global``     -- perceives every odd cell but ignores the region ("region ignored").
* ``random``     -- a random answer of the right shape, seeded by a hash of the request.
* ``count-only`` -- right count, but every click is one cell off ("one-cell shift").
"""

from __future__ import annotations

import hashlib
import random
from typing import Callable

from PIL import Image

from rose_bench.scoring.grammar import CLICK_COUNT, COUNT, format_answer
from rose_bench.scoring.grid import Cell

from .grid_detect import GridNotFound, detect_grid, to_pixels
from .oddity import read_scene
from .prompt_region import read_prompt
from .solve import analyse, answer_for, solve

__all__ = ["Policy", "POLICIES", "get_policy", "request_seed", "shift_one_cell"]

Policy = Callable[[Image.Image, str, str], str]

_RANDOM_MAX_ANSWER = 5  # random answers hold 0..5 cells (most scenes have 1-5 targets)


def empty_policy(image: Image.Image, prompt_global: str, prompt_local: str) -> str:
    return answer_for(read_prompt(prompt_local).task_mode, frozenset())


def global_policy(image: Image.Image, prompt_global: str, prompt_local: str) -> str:
    mode = read_prompt(prompt_local).task_mode
    pixels = to_pixels(image)
    return answer_for(mode, read_scene(pixels, detect_grid(pixels)).odd)


def request_seed(image: Image.Image, prompt_global: str, prompt_local: str) -> int:
    """A seed that depends on the request only (pixels, size and both prompts)."""
    digest = hashlib.sha256()
    rgb = image.convert("RGB")
    digest.update(f"{rgb.size[0]}x{rgb.size[1]}\0".encode())
    digest.update(rgb.tobytes())
    for text in (prompt_global, prompt_local):
        digest.update(b"\0" + str(text).encode("utf-8"))
    return int.from_bytes(digest.digest()[:8], "big")


def random_policy(image: Image.Image, prompt_global: str, prompt_local: str) -> str:
    mode = read_prompt(prompt_local).task_mode
    rng = random.Random(request_seed(image, prompt_global, prompt_local))
    k = rng.randint(0, _RANDOM_MAX_ANSWER)
    if mode == COUNT:
        return format_answer(COUNT, count=k)
    try:
        geometry = detect_grid(to_pixels(image))
        rows, cols = geometry.rows, geometry.cols
    except GridNotFound:
        rows = cols = 10
    cells = rng.sample([Cell(r, c) for r in range(1, rows + 1) for c in range(1, cols + 1)], min(k, rows * cols))
    return answer_for(mode, frozenset(cells))


_SHIFTS = ((0, 1), (0, -1), (1, 0), (-1, 0))  # right, left, down, up: first that keeps every click in the grid


def shift_one_cell(cells: frozenset[Cell], rows: int, cols: int) -> list[Cell]:
    """Every cell moved by the same one-cell step.

    One common step (rather than per-cell moves) guarantees the shifted set
    never equals the original one, so the baseline can only pass on empty sets.
    """
    for dr, dc in _SHIFTS:
        moved = [Cell(c.row + dr, c.col + dc) for c in cells]
        if all(1 <= m.row <= rows and 1 <= m.col <= cols for m in moved):
            return moved
    return [Cell(c.row, c.col + 1) for c in cells]


def count_only_policy(image: Image.Image, prompt_global: str, prompt_local: str) -> str:
    solution = analyse(image, prompt_global, prompt_local)
    mode = solution.prompt.task_mode
    if mode == COUNT:
        return answer_for(mode, solution.cells)
    shifted = shift_one_cell(solution.cells, solution.geometry.rows, solution.geometry.cols)
    if mode == CLICK_COUNT:
        return format_answer(mode, shifted, count=len(solution.cells))
    return format_answer(mode, shifted)


POLICIES: dict[str, Policy] = {
    "solver": solve,
    "empty": empty_policy,
    "global": global_policy,
    "random": random_policy,
    "count-only": count_only_policy,
}


def get_policy(name: str) -> Policy:
    try:
        return POLICIES[name]
    except KeyError:
        raise ValueError(f"unknown policy {name!r}; choose one of {', '.join(POLICIES)}") from None
