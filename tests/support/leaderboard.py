"""Helpers for the leaderboard tests: bundles written through the real `rose submission create` code, worse rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from rose_bench.leaderboard.bundle import predictions_bytes, write_bundle
from rose_bench.leaderboard.create import create_bundle

# an API model: no Hub revision, an api_model_id (the schema wants one of the two)
MODEL = {"name": "test-model", "organisation": "tests", "revision": None, "api_model_id": "tests/model",
         "open_weights": False, "parameters": None}


def wrong_rows(rows: Sequence[dict], every: int, text: str = "COUNT(99)") -> list[dict]:
    """``rows`` with every ``every``-th answer (the first included) replaced by ``text``."""
    return [{**r, "raw_text": text if i % every == 0 else r["raw_text"]} for i, r in enumerate(rows)]


def bundle_of(rows: Sequence[dict], out: Path, *, fingerprint: str, split: str = "test", **model: Any) -> Path:
    """The bundle folder ``out`` of ``rows`` (``MODEL`` with ``model``'s fields changed); its predictions file beside it."""
    src = out.with_name(f"{out.name}.predictions.jsonl")
    src.write_bytes(predictions_bytes(rows))
    record, data = create_bundle(model={**MODEL, **model}, fingerprint=fingerprint, split=split, predictions=src)
    return write_bundle(out, record, data)
