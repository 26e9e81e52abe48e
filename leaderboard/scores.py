"""Score a bundle against the board's dataset: per-item rows (Parquet) and a summary of point figures.

The scorer is ``scoring.item.score_item`` and the figures ``scoring.aggregate``;
``SCORER_VERSION`` hashes the scorer's source so that a board knows which rows
``rescore`` must recompute after the scorer changes.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional, Sequence

import pyarrow as pa

from rose_bench import __version__
from rose_bench.scoring import aggregate as agg
from rose_bench.scoring.answer_key import KEY_JSON, read_key
from rose_bench.scoring.contract import MAIN_CONFIGS, TEMPLATE_ORDER
from rose_bench.scoring.score_inputs import load_metadata, resolve_metadata
from rose_bench.scoring.io import InputError
from rose_bench.scoring.item import score_item

__all__ = ["SCORE_COLUMNS", "scorer_version", "load_key", "score_predictions", "scores_table", "summary_figures"]

# per-item columns kept on the board (enough to recompute every figure and to audit an answer)
SCORE_SCHEMA = pa.schema([
    ("item_id", pa.string()), ("scene_id", pa.string()), ("rose_subset", pa.string()),
    ("task_template", pa.string()), ("raw_text", pa.string()), ("api_error", pa.int64()),
    ("format_valid", pa.int64()), ("pass", pa.int64()), ("unified_soft", pa.float64()),
    ("click_applicable", pa.int64()), ("click_f1_strict", pa.float64()), ("region_ok", pa.int64()),
])
SCORE_COLUMNS: tuple[str, ...] = tuple(SCORE_SCHEMA.names)
_SCORER_MODULES = ("item", "grammar", "grid", "aggregate")


@lru_cache(maxsize=1)
def scorer_version() -> str:
    """``<rose-bench version>+<12 hex of the scorer modules' source>``: changes whenever scoring could."""
    import importlib

    digest = hashlib.sha256()
    for name in _SCORER_MODULES:
        module = importlib.import_module(f"rose_bench.scoring.{name}")
        digest.update(Path(module.__file__).read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def load_key(dataset: Path, split: str, *, fingerprint: Optional[str] = None) -> dict[str, dict]:
    """item_id -> metadata row of ``split`` from a build directory, a metadata file or an answer-key folder.

    ``fingerprint``: the public build an answer key must be bound to (the board's pin).
    """
    dataset = Path(dataset)
    if (dataset / KEY_JSON).is_file():
        key = read_key(dataset)
        if fingerprint is not None and key.public_fingerprint != fingerprint:
            raise InputError(dataset / KEY_JSON, f"answer key is bound to {key.public_fingerprint[:19]}..., the board "
                             f"to {fingerprint[:19]}...", field="public_fingerprint",
                             fix="pass the key written together with the board's public build")
        if key.split != split:
            raise InputError(dataset / KEY_JSON, f"answer key holds the {key.split} split, the board ranks {split}",
                             field="split", fix="pass the key of the board's split")
        files = key.shards(MAIN_CONFIGS)
    elif dataset.is_file():
        _, files = resolve_metadata(dataset_root=None, metadata=dataset, split=split)
    else:
        _, files = resolve_metadata(dataset_root=dataset, metadata=None, split=split)
    rows, index = load_metadata(files, split)
    index = {k: v for k, v in index.items() if v.get("task_template") in TEMPLATE_ORDER}  # a key also holds bridges
    if not index:
        raise InputError(dataset, f"no {split} rows", fix="check the board's split")
    return index


def score_predictions(
    predictions: Sequence[Mapping], key: Mapping[str, dict], *, where: str, allow_partial: bool,
) -> tuple[list[dict], dict]:
    """(score rows in item order, coverage) -- refuses extra ids always and missing ids unless allowed."""
    by_id = {str(p["item_id"]): p for p in predictions}
    extra = sorted(set(by_id) - set(key))
    if extra:
        raise InputError(where, f"{len(extra)} item_id(s) not in the board's dataset split (first: {', '.join(extra[:3])})",
                         field="item_id", fix="predict the items of the board's build and split only")
    missing = sorted(set(key) - set(by_id))
    if missing and not allow_partial:
        raise InputError(where, f"missing {len(missing)} of {len(key)} items (first: {', '.join(missing[:3])})",
                         field="item_id", fix="predict every item (this board does not take partial rows)")
    rows = []
    for item_id in sorted(by_id):
        p = by_id[item_id]
        rec = score_item(key[item_id], p.get("raw_text"), model=p.get("model") or "", api_error_text=p.get("error"))
        rows.append({name: rec.get(name) for name in SCORE_COLUMNS})
    coverage = {"expected": len(key), "evaluated": len(rows), "missing": len(missing), "partial": bool(missing)}
    return rows, coverage


def scores_table(rows: Sequence[Mapping]) -> pa.Table:
    return pa.Table.from_pylist([dict(r) for r in rows], schema=SCORE_SCHEMA)


def summary_figures(rows: Sequence[Mapping]) -> dict:
    """Point figures through scoring.aggregate (the same definitions the bootstrap replays)."""
    t1, t2, gap = agg.table1(rows), agg.table2(rows), agg.perception_action_gap(rows)
    return {
        "table1": {"by_subset": t1["by_subset"], "Avg. PASS": t1["Avg. PASS"], "Avg. SOFT": t1["Avg. SOFT"],
                   "VALID": t1["VALID"]},
        "table2": t2,
        "Counting Avg.": gap["Counting Avg."],
        "Action Avg.": gap["Action Avg."],
        "gap": gap["gap"],
    }
