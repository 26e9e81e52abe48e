"""An OpenAI-compatible HTTP endpoint that answers ROSE requests with a named policy.

``POST /v1/chat/completions`` (and ``/chat/completions``) and ``GET /v1/models``
(and ``/models``).  Every bad request gets a 4xx JSON error in the OpenAI
``{"error": {...}}`` shape and the server keeps serving; the body size is
checked against Content-Length before anything is read.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .chat_protocol import RequestError, completion_response, error_body, models_response, parse_chat_request
from .grid_detect import GridNotFound
from .policies import Policy, get_policy
from .prompt_region import PromptNotUnderstood

__all__ = ["SolverServer", "make_server", "DEFAULT_MAX_BODY"]

DEFAULT_MAX_BODY = 32 * 1024 * 1024
_CHAT_PATHS = ("/v1/chat/completions", "/chat/completions")
_MODEL_PATHS = ("/v1/models", "/models")
_SOCKET_TIMEOUT = 60.0  # seconds a client may stall mid-request before its connection is dropped
_MAX_DISCARD = 256 * 1024 * 1024  # refused bodies up to this size are read and dropped, larger ones cut off
_DISCARD_TIMEOUT = 5.0  # seconds to wait for more of a refused body

log = logging.getLogger(__name__)


class SolverServer(ThreadingHTTPServer):
    """A threading HTTP server bound to one policy."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], policy_name: str, *, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.policy: Policy = get_policy(policy_name)
        self.policy_name = policy_name
        self.model_id = f"rose-{policy_name}"
        self.max_body = max_body
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start_background(self) -> threading.Thread:
        """Serve on a daemon thread (tests, notebooks); stop with ``shutdown()`` then ``server_close()``."""
        thread = threading.Thread(target=self.serve_forever, name=f"rose-serve-{self.policy_name}", daemon=True)
        thread.start()
        return thread


def make_server(policy_name: str, host: str = "127.0.0.1", port: int = 8000, *, max_body: int = DEFAULT_MAX_BODY) -> SolverServer:
    return SolverServer((host, port), policy_name, max_body=max_body)


class _Handler(BaseHTTPRequestHandler):
    server: SolverServer
    server_version = "rose-serve"
    timeout = _SOCKET_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        log.info("%s %s", self.address_string(), format % args)

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, status: int, message: str, code: str) -> None:
        self._send_json(status, error_body(message, code, status))

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        path = self.path.split("?", 1)[0].rstrip("/")
        if path in _MODEL_PATHS:
            self._send_json(200, models_response(self.server.model_id))
        elif path in ("/health", "/v1/health"):
            self._send_json(200, {"status": "ok", "policy": self.server.policy_name})
        else:
            self._send_error(404, f"no such endpoint GET {path}; try GET /v1/models or POST /v1/chat/completions", "not_found")

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() not in ("", "identity"):
            self.close_connection = True
            raise RequestError(411, "chunked bodies are not supported; send a Content-Length header", "length_required")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            self.close_connection = True
            raise RequestError(411, "missing Content-Length header", "length_required")
        try:
            length = int(length_text)
            if length < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            raise RequestError(400, f"invalid Content-Length {length_text!r}", "invalid_length") from None
        if length > self.server.max_body:
            self.close_connection = True  # the unread body must not be parsed as the next request
            self._unread = length
            raise RequestError(
                413, f"request body of {length} bytes exceeds the limit of {self.server.max_body} bytes", "payload_too_large"
            )
        body = self.rfile.read(length)
        if len(body) != length:
            self.close_connection = True
            raise RequestError(400, f"request body ended after {len(body)} of {length} bytes", "incomplete_body")
        return body

    def _discard_unread(self) -> None:
        """Swallow (a bounded part of) a refused body so the client reads our 413, not a reset."""
        remaining = min(getattr(self, "_unread", 0), _MAX_DISCARD)
        self._unread = 0
        if remaining <= 0:
            return
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)  # the client sees the end of our reply at once
            self.connection.settimeout(_DISCARD_TIMEOUT)
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 16))
                if not chunk:
                    break
                remaining -= len(chunk)
        except OSError:
            pass

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        path = self.path.split("?", 1)[0].rstrip("/")
        try:
            if path not in _CHAT_PATHS:
                self.close_connection = True
                raise RequestError(404, f"no such endpoint POST {path}; use POST /v1/chat/completions", "not_found")
            body = self._read_body()
            request = parse_chat_request(body)
            try:
                answer = self.server.policy(request.image, request.prompt_global, request.prompt_local)
            except GridNotFound as exc:
                raise RequestError(422, f"cannot read the image as a ROSE grid: {exc}", "unreadable_image") from None
            except PromptNotUnderstood as exc:
                raise RequestError(422, f"cannot read the task: {exc}", "unreadable_prompt") from None
            self._send_json(200, completion_response(body, self.server.model_id, answer, request))
        except RequestError as exc:
            self._send_error(exc.status, str(exc), exc.code)
            self._discard_unread()
        except Exception as exc:  # a policy bug must not take the server down
            log.exception("policy %s failed", self.server.policy_name)
            self.close_connection = True
            self._send_error(int(HTTPStatus.INTERNAL_SERVER_ERROR), f"internal error: {type(exc).__name__}: {exc}", "internal_error")
