"""The local HTTP server of ``rose human``: the page, its static files and a small JSON API.

Standard library only, bound to 127.0.0.1.  Requests are checked before any
work: bodies are capped (413), must be JSON objects sent as
``application/json`` (415 otherwise, which also keeps other web sites from
posting answers), and a foreign ``Host`` header is refused (403, against DNS
rebinding).  Every failure is a JSON ``{"error": ...}`` with a 4xx status; the
server keeps running and the predictions file is only ever appended whole lines.

API (answer mode):  GET /api/state, GET /api/image/<item_id>,
POST /api/preview {item_id, cells, count | raw_text}, POST /api/answer (same body).
API (review mode):  GET /api/state, GET /api/image/<item_id>, GET /api/review/<position>.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, Mapping, Optional
from urllib.parse import unquote, urlsplit

from .answer import RequestError, preview, read_answer
from .items import grid_of, public_item
from .run import RunStore

__all__ = ["MAX_BODY", "HumanApp", "make_server"]

MAX_BODY = 64 * 1024
HOST = "127.0.0.1"
_STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
    "/static/favicon.svg": ("favicon.svg", "image/svg+xml"),
    "/favicon.ico": ("favicon.svg", "image/svg+xml"),
}
_CSP = "default-src 'self'; img-src 'self'; connect-src 'self'; style-src 'self'; script-src 'self'; base-uri 'none'"


def _page_file(name: str) -> bytes:
    return resources.files("rose_bench.human").joinpath("page", name).read_bytes()


@dataclass
class HumanApp:
    """What the handlers serve: the sampled rows (in order), their images and, when answering, the run."""

    order: list[str]
    rows: Mapping[str, Mapping[str, Any]]
    images: Mapping[str, bytes]
    store: Optional[RunStore] = None  # None in review mode
    _review_cache: dict[int, dict] = field(default_factory=dict)
    _review_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def review(self) -> bool:
        return self.store is None

    # ------------------------------------------------------------------ GET
    def state(self) -> dict[str, Any]:
        if self.store is None:
            return {"mode": "review", "total": len(self.order)}
        item_id = self.store.serve_next()
        answered, total = self.store.progress()
        item = public_item(self.rows[item_id], self.store.position(item_id), total) if item_id else None
        return {"mode": "answer", "annotator": self.store.config.annotator, "answered": answered, "total": total,
                "done": item_id is None, "item": item}

    def image(self, item_id: str) -> bytes:
        if item_id not in self.images:
            raise RequestError(404, f"unknown item_id {item_id!r}: not in this run")
        if self.store is not None and not self.store.is_served(item_id):
            raise RequestError(409, f"item {item_id} was not served yet")
        return self.images[item_id]

    def review_item(self, position_text: str) -> dict[str, Any]:
        if self.store is not None:
            raise RequestError(404, "review is off; start `rose human --review` to see answers")
        if not position_text.isdigit() or not 1 <= int(position_text) <= len(self.order):
            raise RequestError(404, f"review position must be 1..{len(self.order)}, got {position_text!r}")
        position = int(position_text)
        with self._review_lock:
            if position not in self._review_cache:
                from .review import review_item

                item_id = self.order[position - 1]
                self._review_cache[position] = review_item(self.rows[item_id], self.images[item_id], position,
                                                           len(self.order))
            return self._review_cache[position]

    # ------------------------------------------------------------------ POST
    def _item_for(self, body: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
        if self.store is None:
            raise RequestError(405, "review mode records nothing")
        item_id = body.get("item_id")
        if not isinstance(item_id, str):
            raise RequestError(400, "item_id (a string) is required")
        if self.store.position(item_id) is None:
            raise RequestError(404, f"unknown item_id {item_id!r}: not in this run")
        return item_id, self.rows[item_id]

    def _answer(self, body: Mapping[str, Any], meta: Mapping[str, Any]):
        rows, cols, _ = grid_of(meta, str(meta.get("item_id")))
        return read_answer(body, str(meta.get("task_mode")), rows, cols)

    def preview(self, body: Mapping[str, Any]) -> dict[str, Any]:
        item_id, meta = self._item_for(body)
        if not self.store.is_served(item_id):
            raise RequestError(409, f"item {item_id} was not served yet; answer the item the page shows")
        return preview(self._answer(body, meta), str(meta.get("task_mode")))

    def answer(self, body: Mapping[str, Any]) -> dict[str, Any]:
        item_id, meta = self._item_for(body)
        answer = self._answer(body, meta)
        row = self.store.record(item_id, answer)
        answered, total = self.store.progress()
        return {"recorded": {"item_id": item_id, "raw_text": row["raw_text"], "position": row["position"]},
                "answered": answered, "total": total}


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    server_version = "rose-human"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if self.server.verbose:
            super().log_message(format, *args)

    # ------------------------------------------------------------------ replies
    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", _CSP)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": message, "status": status})

    def _path(self) -> str:
        """The request's path; a foreign ``Host`` header (DNS rebinding) is refused first."""
        port = self.server.server_address[1]
        if self.headers.get("Host", "") not in {f"{HOST}:{port}", f"localhost:{port}"}:
            raise RequestError(403, "unexpected Host header; open the page at the address `rose human` printed")
        return urlsplit(self.path).path

    # ------------------------------------------------------------------ methods
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        try:
            path = self._path()
            app = self.server.app
            if path in _STATIC:
                name, content_type = _STATIC[path]
                self._send(200, _page_file(name), content_type)
            elif path == "/api/state":
                self._json(200, app.state())
            elif path.startswith("/api/image/"):
                self._send(200, app.image(unquote(path.removeprefix("/api/image/"))), "image/png")
            elif path.startswith("/api/review/"):
                self._json(200, app.review_item(path.removeprefix("/api/review/")))
            elif path.startswith("/api/"):
                raise RequestError(404, f"no such endpoint {path}")
            else:
                raise RequestError(404, f"no such page {path}")
        except RequestError as exc:
            self._error(exc.status, str(exc))

    def do_POST(self) -> None:  # noqa: N802
        try:
            path = self._path()
            handler = {"/api/preview": self.server.app.preview, "/api/answer": self.server.app.answer}.get(path)
            if handler is None:
                known = path in _STATIC or path == "/api/state"
                raise RequestError(405 if known else 404, f"cannot POST to {path}")
            self._json(200, handler(self._read_body()))
        except RequestError as exc:
            self.close_connection = True  # an unread body must not be parsed as the next request
            self._error(exc.status, str(exc))

    def _read_body(self) -> dict[str, Any]:
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise RequestError(415, "send the body as Content-Type: application/json")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            raise RequestError(411, "Content-Length is required")
        if not length_text.strip().isdigit():
            raise RequestError(400, f"bad Content-Length {length_text!r}")
        length = int(length_text)
        if length > MAX_BODY:
            raise RequestError(413, f"body of {length} bytes; at most {MAX_BODY}")
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RequestError(400, f"body is not JSON ({exc})") from None
        if not isinstance(body, dict):
            raise RequestError(400, f"body must be a JSON object, got {type(body).__name__}")
        return body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: HumanApp, port: int, verbose: bool) -> None:
        self.app = app
        self.verbose = verbose
        super().__init__((HOST, port), _Handler)


def make_server(app: HumanApp, port: int = 0, *, verbose: bool = False) -> ThreadingHTTPServer:
    """A server on 127.0.0.1:``port`` (0 = a free port; read it from ``server_address``)."""
    return _Server(app, port, verbose)
