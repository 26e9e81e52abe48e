"""``rose consistency INPUTS... --split test --out-dir DIR``: same-scene consistency (protocol: consistency)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rose_bench.scoring.consistency import consistency_bundle, latex_rows, percent_rows
from rose_bench.scoring.contract import SPLITS
from rose_bench.scoring.io import InputError, read_jsonl
from rose_bench.scoring.numeric import format_percent
from rose_bench.scoring.paths import check_output

from .args import int_range, official_flag
from .outputs import write_into
from .score import MAX_DIGITS

__all__ = ["add_parser", "run", "discover"]


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
    parser.add_argument(*official_flag("split"), choices=SPLITS, default="test")
    parser.add_argument(*official_flag("models"), default="", help="comma-separated models to report (default: all, sorted)")
    parser.add_argument(*official_flag("out_dir"), type=Path, required=True,
                        help="folder to add the consistency files to (other files there are left alone)")
    parser.add_argument(*official_flag("digits"), type=int_range(0, MAX_DIGITS, example=1), default=1,
                        help=f"decimals of percentages (0..{MAX_DIGITS}, default 1)")
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
    files = discover(args.inputs)
    check_output(args.out_dir, [("INPUT", f) for f in files], flag="--out-dir", kind="into")
    rows = [row for file in files for row in read_jsonl(file)]
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
    split = args.split
    write_into(
        args.out_dir,
        inputs=files,
        json={f"scene_consistency_{split}.json": bundle},
        csv={f"scene_consistency_{split}.csv": percent_rows(bundle, args.digits)},
        text={f"scene_consistency_{split}_rows.tex": latex_rows(bundle, args.digits)},
    )
    show = lambda v: format_percent(v, args.digits, "%")  # noqa: E731
    for rec in bundle["models"]:
        macro = rec["macro_equal_subset"]
        print(
            f"{rec['model']:<24} T1={show(macro['T1'])}  L-Cnt|T1={show(macro['L-Cnt|T1'])}  "
            f"Action Ret.={show(macro['Action Ret.'])}  Action Fail.={show(macro['Action Fail.'])}"
        )
    print(f"output: {args.out_dir}")
    return 0
