"""One ``rose score`` run: load the inputs, check coverage, score, summarise, write the outputs.

Reproduces the official v0.1 evaluator's run (protocol §8.6, §8.7): the same
coverage rules, the same model-name inference, and the same eight output files
with the same keys.  Differences are deliberate and only about robustness: every
input problem is an ``InputError`` naming file/line/field before anything is
written, and the output directory is replaced atomically.  Reading the inputs
is `score_inputs`; the file names are `OUTPUT_FILES`.
"""

from __future__ import annotations

import gc
import json
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional, Sequence

from . import aggregate as agg
from .contract import SPLITS, SUBSET_ORDER, SUBSET_SHORT, TEMPLATE_ORDER, TEMPLATE_SHORT
from .io import InputError, atomic_dir, write_csv, write_json
from .item import score_item
from .models import display_model_name, infer_model
from .report import table1_latex_row, table2_latex_row
from .predictions import LenientCount
from .score_inputs import load_metadata, load_predictions, resolve_metadata

__all__ = [
    "EVALUATOR_NAME",
    "DEFAULT_REPO_ID",
    "OUTPUT_FILES",
    "ScoreOptions",
    "Evaluation",
    "resolve_metadata",
    "load_metadata",
    "load_predictions",
    "infer_model",
    "display_model_name",
    "SPLITS",
    "evaluate",
    "write_outputs",
    "run",
]

EVALUATOR_NAME = "ROSE release evaluator v1"
DEFAULT_REPO_ID = "sysuwyh357/ROSE-v0.1"

OUTPUT_FILES: tuple[str, ...] = (
    "per_item_eval.jsonl",
    "error_cases.jsonl",
    "evaluation_summary.json",
    "summary_by_subset.csv",
    "summary_by_template.csv",
    "coverage_by_subset_template.csv",
    "table1_row.txt",
    "table2_row.txt",
)

METRIC_NOTES: dict[str, str] = {
    "PASS": (
        "Strict exact success: formal grammar must be valid and the "
        "count/click set/submission must be exactly correct."
    ),
    "VALID": "Exact formal-grammar validity, independent of semantic correctness.",
    "SOFT": (
        "COUNT=count soft; CLICK=strict click F1; "
        "CLICK_COUNT=mean(strict click F1, count soft, click-submit consistency)."
    ),
    "Table 1": (
        "Subset scores are item means. Avg. PASS/SOFT and VALID are "
        "macro averages over visual subsets with available rows."
    ),
    "Table 2": (
        "Each template PASS, C-F1, and R-OK is macro-averaged over "
        "visual subsets with available rows. Avg. PASS is the mean of "
        "the five template PASS values."
    ),
}
PARTIAL_WARNING = (
    "Metrics from a sampled run are diagnostic and are not directly "
    "comparable to the full official test results."
)


@dataclass(frozen=True)
class ScoreOptions:
    predictions: Path
    out_dir: Optional[Path] = None
    dataset_root: Optional[Path] = None
    metadata: Optional[Path] = None
    split: str = "test"
    allow_partial: bool = False
    model: str = ""
    display_name: str = ""
    near_miss_l1: int = 1
    digits: int = 1
    repo_id: str = DEFAULT_REPO_ID
    answer_key: Optional[Path] = None  # key folder of a withheld public build (dataset_root)
    lenient: bool = False  # score invalid prediction rows (scoring.predictions) as invalid answers instead of refusing


@dataclass
class Evaluation:
    """Everything one run computed; ``write_outputs`` turns it into files."""

    rows: list[dict]
    summary: dict
    table1_text: str
    table2_text: str
    prediction_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. rows scored as invalid because of --lenient


# --------------------------------------------------------------------------- evaluation


def _coverage_records(metadata_rows: Sequence[dict], eval_rows: Sequence[dict]) -> tuple[list[dict], list[dict]]:
    expected_s = Counter(str(r.get("rose_subset")) for r in metadata_rows)
    evaluated_s = Counter(str(r.get("rose_subset")) for r in eval_rows)
    expected_t = Counter(str(r.get("task_template")) for r in metadata_rows)
    evaluated_t = Counter(str(r.get("task_template")) for r in eval_rows)

    def rate(evaluated: int, expected: int) -> Optional[float]:
        return evaluated / expected if expected else None

    by_subset = [
        {
            "rose_subset": s,
            "expected": expected_s.get(s, 0),
            "evaluated": evaluated_s.get(s, 0),
            "coverage_rate": rate(evaluated_s.get(s, 0), expected_s.get(s, 0)),
        }
        for s in SUBSET_ORDER
    ]
    by_template = [
        {
            "task_template": t,
            "task_short": TEMPLATE_SHORT[t],
            "expected": expected_t.get(t, 0),
            "evaluated": evaluated_t.get(t, 0),
            "coverage_rate": rate(evaluated_t.get(t, 0), expected_t.get(t, 0)),
        }
        for t in TEMPLATE_ORDER
    ]
    return by_subset, by_template


def _score_all(
    matched: Sequence[str], predictions: dict[str, dict], metadata: dict[str, dict], model: str,
    near_miss_l1: int, metadata_path: Path, predictions_path: Path,
) -> list[dict]:
    rows = []
    for item_id in matched:
        prediction = predictions[item_id]
        meta = metadata[item_id]
        try:
            rows.append(
                score_item(
                    meta,
                    prediction.get("raw_text"),
                    model=prediction["model"] if "model" in prediction else model,
                    api_error_text=prediction.get("error"),
                    near_miss_l1=near_miss_l1,
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
            raise InputError(metadata_path, f"item {item_id}: cannot score ({detail})", field="region/grid fields",
                             fix="check rows, cols, region_type, region_params and the target cell lists") from None
    return rows


def evaluate(opts: ScoreOptions) -> Evaluation:
    """Load, check and score; raises InputError before any output exists."""
    if opts.split not in SPLITS:
        raise InputError("--split", f"unknown split {opts.split!r}", fix="use dev or test")
    metadata_path, files = resolve_metadata(dataset_root=opts.dataset_root, metadata=opts.metadata, split=opts.split,
                                             answer_key=opts.answer_key)
    metadata_rows, metadata_by_id = load_metadata(files, opts.split)
    if not metadata_rows:
        raise InputError(metadata_path, f"no metadata rows for split {opts.split!r}", fix="check --split")

    predictions_path = Path(opts.predictions).expanduser().resolve()
    lenient = LenientCount()
    prediction_rows, predictions_by_id = load_predictions(predictions_path, lenient=opts.lenient, count=lenient)
    model = infer_model(prediction_rows, opts.model, fallback=predictions_path.stem, source=predictions_path)
    model_name = display_model_name(model, opts.display_name)

    expected, predicted = set(metadata_by_id), set(predictions_by_id)
    matched = sorted(expected & predicted)
    missing = sorted(expected - predicted)
    extra = sorted(predicted - expected)
    if missing and not opts.allow_partial:
        raise InputError(
            predictions_path,
            f"missing {len(missing)} of {len(expected)} {opts.split} items (first: {', '.join(missing[:5])})",
            fix="predict every item, or pass --allow_partial for a sampled/demo run",
        )
    if not matched:
        raise InputError(predictions_path, f"no item_id matches the {opts.split} metadata in {metadata_path}",
                         field="item_id", fix="check --split and that the predictions belong to this dataset")

    rows = _score_all(matched, predictions_by_id, metadata_by_id, model, opts.near_miss_l1,
                      metadata_path, predictions_path)

    table = agg.RowTable(rows)  # columns extracted once, shared by every summary and table below
    t1, t2 = agg.table1(table), agg.table2(table)
    conditioned = agg.scene_conditioned_action(table)
    cov_subset, cov_template = _coverage_records(metadata_rows, rows)
    complete = not missing and not extra
    paper = {"table1": t1, "table2": t2, "scene_conditioned_action_available_rows": conditioned}
    summary = {
        "evaluator": EVALUATOR_NAME,
        "model": model,
        "display_name": model_name,
        "split": opts.split,
        "dataset_repo_id": opts.repo_id,
        "metadata_jsonl": str(metadata_path),
        "predictions_jsonl": str(predictions_path),
        "coverage": {
            "complete_submission": complete,
            "allow_partial": opts.allow_partial,
            "num_expected": len(expected),
            "num_prediction_rows": len(prediction_rows),
            "num_evaluated": len(rows),
            "num_missing": len(missing),
            "num_extra": len(extra),
            "coverage_rate": len(rows) / len(expected),
            "by_subset": cov_subset,
            "by_template": cov_template,
            "missing_item_ids": missing,
            "extra_item_ids": extra,
        },
        "overall": agg.summary_for(table),
        "by_subset": agg.group_summary(table, "rose_subset"),
        "by_template": agg.group_summary(table, "task_template"),
        "by_task_mode": agg.group_summary(table, "task_mode"),
        "by_region_type": agg.group_summary(table, "region_type"),
        "paper_metrics": paper,
        "paper_metrics_percent": agg.percentage_tree(paper),
        "metric_notes": {**METRIC_NOTES, "partial_warning": None if complete else PARTIAL_WARNING},
    }
    return Evaluation(
        rows=rows,
        summary=summary,
        table1_text=table1_latex_row(model_name, t1, opts.digits),
        table2_text=table2_latex_row(model_name, t2, opts.digits),
        warnings=[w for w in (lenient.warning(predictions_path),) if w],
    )


# --------------------------------------------------------------------------- output


def _check_out_dir(out_dir: Path) -> None:
    """Refuse to replace a directory that holds anything ``rose score`` did not write."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise InputError(out_dir, "--out_dir exists and is not a directory", fix="choose another --out_dir")
    foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in OUTPUT_FILES)
    if foreign:
        raise InputError(
            out_dir, f"--out_dir holds files rose score did not write ({', '.join(foreign[:3])})",
            fix="choose a new or empty --out_dir (it is replaced as a whole)",
        )


def _write_item_files(all_path: Path, errors_path: Path, rows: Sequence[dict]) -> None:
    """``per_item_eval.jsonl`` (every row) and ``error_cases.jsonl`` (rows without PASS) in one pass.

    Each row is serialised once, in ``io.write_jsonl``'s line format, and goes to
    both files when it failed (the official run's bytes, pinned by tests/scoring).
    """
    with all_path.open("w", encoding="utf-8", newline="\n") as every, \
            errors_path.open("w", encoding="utf-8", newline="\n") as errors:
        for row in rows:
            line = json.dumps(row, ensure_ascii=False) + "\n"
            every.write(line)
            if row.get("pass") != 1:
                errors.write(line)


def write_outputs(result: Evaluation, out_dir: Path) -> Path:
    """Write the eight official files into ``out_dir``, atomically replacing it."""
    out_dir = Path(out_dir).expanduser().resolve()
    _check_out_dir(out_dir)
    summary = result.summary
    with atomic_dir(out_dir) as tmp:
        _write_item_files(tmp / "per_item_eval.jsonl", tmp / "error_cases.jsonl", result.rows)
        write_json(tmp / "evaluation_summary.json", summary)
        write_csv(
            tmp / "summary_by_subset.csv",
            [{"rose_subset": s, "subset_short": SUBSET_SHORT[s], **summary["by_subset"].get(s, {"n": 0})}
             for s in SUBSET_ORDER],
        )
        write_csv(
            tmp / "summary_by_template.csv",
            [{"task_template": t, "task_short": TEMPLATE_SHORT[t], **summary["by_template"].get(t, {"n": 0})}
             for t in TEMPLATE_ORDER],
        )
        coverage = summary["coverage"]
        write_csv(
            tmp / "coverage_by_subset_template.csv",
            [{"group": "subset", **r} for r in coverage["by_subset"]]
            + [{"group": "template", **r} for r in coverage["by_template"]],
        )
        (tmp / "table1_row.txt").write_text(result.table1_text + "\n", encoding="utf-8")
        (tmp / "table2_row.txt").write_text(result.table2_text + "\n", encoding="utf-8")
    return out_dir


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the run.

    A run holds every metadata row and every scored row (hundreds of thousands
    of dicts) alive at once; the collector's generation scans grow with that
    count, which made loading and scoring 100,000 items take twice as long.  The
    run creates no reference cycles worth collecting; reference counting still
    frees everything.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run(opts: ScoreOptions) -> Evaluation:
    """Evaluate and, if ``opts.out_dir`` is set, write the output files."""
    if opts.out_dir is not None:
        _check_out_dir(Path(opts.out_dir).expanduser().resolve())  # fail before the work, not after
    with _collector_paused():
        result = evaluate(opts)
        if opts.out_dir is not None:
            write_outputs(result, opts.out_dir)
    return result
