"""``rose bridge global-click|matched-local-count``: the bridge analyses (protocol: bridges).

Reads the bridge metadata (JSONL/Parquet file, official folder or ``rose build``
directory), the bridge predictions and the model's main ``per_item_eval.jsonl``
(file or directory searched recursively); writes the official file set into
``--out-dir`` without touching other files there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from rose_bench.scoring.bridge_files import output_groups
from rose_bench.scoring.completeness import check_complete
from rose_bench.scoring.contract import SPLITS, T1B, T2B, TEMPLATE_CONFIGS, build_shards
from rose_bench.scoring.io import InputError, read_jsonl
from rose_bench.scoring.predictions import LenientCount, read_predictions
from rose_bench.scoring.numeric import format_percent
from rose_bench.scoring.paths import check_output

from .args import flag, int_range, official_flag
from .outputs import write_into
from .score import MAX_DIGITS, MAX_NEAR_MISS_L1

if TYPE_CHECKING:
    from rose_bench.scoring.bridges import BridgeResult

__all__ = ["add_parser", "run", "metadata_files", "read_per_item"]

_COMMANDS: dict[str, tuple[str, str, str, bool]] = {
    # name -> (analysis in scoring.bridges, build config, help, main rows required)
    "global-click": ("evaluate_global_click", TEMPLATE_CONFIGS[T1B], "G-Cnt -> G-Clk -> V-Clk bridge on T1B items", False),
    "matched-local-count": (
        "evaluate_matched_count", TEMPLATE_CONFIGS[T2B], "mL-Cnt vs L-Clk on T2B items paired with T3", True,
    ),
}


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("bridge", help="bridge diagnostics (global click; matched local count)")
    kinds = parser.add_subparsers(dest="bridge", metavar="BRIDGE", required=True)
    for name, (_, _, help_text, main_required) in _COMMANDS.items():
        sub = kinds.add_parser(name, help=help_text, description=help_text)
        sub.add_argument(
            *official_flag("metadata"),
            type=Path,
            required=True,
            help="bridge metadata: a .jsonl/.parquet file, the official folder or a `rose build` directory",
        )
        sub.add_argument(*official_flag("predictions"), type=Path, required=True, help="bridge predictions JSONL")
        sub.add_argument(
            *official_flag("main_per_item"),
            type=Path,
            required=main_required,
            default=None,
            help="main per_item_eval.jsonl of the same model, or a directory searched for it"
            + ("" if main_required else " (optional: without it G-Cnt, G-Clk|G-Cnt and V-Clk are empty)"),
        )
        sub.add_argument(*official_flag("out_dir"), type=Path, required=True,
                         help="folder to add the bridge files to (other files there are left alone)")
        sub.add_argument(*flag("lenient"), action="store_true",
                         help="score invalid prediction rows (raw_text missing / not a string) as invalid answers")
        sub.add_argument(*official_flag("model"), default="", help="model name (default: the predictions' model field)")
        sub.add_argument(*official_flag("main_model"), default="", help="model name in the main per-item rows (default: --model)")
        sub.add_argument(*official_flag("split"), choices=SPLITS, default="test", help="metadata split to score (rows without split are kept)")
        sub.add_argument(*official_flag("allow_partial"), action="store_true",
                         help="score a sample: missing predictions are skipped")
        sub.add_argument(*official_flag("near_miss_l1"), type=int_range(0, MAX_NEAR_MISS_L1, example=1), default=1,
                         help=f"L1 radius for near-miss diagnostics (0..{MAX_NEAR_MISS_L1}, default 1)")
        sub.add_argument(*official_flag("digits"), type=int_range(0, MAX_DIGITS, example=1), default=1,
                         help=f"decimals of the percentage paper table (0..{MAX_DIGITS}, default 1)")
        sub.set_defaults(func=run, command_label=f"bridge {name}")
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
        check_complete(path, [config], [split])
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
    return [row for file in per_item_files(path) for row in read_jsonl(file)]


def per_item_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.rglob("per_item_eval.jsonl"))
        if not files:
            raise InputError(path, "no per_item_eval.jsonl under this directory", fix="run `rose score` first")
        return files
    return [path]


def run(args: argparse.Namespace) -> int:
    # imported here so that `rose consistency` and `rose score` stay light
    from rose_bench.scoring import bridges
    from rose_bench.scoring.score_inputs import load_metadata

    analysis_name, config = _COMMANDS[args.bridge][:2]
    main_files = per_item_files(args.main_per_item) if args.main_per_item else []
    inputs = [("--metadata", args.metadata), ("--predictions", args.predictions),
              *(("--main-per-item", f) for f in main_files)]
    check_output(args.out_dir, inputs, flag="--out-dir", kind="into")
    metadata, _ = load_metadata(metadata_files(args.metadata, config, args.split), args.split)
    if not metadata:
        raise InputError(args.metadata, f"no rows of split {args.split!r}", fix="check --split")
    lenient = LenientCount()
    predictions = [row for _, row in read_predictions(args.predictions, lenient=args.lenient, count=lenient)]
    if (warning := lenient.warning(args.predictions)) is not None:
        print(f"rose {args.command_label}: {warning}", file=sys.stderr)
    main_rows = [row for file in main_files for row in read_jsonl(file)]
    result = getattr(bridges, analysis_name)(
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
    write_into(args.out_dir, inputs=[p for _, p in inputs], **output_groups(result))
    _print_summary(args, result)
    return 0


def _show(value: Any) -> str:
    return "--" if value is None else f"{value}%"


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
        pct = lambda v: format_percent(v, args.digits, "%")  # noqa: E731
        print(f"  {'V-Clk (main T4)':<28} {pct(d['V-Clk'])}")
        print(f"  {'delta C->G / G->V':<28} {pct(d['delta_C_to_G'])} / {pct(d['delta_G_to_V'])}")
    if args.main_per_item and not paired:
        print(
            f"  warning: no bridge item was paired with a main row of model {args.main_model or s['model']!r} "
            "(check --main-model / --model)",
            file=sys.stderr,
        )
    print(f"  output: {args.out_dir}")
