"""``rose human report``: score human runs with ``rose score`` rules, compare annotators, write bundles.

Each run is scored by ``rose_bench.scoring.evaluate.evaluate`` on its own build
and split (``--allow-partial``: a study answers a sample), so a human PASS means
exactly what a model's PASS means.  Agreement is pairwise over the items two
runs have in common: the same answer (compared after parsing, so spacing and
click order do not matter) and the same PASS outcome.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, Optional, Sequence

from rose_bench.scoring.contract import SUBSET_ORDER, SUBSET_SHORT, TEMPLATE_ORDER, TEMPLATE_SHORT
from rose_bench.scoring.answer_key import dataset_fingerprint
from rose_bench.scoring.evaluate import evaluate
from rose_bench.scoring.score_inputs import load_predictions
from rose_bench.scoring.scored_items import ScoreOptions
from rose_bench.scoring.grammar import format_answer, parse_answer
from rose_bench.scoring.io import InputError
from rose_bench.scoring.numeric import format_percent
from rose_bench.scoring.report import markdown_table

from .run import PREDICTIONS_FILE, RunConfig, read_config

__all__ = ["ScoredRun", "score_run", "agreement", "report_data", "markdown_report", "canonical_answer",
           "seconds_per_item"]


@dataclass(frozen=True)
class ScoredRun:
    run_dir: Path
    build: Path
    config: RunConfig
    rows: list[dict]  # per-item records of score_item, in item-id order
    predictions: list[dict]  # the recorded lines, in answering order
    summary: dict


def _build_of(run_dir: Path, config: RunConfig, override: Optional[Path]) -> Path:
    build = Path(override) if override is not None else (run_dir / config.build)
    build = build.expanduser().resolve()
    found = dataset_fingerprint(build)
    if found != config.fingerprint:
        raise InputError(build / "manifest.json", f"this build is not the one run {run_dir} was answered on",
                         fix="pass --build with the build directory the run used (manifest sha256 "
                         f"{config.fingerprint[:19]}...)")
    return build


def score_run(run_dir: Path, build_override: Optional[Path] = None) -> ScoredRun:
    """Score one run's answers against its build (InputError when the run or build is not usable)."""
    run_dir = Path(run_dir).expanduser().resolve()
    config = read_config(run_dir)
    build = _build_of(run_dir, config, build_override)
    predictions_path = run_dir / PREDICTIONS_FILE
    if not predictions_path.is_file() or not predictions_path.read_text(encoding="utf-8").strip():
        raise InputError(predictions_path, "no answers recorded yet", fix="answer some items with `rose human` first")
    predictions, by_id = load_predictions(predictions_path)
    stray = sorted(set(by_id) - set(config.items))
    if stray:
        raise InputError(predictions_path, f"answers for items outside this run's sample (first: {stray[0]})",
                         field="item_id", fix="keep only the lines `rose human` wrote")
    result = evaluate(ScoreOptions(predictions=predictions_path, dataset_root=build, split=config.split,
                                   allow_partial=True, model=config.annotator))
    return ScoredRun(run_dir, build, config, result.rows, predictions, result.summary)


def canonical_answer(raw_text: Any, task_mode: str) -> str:
    """The answer's canonical text when it parses (so equal answers compare equal), else the stripped text."""
    parsed = parse_answer(raw_text, task_mode)
    if not parsed.valid:
        return "INVALID:" + str(raw_text or "").strip()
    if task_mode == "COUNT":
        return format_answer("COUNT", count=parsed.count)
    clicks = sorted(parsed.clicks)  # duplicates kept: they make an answer different (and fail it)
    text = "; ".join(f"CLICK({c.key})" for c in clicks)
    return f"{text} | {parsed.end_token} {parsed.submit_count if parsed.submit_count is not None else ''}".strip()


def agreement(a: ScoredRun, b: ScoredRun) -> dict[str, Any]:
    """Same-answer and same-PASS rates over the items both runs answered (same build and split only)."""
    record = {"a": a.config.annotator, "b": b.config.annotator, "common_items": 0,
              "same_answer": None, "same_pass": None}
    if a.config.fingerprint != b.config.fingerprint or a.config.split != b.config.split:
        return record
    rows_a = {r["item_id"]: r for r in a.rows}
    rows_b = {r["item_id"]: r for r in b.rows}
    common = sorted(set(rows_a) & set(rows_b))
    if not common:
        return record
    same_answer = sum(canonical_answer(rows_a[i]["raw_text"], rows_a[i]["task_mode"])
                      == canonical_answer(rows_b[i]["raw_text"], rows_b[i]["task_mode"]) for i in common)
    same_pass = sum(rows_a[i]["pass"] == rows_b[i]["pass"] for i in common)
    return {**record, "common_items": len(common), "same_answer": same_answer / len(common),
            "same_pass": same_pass / len(common)}


def seconds_per_item(predictions: Sequence[dict]) -> dict[str, Optional[float]]:
    """Median, mean and total answering time of the recorded lines (None when no line has a time)."""
    values = [r["elapsed_ms"] / 1000.0 for r in predictions
              if isinstance(r.get("elapsed_ms"), (int, float)) and not isinstance(r.get("elapsed_ms"), bool)]
    if not values:
        return {"median": None, "mean": None, "total": None}
    return {"median": statistics.median(values), "mean": statistics.fmean(values), "total": sum(values)}


def _pass_of(group: dict, key: str) -> dict[str, Any]:
    record = group.get(key) or {"n": 0}
    return {"n": record.get("n", 0), "pass": record.get("pass_rate")}


def report_data(runs: Sequence[ScoredRun]) -> dict[str, Any]:
    """Everything the report prints, as plain data (``--json``)."""
    annotators = []
    for run in runs:
        s = run.summary
        annotators.append({
            "annotator": run.config.annotator,
            "run_dir": str(run.run_dir),
            "split": run.config.split,
            "fingerprint": run.config.fingerprint,
            "answered": len(run.rows),
            "sampled": len(run.config.items),
            "pass": s["overall"].get("pass_rate"),
            "valid": s["overall"].get("valid_rate"),
            "avg_pass_macro": s["paper_metrics"]["table1"]["Avg. PASS"],
            "by_template": {t: _pass_of(s["by_template"], t) for t in TEMPLATE_ORDER},
            "by_subset": {sub: _pass_of(s["by_subset"], sub) for sub in SUBSET_ORDER},
            "seconds_per_item": seconds_per_item(run.predictions),
            "input": {mode: sum(1 for r in run.predictions if r.get("input") == mode) for mode in ("cells", "text")},
        })
    pairs = [agreement(a, b) for a, b in combinations(runs, 2)]
    return {"annotators": annotators, "agreement": pairs}


def _sec(value: Optional[float]) -> str:
    return "--" if value is None else f"{value:.1f}"


def markdown_report(data: dict[str, Any]) -> str:
    """PASS (%) by template and by subset, time per item, and pairwise agreement, as Markdown."""
    people = data["annotators"]
    out = ["## Human baseline (PASS %, item means over the answered sample)", ""]
    cell = lambda rec: f"{format_percent(rec['pass'])} (n={rec['n']})" if rec["n"] else "--"  # noqa: E731
    out += markdown_table(
        ["Annotator", "Answered", "PASS", "VALID", *(TEMPLATE_SHORT[t] for t in TEMPLATE_ORDER)],
        [[p["annotator"], f"{p['answered']}/{p['sampled']}", format_percent(p["pass"]), format_percent(p["valid"]),
          *(cell(p["by_template"][t]) for t in TEMPLATE_ORDER)] for p in people],
    )
    out += ["", "### PASS % by subset", ""]
    out += markdown_table(["Annotator", *(SUBSET_SHORT[s] for s in SUBSET_ORDER), "Avg. PASS (macro)"],
                  [[p["annotator"], *(cell(p["by_subset"][s]) for s in SUBSET_ORDER),
                    format_percent(p["avg_pass_macro"])] for p in people])
    out += ["", "### Time per item (seconds)", ""]
    out += markdown_table(["Annotator", "median", "mean", "total", "clicked / typed"],
                  [[p["annotator"], _sec(p["seconds_per_item"]["median"]), _sec(p["seconds_per_item"]["mean"]),
                    _sec(p["seconds_per_item"]["total"]), f"{p['input']['cells']} / {p['input']['text']}"]
                   for p in people])
    if data["agreement"]:
        out += ["", "### Agreement (pairs of annotators, items both answered)", ""]
        out += markdown_table(["Pair", "common items", "same answer %", "same PASS %"],
                      [[f"{a['a']} / {a['b']}", str(a["common_items"]), format_percent(a["same_answer"]),
                        format_percent(a["same_pass"])] for a in data["agreement"]])
    return "\n".join(out) + "\n"
