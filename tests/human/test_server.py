"""The JSON API on a real 127.0.0.1 server: what the page may see, what it may record, and bad requests."""

from __future__ import annotations

import io
import json
import socket
import threading
from pathlib import Path

import pytest
from PIL import Image

from rose_bench.human.items import PUBLIC_FIELDS
from rose_bench.human.server import MAX_BODY
from rose_bench.scoring.io import read_jsonl

from tests.support.human import build_rows, correct_body, make_config, served

VIEW_FIELDS = set(PUBLIC_FIELDS) | {"image_url", "position", "total"}


def test_the_page_sees_prompts_image_and_geometry_never_the_answer(human_build: Path, tmp_path: Path) -> None:
    rows = build_rows(human_build)
    config = make_config(human_build, tmp_path / "run")
    with served(human_build, tmp_path / "run", config) as (client, _):
        for _ in range(len(config.items)):
            status, state = client.get("/api/state")
            item = state["item"]
            meta = rows[item["item_id"]]
            assert status == 200 and set(item) == VIEW_FIELDS
            assert {k: item[k] for k in PUBLIC_FIELDS} == {k: meta[k] for k in PUBLIC_FIELDS}
            assert set(state) == {"mode", "annotator", "answered", "total", "done", "item"}
            text = json.dumps(state)
            if meta["task_mode"] != "COUNT" and meta["ground_truth_formal_answer"] not in meta["prompt_global"]:
                assert meta["ground_truth_formal_answer"] not in text
            status, _, png = client.request("GET", item["image_url"])
            with Image.open(io.BytesIO(png)) as image:
                assert status == 200 and image.size == (item["cols"] * item["cell_size"], item["rows"] * item["cell_size"])
            assert client.post("/api/answer", correct_body(meta))[0] == 200
        status, state = client.get("/api/state")
        assert state["done"] is True and state["item"] is None and state["answered"] == len(config.items)


def _raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    "method, path, body, headers, status, words",
    [
        ("POST", "/api/answer", b"{not json", JSON, 400, "not JSON"),
        ("POST", "/api/answer", b"\xff\xfe", JSON, 400, "not JSON"),
        ("POST", "/api/answer", b"[1, 2]", JSON, 400, "JSON object"),
        ("POST", "/api/answer", b'{"item_id": "NOPE_000001", "raw_text": "DONE"}', JSON, 404, "unknown item_id"),
        ("POST", "/api/answer", b'{"raw_text": "DONE"}', JSON, 400, "item_id"),
        ("POST", "/api/answer", b'{"item_id": "@LAST", "raw_text": "DONE"}', JSON, 409, "not served"),
        ("POST", "/api/preview", b'{"item_id": "@LAST", "cells": []}', JSON, 409, "not served"),
        ("POST", "/api/answer", b'{"raw_text": "' + b"x" * MAX_BODY + b'"}', JSON, 413, "at most"),
        ("POST", "/api/answer", b'{"item_id": "@FIRST", "raw_text": "DONE"}', {"Content-Type": "text/plain"}, 415,
         "application/json"),
        ("POST", "/api/answer", b'{"item_id": "@FIRST", "cells": [[0, 0]]}', JSON, 400, "between 1"),
        ("POST", "/api/state", b"{}", JSON, 405, "cannot POST"),
        ("POST", "/api/elsewhere", b"{}", JSON, 404, "cannot POST"),
        ("GET", "/api/image/@LAST", None, {}, 409, "not served"),
        ("GET", "/api/image/NOPE_000001", None, {}, 404, "unknown item_id"),
        ("GET", "/api/review/1", None, {}, 404, "review is off"),
        ("GET", "/api/nothing", None, {}, 404, "no such endpoint"),
        ("GET", "/api/state", None, {"Host": "attacker.example:80"}, 403, "Host"),
    ],
    ids=["bad-json", "not-utf8", "not-an-object", "unknown-item", "no-item-id", "not-served", "preview-not-served",
         "oversized-body", "wrong-content-type", "cell-outside-grid", "post-to-get-endpoint", "unknown-post",
         "image-not-served", "image-unknown", "review-when-answering", "unknown-endpoint", "foreign-host"],
)
def test_bad_requests_get_json_errors_and_record_nothing(human_build: Path, tmp_path: Path, method, path, body,
                                                         headers, status, words) -> None:
    config = make_config(human_build, tmp_path / "run")
    first, last = config.items[0], config.items[-1]
    fill = lambda b: b.replace(b"@FIRST", first.encode()).replace(b"@LAST", last.encode())  # noqa: E731
    with served(human_build, tmp_path / "run", config) as (client, _):
        assert client.get("/api/state")[1]["item"]["item_id"] == first
        got, data, _ = client.request(method, fill(path.encode()).decode(), fill(body) if body else None, headers)
        assert got == status and words in data["error"] and data["status"] == status
        assert client.get("/api/state")[0] == 200  # the server keeps running
    assert (tmp_path / "run" / "predictions.jsonl").read_bytes() == b""


@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (b"POST /api/answer HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\r\n{}", 411),
        (b"POST /api/answer HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
         b"Content-Length: -5\r\n\r\n{}", 400),
        (b"POST /api/answer HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
         b"Content-Length: 99999999999\r\n\r\n{}", 413),
    ],
    ids=["no-content-length", "negative-content-length", "huge-content-length"],
)
def test_bad_framing_is_refused_before_reading(human_build: Path, tmp_path: Path, request_bytes, status) -> None:
    config = make_config(human_build, tmp_path / "run")
    with served(human_build, tmp_path / "run", config) as (client, _):
        reply = _raw(client.port, request_bytes.replace(b"{port}", str(client.port).encode()))
        assert reply.startswith(f"HTTP/1.0 {status}".encode()) or reply.startswith(f"HTTP/1.1 {status}".encode())
        assert json.loads(reply.split(b"\r\n\r\n", 1)[1])["status"] == status
        assert client.get("/api/state")[0] == 200


def test_two_tabs_racing_record_an_item_once(human_build: Path, tmp_path: Path) -> None:
    rows = build_rows(human_build)
    config = make_config(human_build, tmp_path / "run")
    with served(human_build, tmp_path / "run", config) as (client, _):
        item_id = client.get("/api/state")[1]["item"]["item_id"]
        results: list[int] = []
        start = threading.Barrier(8)

        def tab() -> None:
            start.wait()
            results.append(client.post("/api/answer", correct_body(rows[item_id]))[0])

        threads = [threading.Thread(target=tab) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [200] + [409] * 7
        assert client.get("/api/state")[1]["item"]["item_id"] == config.items[1]
    lines = read_jsonl(tmp_path / "run" / "predictions.jsonl")
    assert [r["item_id"] for r in lines] == [item_id]


def test_preview_is_composed_by_the_server(human_build: Path, tmp_path: Path) -> None:
    rows = build_rows(human_build)
    config = make_config(human_build, tmp_path / "run")
    with served(human_build, tmp_path / "run", config) as (client, _):
        for _ in range(len(config.items)):
            item_id = client.get("/api/state")[1]["item"]["item_id"]
            body = correct_body(rows[item_id])
            status, shown = client.post("/api/preview", body)
            assert status == 200 and shown["format_valid"] is True
            assert shown["raw_text"] == rows[item_id]["ground_truth_formal_answer"]
            status, reply = client.post("/api/answer", body)
            assert reply["recorded"]["raw_text"] == shown["raw_text"]
    recorded = read_jsonl(tmp_path / "run" / "predictions.jsonl")
    assert [r["item_id"] for r in recorded] == list(config.items)
    assert all(r["model"] == "alice" and r["input"] == "cells" and r["elapsed_ms"] >= 0 for r in recorded)


def test_review_mode_shows_answers_and_the_solver(human_build: Path) -> None:
    rows = build_rows(human_build)
    order = sorted(rows)[:6]
    with served(human_build, None, review_order=order) as (client, _):
        assert client.get("/api/state")[1] == {"mode": "review", "total": 6}
        for position, item_id in enumerate(order, start=1):
            status, item = client.get(f"/api/review/{position}")
            meta = rows[item_id]
            assert status == 200 and item["item_id"] == item_id
            assert item["ground_truth_formal_answer"] == meta["ground_truth_formal_answer"]
            assert sorted(f"R{r},C{c}" for r, c in item["answer_cells"]) == sorted(meta["ground_truth_clicks"])
            assert item["solver"]["answer"] == meta["ground_truth_formal_answer"] and item["solver"]["pass"] == 1
            assert len(item["region_cells"]) == meta["region_cell_count"]
        for bad in ("0", "7", "x"):
            assert client.get(f"/api/review/{bad}")[0] == 404
        assert client.post("/api/answer", {"item_id": order[0], "raw_text": "DONE"})[0] == 405
