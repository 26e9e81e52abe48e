"""An OpenAI-compatible HTTP endpoint that answers ROSE requests with a named policy.

``POST /v1/chat/completions`` (and ``/chat/completions``), ``GET /v1/models``
(and ``/models``) and ``GET /health``.  Every bad request gets a 4xx JSON error
in the OpenAI ``{"error": {...}}`` shape and the server keeps serving.

Work is bounded so that a burst or a hostile request cannot take the machine
down or make other clients see connection resets:

* the listen backlog holds ``LISTEN_BACKLOG`` pending connections (the standard
  library's default of 5 reset most of a burst of 50);
* at most ``workers`` requests are solved at once and at most ``queue`` more
  wait (holding at most ``MAX_QUEUED_BYTES`` of bodies); a request beyond that
  is answered at once with 503 and ``Retry-After`` -- its body is read and
  dropped, never left unread, so the client gets the reply and not a reset;
* the body size is checked against Content-Length before anything is read, the
  body must arrive within ``read_timeout`` seconds, and the answer within
  ``solve_timeout`` seconds of that (else 503; a policy already running finishes
  in its worker -- its inputs are bounded -- but its client is not kept waiting).
"""

from __future__ import annotations

import json
import logging
import socket
import sys
import threading
import time
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .chat_protocol import ChatRequest, RequestError, completion_response, error_body, models_response, parse_chat_request
from .grid_detect import GridNotFound, ImageTooLarge
from .policies import Policy, get_policy
from .prompt_region import PromptNotUnderstood

__all__ = [
    "SolverServer", "ServeLimits", "make_server", "DEFAULT_MAX_BODY", "DEFAULT_WORKERS", "DEFAULT_QUEUE",
    "DEFAULT_READ_TIMEOUT", "DEFAULT_SOLVE_TIMEOUT", "LISTEN_BACKLOG", "MAX_QUEUED_BYTES", "RETRY_AFTER",
]

DEFAULT_MAX_BODY = 32 * 1024 * 1024
DEFAULT_WORKERS = 4  # requests solved at once (threads; numpy releases the GIL for most of a solve)
DEFAULT_QUEUE = 128  # admitted requests waiting for a worker; more get 503
DEFAULT_READ_TIMEOUT = 30.0  # seconds for the headers (per read) and for the whole body
DEFAULT_SOLVE_TIMEOUT = 60.0  # seconds from the end of the body to the answer, waiting in the queue included
LISTEN_BACKLOG = 1024  # pending connections the kernel holds before accept (capped by net.core.somaxconn)
MAX_QUEUED_BYTES = 512 * 1024 * 1024  # request bodies held by admitted requests at once (at least one max body)
RETRY_AFTER = 1  # seconds, sent with every 503
_CHAT_PATHS = ("/v1/chat/completions", "/chat/completions")
_MODEL_PATHS = ("/v1/models", "/models")
_HEALTH_PATHS = ("/health", "/v1/health")
_MAX_DISCARD = 256 * 1024 * 1024  # refused bodies up to this size are read and dropped, larger ones cut off
_DISCARD_TIMEOUT = 5.0  # seconds to wait for more of a refused body
_READ_CHUNK = 1 << 20

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeLimits:
    """The bounds of one server; every field is checked here so a bad value fails at start-up."""

    max_body: int = DEFAULT_MAX_BODY
    workers: int = DEFAULT_WORKERS
    queue: int = DEFAULT_QUEUE
    read_timeout: float = DEFAULT_READ_TIMEOUT
    solve_timeout: float = DEFAULT_SOLVE_TIMEOUT
    max_queued_bytes: int = MAX_QUEUED_BYTES  # raised to max_body if smaller, so one largest request always fits

    def __post_init__(self) -> None:
        for name in ("max_body", "workers", "max_queued_bytes"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        if not isinstance(self.queue, int) or self.queue < 0:
            raise ValueError(f"queue must be an integer >= 0, got {self.queue!r}")
        for name in ("read_timeout", "solve_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 < value < float("inf"):
                raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}")


class _Admission:
    """Requests inside the server (waiting or being solved) and the body bytes they hold."""

    def __init__(self, slots: int, byte_budget: int) -> None:
        self._lock = threading.Lock()
        self._slots, self._budget = slots, byte_budget
        self.requests = 0
        self._bytes = 0

    def try_enter(self, nbytes: int) -> str | None:
        """None if admitted, else why not."""
        with self._lock:
            if self.requests >= self._slots:
                return f"all {self._slots} places (workers + queue) are taken"
            if self._bytes + nbytes > self._budget:
                return f"the requests already queued hold {self._bytes} of the {self._budget} bytes of bodies allowed"
            self.requests += 1
            self._bytes += nbytes
            return None

    def leave(self, nbytes: int) -> None:
        with self._lock:
            self.requests -= 1
            self._bytes -= nbytes


class SolverServer(ThreadingHTTPServer):
    """A threading HTTP server bound to one policy; solving runs on a bounded worker pool."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], policy_name: str, *, limits: ServeLimits = ServeLimits()) -> None:
        self.policy: Policy = get_policy(policy_name)
        self.policy_name = policy_name
        self.model_id = f"rose-{policy_name}"
        self.limits = limits
        self.admission = _Admission(limits.workers + limits.queue, max(limits.max_queued_bytes, limits.max_body))
        self.pool = ThreadPoolExecutor(max_workers=limits.workers, thread_name_prefix=f"rose-solve-{policy_name}")
        try:
            super().__init__(address, _Handler)
        except BaseException:
            self.pool.shutdown(wait=False)
            raise

    @property
    def max_body(self) -> int:
        return self.limits.max_body

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start_background(self) -> threading.Thread:
        """Serve on a daemon thread (tests, notebooks); stop with ``shutdown()`` then ``server_close()``."""
        thread = threading.Thread(target=self.serve_forever, name=f"rose-serve-{self.policy_name}", daemon=True)
        thread.start()
        return thread

    def server_close(self) -> None:
        super().server_close()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One log line (not a traceback on stderr) when a connection breaks, e.g. a client that went away."""
        exc = sys.exc_info()[1]
        log.warning("connection from %s ended early: %s: %s", client_address, type(exc).__name__, exc)

    def answer(self, body: bytes) -> tuple[ChatRequest, str]:
        """Parse one request body and answer it with the policy (runs on a worker thread)."""
        request = parse_chat_request(body)
        try:
            return request, self.policy(request.image, request.prompt_global, request.prompt_local)
        except ImageTooLarge as exc:
            raise RequestError(400, str(exc), "image_too_large") from None
        except GridNotFound as exc:
            raise RequestError(422, f"cannot read the image as a ROSE grid: {exc}", "unreadable_image") from None
        except PromptNotUnderstood as exc:
            raise RequestError(422, f"cannot read the task: {exc}", "unreadable_prompt") from None


def make_server(
    policy_name: str, host: str = "127.0.0.1", port: int = 8000, *, max_body: int = DEFAULT_MAX_BODY, **limits: Any
) -> SolverServer:
    """A server for ``policy_name``; ``limits`` are the other ``ServeLimits`` fields (workers, queue, ...)."""
    return SolverServer((host, port), policy_name, limits=ServeLimits(max_body=max_body, **limits))


def _busy(message: str, code: str) -> RequestError:
    return RequestError(503, f"{message}; retry after {RETRY_AFTER} s", code)


class _Handler(BaseHTTPRequestHandler):
    server: SolverServer
    server_version = "rose-serve"
    _unread = 0

    def setup(self) -> None:
        self.timeout = self.server.limits.read_timeout  # each read of the request line and headers
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        log.info("%s %s", self.address_string(), format % args)

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if status == HTTPStatus.SERVICE_UNAVAILABLE:
            self.send_header("Retry-After", str(RETRY_AFTER))
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
        elif path in _HEALTH_PATHS:
            limits = self.server.limits
            self._send_json(200, {"status": "ok", "policy": self.server.policy_name, "workers": limits.workers,
                                  "queue": limits.queue, "requests": self.server.admission.requests})
        else:
            self._send_error(404, f"no such endpoint GET {path}; try GET /v1/models or POST /v1/chat/completions", "not_found")

    def _content_length(self) -> int:
        if self.headers.get("Transfer-Encoding", "").lower() not in ("", "identity"):
            self.close_connection = True
            raise RequestError(411, "chunked bodies are not supported; send a Content-Length header", "length_required")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            self.close_connection = True
            raise RequestError(411, "missing Content-Length header", "length_required")
        try:
            if len(length_text) > 20:
                raise ValueError
            length = int(length_text)
            if length < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            raise RequestError(400, f"invalid Content-Length {length_text[:40]!r}", "invalid_length") from None
        if length > self.server.max_body:
            self.close_connection = True  # the unread body must not be parsed as the next request
            self._unread = length
            raise RequestError(
                413, f"request body of {length} bytes exceeds the limit of {self.server.max_body} bytes", "payload_too_large"
            )
        return length

    def _read_body(self, length: int) -> bytes:
        """The whole body within ``read_timeout`` seconds (a slow client cannot hold a slot for longer)."""
        deadline = time.monotonic() + self.server.limits.read_timeout
        chunks: list[bytes] = []
        remaining = length
        try:
            while remaining > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                self.connection.settimeout(left)
                chunk = self.rfile.read1(min(remaining, _READ_CHUNK))
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
        except TimeoutError:
            self.close_connection = True
            raise RequestError(
                408, f"request body not received within {self.server.limits.read_timeout:g} s "
                f"({length - remaining} of {length} bytes)", "request_timeout"
            ) from None
        if remaining:
            self.close_connection = True
            raise RequestError(400, f"request body ended after {length - remaining} of {length} bytes", "incomplete_body")
        return b"".join(chunks)

    def _discard_unread(self) -> None:
        """Swallow (a bounded part of) a refused body so the client reads our reply, not a reset."""
        remaining = min(self._unread, _MAX_DISCARD)
        self._unread = 0
        if remaining <= 0:
            return
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)  # the client sees the end of our reply at once
            self.connection.settimeout(_DISCARD_TIMEOUT)
            while remaining > 0:
                chunk = self.rfile.read1(min(remaining, 1 << 16))
                if not chunk:
                    break
                remaining -= len(chunk)
        except OSError:
            pass

    def _solve(self, length: int) -> tuple[bytes, ChatRequest, str]:
        """Admit, read and answer one request; 503 when the pool and its queue are full."""
        server = self.server
        refused = server.admission.try_enter(length)
        if refused:
            self.close_connection = True
            self._unread = length
            raise _busy(f"server busy ({server.limits.workers} workers, queue of {server.limits.queue}): {refused}",
                        "overloaded")
        try:
            body = self._read_body(length)
            try:
                future: Future = server.pool.submit(server.answer, body)
            except RuntimeError:  # the pool refuses work once the server is closing
                raise _busy("the server is shutting down", "shutting_down") from None
        except BaseException:
            server.admission.leave(length)
            raise
        future.add_done_callback(lambda _: server.admission.leave(length))
        try:
            request, answer = future.result(timeout=server.limits.solve_timeout)
        except FutureTimeout:
            future.cancel()  # frees its queue slot if it has not started
            raise _busy(f"no answer within the time limit of {server.limits.solve_timeout:g} s", "timeout") from None
        except CancelledError:
            raise _busy("the server is shutting down", "shutting_down") from None
        return body, request, answer

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        path = self.path.split("?", 1)[0].rstrip("/")
        try:
            if path not in _CHAT_PATHS:
                self.close_connection = True
                raise RequestError(404, f"no such endpoint POST {path}; use POST /v1/chat/completions", "not_found")
            body, request, answer = self._solve(self._content_length())
            self._send_json(200, completion_response(body, self.server.model_id, answer, request))
        except RequestError as exc:
            self._send_error(exc.status, str(exc), exc.code)
            self._discard_unread()
        except Exception as exc:  # a policy bug must not take the server down
            log.exception("policy %s failed", self.server.policy_name)
            self.close_connection = True
            self._send_error(int(HTTPStatus.INTERNAL_SERVER_ERROR), f"internal error: {type(exc).__name__}: {exc}", "internal_error")
