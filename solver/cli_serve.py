"""``rose serve``: run a policy (the reference solver or a baseline) behind an OpenAI-compatible API."""

from __future__ import annotations

import argparse
import sys

from .policies import POLICIES
from .server import DEFAULT_MAX_BODY, make_server


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the reference solver or a baseline as an OpenAI-compatible chat-completions endpoint",
        description="Serve a policy at http://HOST:PORT/v1 (POST /v1/chat/completions, GET /v1/models). "
        "Point an OpenAI client (or lmms-eval's openai model) at it to check a pipeline end to end.",
    )
    parser.add_argument("--policy", default="solver", choices=sorted(POLICIES), help="answer policy (default: solver)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="TCP port; 0 picks a free one (default: 8000)")
    parser.add_argument(
        "--max-body-mb", type=float, default=DEFAULT_MAX_BODY / 2**20, help="largest accepted request body in MiB (default: 32)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        server = make_server(args.policy, args.host, args.port, max_body=int(args.max_body_mb * 2**20))
    except OSError as exc:
        print(f"rose serve: cannot listen on {args.host}:{args.port}: {exc} (fix: choose another --port)", file=sys.stderr)
        return 2
    print(f"rose serve: policy {args.policy!r} as model {server.model_id!r} at {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
