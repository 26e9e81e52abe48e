"""A burst of 200 simultaneous requests against the real `rose serve` (a subprocess on 127.0.0.1, port 0).

Every request must end in an answer (200, the right one) or a clear 503 with
Retry-After -- never a connection reset or any other connection error.  With
the default limits most of the burst is queued and answered; with one worker
and a queue of 4 most of it is refused, which exercises the 503 path under a
real burst.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rose_bench.scoring.grid import ColRange, GlobalRegion, Rectangle, RowRange
from rose_bench.solver.server import RETRY_AFTER

from tests.support.chat_requests import Reply, chat_body, item_request, post

ROSE = str(Path(sys.executable).with_name("rose"))
BURST = 200
CLIENT_TIMEOUT = 120.0  # seconds per request; the whole burst is bounded by this
_URL = re.compile(r"http://127\.0\.0\.1:(\d+)/v1")

ITEMS = [  # (request body, expected answer) on an 8x9 grid with targets R2C2, R2C3, R6C7, R8C1
    (json.dumps(chat_body(*item_request("T1_COUNT_GLOBAL", GlobalRegion()))).encode(), "COUNT(4)"),
    (json.dumps(chat_body(*item_request("T2_COUNT_LOCAL_NUMERIC", ColRange(2, 3)))).encode(), "COUNT(2)"),
    (json.dumps(chat_body(*item_request("T3_CLICK_LOCAL_NUMERIC", RowRange(2, 6)))).encode(),
     "CLICK(R2,C2); CLICK(R2,C3); CLICK(R6,C7); DONE"),
    (json.dumps(chat_body(*item_request("T3_CLICK_LOCAL_NUMERIC", Rectangle(5, 8, 1, 7)))).encode(),
     "CLICK(R6,C7); CLICK(R8,C1); DONE"),
]


class RoseServe:
    """`rose serve` as a subprocess; the address is read from its start-up line."""

    def __init__(self, flags: list[str], log: Path) -> None:
        self.log = log
        self._fh = log.open("w", encoding="utf-8")
        self.proc = subprocess.Popen([ROSE, "serve", "--host", "127.0.0.1", "--port", "0", *flags],
                                     stdout=self._fh, stderr=subprocess.STDOUT)
        self.address = ("127.0.0.1", self._announced_port())

    def _announced_port(self, timeout: float = 60.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found := _URL.search(self.log.read_text(encoding="utf-8")):
                return int(found.group(1))
            if self.proc.poll() is not None:
                raise RuntimeError(f"rose serve exited with {self.proc.returncode}: {self.log.read_text(encoding='utf-8')}")
            time.sleep(0.05)
        self.close()
        raise RuntimeError(f"rose serve announced no URL within {timeout:g} s")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._fh.close()


def burst(address: tuple[str, int], count: int) -> list[tuple[int, Reply | BaseException]]:
    """``count`` requests released together by a barrier; (item index, reply or the exception raised)."""
    barrier = threading.Barrier(count)
    results: list[tuple[int, Reply | BaseException] | None] = [None] * count

    def client(i: int) -> None:
        body, _ = ITEMS[i % len(ITEMS)]
        try:
            barrier.wait(timeout=60)
            results[i] = (i % len(ITEMS), post(address, body, timeout=CLIENT_TIMEOUT))
        except BaseException as exc:  # noqa: BLE001 - a connection error is the failure under test
            results[i] = (i % len(ITEMS), exc)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60 + CLIENT_TIMEOUT + 30
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "some clients never finished"
    return results  # type: ignore[return-value]


SCENARIOS = [
    # (flags, at least this many answers, at least this many 503s)
    ("default-limits", [], 1, 0),
    ("one-worker-queue-4", ["--workers", "1", "--queue", "4"], 1, 1),
]


@pytest.mark.parametrize(("flags", "min_answers", "min_refused"), [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS])
def test_a_burst_of_200_gets_answers_or_503s_and_no_resets(tmp_path, flags, min_answers, min_refused) -> None:
    server = RoseServe(flags, tmp_path / "serve.log")
    try:
        results = burst(server.address, BURST)
        errors = [f"{type(r).__name__}: {r}" for _, r in results if isinstance(r, BaseException)]
        assert not errors, f"{len(errors)} of {BURST} requests failed at the connection level, e.g. {errors[:3]}"
        statuses = [r.status for _, r in results]
        assert set(statuses) <= {200, 503}, sorted(set(statuses))
        for index, reply in results:
            if reply.status == 200:
                assert reply.content == ITEMS[index][1], reply
            else:
                assert reply.headers.get("retry-after") == str(RETRY_AFTER), reply.headers
                assert reply.body["error"]["code"] == "overloaded" and "retry after" in reply.error, reply.body
        assert statuses.count(200) >= min_answers and statuses.count(503) >= min_refused, statuses
        after = post(server.address, ITEMS[0][0])  # still serving once the burst is over
        assert (after.status, after.content) == (200, ITEMS[0][1])
    finally:
        server.close()
    assert server.proc.returncode in (0, -15), server.log.read_text(encoding="utf-8")[-4000:]
