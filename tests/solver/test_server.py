"""rose serve: a real server on 127.0.0.1 (port 0) answering OpenAI chat-completions requests."""

from __future__ import annotations

import http.client
import json
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from rose_bench.dataset_builder.render import png_bytes
from rose_bench.solver.chat_protocol import split_prompts
from rose_bench.solver.server import make_server
from rose_bench.scoring.grid import ColRange, GlobalRegion, Rectangle, RowRange, VisualRegion

from tests.support import solver_images as support
from tests.support.chat_requests import CONFIG, chat_body, data_url, item_request, post


MAX_BODY = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def server():
    srv = make_server("solver", "127.0.0.1", 0, max_body=MAX_BODY)
    srv.start_background()
    yield srv
    srv.shutdown()
    srv.server_close()


def _post(server, payload, path: str = "/v1/chat/completions", raw: bytes | None = None) -> tuple[int, dict]:
    reply = post(server.server_address[:2], raw if raw is not None else json.dumps(payload).encode(), path, timeout=30)
    return reply.status, reply.body


GOOD = item_request("T3_CLICK_LOCAL_NUMERIC", RowRange(2, 6))
GOOD_ANSWER = "CLICK(R2,C2); CLICK(R2,C3); CLICK(R6,C7); DONE"


def _assert_still_serving(server) -> None:
    status, data = _post(server, chat_body(*GOOD))
    assert status == 200 and data["choices"][0]["message"]["content"] == GOOD_ANSWER


@pytest.mark.parametrize("order", ["global_image_local", "image_then_prompt", "prompt_then_image"])
@pytest.mark.parametrize("path", ["/v1/chat/completions", "/chat/completions"])
def test_answers_in_every_runner_prompt_order(server, order, path) -> None:
    status, data = _post(server, chat_body(*GOOD, order=order), path=path)
    assert status == 200, data
    assert data["object"] == "chat.completion" and data["model"] == "rose-solver"
    assert data["choices"][0]["message"] == {"role": "assistant", "content": GOOD_ANSWER}
    assert data["choices"][0]["finish_reason"] == "stop"
    usage = data["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0


def test_models_endpoint(server) -> None:
    conn = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    conn.request("GET", "/v1/models")
    response = conn.getresponse()
    assert response.status == 200
    assert [m["id"] for m in json.loads(response.read())["data"]] == ["rose-solver"]


def _with_url(url: str) -> dict:
    return chat_body(url, GOOD[1])


BAD_REQUESTS = [
    ("malformed-json", None, b'{"messages": [', 400, "not valid JSON"),
    ("not-an-object", None, b"[1, 2]", 400, "JSON object"),
    ("no-messages", {"model": "x"}, None, 400, "'messages'"),
    ("missing-image", {"messages": [{"role": "user", "content": [{"type": "text", "text": GOOD[1]}]}]}, None, 400, "missing image"),
    ("string-content", {"messages": [{"role": "user", "content": GOOD[1]}]}, None, 400, "missing image"),
    ("non-image-bytes", _with_url(data_url(b"this is not a PNG at all")), None, 400, "not a decodable image"),
    ("bad-base64", _with_url("data:image/png;base64,@@@not base64@@@"), None, 400, "not valid base64"),
    ("remote-url", _with_url("https://example.com/grid.png"), None, 400, "base64 data URL"),
    ("two-images", {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": GOOD[0]}}] * 2 + [{"type": "text", "text": GOOD[1]}]}]}, None, 400, "exactly one image"),
    ("stream", {**_with_url(GOOD[0]), "stream": True}, None, 400, "streaming"),
    ("unreadable-prompt", chat_body(GOOD[0], "Tell me a story."), None, 422, "cannot read the task"),
    ("image-without-grid", _with_url(data_url(png_bytes(support.Image.new("RGB", (300, 300), "white")))), None, 422, "ROSE grid"),
]


@pytest.mark.parametrize(("payload", "raw", "status", "message"), [c[1:] for c in BAD_REQUESTS], ids=[c[0] for c in BAD_REQUESTS])
def test_bad_requests_get_a_clear_4xx_and_the_server_keeps_serving(server, payload, raw, status, message) -> None:
    got, data = _post(server, payload, raw=raw)
    assert got == status, data
    assert message in data["error"]["message"]
    _assert_still_serving(server)


def test_unknown_endpoint_is_404(server) -> None:
    status, data = _post(server, chat_body(*GOOD), path="/v1/completions")
    assert status == 404 and "POST /v1/chat/completions" in data["error"]["message"]
    _assert_still_serving(server)


def test_huge_payload_is_refused_from_its_content_length_before_reading(server) -> None:
    """Only the headers are sent: the server must answer 413 without waiting for a gigabyte of body."""
    with socket.create_connection(server.server_address[:2], timeout=30) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000000000\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 413") or head.startswith(b"HTTP/1.1 413"), head
    assert "exceeds the limit" in json.loads(body)["error"]["message"]
    _assert_still_serving(server)


def test_oversized_body_actually_sent_gets_413(server) -> None:
    status, data = _post(server, None, raw=b" " * (MAX_BODY + 1))
    assert status == 413 and "exceeds the limit" in data["error"]["message"]
    _assert_still_serving(server)


def test_missing_content_length_is_411(server) -> None:
    with socket.create_connection(server.server_address[:2], timeout=30) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        reply = sock.recv(65536)
    assert b" 411 " in reply.split(b"\r\n", 1)[0]
    _assert_still_serving(server)


CONCURRENT = [
    ("T1_COUNT_GLOBAL", GlobalRegion(), None, "COUNT(4)"),
    ("T2_COUNT_LOCAL_NUMERIC", ColRange(2, 3), None, "COUNT(2)"),
    ("T3_CLICK_LOCAL_NUMERIC", Rectangle(5, 8, 1, 7), None, "CLICK(R6,C7); CLICK(R8,C1); DONE"),
    ("T4_CLICK_VISUAL_REGION", VisualRegion(1, 3, 3, 6), VisualRegion(1, 3, 3, 6), "CLICK(R2,C3); DONE"),
]


def test_concurrent_requests_each_get_their_own_answer(server) -> None:
    jobs = [(item_request(t, region, cue=cue), want) for t, region, cue, want in CONCURRENT] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda job: _post(server, chat_body(*job[0])), jobs))
    for (_, want), (status, data) in zip(jobs, results, strict=True):
        assert status == 200 and data["choices"][0]["message"]["content"] == want


def test_the_openai_client_talks_to_it(server) -> None:
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=server.url, api_key="unused", max_retries=0)
    url, prompt_local = GOOD
    reply = client.chat.completions.create(model="rose-solver", temperature=0.0, max_tokens=256, messages=chat_body(url, prompt_local)["messages"])
    assert reply.choices[0].message.content == GOOD_ANSWER
    assert [m.id for m in client.models.list()] == ["rose-solver"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CONFIG.prompt_global.strip() + "\n\nCount ... in row 3. Answer only in the format: COUNT(n).", "Count ... in row 3. Answer only in the format: COUNT(n)."),
        ("Preamble.\n\nCount ... in row 3. Answer only in the format: COUNT(n).", "Count ... in row 3. Answer only in the format: COUNT(n)."),
        ("Count ... in row 3. Answer only in the format: COUNT(n).", "Count ... in row 3. Answer only in the format: COUNT(n)."),
    ],
    ids=["known-global", "unknown-global", "local-only"],
)
def test_single_text_part_is_split_into_the_two_prompts(text, expected) -> None:
    assert split_prompts(text)[1] == expected
