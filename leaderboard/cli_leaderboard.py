"""``rose leaderboard init|add|remove|list|show|rescore|render|baselines|hidden``: keep a board and publish its page."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rose_bench.scoring.io import InputError

from . import board as bd

__all__ = ["add_parser"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("leaderboard", help="a leaderboard board: init, add bundles, baselines, rescore, render the site",
                              description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="leaderboard_command", metavar="ACTION", required=True)

    def board_arg(q: argparse.ArgumentParser) -> None:
        q.add_argument("--board", type=Path, required=True, help="the board directory")

    q = sub.add_parser("init", help="create an empty board pinned to one dataset build")
    board_arg(q)
    q.add_argument("--dataset", type=Path, required=True,
                   help="a `rose build` directory (or its Hub download); with --answer-key: the public build")
    q.add_argument("--answer-key", type=Path, default=None, help="answer key of a withheld build (`rose withhold`)")
    q.add_argument("--split", choices=("dev", "test"), default="test")
    q.add_argument("--allow-partial", action="store_true", help="accept rows that miss items (shown as partial)")
    q.add_argument("--replicates", type=int, default=2000, help="bootstrap replicates for intervals (default 2000)")
    q.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    q.add_argument("--hub-repo", default=None)
    q.add_argument("--hub-revision", default=None)
    q.set_defaults(func=run_init)

    q = sub.add_parser("add", help="score a submission bundle and add it (refused with nothing written if bad)")
    board_arg(q)
    q.add_argument("bundles", nargs="+", type=Path, metavar="BUNDLE")
    q.add_argument("--answer-key", type=Path, default=None, help="answer key, when the board's build is withheld")
    q.set_defaults(func=run_add)

    q = sub.add_parser("baselines", help="add the solver and the empty/global/random/count-only policies as baselines")
    board_arg(q)
    q.add_argument("--policies", default=",".join(_baselines()), help="comma-separated policy names")
    q.add_argument("--images", type=Path, default=None, help="build with images (when the board uses an answer key)")
    q.set_defaults(func=run_baselines)

    q = sub.add_parser("remove", help="remove a submission")
    board_arg(q)
    q.add_argument("id", help="submission id (at least 6 leading hex digits)")
    q.set_defaults(func=run_remove)

    for name, helptext in (("list", "list the rows"), ("show", "the standings with intervals, as JSON")):
        q = sub.add_parser(name, help=helptext)
        board_arg(q)
        q.set_defaults(func=run_list if name == "list" else run_show)

    q = sub.add_parser("rescore", help="recompute every row from its stored predictions with the current scorer")
    board_arg(q)
    q.add_argument("--answer-key", type=Path, default=None)
    q.set_defaults(func=run_rescore)

    q = sub.add_parser("render", help="write the static site")
    board_arg(q)
    q.add_argument("--out", type=Path, required=True, help="site folder (replaced atomically)")
    q.set_defaults(func=run_render)

    q = sub.add_parser("hidden", help="pin a hidden re-draw, or attach a model's bundle on it to its public row")
    board_arg(q)
    q.add_argument("--dataset", type=Path, default=None, help="pin: the hidden build (secret seed, same generator)")
    q.add_argument("--of", default=None, help="attach: the public submission id")
    q.add_argument("--bundle", type=Path, default=None, help="attach: the model's bundle on the hidden build")
    q.set_defaults(func=run_hidden)
    return p


def _baselines() -> tuple[str, ...]:
    from .baselines import BASELINES

    return BASELINES


def _guard(name: str, func):
    try:
        return func()
    except InputError as exc:
        print(f"rose leaderboard {name}: error: {exc}", file=sys.stderr)
        return 2


def run_init(args: argparse.Namespace) -> int:
    def run() -> int:
        fingerprint = None
        dataset = args.dataset
        if args.answer_key is not None:
            from rose_bench.scoring.answer_key import bind_key

            fingerprint = bind_key(args.answer_key, args.dataset, args.split).public_fingerprint
            dataset = args.answer_key
        for flag, value in (("--replicates", args.replicates), ("--seed", args.seed)):
            if value < 0 or value > 1_000_000:
                raise InputError(flag, f"must be 0..1000000, got {value}", fix="e.g. 2000")
        b = bd.init_board(args.board, dataset, split=args.split, allow_partial=args.allow_partial,
                          replicates=args.replicates, seed=args.seed, repo_id=args.hub_repo,
                          revision=args.hub_revision, fingerprint=fingerprint)
        print(f"board {args.board} pinned to {b.fingerprint} ({b.split})")
        return 0
    return _guard("init", run)


def run_add(args: argparse.Namespace) -> int:
    def run() -> int:
        for bundle in args.bundles:
            sub_id = bd.add_bundle(args.board, bundle, answer_key=args.answer_key)
            print(f"added {bundle} as {sub_id[:12]}")
        return 0
    return _guard("add", run)


def run_baselines(args: argparse.Namespace) -> int:
    def run() -> int:
        from .baselines import add_baselines

        names = [n.strip() for n in args.policies.split(",") if n.strip()]
        unknown = [n for n in names if n not in _baselines()]
        if unknown:
            raise InputError("--policies", f"unknown policy {unknown[0]!r}", fix=f"choose from {', '.join(_baselines())}")
        ids = add_baselines(args.board, names, images=args.images)
        print(f"added {len(ids)} baseline row(s)")
        return 0
    return _guard("baselines", run)


def run_remove(args: argparse.Namespace) -> int:
    return _guard("remove", lambda: print(f"removed {bd.remove_submission(args.board, args.id)[:12]}") or 0)


def run_list(args: argparse.Namespace) -> int:
    def run() -> int:
        from .exports import pct

        b = bd.open_board(args.board)
        print(f"board {b.root}: {b.fingerprint} ({b.split}), revision {b.config['revision']}")
        for sub_id in b.ids():
            meta, summary = b.submission(sub_id), b.summary(sub_id)
            head = summary["figures"]["table1"]["Avg. PASS"]
            print(f"{sub_id[:12]}  {meta['model']['name']:<32} {'baseline' if meta['baseline'] else '':<8} "
                  f"Avg. PASS {pct(head)}"
                  + ("  (partial)" if summary["coverage"]["partial"] else ""))
        return 0
    return _guard("list", run)


def run_show(args: argparse.Namespace) -> int:
    def run() -> int:
        from .exports import json_text
        from .standings import standings

        b = bd.open_board(args.board)
        sys.stdout.write(json_text(b, standings(b)))
        return 0
    return _guard("show", run)


def run_rescore(args: argparse.Namespace) -> int:
    def run() -> int:
        before = _observed_ranks(bd.open_board(args.board))
        changed = bd.rescore(args.board, answer_key=args.answer_key)
        after = _observed_ranks(bd.open_board(args.board))
        for sub_id, old, new in changed:
            moved = "" if before.get(sub_id) == after.get(sub_id) else f", rank {before.get(sub_id)} -> {after.get(sub_id)}"
            print(f"{sub_id[:12]}: scorer {old or '?'} -> {new}{moved}")
        moved_n = sum(before.get(i) != after.get(i) for i in after)
        print(f"rescored {len(changed)} row(s); {moved_n} rank(s) moved")
        return 0
    return _guard("rescore", run)


def _observed_ranks(b: bd.Board) -> dict[str, int]:
    """Headline rank of each row from its stored summary (1 + rows strictly better; a missing figure ranks last)."""
    head = {i: b.summary(i)["figures"]["table1"]["Avg. PASS"] for i in b.ids()}
    value = {i: (-1.0 if v is None else v) for i, v in head.items()}
    return {i: 1 + sum(other > value[i] for other in value.values()) for i in value}


def run_render(args: argparse.Namespace) -> int:
    def run() -> int:
        from .site import render_site

        out = render_site(args.board, args.out)
        print(f"wrote {out}/index.html (open it in a browser: file://{Path(out).resolve()}/index.html)")
        return 0
    return _guard("render", run)


def run_hidden(args: argparse.Namespace) -> int:
    def run() -> int:
        if args.dataset is not None:
            bd.set_hidden(args.board, args.dataset)
            print(f"hidden re-draw pinned: {json.dumps(bd.open_board(args.board).config['hidden'])}")
            return 0
        if not (args.of and args.bundle):
            raise InputError("hidden", "nothing to do", fix="pass --dataset BUILD, or --of ID --bundle DIR")
        sub_id = bd.add_hidden(args.board, args.of, args.bundle)
        print(f"attached hidden-build row to {sub_id[:12]}")
        return 0
    return _guard("hidden", run)
