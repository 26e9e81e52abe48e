"""The forked child of a large `rose score`: its result, its failures, and stopping it."""

from __future__ import annotations

import os
import time

import pytest

from rose_bench.scoring.forked import ChildFailed, can_fork, forked

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

RESULT = {"rows": [{"a": 1.5, "b": None, "c": ["R1,C2", "é"], "d": True}], "ids": ["x", "y"], "big": 10**30}


def _raise() -> None:
    raise ValueError("boom in the child")


@pytest.mark.parametrize(
    "task,expected,report,printed",
    [
        (lambda: RESULT, RESULT, True, False),
        (lambda: None, None, True, False),
        (_raise, ChildFailed, True, True),
        (_raise, ChildFailed, False, False),
        (lambda: os._exit(3), ChildFailed, True, False),
        (lambda: object(), ChildFailed, True, True),  # not serialisable: an error, not a hang
    ],
    ids=["result", "none", "raises-reported", "raises-quiet", "exits", "unserialisable"],
)
def test_child_result(task, expected, report, printed, capfd):
    with forked(task, report=report) as child:
        if expected is ChildFailed:
            with pytest.raises(ChildFailed):
                child.result()
        else:
            assert child.result() == expected
    err = capfd.readouterr().err
    assert ("Traceback" in err) == printed
    assert (not printed) or ("boom in the child" in err or "unmarshallable" in err)


def test_leaving_the_block_stops_a_running_child():
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        with forked(lambda: time.sleep(60)) as child:
            pid = child._pid
            raise KeyboardInterrupt
    assert time.monotonic() - start < 10
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)
    with pytest.raises(ChildFailed):
        child.result()


def test_can_fork_only_with_one_thread():
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert can_fork() is False
    finally:
        stop.set()
        thread.join()


def test_a_refused_fork_is_a_child_failure_and_leaks_nothing(monkeypatch):
    def refuse():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    monkeypatch.setattr(os, "fork", refuse)
    with pytest.raises(ChildFailed, match="cannot fork"):
        with forked(lambda: 1):
            pytest.fail("the block must not run without a child")
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before  # both pipe ends closed
