"""A human run on disk: ``run.json`` (who, which build, which items in which order) and ``predictions.jsonl``.

Every answer is one JSON line appended, flushed and fsynced before the page is
told it was recorded, so stopping the server (or the machine) loses at most the
answer being typed.  Restarting with the same options resumes at the first
unanswered item; different options are refused, never silently mixed.  One
process owns a run (an exclusive ``flock`` on ``.lock``), and inside it one
lock serialises answers, so two browser tabs cannot record an item twice.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Optional

from rose_bench.scoring.io import InputError, atomic_file, iter_jsonl, parse_json

from .answer import Answer, RequestError

__all__ = ["RUN_FORMAT", "RUN_FILE", "PREDICTIONS_FILE", "ANNOTATOR_RE", "RunConfig", "RunStore", "read_config",
           "check_annotator"]

RUN_FORMAT = "rose-human-run/1"
RUN_FILE = "run.json"
PREDICTIONS_FILE = "predictions.jsonl"
LOCK_FILE = ".lock"
ANNOTATOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_ELAPSED_MS = 24 * 3600 * 1000


def check_annotator(name: str) -> str:
    if not ANNOTATOR_RE.match(name or ""):
        raise InputError("--annotator", f"invalid annotator name {name!r}",
                         fix="1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    return name


@dataclass(frozen=True)
class RunConfig:
    """What defines a run; resuming requires the same values."""

    annotator: str
    build: str  # the build directory, relative to the run directory
    fingerprint: str  # sha256 of the build's manifest.json
    split: str
    templates: tuple[str, ...]
    n: int
    seed: int
    items: tuple[str, ...]  # the sampled item ids in answering order

    def to_json(self) -> str:
        return json.dumps({"format": RUN_FORMAT, **asdict(self)}, ensure_ascii=False, indent=2) + "\n"


MAX_RUN_FILE_BYTES = 16 * 1024 * 1024  # a run.json lists item ids only; 100,000 items take ~3 MB


def read_config(run_dir: Path) -> RunConfig:
    """``run.json`` of an existing run; InputError naming the field when it is not one."""
    path = Path(run_dir) / RUN_FILE
    if not path.is_file():
        raise InputError(path, "not a human run (no run.json)", fix="pass a directory written by `rose human --out`")
    if path.stat().st_size > MAX_RUN_FILE_BYTES:
        raise InputError(path, f"larger than {MAX_RUN_FILE_BYTES} bytes: not a run.json written by `rose human`",
                         fix="restore run.json or start a new run")
    try:
        data, error = parse_json(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        data, error = None, f"not UTF-8 text ({exc.reason})"
    if error is not None:
        raise InputError(path, f"unreadable run.json: {error}", fix="restore run.json or start a new run")
    if not isinstance(data, dict) or data.get("format") != RUN_FORMAT:
        raise InputError(path, f"format is not {RUN_FORMAT}", field="format", fix="start a new run with this version")
    try:
        return RunConfig(
            annotator=str(data["annotator"]), build=str(data["build"]), fingerprint=str(data["fingerprint"]),
            split=str(data["split"]), templates=tuple(map(str, data["templates"])), n=int(data["n"]),
            seed=int(data["seed"]), items=tuple(map(str, data["items"])),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(path, f"malformed run.json ({exc})", fix="restore run.json or start a new run") from None


def _write_synced(path: Path, text: str) -> None:
    """``text`` to ``path`` in one rename, on disk (fsynced) before the run starts serving."""
    with atomic_file(path) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


class RunStore:
    """The open run: answered items, items handed to a page, and the append-only predictions file."""

    def __init__(self, run_dir: Path, config: RunConfig, *, clock=time.monotonic) -> None:
        self.run_dir = Path(run_dir)
        self.config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._served: dict[str, float] = {}
        self._position = {item_id: i for i, item_id in enumerate(config.items, start=1)}
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._lock_handle = open(self.run_dir / LOCK_FILE, "a+")
        try:
            fcntl.flock(self._lock_handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock_handle.close()
            raise InputError(self.run_dir, "another `rose human` is serving this run",
                             fix="open that server's page in another tab, or stop it first") from None
        try:
            self._adopt_config()
            self.answered: dict[str, dict] = self._read_answers()
            self._out = open(self.run_dir / PREDICTIONS_FILE, "a", encoding="utf-8", newline="\n")
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ opening
    def _adopt_config(self) -> None:
        path = self.run_dir / RUN_FILE
        if not path.exists():
            _write_synced(path, self.config.to_json())
            return
        stored = read_config(self.run_dir)
        before, now = asdict(stored), asdict(self.config)
        differing = [k if k == "items" else f"{k} {before[k]!r} (now {now[k]!r})" for k in now if before[k] != now[k]]
        if differing:
            raise InputError(path, f"this run was started with other {'; '.join(differing)}",
                             fix="resume with the options in run.json, or pass a new --out for a new run")

    def _read_answers(self) -> dict[str, dict]:
        path = self.run_dir / PREDICTIONS_FILE
        answered: dict[str, dict] = {}
        if not path.exists():
            return answered
        for line, row in iter_jsonl(path):
            item_id = str(row.get("item_id"))
            if item_id not in self._position:
                raise InputError(path, f"item {item_id!r} is not in this run's sample", line=line, field="item_id",
                                 fix="this predictions file belongs to another run; use a new --out")
            if item_id in answered:
                raise InputError(path, f"item {item_id!r} answered twice", line=line, field="item_id",
                                 fix="remove the later line")
            answered[item_id] = row
        return answered

    def close(self) -> None:
        out = getattr(self, "_out", None)
        if out is not None and not out.closed:
            out.close()
        if not self._lock_handle.closed:
            fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()

    # ------------------------------------------------------------------ serving
    def position(self, item_id: str) -> Optional[int]:
        return self._position.get(item_id)

    def progress(self) -> tuple[int, int]:
        with self._lock:
            return len(self.answered), len(self.config.items)

    def serve_next(self) -> Optional[str]:
        """The first unanswered item (marked as served, its clock started once), or None when done."""
        with self._lock:
            for item_id in self.config.items:
                if item_id not in self.answered:
                    self._served.setdefault(item_id, self._clock())
                    return item_id
            return None

    def is_served(self, item_id: str) -> bool:
        with self._lock:
            return item_id in self._served or item_id in self.answered

    def check_answerable(self, item_id: str) -> None:
        """RequestError 404/409 unless ``item_id`` was handed to a page and is still unanswered."""
        if item_id not in self._position:
            raise RequestError(404, f"unknown item_id {item_id!r}: not in this run")
        if item_id in self.answered:
            raise RequestError(409, f"item {item_id} is already answered; load the next item")
        if item_id not in self._served:
            raise RequestError(409, f"item {item_id} was not served yet; answer the item the page shows")

    def record(self, item_id: str, answer: Answer) -> dict[str, Any]:
        """Append the answer (fsynced) and return the recorded row; 4xx RequestError when not answerable."""
        with self._lock:
            self.check_answerable(item_id)
            elapsed = min(MAX_ELAPSED_MS, max(0, round((self._clock() - self._served[item_id]) * 1000)))
            row = {
                "item_id": item_id,
                "raw_text": answer.raw_text,
                "model": self.config.annotator,
                "elapsed_ms": elapsed,
                "input": answer.input_mode,
                "position": self._position[item_id],
            }
            self._out.write(json.dumps(row, ensure_ascii=False) + "\n")
            self._out.flush()
            os.fsync(self._out.fileno())
            self.answered[item_id] = row
            return row
