"""The ``rose`` command: one dispatcher, one module per subcommand.

Each module in ``SUBCOMMANDS`` exposes ``add_parser(subparsers)``, which registers
the subcommand's arguments and sets ``func`` to its handler ``run(args) -> exit
code``.  Modules are imported lazily, so ``rose score`` never imports the builder.
To add a subcommand, add one entry here.

Exit codes are decided here, from the type of what a handler raises:

* 0 success; 1 a check that ran and failed (``CheckFailed``, e.g. a build that is
  not solvable); 2 bad input (``UsageError``: ``rose CMD: error: ... (fix: ...)``,
  and argparse's own errors); 130 on Ctrl-C, 143 on SIGTERM (after the command's
  cleanup ran: nothing is left half-written);
* anything else is a bug: the traceback is printed and the exit code is 1.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
import traceback
from contextlib import contextmanager
from typing import Iterator, Sequence

from rose_bench import __version__
from rose_bench.scoring.errors import CheckFailed, UsageError

__all__ = ["SUBCOMMANDS", "build_parser", "main", "Terminated"]

# subcommand -> module providing add_parser()
SUBCOMMANDS: dict[str, str] = {
    "score": "rose_bench.cli.score",
    "validate": "rose_bench.cli.validate",
    "bridge": "rose_bench.cli.bridge",
    "consistency": "rose_bench.cli.consistency",
    "lmms-to-predictions": "rose_bench.cli.lmms_to_predictions",
    "serve": "rose_bench.cli.serve",
    "solve": "rose_bench.cli.solve",
    "certify": "rose_bench.cli.certify",
    "build": "rose_bench.cli.build",
    "export-official": "rose_bench.cli.export_official",
    "publish": "rose_bench.cli.publish",
    "stats": "rose_bench.cli.stats",
    "demo": "rose_bench.cli.demo",
    "human": "rose_bench.cli.human",
    "submission": "rose_bench.cli.submission",
    "leaderboard": "rose_bench.cli.leaderboard",
    "withhold": "rose_bench.cli.withhold",
}

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that every cleanup an interrupt runs also runs here."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``only``, the other subcommands are listed without importing their modules."""
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


@contextmanager
def _sigterm_as_exception() -> Iterator[None]:
    """Turn SIGTERM into ``Terminated`` for the duration of a command (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_terminated(signum, frame):
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _report(command: str, text: str) -> None:
    print(f"rose {command}: {text}", file=sys.stderr, flush=True)


def _os_error(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc} (fix: check that the path exists and that you may read/write it)"


def run_command(command: str, args: argparse.Namespace) -> int:
    """Run a parsed subcommand and map what it raises to an exit code."""
    command = getattr(args, "command_label", None) or command  # e.g. "bridge global-click"
    try:
        with _sigterm_as_exception():
            return int(args.func(args) or 0)
    except Terminated:
        _report(command, "terminated; nothing was left half-written")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        _report(command, "interrupted; nothing was left half-written")
        return EXIT_INTERRUPTED
    except CheckFailed as exc:
        _report(command, str(exc))
        return EXIT_CHECK_FAILED
    except UsageError as exc:
        _report(command, f"error: {exc}")
        return EXIT_USAGE
    except OSError as exc:  # the file system refused (permissions, a vanished path): the user's to fix
        _report(command, f"error: {_os_error(exc)}")
        return EXIT_USAGE
    except Exception:  # a bug: show where it happened
        traceback.print_exc()
        _report(command, "internal error (this is a bug in rose-bench; please report the traceback above)")
        return EXIT_CHECK_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(only=command if command in SUBCOMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    return run_command(args.command, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
