"""One ``rose score`` run: load the inputs, check coverage, score, summarise, write the outputs.

Reproduces the official v0.1 evaluator's run (protocol §8.6, §8.7): the same
coverage rules, the same model-name inference, and the same eight output files
with the same keys.  Differences are deliberate and only about robustness: every
input problem is an ``InputError`` naming file/line/field before anything is
written, and the output directory is replaced atomically.  Reading and scoring
the inputs is `scored_items` (in one process, or two for a large run); this module
summarises and writes; the file names are `OUTPUT_FILES`.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping, Optional, Sequence

from . import aggregate as agg
from .contract import SUBSET_ORDER, SUBSET_SHORT, TEMPLATE_ORDER, TEMPLATE_SHORT
from .forked import Child, ChildFailed, can_fork
from .io import InputError, atomic_dir, jsonl_line, write_csv, write_json
from .scored_items import ScoredItems, ScoreOptions, score_items
from .report import table1_latex_row, table2_latex_row

__all__ = ["EVALUATOR_NAME", "OUTPUT_FILES", "FORK_WRITER_MIN_ROWS", "Evaluation", "evaluate", "write_outputs", "run"]

EVALUATOR_NAME = "ROSE release evaluator v1"

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


@dataclass
class Evaluation:
    """Everything one run computed; ``write_outputs`` turns it into files."""

    rows: list[dict]
    summary: dict
    table1_text: str
    table2_text: str
    warnings: list[str] = field(default_factory=list)  # e.g. rows scored as invalid because of --lenient


# --------------------------------------------------------------------------- evaluation


def _coverage_records(expected_s: Mapping[str, int], expected_t: Mapping[str, int],
                      table: agg.RowTable) -> tuple[list[dict], list[dict]]:
    evaluated_s = {value: len(idx) for value, idx in table.groups("rose_subset").items()}
    evaluated_t = {value: len(idx) for value, idx in table.groups("task_template").items()}

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


def _summarise(scored: ScoredItems, opts: ScoreOptions) -> Evaluation:
    """Every summary and paper table of the scored rows (pure: no input is read again)."""
    rows = scored.rows
    table = agg.RowTable(rows)  # columns extracted once, shared by every summary and table below
    t1, t2 = agg.table1(table), agg.table2(table)
    conditioned = agg.scene_conditioned_action(table)
    cov_subset, cov_template = _coverage_records(scored.expected_by_subset, scored.expected_by_template, table)
    complete = not scored.missing and not scored.extra
    paper = {"table1": t1, "table2": t2, "scene_conditioned_action_available_rows": conditioned}
    summary = {
        "evaluator": EVALUATOR_NAME,
        "model": scored.model,
        "display_name": scored.model_name,
        "split": opts.split,
        "dataset_repo_id": opts.repo_id,
        "metadata_jsonl": str(scored.metadata_path),
        "predictions_jsonl": str(scored.predictions_path),
        "coverage": {
            "complete_submission": complete,
            "allow_partial": opts.allow_partial,
            "num_expected": scored.num_expected,
            "num_prediction_rows": scored.num_prediction_rows,
            "num_evaluated": len(rows),
            "num_missing": len(scored.missing),
            "num_extra": len(scored.extra),
            "coverage_rate": len(rows) / scored.num_expected,
            "by_subset": cov_subset,
            "by_template": cov_template,
            "missing_item_ids": scored.missing,
            "extra_item_ids": scored.extra,
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
        table1_text=table1_latex_row(scored.model_name, t1, opts.digits),
        table2_text=table2_latex_row(scored.model_name, t2, opts.digits),
        warnings=scored.warnings,
    )


def evaluate(opts: ScoreOptions) -> Evaluation:
    """Load, check, score and summarise; raises InputError before any output exists."""
    return _summarise(score_items(opts), opts)


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

    Each row is serialised once (``io.jsonl_line``) and goes to both files when
    it failed (the official run's bytes, pinned by tests/scoring).
    """
    with all_path.open("w", encoding="utf-8", newline="\n") as every, \
            errors_path.open("w", encoding="utf-8", newline="\n") as errors:
        for row in rows:
            line = jsonl_line(row)
            every.write(line)
            if row.get("pass") != 1:
                errors.write(line)


# Below this many rows a writer process costs more than it saves (benchmarks/bench_score_vs_official.py).
FORK_WRITER_MIN_ROWS = 20_000


@contextmanager
def _item_files_alongside(folder: Path, rows: Sequence[dict], *, may_fork: bool) -> Iterator[None]:
    """Write the per-item files while the block runs: by a forked child for a large run, else first, here.

    Serialising every row is the largest single cost of a big run and needs
    nothing the summaries compute, so a child (``scoring.forked``) writes the two
    files while this process summarises: the same bytes either way.  A failed
    child is an error here; an error here stops the child.
    """
    all_path, errors_path = folder / "per_item_eval.jsonl", folder / "error_cases.jsonl"
    writer = None
    if may_fork and len(rows) >= FORK_WRITER_MIN_ROWS and can_fork():
        with suppress(ChildFailed):  # the system refused a process: write here
            writer = Child(lambda: _write_item_files(all_path, errors_path, rows), report=True)
    if writer is None:
        _write_item_files(all_path, errors_path, rows)
        yield
        return
    try:
        yield
        try:
            writer.result()
        except ChildFailed as exc:
            raise OSError(f"{all_path}: the writer process failed ({exc}; its error is printed above)") from None
    finally:
        writer.stop()


def _write_summary_files(folder: Path, result: Evaluation) -> None:
    """The six summary files of the official layout."""
    summary = result.summary
    write_json(folder / "evaluation_summary.json", summary)
    write_csv(
        folder / "summary_by_subset.csv",
        [{"rose_subset": s, "subset_short": SUBSET_SHORT[s], **summary["by_subset"].get(s, {"n": 0})}
         for s in SUBSET_ORDER],
    )
    write_csv(
        folder / "summary_by_template.csv",
        [{"task_template": t, "task_short": TEMPLATE_SHORT[t], **summary["by_template"].get(t, {"n": 0})}
         for t in TEMPLATE_ORDER],
    )
    coverage = summary["coverage"]
    write_csv(
        folder / "coverage_by_subset_template.csv",
        [{"group": "subset", **r} for r in coverage["by_subset"]]
        + [{"group": "template", **r} for r in coverage["by_template"]],
    )
    (folder / "table1_row.txt").write_text(result.table1_text + "\n", encoding="utf-8")
    (folder / "table2_row.txt").write_text(result.table2_text + "\n", encoding="utf-8")


def write_outputs(result: Evaluation, out_dir: Path) -> Path:
    """Write the eight official files into ``out_dir``, atomically replacing it."""
    out_dir = Path(out_dir).expanduser().resolve()
    _check_out_dir(out_dir)
    with atomic_dir(out_dir) as tmp:
        _write_item_files(tmp / "per_item_eval.jsonl", tmp / "error_cases.jsonl", result.rows)
        _write_summary_files(tmp, result)
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
    """Evaluate and, if ``opts.out_dir`` is set, write the output files (the per-item ones alongside the summaries)."""
    if opts.out_dir is None:
        with _collector_paused():
            return evaluate(opts)
    out_dir = Path(opts.out_dir).expanduser().resolve()
    _check_out_dir(out_dir)  # fail before the work, not after
    with _collector_paused():
        scored = score_items(opts)
        _check_out_dir(out_dir)  # and again: it may have been filled meanwhile
        with atomic_dir(out_dir) as tmp:
            with _item_files_alongside(tmp, scored.rows, may_fork=not opts.one_process):
                scored.inputs = None  # freed here, alongside the writer
                result = _summarise(scored, opts)
            _write_summary_files(tmp, result)
    return result
