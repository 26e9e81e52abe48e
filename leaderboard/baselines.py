"""Baseline rows: the reference solver (the ceiling) and the named policies, answered from a build's images.

Each policy sees only the image and the two prompts (``solver.certify.iter_build_rows``),
like a model; its answers become an ordinary bundle marked ``baseline``, so a
baseline row is scored, stored and ranked exactly like a submission.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Optional, Sequence

from PIL import Image

from rose_bench.scoring.contract import MAIN_CONFIGS
from rose_bench.scoring.io import InputError
from rose_bench.solver.grid_detect import GridNotFound, open_image
from rose_bench.solver.policies import POLICIES, get_policy
from rose_bench.solver.prompt_region import PromptNotUnderstood

from .board import Board, add_bundle
from .bundle import predictions_bytes, write_bundle
from .create import create_bundle

__all__ = ["BASELINES", "policy_predictions", "add_baselines"]

BASELINES: tuple[str, ...] = tuple(POLICIES)  # solver, empty, global, random, count-only


def policy_predictions(build_dir: Path, policy: str, split: str) -> list[dict]:
    """One prediction per main-benchmark item of ``split``, answered by ``policy`` from pixels and prompts."""
    from rose_bench.solver.certify import iter_build_rows

    answer = get_policy(policy)
    decoded: dict[bytes, Image.Image] = {}
    rows = []
    for row in iter_build_rows(build_dir, MAIN_CONFIGS, (split,)):
        image = decoded.get(row.png)
        if image is None:
            decoded.clear()  # the rows of a scene are adjacent within a config; keep one image
            image = decoded[row.png] = open_image(row.png)  # size checked from the header before decoding
        meta = row.meta
        try:
            text, error = answer(image, str(meta.get("prompt_global") or ""), str(meta.get("prompt_local") or "")), None
        except (GridNotFound, PromptNotUnderstood) as exc:
            text, error = None, f"{type(exc).__name__}: {exc}"
        rows.append({"item_id": meta["item_id"], "model": f"rose-{policy}", "raw_text": text, "error": error})
    if not rows:
        raise InputError(build_dir, f"no {split} rows", fix="build the dataset with a test split")
    return rows


def add_baselines(board_dir: Path, policies: Sequence[str] = BASELINES, *, images: Optional[Path] = None) -> list[str]:
    """Answer the board's build with each policy and add the rows as baselines; returns their ids.

    ``images``: a build holding the images when the board's dataset is an answer key.
    """
    board = Board(board_dir)
    build = Path(images) if images else board.dataset_path()
    ids = []
    with tempfile.TemporaryDirectory(prefix="rose-baselines-") as tmp:
        for policy in policies:
            rows = policy_predictions(build, policy, board.split)
            model = {"name": f"{policy} (baseline)" if policy != "solver" else "reference solver (ceiling)",
                     "organisation": "rose-bench", "revision": None, "api_model_id": f"rose-bench/{policy}",
                     "open_weights": True, "parameters": None}
            harness = {"name": "rose-baseline", "version": None, "git_hash": None, "model": f"rose serve --policy {policy}",
                       "limit": None}
            data = predictions_bytes(rows)
            predictions = Path(tmp) / f"{policy}.jsonl"
            predictions.write_bytes(data)
            record, data = create_bundle(model=model, fingerprint=board.fingerprint, split=board.split,
                                         predictions=predictions, baseline=True, harness=harness)
            bundle = write_bundle(Path(tmp) / policy, record, data)
            if record["predictions"]["sha256"] in board.ids():
                continue  # already on the board (exact duplicates collapse)
            ids.append(add_bundle(board.root, bundle))
    return ids
