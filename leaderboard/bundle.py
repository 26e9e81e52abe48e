"""Submission bundles: ``submission.json`` (who, how, on which build) + ``predictions.jsonl`` (the raw answers).

A bundle pins its predictions by sha256 and its dataset by the build's
fingerprint (sha256 of ``manifest.json``), so a board can refuse a run on
another build and anyone can re-score the exact bytes later.  Everything read
from a bundle is size-bounded before it is parsed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from rose_bench import __version__
from rose_bench.scoring.answer_key import dataset_fingerprint  # re-exported: bundles pin builds by it
from rose_bench.scoring.contract import SPLITS
from rose_bench.scoring.io import InputError, atomic_dir, parse_json, parse_jsonl
from rose_bench.scoring.models import model_names
from rose_bench.scoring.predictions import FIX as PREDICTION_FIX, prediction_problem

__all__ = [
    "FORMAT", "SUBMISSION_NAME", "PREDICTIONS_NAME", "MAX_SUBMISSION_BYTES", "MAX_PREDICTIONS_BYTES",
    "Bundle", "dataset_fingerprint", "sha256_bytes", "schema", "schema_problems", "read_bundle",
    "submission_record", "checked_record", "write_bundle", "harness_from_lmms_results", "bundle_problems",
]

FORMAT = "rose-submission/1"
SUBMISSION_NAME = "submission.json"
PREDICTIONS_NAME = "predictions.jsonl"
MAX_SUBMISSION_BYTES = 1 << 20  # 1 MiB
MAX_PREDICTIONS_BYTES = 256 << 20  # 256 MiB: ~46 KiB per item of the full test split
MAX_LINE_BYTES = 1 << 20
_SCHEMA_PATH = Path(__file__).with_name("schemas") / "submission.schema.json"


@dataclass(frozen=True)
class Bundle:
    """A bundle as read from disk: its metadata, its prediction rows, and the exact bytes' sha256."""

    path: Path
    meta: dict
    predictions: tuple[dict, ...]
    predictions_bytes: bytes
    sha256: str

    @property
    def id(self) -> str:
        return self.sha256


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(_SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_problems(meta: Any) -> list[str]:
    """``field: message`` for each JSON Schema violation, in a stable order."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(meta), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    return [f"{'.'.join(map(str, e.absolute_path)) or '(top level)'}: {e.message[:300]}" for e in errors]


def _read_bounded(path: Path, limit: int, what: str) -> bytes:
    if not path.is_file():
        raise InputError(path, f"{what} missing", fix=f"a bundle folder holds {SUBMISSION_NAME} and {PREDICTIONS_NAME}")
    size = path.stat().st_size
    if size > limit:
        raise InputError(path, f"{what} is {size} bytes, more than the limit of {limit}",
                         fix="submit one answer per item without extra payload")
    return path.read_bytes()


def _first_long_line(text: str) -> Optional[int]:
    """The number of the first line longer than ``MAX_LINE_BYTES`` characters, if any (no copy of the text)."""
    start, line_no = 0, 1
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > MAX_LINE_BYTES:
            return line_no
        start, line_no = end + 1, line_no + 1
    return None


def _parse_predictions(path: Path, data: bytes) -> list[dict]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})", fix="save the file as UTF-8") from None
    too_long = _first_long_line(text)
    if too_long is not None:
        raise InputError(path, "line longer than 1 MiB", line=too_long, fix="one short answer per item")
    rows: list[dict] = []
    first: dict[str, int] = {}
    lines: list[int] = []
    for line_no, row, error in parse_jsonl(text):  # the one JSONL policy (scoring.io)
        if error is not None:
            raise InputError(path, error, line=line_no, fix="write one complete JSON object per line")
        if not isinstance(row, dict):
            raise InputError(path, f"expected a JSON object, got {type(row).__name__}", line=line_no,
                             fix="write one JSON object per line")
        problem = prediction_problem(row)  # the one definition shared with rose validate / score / bridge
        if problem is not None:
            raise InputError(path, problem.reason, line=line_no, field=problem.field, fix=PREDICTION_FIX)
        item_id = row["item_id"]
        if item_id in first:
            raise InputError(path, f"duplicate item_id {item_id!r} (first on line {first[item_id]})", line=line_no,
                             field="item_id", fix="keep exactly one prediction per item")
        first[item_id] = line_no
        rows.append(row)
        lines.append(line_no)
    models = model_names(rows)  # the one model-name rule (scoring.models)
    if len(models) > 1:
        (a, la), (b, lb) = sorted(((name, lines[i]) for name, i in models.items()), key=lambda kv: kv[1])[:2]
        raise InputError(path, f"rows from several models ({a!r} on line {la}, {b!r} on line {lb})", field="model",
                         fix="one model per bundle")
    if not rows:
        raise InputError(path, "no predictions", fix="the bundle needs one prediction per item")
    return rows


def read_bundle(bundle_dir: Path) -> Bundle:
    """Read and self-check a bundle: schema, predictions parse, hash and row count match the declaration."""
    bundle_dir = Path(bundle_dir)
    if not bundle_dir.is_dir():
        raise InputError(bundle_dir, "bundle is not a directory", fix="pass the folder `rose submission create` wrote")
    meta_path = bundle_dir / SUBMISSION_NAME
    raw_meta = _read_bounded(meta_path, MAX_SUBMISSION_BYTES, SUBMISSION_NAME)
    try:
        meta, error = parse_json(raw_meta.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(meta_path, "not UTF-8 text", fix="save submission.json as UTF-8") from None
    if error is not None:
        raise InputError(meta_path, error, fix="write submission.json with `rose submission create`")
    problems = schema_problems(meta)
    if problems:
        raise InputError(meta_path, f"schema: {problems[0]}" + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""),
                         fix="see leaderboard/schemas/submission.schema.json, or recreate with `rose submission create`")
    pred_path = bundle_dir / PREDICTIONS_NAME
    data = _read_bounded(pred_path, MAX_PREDICTIONS_BYTES, PREDICTIONS_NAME)
    digest = sha256_bytes(data)
    if digest != meta["predictions"]["sha256"]:
        raise InputError(pred_path, f"sha256 {digest[:12]}... differs from submission.json's "
                         f"{meta['predictions']['sha256'][:12]}... (file changed after the bundle was made)",
                         field="predictions.sha256", fix="recreate the bundle with `rose submission create`")
    rows = _parse_predictions(pred_path, data)
    if len(rows) != meta["predictions"]["rows"]:
        raise InputError(meta_path, f"declares {meta['predictions']['rows']} rows, predictions.jsonl has {len(rows)}",
                         field="predictions.rows", fix="recreate the bundle with `rose submission create`")
    limit = meta["harness"].get("limit")
    if limit is not None:
        raise InputError(meta_path, f"made with lmms-eval --limit {limit} (a sample, not the split)",
                         field="harness.limit", fix="rerun lmms-eval without --limit")
    return Bundle(path=bundle_dir, meta=meta, predictions=tuple(rows), predictions_bytes=data, sha256=digest)


def write_bundle(out_dir: Path, record: Mapping[str, Any], data: bytes, *, overwrite: bool = False) -> Path:
    """Write the bundle folder in one rename, after reading it back as `rose leaderboard add` will.

    Without ``overwrite`` a non-empty ``out_dir`` is refused; with it an earlier bundle there is replaced.
    """
    with atomic_dir(out_dir, overwrite=overwrite) as tmp:
        (tmp / PREDICTIONS_NAME).write_bytes(data)
        (tmp / SUBMISSION_NAME).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        read_bundle(tmp)
    return Path(out_dir)


def bundle_problems(bundle_dir: Path) -> list[str]:
    """For ``rose validate``: the problems of a bundle folder (empty if it reads cleanly)."""
    try:
        read_bundle(bundle_dir)
    except InputError as exc:
        return [str(exc)]
    return []


def harness_from_lmms_results(results: Mapping[str, Any]) -> dict:
    """Provenance copied from an lmms-eval ``*_results.json`` (version, git hash, model args, gen kwargs, --limit)."""
    config = results.get("config") or {}

    def text(value: Any) -> Optional[str]:
        return None if value is None else str(value)[:4000]

    gen = config.get("gen_kwargs")
    return {
        "name": "lmms-eval",
        "version": text(results.get("lmms_eval_version"))[:200] if results.get("lmms_eval_version") else None,
        "git_hash": text(results.get("git_hash"))[:64] if results.get("git_hash") else None,
        "model": text(config.get("model"))[:200] if config.get("model") else None,
        "model_args": text(config.get("model_args")),
        "gen_kwargs": gen if isinstance(gen, (str, dict)) or gen is None else str(gen),
        "limit": _limit(config.get("limit")),
        "tasks": sorted(str(t)[:200] for t in (results.get("results") or {}))[:50],
    }


def _limit(value: Any) -> Optional[float]:
    """lmms-eval's --limit (a count or a fraction); None when the run covered the split."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError("lmms-eval results", f"config.limit is {str(value)[:40]!r}", field="config.limit",
                         fix="pass the *_results.json lmms-eval wrote for this run") from None


def submission_record(
    *, model: Mapping[str, Any], harness: Mapping[str, Any], fingerprint: str, split: str,
    predictions_bytes: bytes, rows: int, variants_tried: int = 1, baseline: bool = False,
    repo_id: Optional[str] = None, revision: Optional[str] = None, notes: str = "",
) -> dict:
    """The submission.json object (key order fixed, so the same inputs give the same bytes)."""
    if split not in SPLITS:
        raise InputError("--split", f"unknown split {split!r}", fix="use dev or test")
    record = {
        "format": FORMAT,
        "model": dict(model),
        "harness": dict(harness),
        "dataset": {"fingerprint": fingerprint, "repo_id": repo_id, "revision": revision, "split": split},
        "variants_tried": variants_tried,
        "predictions": {"file": PREDICTIONS_NAME, "sha256": sha256_bytes(predictions_bytes), "rows": rows},
        "rose_bench_version": __version__,
        "baseline": baseline,
    }
    if notes:
        record["notes"] = notes
    return record


def checked_record(*, fix: str, **fields: Any) -> dict:
    """``submission_record(**fields)``, refused (``InputError`` naming the first schema problem) unless valid."""
    record = submission_record(**fields)
    problems = schema_problems(record)
    if problems:
        raise InputError(SUBMISSION_NAME, f"schema: {problems[0]}", fix=fix)
    return record


def predictions_bytes(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """Canonical predictions.jsonl bytes: one compact JSON object per line, rows sorted by item_id."""
    ordered = sorted(rows, key=lambda r: str(r.get("item_id")))
    return "".join(json.dumps(dict(r), ensure_ascii=False) + "\n" for r in ordered).encode("utf-8")
