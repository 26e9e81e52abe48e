"""``rose bridge global-click|matched-local-count``: the §9.1/§9.2 bridge analyses.

Reads the bridge metadata (JSONL/Parquet file, official folder or ``rose build``
directory), the bridge predictions and the model's main ``per_item_eval.jsonl``
(file or directory searched recursively); writes the official file set into
``--out_dir`` without touching other files there.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from .contract import build_shards
from .io import InputError, read_jsonl, write_csv, write_json, write_jsonl

if TYPE_CHECKING:
    from .bridges import BridgeResult

_COMMANDS: dict[str, tuple[str, str, str, bool]] = {
    # name -> (analysis in .bridges, build config, help, main rows required)
    "global-click": ("evaluate_global_click", "t1b", "G-Cnt -> G-Clk -> V-Clk bridge on T1B items (spec 9.1)", False),
    "matched-local-count": (
        "evaluate_matched_count", "t2b", "mL-Cnt vs L-Clk on T2B items paired with T3 (spec 9.2)", True,
    ),
}


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("bridge", help="bridge diagnostics (global click; matched local count)")
    kinds = parser.add_subparsers(dest="bridge", metavar="BRIDGE", required=True)
    for name, (_, _, help_text, main_required) in _COMMANDS.items():
        sub = kinds.add_parser(name, help=help_text, description=help_text)
        sub.add_argument(
            "--metadata",
            type=Path,
            required=True,
            help="bridge metadata: a .jsonl/.parquet file, the official folder or a `rose build` directory",
        )
        sub.add_argument("--predictions", type=Path, required=True, help="bridge predictions JSONL")
        sub.add_argument(
            "--main_per_item",
            type=Path,
            required=main_required,
            default=None,
            help="main per_item_eval.jsonl of the same model, or a directory searched for it"
            + ("" if main_required else " (optional: without it G-Cnt, G-Clk|G-Cnt and V-Clk are empty)"),
        )
        sub.add_argument("--out_dir", type=Path, required=True)
        sub.add_argument("--model", default="", help="model name (default: the predictions' model field)")
        sub.add_argument("--main_model", default="", help="model name in the main per-item rows (default: --model)")
        sub.add_argument("--split", default="test", help="metadata split to score (rows without split are kept)")
        sub.add_argument("--allow_partial", action="store_true", help="score a sample: missing predictions are skipped")
        sub.add_argument("--near_miss_l1", type=int, default=1)
        sub.add_argument("--digits", type=int, default=1, help="decimals of the percentage paper table")
        sub.set_defaults(func=run)
    return parser


def metadata_files(path: Path, config: str, split: str) -> list[Path]:
    """The bridge metadata files: a .jsonl/.parquet file, an official dataset root
    (``metadata_<split>.jsonl``) or a ``rose build`` directory (``data/<config>/<split>-*.parquet``)."""
    path = Path(path)
    if path.is_file():
        return [path]
    if path.is_dir():
        official = path / f"metadata_{split}.jsonl"
        if official.is_file():
            return [official]
        shards = build_shards(path, config, split)
        if shards:
            return shards
        raise InputError(
            path, f"neither metadata_{split}.jsonl nor data/{config}/{split}-*.parquet",
            fix="pass the bridge metadata file, the official analysis/data/<bridge> folder or a `rose build` directory",
        )
    raise InputError(path, "no such file or directory", fix="pass the bridge metadata (.jsonl, .parquet or a directory)")


def read_per_item(path: Path) -> list[dict]:
    """Rows of a per_item_eval.jsonl, or of every per_item_eval.jsonl under a directory."""
    if path.is_dir():
        files = sorted(path.rglob("per_item_eval.jsonl"))
        if not files:
            raise InputError(path, "no per_item_eval.jsonl under this directory", fix="run `rose score` first")
        return [row for file in files for row in read_jsonl(file)]
    return read_jsonl(path)


def check_out_dir(out_dir: Path) -> None:
    """Fail before any work if ``out_dir`` cannot become an output directory."""
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise InputError(out_dir, "exists and is not a directory", fix="choose another --out_dir")


def publish(
    out_dir: Path,
    *,
    jsonl: Mapping[str, list] | None = None,
    json: Mapping[str, Any] | None = None,
    csv: Mapping[str, list] | None = None,
    text: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write every output (file name -> content) into a staging dir next to ``out_dir``, then move the files in.

    Nothing lands in ``out_dir`` unless all files were written; other files
    already in ``out_dir`` (e.g. the main evaluation) are left alone.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for name, rows in (jsonl or {}).items():
            write_jsonl(stage / name, rows)
        for name, obj in (json or {}).items():
            write_json(stage / name, obj)
        for name, rows in (csv or {}).items():
            write_csv(stage / name, rows)
        for name, body in (text or {}).items():
            (stage / name).write_text(body, encoding="utf-8")
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for file in sorted(stage.iterdir()):
            os.replace(file, out_dir / file.name)
            written.append(out_dir / file.name)
        return written
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _show(value: Any) -> str:
    return "--" if value is None else f"{value}%"


def run(args: argparse.Namespace) -> int:
    # imported here so that `rose consistency` (which reuses publish) stays light
    from . import bridges
    from .evaluate import load_metadata

    analysis_name, config = _COMMANDS[args.bridge][:2]
    analysis = getattr(bridges, analysis_name)
    try:
        check_out_dir(args.out_dir)
        metadata, _ = load_metadata(metadata_files(args.metadata, config, args.split), args.split)
        if not metadata:
            raise InputError(args.metadata, f"no rows of split {args.split!r}", fix="check --split")
        predictions = read_jsonl(args.predictions)
        main_rows = read_per_item(args.main_per_item) if args.main_per_item else []
        result = analysis(
            metadata,
            predictions,
            main_rows,
            model=args.model,
            main_model=args.main_model,
            split=args.split,
            allow_partial=args.allow_partial,
            near_miss_l1=args.near_miss_l1,
            digits=args.digits,
            main_source=str(args.main_per_item) if args.main_per_item else None,
        )
    except (InputError, bridges.BridgeError) as exc:
        print(f"rose bridge {args.bridge}: error: {exc}", file=sys.stderr)
        return 2
    publish(args.out_dir, jsonl=result.jsonl, json=result.json, csv=result.csv)
    _print_summary(args, result)
    return 0


def _print_summary(args: argparse.Namespace, result: BridgeResult) -> None:
    s: Mapping[str, Any] = result.summary
    paired_key = "n_main_gcnt_matched" if args.bridge == "global-click" else "n_main_lclk_matched"
    paired = s["macro_equal_subset"].get(paired_key)
    print(f"rose bridge {args.bridge}: model {s['model']}, scored {s['num_predictions_used']}/{s['num_expected']} items")
    for key, value in result.paper.items():
        if key != "Model":
            print(f"  {key:<28} {_show(value)}")
    if args.bridge == "global-click":
        d = s["bridge_deltas"]
        pct = lambda v: "--" if v is None else f"{100 * v:.{args.digits}f}%"
        print(f"  {'V-Clk (main T4)':<28} {pct(d['V-Clk'])}")
        print(f"  {'delta C->G / G->V':<28} {pct(d['delta_C_to_G'])} / {pct(d['delta_G_to_V'])}")
    if args.main_per_item and not paired:
        print(
            f"  warning: no bridge item was paired with a main row of model {args.main_model or s['model']!r} "
            "(check --main_model / --model)",
            file=sys.stderr,
        )
    print(f"  output: {args.out_dir}")
