"""Helpers for the human-page tests: the build's metadata, correct answers, and a served run on a thread."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import threading
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

from rose_bench.human.items import load_build_items, load_images
from rose_bench.human.run import RunConfig, RunStore
from rose_bench.scoring.answer_key import dataset_fingerprint
from rose_bench.human.sample import stratified_sample
from rose_bench.human.server import HumanApp, make_server
from rose_bench.scoring.contract import TEMPLATE_ORDER

from tests.support.cli import ROSE


def build_rows(build: Path, split: str = "dev") -> dict[str, dict]:
    """item_id -> metadata row (no image) of the main templates."""
    return load_build_items(build, split, TEMPLATE_ORDER).by_id


def make_config(build: Path, run_dir: Path, *, annotator: str = "alice", n: int = 20, seed: int = 0,
                split: str = "dev") -> RunConfig:
    items = load_build_items(build, split, TEMPLATE_ORDER)
    order = stratified_sample(items.keys(), n, seed)
    return RunConfig(annotator=annotator, build=os.path.relpath(build, run_dir), fingerprint=dataset_fingerprint(build), split=split,
                     templates=TEMPLATE_ORDER, n=n, seed=seed, items=tuple(order))


class Client:
    """A tiny HTTP client for the API that can also send malformed requests."""

    def __init__(self, port: int) -> None:
        self.port = port

    def request(self, method: str, path: str, body: Optional[bytes] = None,
                headers: Optional[dict[str, str]] = None) -> tuple[int, Any, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            raw = response.read()
            kind = response.getheader("Content-Type", "")
            data = json.loads(raw) if kind.startswith("application/json") else None
            return response.status, data, raw
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, Any]:
        status, data, _ = self.request("GET", path)
        return status, data

    def post(self, path: str, obj: Any) -> tuple[int, Any]:
        status, data, _ = self.request("POST", path, json.dumps(obj).encode(),
                                       {"Content-Type": "application/json"})
        return status, data


@contextmanager
def served(build: Path, run_dir: Optional[Path], config: Optional[RunConfig] = None, *,
           review_order: Optional[list[str]] = None) -> Iterator[tuple[Client, Optional[RunStore]]]:
    """A real server on a free 127.0.0.1 port in a thread (answer mode with ``run_dir``, else review)."""
    items = load_build_items(build, "dev", TEMPLATE_ORDER)
    store = RunStore(run_dir, config) if run_dir is not None else None
    order = list(config.items) if config is not None else list(review_order or [])
    app = HumanApp(order=order, rows={i: items.by_id[i] for i in order}, images=load_images(items, order),
                   store=store)
    server = make_server(app, 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Client(server.server_address[1]), store
    finally:
        server.shutdown()
        server.server_close()
        if store is not None:
            store.close()


def correct_body(meta: dict[str, Any]) -> dict[str, Any]:
    """The cells/count body a careful annotator sends for ``meta``."""
    cells = [[int(k.split(",")[0][1:]), int(k.split(",")[1][1:])] for k in meta["ground_truth_clicks"]]
    if meta["task_mode"] == "COUNT":
        return {"item_id": meta["item_id"], "cells": [], "count": int(meta["ground_truth_count"])}
    if meta["task_mode"] == "CLICK":
        return {"item_id": meta["item_id"], "cells": cells}
    return {"item_id": meta["item_id"], "cells": cells, "count": int(meta["ground_truth_count"])}


def human_argv(build: Path, out: Path, *extra: str, annotator: str = "alice") -> list[str]:
    """`rose human` answering 20 dev items of ``build`` into ``out`` on a free port (tests index into this list)."""
    return ["human", "--build", str(build), "--split", "dev", "--n", "20", "--annotator", annotator, "--out", str(out),
            "--port", "0", *extra]


def start_cli(argv: list[str]) -> tuple[subprocess.Popen, str]:
    """`rose <argv>` in a child process (a real `rose human` server); returns it and the URL it printed."""
    proc = subprocess.Popen([ROSE, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if match := re.search(r"open (http://127\.0\.0\.1:\d+/)", line):
            return proc, match.group(1)
    raise AssertionError(proc.stderr.read())


def post_json(url: str, obj: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(obj).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.load(reply)
