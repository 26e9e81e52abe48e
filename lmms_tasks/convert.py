"""``rose lmms-to-predictions``: lmms-eval samples JSONL -> a ROSE predictions file.

The predictions file is what the reference runner writes (spec §10) and what
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

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from rose_bench.scoring.io import InputError, read_jsonl, write_jsonl

from .metrics import LMMS_FAILURE_PREFIXES, PAYLOAD_METRIC

# Record layout of the reference runner (spec §10), minus the optional raw_response.
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


def write_predictions(path: Path, rows: Iterable[dict]) -> None:
    """Write atomically: a temp file next to ``path``, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write_jsonl(tmp, rows)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "lmms-to-predictions",
        help="turn lmms-eval samples (--log_samples) of rose_* tasks into a predictions file for 'rose score'",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("samples", nargs="+", type=Path, metavar="SAMPLES_JSONL",
                        help="lmms-eval <date>_samples_<task>.jsonl files of one model")
    parser.add_argument("--out", required=True, type=Path, help="predictions JSONL to write")
    parser.add_argument("--model", default="", help="model name to record (default: the samples' folder name)")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        rows, dropped = convert(args.samples, args.model)
        write_predictions(args.out, rows)
    except InputError as exc:
        print(f"rose lmms-to-predictions: {exc}", file=sys.stderr)
        return 2
    note = f" ({dropped} duplicate samples of the same answers dropped)" if dropped else ""
    print(f"wrote {len(rows)} predictions to {args.out}{note}")
    return 0
