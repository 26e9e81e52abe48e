"""`rose serve` throughput and latency at 1, 8 and 64 concurrent clients (prints figures; no assertions).

    .venv/bin/python -m benchmarks.bench_serve [--concurrency 1 8 64] [--requests 256] [--seconds 60] [--workers 4]

Starts the real `rose serve --policy solver` on 127.0.0.1 (port 0, loopback
only) and, for each concurrency level, lets that many client threads send
chat-completions requests back to back until ``--requests`` are done or
``--seconds`` have passed.  Requests cycle through four items of ROSE size
(T1-T5 phrasings; 10x12 text tiles of 48 px and 13x13 pixel-art tiles of 140 px,
the image sizes of the Glyph/Emoji and Pixel subsets).  Prints requests/s,
p50/p95/max latency, and how many got 503 (server full) or failed to connect.
Every answer is checked against the expected one.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from rose_bench.scoring.grid import Cell, ColRange, Exclusion, GlobalRegion, Rectangle, RowRange

from tests.support.chat_requests import Reply, chat_body, item_request, post  # run with -m from the repository root

ROSE = str(Path(sys.executable).with_name("rose"))
_URL = re.compile(r"http://127\.0\.0\.1:(\d+)/v1")
_TARGETS = frozenset({Cell(2, 2), Cell(3, 9), Cell(7, 4), Cell(9, 11)})


def _items() -> list[tuple[bytes, str]]:
    """(request body, expected answer) for four items of ROSE size."""
    glyph = {"kind": "text", "rows": 10, "cols": 12, "size": 48, "targets": _TARGETS}
    pixel = {"kind": "pixel", "rows": 13, "cols": 13, "size": 140, "targets": _TARGETS}
    cases = [
        ("T1_COUNT_GLOBAL", GlobalRegion(), glyph, "COUNT(4)"),
        ("T2_COUNT_LOCAL_NUMERIC", RowRange(2, 7), pixel, "COUNT(3)"),
        ("T3_CLICK_LOCAL_NUMERIC", Rectangle(2, 9, 3, 11), glyph, "CLICK(R3,C9); CLICK(R7,C4); CLICK(R9,C11); DONE"),
        ("T5_CLICK_COUNT_EXCLUSION", Exclusion(ColRange(1, 4)), pixel, "CLICK(R3,C9); CLICK(R9,C11); SUBMIT(2)"),
    ]
    return [(json.dumps(chat_body(*item_request(t, region, **scene))).encode(), want) for t, region, scene, want in cases]


def _start(flags: list[str], log: Path) -> tuple[subprocess.Popen, tuple[str, int]]:
    fh = log.open("w", encoding="utf-8")
    proc = subprocess.Popen([ROSE, "serve", "--host", "127.0.0.1", "--port", "0", *flags], stdout=fh, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if found := _URL.search(log.read_text(encoding="utf-8")):
            return proc, ("127.0.0.1", int(found.group(1)))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"rose serve did not start: {log.read_text(encoding='utf-8')[-2000:]}")


def run_level(address: tuple[str, int], items: list[tuple[bytes, str]], clients: int, requests: int, seconds: float) -> dict:
    """``clients`` threads sending back to back until ``requests`` are sent or ``seconds`` have passed."""
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    counts = {"ok": 0, "wrong": 0, "503": 0, "other": 0, "conn_error": 0}
    stop_at = time.monotonic() + seconds

    def client() -> None:
        nonlocal issued
        while True:
            with lock:
                if issued >= requests or time.monotonic() >= stop_at:
                    return
                body, want = items[issued % len(items)]
                issued += 1
            start = time.perf_counter()
            try:
                reply: Reply | None = post(address, body, timeout=max(1.0, stop_at - time.monotonic() + 30))
            except OSError:
                reply = None
            elapsed = time.perf_counter() - start
            with lock:
                if reply is None:
                    counts["conn_error"] += 1
                elif reply.status == 200:
                    latencies.append(elapsed)
                    counts["ok" if reply.content == want else "wrong"] += 1
                else:
                    counts["503" if reply.status == 503 else "other"] += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    wall = time.perf_counter() - began
    ordered = sorted(latencies)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")  # noqa: E731
    return {"clients": clients, "sent": issued, "wall": wall, "rps": counts["ok"] / wall if wall else 0.0,
            "p50": statistics.median(ordered) * 1000 if ordered else float("nan"), "p95": pick(0.95),
            "max": ordered[-1] * 1000 if ordered else float("nan"), **counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--requests", type=int, default=256, help="requests per level (default 256)")
    parser.add_argument("--seconds", type=float, default=60.0, help="time limit per level (default 60)")
    parser.add_argument("--workers", type=int, default=None, help="rose serve --workers (default: the server's)")
    parser.add_argument("--queue", type=int, default=None, help="rose serve --queue (default: the server's)")
    args = parser.parse_args()
    if not all(1 <= c <= 256 for c in args.concurrency) or not 1 <= args.requests <= 100_000 or not 0 < args.seconds <= 600:
        parser.error("concurrency 1..256, requests 1..100000, seconds in (0, 600]")
    flags = [f for name in ("workers", "queue") if getattr(args, name) is not None for f in (f"--{name}", str(getattr(args, name)))]
    items = _items()
    sizes = ", ".join(f"{len(body) / 1024:.0f} KiB" for body, _ in items)
    with tempfile.TemporaryDirectory() as tmp:
        proc, address = _start(flags, Path(tmp) / "serve.log")
        try:
            for body, _ in items:  # warm-up: imports, caches
                post(address, body)
            print(f"rose serve {' '.join(flags) or '(default limits)'} on {address[0]}:{address[1]}; request bodies {sizes}")
            print(f"{'clients':>7} {'sent':>6} {'ok':>6} {'503':>5} {'conn err':>8} {'other':>5} {'req/s':>7} "
                  f"{'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'wall s':>7}")
            for clients in args.concurrency:
                r = run_level(address, items, clients, args.requests, args.seconds)
                print(f"{r['clients']:>7} {r['sent']:>6} {r['ok']:>6} {r['503']:>5} {r['conn_error']:>8} {r['wrong'] + r['other']:>5} "
                      f"{r['rps']:>7.1f} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['max']:>8.1f} {r['wall']:>7.1f}", flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
