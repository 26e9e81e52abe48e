"""Review mode: an item with its answer overlay (region, targets, answer, the reference solver's answer).

For maintainers inspecting a build, never served in an answering run.  The
solver answers from the image and the two prompts only, exactly as in
``rose certify``, and is scored with ``score_item``, so a cell the solver
misses shows up as a difference on the overlay.
"""

from __future__ import annotations

from typing import Any, Mapping


from rose_bench.scoring.grid import Grid, parse_cells
from rose_bench.scoring.item import region_of, score_item

from .items import grid_of, public_item

__all__ = ["review_item"]


def _pairs(cells) -> list[list[int]]:
    return [[c.row, c.col] for c in sorted(cells)]


def _solver(png: bytes, meta: Mapping[str, Any]) -> dict[str, Any]:
    from rose_bench.solver.grid_detect import GridNotFound, open_image
    from rose_bench.solver.prompt_region import PromptNotUnderstood
    from rose_bench.solver.solve import analyse, answer_for

    with open_image(png) as image:  # the solver's bounded decoder: size checked before decoding
        try:
            solution = analyse(image, str(meta.get("prompt_global") or ""), str(meta.get("prompt_local") or ""))
        except (GridNotFound, PromptNotUnderstood) as exc:
            return {"answer": None, "cells": [], "error": f"{type(exc).__name__}: {exc}", "pass": 0}
    answer = answer_for(solution.prompt.task_mode, solution.cells)
    scored = score_item(meta, answer, model="rose-solver")
    return {"answer": answer, "cells": _pairs(solution.cells), "error": None, "pass": scored["pass"]}


def review_item(meta: Mapping[str, Any], png: bytes, position: int, total: int) -> dict[str, Any]:
    """The public view plus everything a maintainer checks (answers included)."""
    rows, cols, _ = grid_of(meta, str(meta.get("item_id")))
    region = region_of(meta).cells(Grid(rows, cols))
    return {
        **public_item(meta, position, total),
        "rose_subset": meta.get("rose_subset"),
        "task_template": meta.get("task_template"),
        "region_type": meta.get("region_type"),
        "region_params": meta.get("region_params"),
        "cue_type": meta.get("cue_type"),
        "difficulty": meta.get("difficulty"),
        "region_cells": _pairs(region),
        "target_cells": _pairs(parse_cells(meta.get("all_target_cells") or [])),
        "answer_cells": _pairs(parse_cells(meta.get("ground_truth_clicks") or [])),
        "ground_truth_formal_answer": meta.get("ground_truth_formal_answer"),
        "solver": _solver(png, meta),
    }
