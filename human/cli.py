"""``rose human``: answer ROSE items in the browser (or review them), and ``rose human report``.

    rose human --build DIR --split dev --n 100 --annotator alice --out runs/alice
    rose human --build DIR --split dev --review
    rose human report runs/alice runs/bob

The server listens on 127.0.0.1 only and runs until Ctrl+C; every answer is on
disk when the page shows the next item, so stopping and restarting with the
same options resumes where the run stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Optional

from rose_bench.scoring.contract import SPLITS
from rose_bench.scoring.answer_key import dataset_fingerprint
from rose_bench.scoring.io import InputError
from rose_bench.scoring.paths import check_output

from .items import load_build_items, load_images
from .run import RunConfig, RunStore, check_annotator
from .sample import parse_templates, stratified_sample

__all__ = ["add_parser", "run", "run_report", "DEFAULT_PORT", "DEFAULT_N"]

DEFAULT_PORT = 8713
DEFAULT_N = 100
MAX_N = 100_000


def _int_in(lo: int, hi: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text[:40]!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be an integer from {lo} to {hi}, got {text[:40]}")
        return value

    parse.__name__ = "integer"
    return parse


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "human", help="answer ROSE items by clicking cells in a local web page (human baseline), or review items",
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Score runs with: rose human report RUN_DIR [RUN_DIR ...]",
    )
    p.add_argument("--build", type=Path, help="a directory written by `rose build --out`")
    p.add_argument("--split", choices=SPLITS, default="dev", help="split to sample from (default dev)")
    p.add_argument("--n", type=_int_in(1, MAX_N), default=DEFAULT_N, help=f"items to sample (default {DEFAULT_N})")
    p.add_argument("--templates", default="", help="comma list of templates, e.g. t1,t4 (default: t1..t5)")
    p.add_argument("--seed", type=_int_in(0, 2**63 - 1), default=0, help="sampling and order seed (default 0)")
    p.add_argument("--annotator", help="the annotator's name: the model name of the run's predictions")
    p.add_argument("--out", type=Path, help="run directory (run.json + predictions.jsonl); reuse it to resume")
    p.add_argument("--port", type=_int_in(0, 65535), default=DEFAULT_PORT,
                   help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0 = any free port)")
    p.add_argument("--review", action="store_true",
                   help="maintainers: show each item with its answer overlay and the solver's answer; records nothing")
    p.add_argument("--verbose", action="store_true", help="log every HTTP request")
    p.set_defaults(func=run, command_label="human")

    sub = p.add_subparsers(dest="human_command", metavar="report")
    r = sub.add_parser("report", help="score human runs, compare annotators, write leaderboard bundles",
                       description="Score one or more `rose human` runs with `rose score` rules; print PASS by "
                       "template and subset, time per item and pairwise agreement; write one submission bundle "
                       "(submission.json + predictions.jsonl) per run.")
    r.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR")
    r.add_argument("--build", dest="report_build", type=Path, default=None,
                   help="the build the runs were answered on, if it moved since (checked by its manifest sha256)")
    r.add_argument("--bundle-dir", type=Path, default=None,
                   help="write bundles to BUNDLE_DIR/<annotator>/ (default: RUN_DIR/submission/)")
    r.add_argument("--organisation", default="human annotators",
                   help="organisation recorded in the bundles (default: 'human annotators')")
    r.add_argument("--json", type=Path, default=None, help="also write the report as JSON to this file")
    r.set_defaults(func=run_report, command_label="human report")
    return p


# --------------------------------------------------------------------------- serving


def _require(value, flag: str, what: str) -> None:
    if value is None:
        raise InputError(flag, f"{flag} is required {what}", fix=f"pass {flag}")


def _sample(args: argparse.Namespace):
    _require(args.build, "--build", "(the dataset to answer)")
    try:
        templates = parse_templates(args.templates)
    except ValueError as exc:
        raise InputError("--templates", str(exc)) from None
    build = args.build.expanduser().resolve()
    items = load_build_items(build, args.split, templates)
    available = len(items.rows)
    if args.n > available:
        raise InputError("--n", f"--n {args.n} exceeds the {available} {args.split} items of these templates",
                         fix=f"pass --n {available} or less")
    order = stratified_sample(items.keys(), args.n, args.seed)
    return build, templates, items, order


def run(args: argparse.Namespace) -> int:
    from .server import HumanApp, make_server

    if args.human_command is None and args.build is None and args.out is None:
        raise InputError("rose human", "nothing to do", fix="pass --build/--annotator/--out, or use `rose human report`")
    build, templates, items, order = _sample(args)
    store: Optional[RunStore] = None
    if not args.review:
        _require(args.annotator, "--annotator", "(the name recorded as the model)")
        _require(args.out, "--out", "(the run directory)")
        check_annotator(args.annotator)
        out = check_output(args.out, [("--build", build)], flag="--out", kind="into")
        config = RunConfig(annotator=args.annotator, build=os.path.relpath(build, out),
                           fingerprint=dataset_fingerprint(build), split=args.split, templates=templates, n=args.n,
                           seed=args.seed, items=tuple(order))
        store = RunStore(out, config)
    try:
        images = load_images(items, order)
        app = HumanApp(order=order, rows={i: items.by_id[i] for i in order}, images=images, store=store)
        try:
            server = make_server(app, args.port, verbose=args.verbose)
        except OSError as exc:
            raise InputError("--port", f"cannot listen on 127.0.0.1:{args.port} ({exc.strerror or exc})",
                             fix="pass another --port, or --port 0 for any free port") from None
        port = server.server_address[1]
        if store is not None:
            done, total = store.progress()
            print(f"rose human: {args.annotator}: {done} of {total} items answered; recording to "
                  f"{store.run_dir / 'predictions.jsonl'}", flush=True)
        else:
            print(f"rose human: review of {len(order)} {args.split} items (answers shown; nothing recorded)", flush=True)
        print(f"rose human: open http://127.0.0.1:{port}/ (Ctrl+C to stop)", flush=True)
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()
    finally:
        if store is not None:
            store.close()
    return 0


# --------------------------------------------------------------------------- report


def run_report(args: argparse.Namespace) -> int:
    from .bundle import write_bundle
    from .report import markdown_report, report_data, score_run

    runs = [score_run(path, args.report_build) for path in args.runs]
    names = [r.config.annotator for r in runs]
    if args.bundle_dir is not None and len(set(names)) != len(names):
        raise InputError("--bundle-dir", "two runs have the same annotator name, so their bundles would collide",
                         fix="report them separately or omit --bundle-dir (bundles then go into each RUN_DIR)")
    json_out = None
    if args.json is not None:
        json_out = check_output(args.json, [(str(r.run_dir), r.run_dir) for r in runs], flag="--json", kind="file",
                                overwrite=True)
    data = report_data(runs)
    bundles = []
    for scored in runs:
        target = (args.bundle_dir / scored.config.annotator) if args.bundle_dir else scored.run_dir / "submission"
        bundles.append(write_bundle(scored, target, args.organisation))
    data["bundles"] = {r.config.annotator: str(b) for r, b in zip(runs, bundles)}
    print(markdown_report(data))
    for scored, bundle in zip(runs, bundles):
        print(f"Wrote {bundle}/ (submission.json, predictions.jsonl): {scored.config.annotator}, marked human")
    if json_out is not None:
        tmp = json_out.with_name(f".{json_out.name}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, json_out)
    sys.stdout.flush()
    return 0
