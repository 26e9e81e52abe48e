"""Run one function in a forked child process while this one goes on: the two cores of a large `rose score`.

A forked child starts with a copy of this process, so it needs nothing sent to
it, and hands back its (JSON-like) result through a pipe, serialised with
``marshal`` (the fastest serialiser of plain dicts, lists and strings; both
ends are this same Python).  It is used only where the result is the same as
doing the work here (tests run both ways), and only where forking is safe: on
a platform with ``os.fork`` and in a process with a single thread.
"""

from __future__ import annotations

import marshal
import os
import signal
import threading
import traceback
from contextlib import contextmanager, suppress
from typing import Any, Callable, Iterator, Optional

__all__ = ["ChildFailed", "Child", "can_fork", "forked"]


class ChildFailed(Exception):
    """The child process raised (its traceback is on stderr when ``report`` was set) or was killed."""


def can_fork() -> bool:
    """True where a child can be forked safely: ``os.fork`` exists and this process runs one thread."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Child:
    """A forked child running ``task``; ``result()`` waits for it and returns what ``task`` returned."""

    def __init__(self, task: Callable[[], Any], *, report: bool) -> None:
        """Fork now; ChildFailed if the system refuses a process (limits, memory): do the work here instead."""
        read_end, write_end = os.pipe()
        try:
            self._pid: Optional[int] = os.fork()
        except OSError as exc:
            os.close(read_end)
            os.close(write_end)
            raise ChildFailed(f"cannot fork ({exc})") from None
        if self._pid == 0:  # the child: never returns into the caller's code
            code = 1
            try:
                os.close(read_end)
                payload = marshal.dumps(task())
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
                code = 0
            except BaseException:  # noqa: BLE001 - turned into the exit status the parent checks
                if report:
                    traceback.print_exc()
            finally:
                os._exit(code)
        os.close(write_end)
        self._read_end = read_end

    def result(self) -> Any:
        """Wait for the child; its result, or ChildFailed if it raised or was killed."""
        if self._pid is None:
            raise ChildFailed("the child was stopped")
        with os.fdopen(self._read_end, "rb") as pipe:  # read to the end first: a full pipe would block the child
            payload = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise ChildFailed(f"exit status {code}")
        return marshal.loads(payload)

    def stop(self) -> None:
        """Kill and reap the child if it is still running (after an error or an interrupt here)."""
        if self._pid is None:
            return
        pid, self._pid = self._pid, None
        with suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with suppress(OSError):
            os.waitpid(pid, 0)
        with suppress(OSError):
            os.close(self._read_end)


@contextmanager
def forked(task: Callable[[], Any], *, report: bool = True) -> Iterator[Child]:
    """Fork a child running ``task`` for the duration of the block; leaving the block stops it if still running.

    ``report`` prints the child's traceback when it raises (off where a failure
    only means "do it here instead", and the work done here reports the error).
    Raises ChildFailed at once if no child can be forked.
    """
    child = Child(task, report=report)
    try:
        yield child
    finally:
        child.stop()
