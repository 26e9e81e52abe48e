"""The reference solver: image + prompts in, canonical formal answer out.

It uses only what a model gets (pixels, ``prompt_global``, ``prompt_local``),
so an item it answers correctly is solvable as posed.  Region membership comes
from ``rose_bench.scoring.grid`` and the answer text from
``rose_bench.scoring.grammar.format_answer`` -- the same code that scores it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from rose_bench.scoring.grammar import COUNT, format_answer
from rose_bench.scoring.grid import Cell, Region

from .grid_detect import GridGeometry, detect_grid, to_pixels
from .oddity import SceneReading, read_scene
from .prompt_region import PromptReading, read_prompt

__all__ = ["Solution", "analyse", "solve", "solve_reading", "answer_for"]


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
    prompt.region_in(geometry.grid)  # RegionOutsideGrid before any work proportional to the region
    return _solution(read_scene(pixels, geometry), prompt)


def _solution(scene: SceneReading, prompt: PromptReading) -> Solution:
    numeric = prompt.region_in(scene.geometry.grid)
    region = scene.cue if prompt.visual else numeric
    cells = frozenset() if region is None else scene.odd & region.cells(scene.geometry.grid)
    return Solution(scene=scene, prompt=prompt, region=region, cells=cells)


def solve_reading(scene: SceneReading, prompt_local: str) -> str:
    """``solve`` for an image already read (``read_scene``): one reading answers every prompt asked about it."""
    prompt = read_prompt(prompt_local)
    return answer_for(prompt.task_mode, _solution(scene, prompt).cells)


def answer_for(task_mode: str, cells: frozenset[Cell]) -> str:
    """The canonical answer for an answer set under ``task_mode``."""
    if task_mode == COUNT:
        return format_answer(COUNT, count=len(cells))
    return format_answer(task_mode, cells)


def solve(image: Image.Image, prompt_global: str, prompt_local: str) -> str:
    """The formal answer (``COUNT(k)``, ``CLICK(..); ...; DONE`` or ``...; SUBMIT(k)``)."""
    solution = analyse(image, prompt_global, prompt_local)
    return answer_for(solution.prompt.task_mode, solution.cells)
