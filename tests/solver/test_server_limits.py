"""rose serve under hostile input: every size in a request is bounded, every refusal is a clear JSON error,
and the server keeps serving afterwards.  Real servers on 127.0.0.1 (port 0), real sockets."""

from __future__ import annotations

import json
import socket
import time

import pytest

from rose_bench.scoring.contract import MAX_GRID_ROWS, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE
from rose_bench.scoring.grid import ColRange, Exclusion, Rectangle, RowRange
from rose_bench.solver.chat_protocol import MAX_JSON_DEPTH
from rose_bench.solver.server import RETRY_AFTER, SolverServer, make_server

from tests.support.chat_requests import chat_body, data_url, item_request, png_header_only, post

MAX_BODY = 2 * 1024 * 1024
GOOD = item_request("T3_CLICK_LOCAL_NUMERIC", RowRange(2, 6))  # an 8x9 grid
GOOD_ANSWER = "CLICK(R2,C2); CLICK(R2,C3); CLICK(R6,C7); DONE"


def _json(body: dict) -> bytes:
    return json.dumps(body).encode()


def _serving(**limits) -> SolverServer:
    server = make_server("solver", "127.0.0.1", 0, **limits)
    server.start_background()
    return server


def _stop(server: SolverServer) -> None:
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def server():
    srv = _serving(max_body=MAX_BODY)
    yield srv
    _stop(srv)


def _assert_still_serving(server: SolverServer) -> None:
    reply = post(server.server_address[:2], _json(chat_body(*GOOD)))
    assert (reply.status, reply.content) == (200, GOOD_ANSWER), reply


def _deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def _with_deep_field(levels: int) -> bytes:
    body = chat_body(*GOOD)
    body["metadata"] = "@DEEP@"
    return _json(body).replace(b'"@DEEP@"', _deep(levels))


def _prompt(prompt_local: str) -> bytes:
    return _json(chat_body(GOOD[0], prompt_local))


def _image(png: bytes) -> bytes:
    return _json(chat_body(data_url(png), GOOD[1]))


_ROWS = "Click all cells that are different from the majority in {}. Answer only using CLICK(Rr,Cc); ...; DONE."

BAD_BODIES = [
    # JSON nesting: the parser's own guard (RecursionError) and the documented depth limit
    ("unclosed-array-100k-deep", b"[" * 100_000, 400, "nests JSON deeper"),
    ("closed-objects-5000-deep", b'{"a":' * 5000 + b"1" + b"}" * 5000, 400, "nests JSON deeper"),
    ("array-just-over-limit", _deep(MAX_JSON_DEPTH + 1), 400, f"deeper than {MAX_JSON_DEPTH}"),
    ("deep-field-in-a-valid-request", _with_deep_field(MAX_JSON_DEPTH + 5), 400, "nests JSON deeper"),
    # image pixels, refused from the header before decoding
    ("png-header-30000x30000", _image(png_header_only(30000, 30000)), 400, "at most"),
    ("png-header-over-pixel-limit", _image(png_header_only(4097, 4097)), 400, f"{MAX_IMAGE_PIXELS} pixels"),
    ("png-header-over-side-limit", _image(png_header_only(MAX_IMAGE_SIDE + 1, 8)), 400, f"{MAX_IMAGE_SIDE} px per side"),
    # regions read from the prompt: bounded while reading, then checked against the grid in the image (8x9)
    ("rows-to-999999999", _prompt(_ROWS.format("rows 1 to 999999999")), 422, "row 999999999"),
    ("row-with-5000-digits", _prompt(_ROWS.format("row " + "7" * 5000)), 422, f"no grid has more than {MAX_GRID_ROWS}"),
    ("rows-0-to-99", _prompt(_ROWS.format("rows 0 to 99")), 422, "row 0"),
    ("rows-past-the-grid", _prompt(_ROWS.format("rows 1 to 99")), 422, "outside the 8x9 grid"),
    ("columns-past-the-grid", _prompt(_ROWS.format("columns 9 to 10")), 422, "outside the 8x9 grid"),
    ("rectangle-past-the-grid", _prompt(_ROWS.format("from row 2 column 3 to row 9 column 4")), 422, "outside the 8x9 grid"),
    ("prompt-of-a-megabyte", _prompt("Count the cells in row 1. " * 40_000 + "Answer only in the format: COUNT(n)."), 422,
     "characters; at most"),
]


@pytest.mark.parametrize(("body", "status", "message"), [c[1:] for c in BAD_BODIES], ids=[c[0] for c in BAD_BODIES])
def test_bad_bodies_get_a_clear_error_and_the_server_keeps_serving(server, body, status, message) -> None:
    reply = post(server.server_address[:2], body, timeout=30)
    assert reply.status == status, reply
    assert message in reply.error, reply.error
    _assert_still_serving(server)


@pytest.mark.parametrize(
    ("region", "answer"),
    [(RowRange(1, 8), "CLICK(R2,C2); CLICK(R2,C3); CLICK(R6,C7); CLICK(R8,C1); DONE"),
     (ColRange(9, 9), "DONE"),
     (Rectangle(8, 8, 1, 9), "CLICK(R8,C1); DONE")],
    ids=["all-rows", "last-column", "last-row"],
)
def test_regions_reaching_the_edge_of_the_grid_are_still_answered(server, region, answer) -> None:
    reply = post(server.server_address[:2], _json(chat_body(*item_request("T3_CLICK_LOCAL_NUMERIC", region))))
    assert (reply.status, reply.content) == (200, answer), reply


def test_an_exclusion_outside_the_grid_is_refused(server) -> None:
    url, prompt = item_request("T5_CLICK_COUNT_EXCLUSION", Exclusion(RowRange(7, 12)))
    reply = post(server.server_address[:2], _json(chat_body(url, prompt)))
    assert reply.status == 422 and "outside the 8x9 grid" in reply.error, reply


def _half_sent(address: tuple[str, int], body: bytes) -> socket.socket:
    """A connection that sent its headers and half of its body, then stalls."""
    sock = socket.create_connection(address, timeout=30)
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[: len(body) // 2])
    return sock


def _reply(sock: socket.socket) -> tuple[bytes, dict]:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head, json.loads(body)


def _wait_for_requests(server: SolverServer, count: int) -> None:
    deadline = time.monotonic() + 30
    while server.admission.requests != count:
        assert time.monotonic() < deadline, f"server never held {count} request(s)"
        time.sleep(0.01)


def test_a_full_pool_answers_503_with_retry_after_then_serves_again() -> None:
    srv = _serving(workers=1, queue=0)
    try:
        address = srv.server_address[:2]
        body = _json(chat_body(*GOOD))
        slow = _half_sent(address, body)  # holds the only slot while its body trickles in
        _wait_for_requests(srv, 1)
        refused = post(address, body)
        assert refused.status == 503, refused
        assert refused.headers["retry-after"] == str(RETRY_AFTER)
        assert refused.body["error"]["code"] == "overloaded" and "places (workers + queue) are taken" in refused.error
        slow.sendall(body[len(body) // 2 :])
        head, answered = _reply(slow)
        slow.close()
        assert b" 200 " in head.split(b"\r\n", 1)[0] and answered["choices"][0]["message"]["content"] == GOOD_ANSWER
        _wait_for_requests(srv, 0)
        _assert_still_serving(srv)
    finally:
        _stop(srv)


def test_queued_bodies_are_bounded_in_bytes_too() -> None:
    body = _json(chat_body(*GOOD))
    srv = _serving(workers=1, queue=8, max_body=len(body), max_queued_bytes=len(body) * 3 // 2)
    try:
        address = srv.server_address[:2]
        slow = _half_sent(address, body)  # one body admitted; places are free but bytes are not
        _wait_for_requests(srv, 1)
        refused = post(address, body)
        assert refused.status == 503 and refused.body["error"]["code"] == "overloaded", refused
        assert "bytes of bodies allowed" in refused.error and refused.headers["retry-after"] == str(RETRY_AFTER)
        slow.sendall(body[len(body) // 2 :])
        head, _ = _reply(slow)
        slow.close()
        assert b" 200 " in head.split(b"\r\n", 1)[0]
        _wait_for_requests(srv, 0)
        _assert_still_serving(srv)
    finally:
        _stop(srv)


def test_a_body_that_does_not_arrive_in_time_gets_408() -> None:
    srv = _serving(read_timeout=0.5)
    try:
        slow = _half_sent(srv.server_address[:2], _json(chat_body(*GOOD)))
        head, body = _reply(slow)
        slow.close()
        assert b" 408 " in head.split(b"\r\n", 1)[0], head
        assert "not received within 0.5 s" in body["error"]["message"]
        _wait_for_requests(srv, 0)  # the slot is free again
        _assert_still_serving(srv)
    finally:
        _stop(srv)


def test_a_silent_connection_is_closed_after_the_read_timeout() -> None:
    srv = _serving(read_timeout=0.5)
    try:
        with socket.create_connection(srv.server_address[:2], timeout=30) as sock:
            assert sock.recv(1) == b""  # closed by the server, not by our 30 s timeout
        _assert_still_serving(srv)
    finally:
        _stop(srv)


def test_an_answer_later_than_the_solve_time_limit_is_a_503() -> None:
    srv = _serving(solve_timeout=0.001)
    try:
        big = item_request("T2_COUNT_LOCAL_NUMERIC", RowRange(1, 3), kind="pixel", rows=16, cols=16, size=150)
        reply = post(srv.server_address[:2], _json(chat_body(*big)))
        assert reply.status == 503 and reply.body["error"]["code"] == "timeout", reply
        assert reply.headers["retry-after"] == str(RETRY_AFTER) and "time limit of 0.001 s" in reply.error
        _wait_for_requests(srv, 0)  # the running solve finished and gave its slot back
    finally:
        _stop(srv)


@pytest.mark.parametrize(
    ("limits", "message"),
    [({"workers": 0}, "workers"), ({"queue": -1}, "queue"), ({"read_timeout": float("nan")}, "read_timeout"),
     ({"solve_timeout": 0}, "solve_timeout"), ({"max_body": 0}, "max_body"), ({"max_queued_bytes": 0}, "max_queued_bytes")],
    ids=["no-workers", "negative-queue", "nan-read-timeout", "zero-solve-timeout", "zero-body", "zero-queued-bytes"],
)
def test_limits_are_checked_before_listening(limits, message) -> None:
    with pytest.raises(ValueError, match=message):
        make_server("solver", "127.0.0.1", 0, **limits)
