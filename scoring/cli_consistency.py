"""``rose consistency INPUTS... --split test --out_dir DIR``: same-scene consistency (spec §9.3)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli_bridge import check_out_dir, publish
from .consistency import consistency_bundle, latex_rows, percent_rows
from .io import InputError, read_jsonl


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "consistency",
        help="T2-T5 PASS conditioned on same-scene T1 success",
        description=(
            "Condition each template's PASS on the same scene's T1 (global count) success, per model, "
            "macro-averaged over subsets. Writes scene_consistency_<split>.json/.csv/_rows.tex."
        ),
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="per_item_eval.jsonl files or directories")
    parser.add_argument("--split", default="test")
    parser.add_argument("--models", default="", help="comma-separated models to report (default: all, sorted)")
    parser.add_argument("--out_dir", type=Path, required=True)
    parser.add_argument("--digits", type=int, default=1)
    parser.set_defaults(func=run)
    return parser


def discover(inputs: list[Path]) -> list[Path]:
    """Input files, with directories expanded to every per_item_eval.jsonl below them (deduplicated, sorted)."""
    found: set[Path] = set()
    for path in inputs:
        if path.is_file():
            found.add(path.resolve())
        elif path.is_dir():
            found.update(p.resolve() for p in path.rglob("per_item_eval.jsonl"))
        else:
            raise InputError(path, "no such file or directory")
    if not found:
        raise InputError(inputs[0], "no per_item_eval.jsonl found", fix="pass per-item files or directories holding them")
    return sorted(found)


def run(args: argparse.Namespace) -> int:
    try:
        check_out_dir(args.out_dir)
        rows = [row for file in discover(args.inputs) for row in read_jsonl(file)]
        models = [m.strip() for m in args.models.split(",") if m.strip()]
        bundle = consistency_bundle(rows, args.split, models or None)
        for name in models:
            if name not in {rec["model"] for rec in bundle["models"]}:
                print(f"rose consistency: warning: model {name!r} not found", file=sys.stderr)
        if not bundle["models"]:
            raise InputError(
                args.inputs[0],
                f"no per-item rows of split {args.split!r} with a model, a ROSE subset and a T1..T5 template",
                fix="check --split and that the inputs are rose score outputs",
            )
    except InputError as exc:
        print(f"rose consistency: error: {exc}", file=sys.stderr)
        return 2
    split = args.split
    publish(
        args.out_dir,
        json={f"scene_consistency_{split}.json": bundle},
        csv={f"scene_consistency_{split}.csv": percent_rows(bundle, args.digits)},
        text={f"scene_consistency_{split}_rows.tex": latex_rows(bundle, args.digits)},
    )
    for rec in bundle["models"]:
        macro = rec["macro_equal_subset"]
        show = lambda v: "--" if v is None else f"{100 * v:.{args.digits}f}%"
        print(
            f"{rec['model']:<24} T1={show(macro['T1'])}  L-Cnt|T1={show(macro['L-Cnt|T1'])}  "
            f"Action Ret.={show(macro['Action Ret.'])}  Action Fail.={show(macro['Action Fail.'])}"
        )
    print(f"output: {args.out_dir}")
    return 0
