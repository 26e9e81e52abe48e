"""``rose solve``: answer one ROSE item from an image and its prompts."""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import UnidentifiedImageError

from rose_bench.scoring.contract import PROMPT_GLOBAL
from rose_bench.scoring.io import InputError
from rose_bench.solver.grid_detect import GridNotFound, ImageTooLarge, open_image
from rose_bench.solver.policies import POLICIES, get_policy
from rose_bench.solver.prompt_region import PromptNotUnderstood

__all__ = ["add_parser", "run"]

MAX_PROMPT_BYTES = 1 << 20  # a ROSE prompt is a few hundred bytes


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "solve",
        help="answer one item from its image and prompts (reference solver or a baseline)",
        description="Print the formal answer for one item. The policy sees only the image and the prompt text.",
    )
    parser.add_argument("--image", required=True, type=Path, help="the item's PNG (base or cued image)")
    local = parser.add_mutually_exclusive_group(required=True)
    local.add_argument("--prompt-local", help="the item's prompt_local text")
    local.add_argument("--prompt-local-file", type=Path, help="file holding prompt_local (UTF-8)")
    glob = parser.add_mutually_exclusive_group()
    glob.add_argument("--prompt-global", help="prompt_global text (default: the ROSE prompt_global)")
    glob.add_argument("--prompt-global-file", type=Path, help="file holding prompt_global (UTF-8)")
    parser.add_argument("--policy", default="solver", choices=sorted(POLICIES), help="answer policy (default: solver)")
    parser.set_defaults(func=run)


def _read_text(path: Path, flag: str) -> str:
    try:
        if path.stat().st_size > MAX_PROMPT_BYTES:
            raise InputError(path, f"{flag}: larger than {MAX_PROMPT_BYTES} bytes", fix="pass the item's prompt text")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read {flag}: {exc}", fix="pass a readable UTF-8 text file") from None


def run(args: argparse.Namespace) -> int:
    prompt_local = args.prompt_local if args.prompt_local is not None else _read_text(args.prompt_local_file, "--prompt-local-file")
    if args.prompt_global is not None:
        prompt_global = args.prompt_global
    elif args.prompt_global_file is not None:
        prompt_global = _read_text(args.prompt_global_file, "--prompt-global-file")
    else:
        prompt_global = PROMPT_GLOBAL
    try:
        with open_image(args.image) as img:
            answer = get_policy(args.policy)(img, prompt_global, prompt_local)
    except (OSError, UnidentifiedImageError) as exc:
        raise InputError(args.image, f"cannot read the image: {exc}", fix="pass a PNG written by 'rose build'") from None
    except (GridNotFound, ImageTooLarge) as exc:
        raise InputError(args.image, str(exc)) from None
    except PromptNotUnderstood as exc:
        raise InputError("prompt_local", str(exc)) from None
    print(answer)
    return 0
