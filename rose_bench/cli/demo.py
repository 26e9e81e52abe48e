"""``rose demo``: the whole system end to end on a CPU machine with no model weights.

Builds the dataset, serves the reference solver and a baseline over an
OpenAI-compatible HTTP endpoint on 127.0.0.1, evaluates both with the literal
``lmms-eval --model openai --tasks rose_count,rose_action``, converts
lmms-eval's samples into ROSE predictions and scores them with ``rose score``,
printing the ROSE tables and the perception-to-action gap for each policy.
Every step is a real subprocess of the installed commands, so the demo proves
exactly what a user would run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from rose_bench.dataset_builder.options import MAX_SCALE, MAX_SEED
from rose_bench.scoring.aggregate import perception_action_gap, primary_table
from rose_bench.scoring.errors import CheckFailed
from rose_bench.scoring.io import InputError, read_jsonl
from rose_bench.scoring.paths import check_output
from rose_bench.scoring.report import fmt_pct

from .args import float_range, int_range

__all__ = ["add_parser", "run", "comparison_table"]

DEFAULT_POLICIES = ("solver", "global")
MAX_CONCURRENCY = 64
# The demo replaces folders inside --work; it only ever works in a folder that it created (holding this
# marker) or an empty one, so that `--work ~` cannot remove anything of the user's.
WORK_MARKER = ".rose-demo"


def _bin(name: str) -> str:
    """The console script next to the running interpreter (the venv's), else PATH."""
    local = Path(sys.executable).with_name(name)
    return str(local) if local.exists() else name


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(cmd: list[str], *, env: dict[str, str] | None = None, log: Path | None = None) -> None:
    print("$ " + " ".join(cmd), flush=True)
    if log is None:
        subprocess.run(cmd, check=True, env=env)
        return
    with log.open("w", encoding="utf-8") as fh:
        proc = subprocess.run(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        sys.stderr.write(log.read_text(encoding="utf-8")[-4000:])
        raise subprocess.CalledProcessError(proc.returncode, cmd)


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"rose serve exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"rose serve did not answer on 127.0.0.1:{port} within {timeout:.0f} s")


def _lmms_results(out: Path) -> Path:
    found = sorted(out.rglob("*_results.json"))
    if not found:
        raise RuntimeError(
            f"lmms-eval wrote no *_results.json under {out} (it exits 0 even on failure); see {out / 'lmms-eval.log'}"
        )
    return found[-1]


def evaluate_policy(policy: str, build: Path, work: Path, *, tasks: str, concurrency: int) -> Path:
    """Serve ``policy``, run lmms-eval against it, score the samples; returns the rose score out_dir."""
    pdir = work / policy
    if pdir.exists():
        shutil.rmtree(pdir)
    pdir.mkdir(parents=True)
    port = free_port()
    server_log = (pdir / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [_bin("rose"), "serve", "--policy", policy, "--host", "127.0.0.1", "--port", str(port)],
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready(port, server)
        env = dict(os.environ)
        env.update(
            ROSE_BENCH_DATA=str(build),
            HF_HUB_OFFLINE="1",
            HF_DATASETS_OFFLINE="1",
            HF_HOME=str(work / "hf_home"),
            OPENAI_API_KEY="local-demo-key",
        )
        model_args = (
            f"model=rose-{policy},base_url=http://127.0.0.1:{port}/v1,api_key=local-demo-key,"
            f"num_concurrent={concurrency},timeout=120,max_retries=1"
        )
        lmms_out = pdir / "lmms"
        _run(
            [_bin("lmms-eval"), "--model", "openai", "--model_args", model_args, "--tasks", tasks,
             "--batch_size", "1", "--log_samples", "--output_path", str(lmms_out)],
            env=env,
            log=pdir / "lmms-eval.log",
        )
        results = _lmms_results(lmms_out)
        print(f"lmms-eval results: {results}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()
    samples = sorted(str(p) for p in lmms_out.rglob("*_samples_*.jsonl"))
    predictions = pdir / "predictions.jsonl"
    _run([_bin("rose"), "lmms-to-predictions", *samples, "--out", str(predictions), "--model", f"rose-{policy}"])
    scored = pdir / "rose_score"
    _run([_bin("rose"), "score", "--dataset-root", str(build), "--predictions", str(predictions),
          "--split", "test", "--out-dir", str(scored)])
    return scored


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("demo", help="build, serve the solver and a baseline, evaluate both through lmms-eval")
    p.add_argument("--work", type=Path, default=Path("rose-demo"),
                   help="working directory, new or made by an earlier demo (default ./rose-demo)")
    p.add_argument("--scale", type=float_range(0, MAX_SCALE, lo_open=True, example=0.25), default=0.25,
                   help="dataset scale passed to rose build (default 0.25)")
    p.add_argument("--subsets", default=None, help="comma list of subsets (default: all available)")
    p.add_argument("--seed", type=int_range(0, MAX_SEED), default=None, help="build seed (default: the builder's default)")
    p.add_argument("--policies", default=",".join(DEFAULT_POLICIES), help="comma list of rose serve policies")
    p.add_argument("--tasks", default="rose_count,rose_action", help="lmms-eval tasks (default rose_count,rose_action)")
    p.add_argument("--concurrency", type=int_range(1, MAX_CONCURRENCY, example=4), default=4,
                   help=f"parallel requests from lmms-eval (1..{MAX_CONCURRENCY}, default 4)")
    p.set_defaults(func=run)


def _claim_work_dir(work: Path) -> Path:
    """Create ``work`` (or reuse one an earlier demo made) and mark it as the demo's."""
    work = check_output(work, flag="--work", kind="into")
    if work.is_dir() and any(work.iterdir()) and not (work / WORK_MARKER).is_file():
        raise InputError(work, "--work is a folder the demo did not create; it replaces folders inside it",
                         fix="choose a new --work folder (default ./rose-demo)")
    work.mkdir(parents=True, exist_ok=True)
    (work / WORK_MARKER).write_text("made by `rose demo`; it may replace the folders here\n", encoding="utf-8")
    return work


def _policies(text: str) -> list[str]:
    from rose_bench.solver.policies import POLICIES

    names = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [n for n in names if n not in POLICIES]
    if unknown or not names:
        raise InputError("--policies", f"unknown or no policy: {', '.join(unknown) or text!r}",
                         fix=f"a comma list of {', '.join(sorted(POLICIES))}")
    return names


def run(args: argparse.Namespace) -> int:
    policies = _policies(args.policies)
    work = _claim_work_dir(args.work)
    try:
        return _demo(args, work, policies)
    except (subprocess.CalledProcessError, RuntimeError) as exc:
        raise CheckFailed(f"a demo step failed: {exc} (its output is above; logs are under {work})") from None


def _demo(args: argparse.Namespace, work: Path, policies: list[str]) -> int:
    build = work / "rose-bench"
    cmd = [_bin("rose"), "build", "--out", str(build), "--scale", str(args.scale), "--overwrite"]
    if args.subsets:
        cmd += ["--subsets", args.subsets]
    if args.seed is not None:
        cmd += ["--seed", str(args.seed)]
    _run(cmd)
    per_item = {}
    for policy in policies:
        print(f"\n=== policy: {policy} ===", flush=True)
        scored = evaluate_policy(policy, build, work, tasks=args.tasks, concurrency=args.concurrency)
        per_item[policy] = read_jsonl(scored / "per_item_eval.jsonl")
    print("\n" + comparison_table(per_item))
    print(f"\nAll outputs are under {work}")
    return 0


def comparison_table(per_item: dict[str, list[dict]]) -> str:
    """One Markdown row per policy: template PASS, Avg., VALID and the perception-to-action gap (in %)."""
    header = ["policy", "G-Cnt", "L-Cnt", "L-Clk", "V-Clk", "Excl-CS", "Avg.", "VALID", "Counting", "Action", "gap"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for policy, rows in per_item.items():
        primary, gap = primary_table(rows), perception_action_gap(rows)
        values = [primary[k] for k in header[1:8]] + [gap["Counting Avg."], gap["Action Avg."], gap["gap"]]
        lines.append("| " + " | ".join([policy] + [fmt_pct(v) for v in values]) + " |")
    return "\n".join(lines)
