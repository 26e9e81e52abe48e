"""The ``rose`` command: one entry point, one module per subcommand.

Each subcommand module exposes ``add_parser(subparsers)`` which registers its
arguments and sets ``func`` (returning an exit code).  Modules are imported
lazily so that ``rose score`` never pays for the builder's imports.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from . import __version__

# subcommand -> module providing add_parser()
SUBCOMMANDS: dict[str, str] = {
    "score": "rose_bench.scoring.cli_score",
    "validate": "rose_bench.scoring.cli_validate",
    "bridge": "rose_bench.scoring.cli_bridge",
    "consistency": "rose_bench.scoring.cli_consistency",
    "lmms-to-predictions": "rose_bench.lmms_tasks.convert",
    "serve": "rose_bench.solver.cli_serve",
    "solve": "rose_bench.solver.cli_solve",
    "certify": "rose_bench.solver.cli_certify",
    "build": "rose_bench.dataset_builder.cli_build",
    "export-official": "rose_bench.dataset_builder.cli_export",
    "publish": "rose_bench.dataset_builder.cli_publish",
    "demo": "rose_bench.demo",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rose",
        description="rose-bench: build the ROSE benchmark, score predictions exactly like the official "
        "v0.1 evaluator, and run the reference solver.",
    )
    parser.add_argument("--version", action="version", version=f"rose-bench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in SUBCOMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=f"see 'rose {name} --help'")
            continue
        importlib.import_module(module).add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(only=command if command in SUBCOMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
