"""``rose human``: answer ROSE items in the browser (or review them), and ``rose human report``.

    rose human --build DIR --split dev --n 100 --annotator alice --out runs/alice
    rose human --build DIR --split dev --review
    rose human report runs/alice runs/bob

The server listens on 127.0.0.1 only and runs until Ctrl+C; every answer is on
disk when the page shows the next item, so stopping and restarting with the
same options resumes where the run stopped.  The logic (sampling, the run on
disk, the server, scoring and bundles) is ``rose_bench.human``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rose_bench.scoring.contract import SPLITS
from rose_bench.scoring.io import InputError
from rose_bench.scoring.paths import check_output

from .args import PORT, flag, int_range
from .outputs import write_file

__all__ = ["add_parser", "run", "run_report", "DEFAULT_PORT", "DEFAULT_N", "MAX_N"]

DEFAULT_PORT = 8713
DEFAULT_N = 100
MAX_N = 100_000
MAX_SEED = 2**63 - 1


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "human", help="answer ROSE items by clicking cells in a local web page (human baseline), or review items",
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Score runs with: rose human report RUN_DIR [RUN_DIR ...]",
    )
    p.add_argument(*flag("build"), type=Path, help="a directory written by `rose build --out`")
    p.add_argument(*flag("split"), choices=SPLITS, default="dev", help="split to sample from (default dev)")
    p.add_argument(*flag("n"), type=int_range(1, MAX_N, example=DEFAULT_N), default=DEFAULT_N,
                   help=f"items to sample (1..{MAX_N}, default {DEFAULT_N})")
    p.add_argument(*flag("templates"), default="", help="comma list of templates, e.g. t1,t4 (default: t1..t5)")
    p.add_argument(*flag("seed"), type=int_range(0, MAX_SEED, example=0), default=0,
                   help="sampling and order seed (default 0)")
    p.add_argument(*flag("annotator"), help="the annotator's name: the model name of the run's predictions")
    p.add_argument(*flag("out"), type=Path, help="run directory (run.json + predictions.jsonl); reuse it to resume")
    p.add_argument(*flag("port"), type=PORT, default=DEFAULT_PORT,
                   help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0 = any free port)")
    p.add_argument(*flag("review"), action="store_true",
                   help="maintainers: show each item with its answer overlay and the solver's answer; records nothing")
    p.add_argument(*flag("verbose"), action="store_true", help="log every HTTP request")
    p.set_defaults(func=run, command_label="human")

    sub = p.add_subparsers(dest="human_command", metavar="report")
    r = sub.add_parser("report", help="score human runs, compare annotators, write leaderboard bundles",
                       description="Score one or more `rose human` runs with `rose score` rules; print PASS by "
                       "template and subset, time per item and pairwise agreement; write one submission bundle "
                       "(submission.json + predictions.jsonl) per run.")
    r.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR")
    r.add_argument(*flag("build"), dest="report_build", type=Path, default=None,
                   help="the build the runs were answered on, if it moved since (checked by its manifest sha256)")
    r.add_argument(*flag("bundle_dir"), type=Path, default=None,
                   help="write bundles to BUNDLE_DIR/<annotator>/ (default: RUN_DIR/submission/)")
    r.add_argument(*flag("organisation"), default="human annotators",
                   help="organisation recorded in the bundles (default: 'human annotators')")
    r.add_argument(*flag("json"), type=Path, default=None, help="also write the report as JSON to this file")
    r.set_defaults(func=run_report, command_label="human report")
    return p


# --------------------------------------------------------------------------- serving


def _require(value, flag_name: str, what: str) -> None:
    if value is None:
        raise InputError(flag_name, f"{flag_name} is required {what}", fix=f"pass {flag_name}")


def _sample(args: argparse.Namespace):
    from rose_bench.human.items import load_build_items
    from rose_bench.human.sample import parse_templates, stratified_sample

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


def _open_run(args: argparse.Namespace, build: Path, templates, order):
    """The run store of an answering session (``None`` in review mode); refuses a bad --out before serving."""
    from rose_bench.human.run import RunConfig, RunStore, check_annotator
    from rose_bench.scoring.answer_key import dataset_fingerprint

    if args.review:
        return None
    _require(args.annotator, "--annotator", "(the name recorded as the model)")
    _require(args.out, "--out", "(the run directory)")
    check_annotator(args.annotator)
    out = check_output(args.out, [("--build", build)], flag="--out", kind="into")
    config = RunConfig(annotator=args.annotator, build=os.path.relpath(build, out),
                       fingerprint=dataset_fingerprint(build), split=args.split, templates=templates, n=args.n,
                       seed=args.seed, items=tuple(order))
    return RunStore(out, config)


def run(args: argparse.Namespace) -> int:
    from rose_bench.human.items import load_images
    from rose_bench.human.server import HumanApp, make_server

    if args.human_command is None and args.build is None and args.out is None:
        raise InputError("rose human", "nothing to do", fix="pass --build/--annotator/--out, or use `rose human report`")
    build, templates, items, order = _sample(args)
    store = _open_run(args, build, templates, order)
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
    from rose_bench.human.bundle import write_bundle
    from rose_bench.human.report import markdown_report, report_data, score_run

    runs = [score_run(path, args.report_build) for path in args.runs]
    names = [r.config.annotator for r in runs]
    if args.bundle_dir is not None and len(set(names)) != len(names):
        raise InputError("--bundle-dir", "two runs have the same annotator name, so their bundles would collide",
                         fix="report them separately or omit --bundle-dir (bundles then go into each RUN_DIR)")
    if args.json is not None:
        check_output(args.json, [(str(r.run_dir), r.run_dir) for r in runs], flag="--json", kind="file", overwrite=True)
    data = report_data(runs)
    bundles = []
    for scored in runs:
        target = (args.bundle_dir / scored.config.annotator) if args.bundle_dir else scored.run_dir / "submission"
        bundles.append(write_bundle(scored, target, args.organisation))
    data["bundles"] = {r.config.annotator: str(b) for r, b in zip(runs, bundles)}
    print(markdown_report(data))
    for scored, bundle in zip(runs, bundles):
        print(f"Wrote {bundle}/ (submission.json, predictions.jsonl): {scored.config.annotator}, marked human")
    if args.json is not None:
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        write_file(args.json, lambda tmp: tmp.write_text(text, encoding="utf-8"), overwrite=True)
    sys.stdout.flush()
    return 0
