"""``rose serve``: run a policy (the reference solver or a baseline) behind an OpenAI-compatible API."""

from __future__ import annotations

import argparse

from rose_bench.scoring.io import InputError
from rose_bench.solver.policies import POLICIES
from rose_bench.solver.server import (
    DEFAULT_MAX_BODY, DEFAULT_QUEUE, DEFAULT_READ_TIMEOUT, DEFAULT_SOLVE_TIMEOUT, DEFAULT_WORKERS, make_server,
)

from .args import PORT, float_range, int_range

__all__ = ["add_parser", "run"]

MAX_BODY_MB = 1024.0  # a ROSE request (one PNG of at most 2368 px per side, base64) is a few MiB
MAX_WORKERS = 64
MAX_QUEUE = 10_000
MAX_TIMEOUT = 3600.0  # seconds


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the reference solver or a baseline as an OpenAI-compatible chat-completions endpoint",
        description="Serve a policy at http://HOST:PORT/v1 (POST /v1/chat/completions, GET /v1/models). "
        "Point an OpenAI client (or lmms-eval's openai model) at it to check a pipeline end to end.",
    )
    parser.add_argument("--policy", default="solver", choices=sorted(POLICIES), help="answer policy (default: solver)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=PORT, default=8000, help="TCP port 0..65535; 0 picks a free one (default: 8000)")
    parser.add_argument(
        "--max-body-mb", type=float_range(0, MAX_BODY_MB, lo_open=True, example=32), default=DEFAULT_MAX_BODY / 2**20,
        help=f"largest accepted request body in MiB (0 < x <= {MAX_BODY_MB:g}; default: {DEFAULT_MAX_BODY / 2**20:g})",
    )
    parser.add_argument("--workers", type=int_range(1, MAX_WORKERS, example=DEFAULT_WORKERS), default=DEFAULT_WORKERS,
                        help=f"requests solved at once (1..{MAX_WORKERS}; default: {DEFAULT_WORKERS})")
    parser.add_argument("--queue", type=int_range(0, MAX_QUEUE, example=DEFAULT_QUEUE), default=DEFAULT_QUEUE,
                        help=f"requests waiting for a worker before new ones get 503 + Retry-After "
                        f"(0..{MAX_QUEUE}; default: {DEFAULT_QUEUE})")
    parser.add_argument("--read-timeout", type=float_range(0, MAX_TIMEOUT, lo_open=True, example=DEFAULT_READ_TIMEOUT),
                        default=DEFAULT_READ_TIMEOUT,
                        help=f"seconds a client has to send its request (default: {DEFAULT_READ_TIMEOUT:g})")
    parser.add_argument("--solve-timeout", type=float_range(0, MAX_TIMEOUT, lo_open=True, example=DEFAULT_SOLVE_TIMEOUT),
                        default=DEFAULT_SOLVE_TIMEOUT,
                        help=f"seconds from request to answer, queueing included, before a 503 (default: {DEFAULT_SOLVE_TIMEOUT:g})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        server = make_server(args.policy, args.host, args.port, max_body=max(1, int(args.max_body_mb * 2**20)),
                             workers=args.workers, queue=args.queue, read_timeout=args.read_timeout,
                             solve_timeout=args.solve_timeout)
    except OSError as exc:
        raise InputError(f"{args.host}:{args.port}", f"cannot listen: {exc.strerror or exc}",
                         fix="choose another --port or --host") from None
    print(f"rose serve: policy {args.policy!r} as model {server.model_id!r} at {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl-C and SIGTERM (the dispatcher raises it) end a server normally
        pass
    finally:
        server.server_close()
    return 0
