"""The reference solver: image + prompts in, canonical formal answer out.

It uses only what a model gets (pixels, ``prompt_global``, ``prompt_local``),
so an item it answers correctly is solvable as posed.  Region membership comes
from ``rose_bench.scoring.grid`` and the answer text from
``rose_bench.scoring.grammar.format_answer`` -- the same code that scores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from PIL import Image

from rose_bench.scoring.grammar import COUNT, format_answer
from rose_bench.scoring.grid import Cell, Region

from .grid_detect import GridGeometry, GridNotFound, detect_grid, to_pixels
from .oddity import SceneReading, read_scene
from .prompt_region import PromptReading, read_prompt

__all__ = ["Solution", "analyse", "solve", "solver_for", "answer_for"]


@dataclass(frozen=True, slots=True)
class Solution:
    """Everything the solver read, and the cells its answer is about."""

    scene: SceneReading
    prompt: PromptReading
    region: Region | None  # None: a visual-region prompt on an image without a cue
    cells: frozenset[Cell]  # odd cells inside the region (the answer set)

    @property
    def geometry(self) -> GridGeometry:
        return self.scene.geometry


def analyse(image: Image.Image, prompt_global: str, prompt_local: str) -> Solution:
    """Read the scene and the task; ``prompt_global`` is the same on every item and carries no task."""
    del prompt_global
    prompt = read_prompt(prompt_local)
    pixels = to_pixels(image)
    geometry = detect_grid(pixels)
    numeric = prompt.region_in(geometry.grid)  # RegionOutsideGrid before any work proportional to the region
    return _solution(read_scene(pixels, geometry), prompt, numeric)


def _solution(scene: SceneReading, prompt: PromptReading, numeric: Region | None) -> Solution:
    """``numeric``: ``prompt.region_in`` of the scene's grid (None for a visual or global task)."""
    region = scene.cue if prompt.visual else numeric
    cells = frozenset() if region is None else scene.odd & region.cells(scene.geometry.grid)
    return Solution(scene=scene, prompt=prompt, region=region, cells=cells)


def solver_for(pixels: np.ndarray) -> Callable[[str], str]:
    """``solve`` for every prompt about one image, which is read once: the same answer and the same error per
    prompt as ``solve`` (a prompt it cannot read first, then a grid it cannot find), since reading an image
    does not depend on the prompt."""
    try:
        scene, grid_error = read_scene(pixels, detect_grid(pixels)), None
    except GridNotFound as exc:
        scene, grid_error = None, exc

    def answer(prompt_local: str) -> str:
        prompt = read_prompt(prompt_local)
        if grid_error is not None:
            raise grid_error.with_traceback(None)
        return answer_for(prompt.task_mode, _solution(scene, prompt, prompt.region_in(scene.geometry.grid)).cells)

    return answer


def answer_for(task_mode: str, cells: frozenset[Cell]) -> str:
    """The canonical answer for an answer set under ``task_mode``."""
    if task_mode == COUNT:
        return format_answer(COUNT, count=len(cells))
    return format_answer(task_mode, cells)


def solve(image: Image.Image, prompt_global: str, prompt_local: str) -> str:
    """The formal answer (``COUNT(k)``, ``CLICK(..); ...; DONE`` or ``...; SUBMIT(k)``)."""
    solution = analyse(image, prompt_global, prompt_local)
    return answer_for(solution.prompt.task_mode, solution.cells)
