"""A submission bundle's contents from lmms-eval samples or a predictions JSONL (``rose submission create``).

The command line is ``rose_bench.cli.submission``; the folder is written by
``bundle.write_bundle``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from rose_bench.scoring.io import InputError, parse_json
from rose_bench.scoring.predictions import read_predictions

from .bundle import MAX_PREDICTIONS_BYTES, checked_record, harness_from_lmms_results, predictions_bytes

__all__ = ["create_bundle"]


def _results_next_to(samples: Sequence[Path]) -> Optional[dict]:
    """lmms-eval writes ``<date>_results.json`` beside ``<date>_samples_<task>.jsonl``; None if absent."""
    found = sorted({p for s in samples for p in Path(s).parent.glob("*_results.json")})
    if len(found) > 1:
        raise InputError(found[0].parent, f"{len(found)} results files beside the samples",
                         fix="pass --results FILE to say which run the samples belong to")
    if not found:
        return None
    return _read_json(found[0])


def _read_json(path: Path) -> dict:
    path = Path(path)
    if path.stat().st_size > 64 << 20:
        raise InputError(path, "results file larger than 64 MiB", fix="pass lmms-eval's *_results.json")
    try:
        data, error = parse_json(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not a JSON file ({exc})", fix="pass lmms-eval's *_results.json") from None
    if error is not None:
        raise InputError(path, f"not a JSON file: {error}", fix="pass lmms-eval's *_results.json")
    if not isinstance(data, dict):
        raise InputError(path, "expected a JSON object", fix="pass lmms-eval's *_results.json")
    return data


def create_bundle(
    *, model: dict, fingerprint: str, split: str, predictions: Optional[Path] = None,
    samples: Sequence[Path] = (), results: Optional[Path] = None, variants_tried: int = 1,
    baseline: bool = False, harness: Optional[dict] = None, repo_id: Optional[str] = None,
    revision: Optional[str] = None, notes: str = "",
) -> tuple[dict, bytes]:
    """(submission.json object, predictions.jsonl bytes); raises InputError on bad input."""
    if bool(predictions) == bool(samples):
        raise InputError("--predictions", "give exactly one of --predictions or --lmms-samples",
                         fix="a predictions JSONL, or the lmms-eval samples files of one run")
    if samples:
        from rose_bench.lmms_tasks.convert import convert

        for path in samples:
            if Path(path).is_file() and Path(path).stat().st_size > MAX_PREDICTIONS_BYTES * 4:
                raise InputError(path, "samples file too large", fix="pass the samples of one run")
        rows, _ = convert(list(samples), model["name"])
        info = _read_json(results) if results else _results_next_to(samples)
        harness = harness or (harness_from_lmms_results(info) if info else
                              {"name": "lmms-eval", "version": None, "git_hash": None, "limit": None})
    else:
        path = Path(predictions)
        if path.is_file() and path.stat().st_size > MAX_PREDICTIONS_BYTES:
            raise InputError(path, "predictions file larger than 256 MiB", fix="one short answer per item")
        rows = [row for _, row in read_predictions(path)]  # the one valid-prediction rule, with this file's lines
        harness = harness or {"name": "predictions", "version": None, "git_hash": None, "limit": None}
    if harness.get("limit") is not None:
        raise InputError(results or "lmms-eval results", f"the run used --limit {harness['limit']}",
                         field="config.limit", fix="rerun lmms-eval without --limit (a board refuses sampled runs)")
    data = predictions_bytes(rows)
    record = checked_record(
        model=model, harness=harness, fingerprint=fingerprint, split=split, predictions_bytes=data, rows=len(rows),
        variants_tried=variants_tried, baseline=baseline, repo_id=repo_id, revision=revision, notes=notes,
        fix="check the --model-* and dataset options",
    )
    return record, data
