"""lmms-eval samples JSONL -> ROSE prediction rows (the command line is ``rose lmms-to-predictions``).

The predictions file is what the reference runner writes (protocol §10) and what
``rose score`` reads, so a model run through lmms-eval can be submitted and
re-scored with the official tables.  Per sample:

* ``item_id`` and the descriptive fields come from the ROSE row that
  ``process_results`` stored under the ``pass`` metric (``--log_samples``);
* ``raw_text`` is ``filtered_resps``, stripped as the runner strips responses
  (lmms-eval's own scoring saw the same stripped text);
* an lmms-eval failure marker (the request failed after all retries) becomes
  ``error`` with ``raw_text: null``, as the runner records API errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from rose_bench.scoring.io import InputError, read_jsonl

from .metrics import LMMS_FAILURE_PREFIXES, PAYLOAD_METRIC

# Record layout of the reference runner (protocol §10), minus the optional raw_response.
PREDICTION_FIELDS: tuple[str, ...] = (
    "item_id", "scene_id", "image_id", "model", "rose_subset", "rose_split", "split", "primitive_type",
    "task_template", "task_mode", "region_type", "region_case", "cue_type", "difficulty", "raw_text", "error",
)


def default_model(path: Path) -> str:
    """lmms-eval writes samples to ``<output_path>/<model name>/<date>_samples_<task>.jsonl``."""
    return Path(path).resolve().parent.name


def prediction_from_sample(sample: Mapping[str, Any], model: str, *, path: Path, line: int) -> dict:
    payload = sample.get(PAYLOAD_METRIC)
    if not isinstance(payload, Mapping) or not payload.get("item_id"):
        raise InputError(
            path, f"no ROSE row under '{PAYLOAD_METRIC}'", line=line, field=PAYLOAD_METRIC,
            fix="convert samples of a rose_* task run with --log_samples",
        )
    text = sample.get("filtered_resps")
    if isinstance(text, list) and len(text) == 1:
        text = text[0]
    if text is not None and not isinstance(text, str):
        raise InputError(path, f"expected the answer text, got {type(text).__name__}", line=line,
                         field="filtered_resps", fix="convert samples of a rose_* task (one answer per item)")
    text = (text or "").strip()
    error = None
    if text.startswith(LMMS_FAILURE_PREFIXES):
        text, error = None, text
    record = {name: payload.get(name) for name in PREDICTION_FIELDS}
    record.update(model=model, split=payload.get("rose_split"), raw_text=text, error=error)
    return record


def convert(paths: Sequence[Path], model: str = "") -> tuple[list[dict], int]:
    """(prediction rows sorted by item_id, number of duplicate samples dropped)."""
    models = {default_model(p) for p in paths}
    if not model and len(models) > 1:
        raise InputError(
            paths[0], f"samples come from several model folders {sorted(models)}",
            fix="convert one model at a time, or pass --model NAME",
        )
    by_id: dict[str, tuple[dict, Path, int]] = {}
    dropped = 0
    for path in paths:
        for line, sample in enumerate(read_jsonl(path), start=1):
            record = prediction_from_sample(sample, model or default_model(path), path=path, line=line)
            seen = by_id.get(record["item_id"])
            if seen is None:
                by_id[record["item_id"]] = (record, path, line)
                continue
            first, first_path, first_line = seen
            if (first["raw_text"], first["error"]) != (record["raw_text"], record["error"]):
                raise InputError(
                    path, f"item {record['item_id']} was answered differently at {first_path}:{first_line}", line=line,
                    field="item_id", fix="convert samples of one run (a task and its dev/group variants overlap)",
                )
            dropped += 1
    return [by_id[key][0] for key in sorted(by_id)], dropped
