"""A human run as a leaderboard submission: ``submission.json`` + ``predictions.jsonl``.

Built with the leaderboard's own bundle functions (``rose_bench.leaderboard.bundle``:
record layout, canonical predictions bytes, schema check on read-back), so the
board takes a human row like any model's.  The annotator is the model name;
the row is marked human by ``harness.name == "rose-human"`` and
``model.api_model_id == "human:<annotator>"``, and the notes say which sample
was answered (a study answers a stratified sample, so the board must allow
partial rows).  Same run -> same bytes.
"""

from __future__ import annotations

from pathlib import Path

from rose_bench import __version__
from rose_bench.leaderboard.bundle import (
    PREDICTIONS_NAME, SUBMISSION_NAME, checked_record, dataset_fingerprint, predictions_bytes, write_bundle as write_dir,
)
from rose_bench.scoring.paths import check_output

from .report import ScoredRun, seconds_per_item

__all__ = ["BUNDLE_FILES", "HARNESS_NAME", "submission", "write_bundle"]

BUNDLE_FILES = (SUBMISSION_NAME, PREDICTIONS_NAME)
HARNESS_NAME = "rose-human"


def _notes(run: ScoredRun) -> str:
    config = run.config
    median = seconds_per_item(run.predictions)["median"]
    templates = ",".join(config.templates)
    return (f"human baseline: annotator {config.annotator} answered {len(run.predictions)} of {len(config.items)} "
            f"{config.split} items sampled by `rose human` (seed {config.seed}, stratified by subset x template; "
            f"templates {templates})" + (f"; median {median:.1f} s per item" if median is not None else ""))


def submission(run: ScoredRun, organisation: str = "human annotators") -> tuple[dict, bytes]:
    """(submission.json object, predictions.jsonl bytes): the recorded answers as (item_id, raw_text, model)."""
    annotator = run.config.annotator
    data = predictions_bytes([{"item_id": r["item_id"], "raw_text": r["raw_text"], "model": annotator}
                              for r in run.predictions])
    record = checked_record(
        model={"name": annotator, "organisation": organisation, "revision": None,
               "api_model_id": f"human:{annotator}", "open_weights": False, "parameters": None},
        harness={"name": HARNESS_NAME, "version": __version__, "git_hash": None,
                 "model": f"rose human --annotator {annotator}", "limit": None},
        fingerprint=dataset_fingerprint(run.build), split=run.config.split, predictions_bytes=data,
        rows=len(run.predictions), notes=_notes(run),
        # the leaderboard's schema no longer takes this record: say so instead of writing it
        fix="update rose_bench.human.bundle to the leaderboard's submission schema",
    )
    return record, data


def write_bundle(run: ScoredRun, out_dir: Path, organisation: str = "human annotators") -> Path:
    """Write the bundle folder ``out_dir`` in one rename (an earlier bundle there is replaced)."""
    out = check_output(out_dir, [("RUN_DIR predictions", run.run_dir / "predictions.jsonl"),
                                 ("RUN_DIR run.json", run.run_dir / "run.json"), ("BUILD", run.build)],
                       flag="--bundle-dir", replaceable=BUNDLE_FILES, owner="rose human report")
    record, data = submission(run, organisation)
    return write_dir(out, record, data, overwrite=True)
