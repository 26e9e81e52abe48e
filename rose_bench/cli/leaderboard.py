"""``rose leaderboard init|add|remove|list|show|rescore|render|baselines|hidden``: keep a board and publish its page.

The board's logic is ``rose_bench.leaderboard`` (``board``, ``baselines``,
``standings``, ``site``); this module only parses the flags and prints.  A
refused bundle or option raises ``InputError``, which the dispatcher prints as
``rose leaderboard ACTION: error: ... (fix: ...)`` with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rose_bench.leaderboard import board as bd
from rose_bench.scoring.contract import SPLITS
from rose_bench.scoring.io import InputError
from rose_bench.scoring.paths import check_output

from .args import flag, int_range

__all__ = ["add_parser", "MAX_REPLICATES"]

MAX_REPLICATES = 1_000_000  # bootstrap replicates (and seed) of a board's intervals


def _baselines() -> tuple[str, ...]:
    from rose_bench.leaderboard.baselines import BASELINES

    return BASELINES


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("leaderboard", help="a leaderboard board: init, add bundles, baselines, rescore, render the site",
                              description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="leaderboard_command", metavar="ACTION", required=True)

    def action(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        q = sub.add_parser(name, help=help_text)
        q.add_argument(*flag("board"), type=Path, required=True, help="the board directory")
        q.set_defaults(func=handler, command_label=f"leaderboard {name}")
        return q

    q = action("init", run_init, "create an empty board pinned to one dataset build")
    q.add_argument(*flag("dataset"), type=Path, required=True,
                   help="a `rose build` directory (or its Hub download); with --answer-key: the public build")
    q.add_argument(*flag("answer_key"), type=Path, default=None, help="answer key of a withheld build (`rose withhold`)")
    q.add_argument(*flag("split"), choices=SPLITS, default="test")
    q.add_argument(*flag("allow_partial"), action="store_true", help="accept rows that miss items (shown as partial)")
    q.add_argument(*flag("replicates"), type=int_range(0, MAX_REPLICATES, example=2000), default=2000,
                   help=f"bootstrap replicates for intervals (0..{MAX_REPLICATES}, default 2000)")
    q.add_argument(*flag("seed"), type=int_range(0, MAX_REPLICATES, example=0), default=0,
                   help=f"bootstrap seed (0..{MAX_REPLICATES})")
    q.add_argument(*flag("hub_repo"), default=None)
    q.add_argument(*flag("hub_revision"), default=None)

    q = action("add", run_add, "score a submission bundle and add it (refused with nothing written if bad)")
    q.add_argument("bundles", nargs="+", type=Path, metavar="BUNDLE")
    q.add_argument(*flag("answer_key"), type=Path, default=None, help="answer key, when the board's build is withheld")

    q = action("baselines", run_baselines, "add the solver and the empty/global/random/count-only policies as baselines")
    q.add_argument(*flag("policies"), default=",".join(_baselines()), help="comma-separated policy names")
    q.add_argument(*flag("images"), type=Path, default=None, help="build with images (when the board uses an answer key)")

    q = action("remove", run_remove, "remove a submission")
    q.add_argument("id", help="submission id (at least 6 leading hex digits)")

    action("list", run_list, "list the rows")
    action("show", run_show, "the standings with intervals, as JSON")

    q = action("rescore", run_rescore, "recompute every row from its stored predictions with the current scorer")
    q.add_argument(*flag("answer_key"), type=Path, default=None)

    q = action("render", run_render, "write the static site")
    q.add_argument(*flag("out"), type=Path, required=True, help="site folder (replaced atomically)")

    q = action("hidden", run_hidden, "pin a hidden re-draw, or attach a model's bundle on it to its public row")
    q.add_argument(*flag("dataset"), type=Path, default=None, help="pin: the hidden build (secret seed, same generator)")
    q.add_argument(*flag("of"), default=None, help="attach: the public submission id")
    q.add_argument(*flag("bundle"), type=Path, default=None, help="attach: the model's bundle on the hidden build")
    return p


def run_init(args: argparse.Namespace) -> int:
    # the board folder is filled in place: refuse one inside an input or a build (its emptiness is init_board's check)
    check_output(args.board, [("--dataset", args.dataset), ("--answer-key", args.answer_key)], flag="--board",
                 kind="into")
    fingerprint = None
    dataset = args.dataset
    if args.answer_key is not None:
        from rose_bench.scoring.answer_key import bind_key

        fingerprint = bind_key(args.answer_key, args.dataset, args.split).public_fingerprint
        dataset = args.answer_key
    b = bd.init_board(args.board, dataset, split=args.split, allow_partial=args.allow_partial,
                      replicates=args.replicates, seed=args.seed, repo_id=args.hub_repo,
                      revision=args.hub_revision, fingerprint=fingerprint)
    print(f"board {args.board} pinned to {b.fingerprint} ({b.split})")
    return 0


def run_add(args: argparse.Namespace) -> int:
    for bundle in args.bundles:
        sub_id = bd.add_bundle(args.board, bundle, answer_key=args.answer_key)
        print(f"added {bundle} as {sub_id[:12]}")
    return 0


def run_baselines(args: argparse.Namespace) -> int:
    from rose_bench.leaderboard.baselines import add_baselines

    names = [n.strip() for n in args.policies.split(",") if n.strip()]
    unknown = [n for n in names if n not in _baselines()]
    if unknown:
        raise InputError("--policies", f"unknown policy {unknown[0]!r}", fix=f"choose from {', '.join(_baselines())}")
    ids = add_baselines(args.board, names, images=args.images)
    print(f"added {len(ids)} baseline row(s)")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    print(f"removed {bd.remove_submission(args.board, args.id)[:12]}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from rose_bench.leaderboard.exports import pct

    b = bd.open_board(args.board)
    print(f"board {b.root}: {b.fingerprint} ({b.split}), revision {b.config['revision']}")
    for sub_id in b.ids():
        meta, summary = b.submission(sub_id), b.summary(sub_id)
        head = summary["figures"]["table1"]["Avg. PASS"]
        print(f"{sub_id[:12]}  {meta['model']['name']:<32} {'baseline' if meta['baseline'] else '':<8} "
              f"Avg. PASS {pct(head)}"
              + ("  (partial)" if summary["coverage"]["partial"] else ""))
    return 0


def run_show(args: argparse.Namespace) -> int:
    from rose_bench.leaderboard.exports import json_text
    from rose_bench.leaderboard.standings import standings

    b = bd.open_board(args.board)
    sys.stdout.write(json_text(b, standings(b)))
    return 0


def run_rescore(args: argparse.Namespace) -> int:
    from rose_bench.leaderboard.standings import observed_ranks

    before = observed_ranks(bd.open_board(args.board))
    changed = bd.rescore(args.board, answer_key=args.answer_key)
    after = observed_ranks(bd.open_board(args.board))
    for sub_id, old, new in changed:
        moved = "" if before.get(sub_id) == after.get(sub_id) else f", rank {before.get(sub_id)} -> {after.get(sub_id)}"
        print(f"{sub_id[:12]}: scorer {old or '?'} -> {new}{moved}")
    moved_n = sum(before.get(i) != after.get(i) for i in after)
    print(f"rescored {len(changed)} row(s); {moved_n} rank(s) moved")
    return 0


def run_render(args: argparse.Namespace) -> int:
    from rose_bench.leaderboard.site import render_site

    out = render_site(args.board, args.out)
    print(f"wrote {out}/index.html (open it in a browser: file://{Path(out).resolve()}/index.html)")
    return 0


def run_hidden(args: argparse.Namespace) -> int:
    if args.dataset is not None:
        bd.set_hidden(args.board, args.dataset)
        print(f"hidden re-draw pinned: {json.dumps(bd.open_board(args.board).config['hidden'])}")
        return 0
    if not (args.of and args.bundle):
        raise InputError("hidden", "nothing to do", fix="pass --dataset BUILD, or --of ID --bundle DIR")
    sub_id = bd.add_hidden(args.board, args.of, args.bundle)
    print(f"attached hidden-build row to {sub_id[:12]}")
    return 0
