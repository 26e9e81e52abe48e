"""A local OpenAI-compatible chat server that answers ROSE items from the dataset's answer key.

Test and benchmark helper (stdlib ``ThreadingHTTPServer`` on 127.0.0.1).  A
request is matched to its dataset row by what it carries: the sha256 of the
decoded image pixels plus the ``prompt_local`` text.  Every request is logged
(content part order, texts, image digest, matched items, generation settings),
so tests can prove the prompt layout and that each item got its own image.

``share_wrong`` / ``share_malformed`` turn a deterministic, seeded share of the
items into well-formed wrong answers or unparseable prose (items of the
``perfect_splits`` are always answered right).  Correct CLICK
answers are sent with blank lines between the actions ("CLICK(..);\\n\\nDONE"),
which the grammar accepts, so a stop sequence that cut at "\\n\\n" would show.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import random
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterable, Mapping

import pyarrow.parquet as pq
from PIL import Image

RIGHT, WRONG, MALFORMED = "right", "wrong", "malformed"
MALFORMED_TEXT = "I think there are a few odd cells here."


def image_digest(img: Image.Image) -> str:
    rgb = img.convert("RGB")
    return hashlib.sha256(f"{rgb.width}x{rgb.height}:".encode() + rgb.tobytes()).hexdigest()


def load_rows(build_dir: Path, splits: Iterable[str] = ("test", "dev")) -> list[dict]:
    """Every row of a build (all template folders), with ``image_digest`` instead of the image."""
    rows = []
    for split in splits:
        for path in sorted(Path(build_dir).glob(f"data/*/{split}-*.parquet")):
            for row in pq.read_table(path).to_pylist():
                png = row.pop("image")["bytes"]
                row["image_digest"] = image_digest(Image.open(io.BytesIO(png)))
                rows.append(row)
    return rows


def wrong_answer(row: Mapping[str, Any]) -> str:
    """Well-formed but wrong for its item."""
    count = int(row["ground_truth_count"])
    mode = row["task_mode"]
    if mode == "COUNT":
        return f"COUNT({count + 1})"
    if mode == "CLICK":
        return "DONE" if count else "CLICK(R1,C1); DONE"
    return f"SUBMIT({count + 1})"


def right_answer(row: Mapping[str, Any]) -> str:
    answer = str(row["answer"])
    return answer.replace("; ", ";\n\n") if row["task_mode"] != "COUNT" else answer


@dataclass
class AnswerKey:
    rows: list[dict]
    share_wrong: float = 0.0
    share_malformed: float = 0.0
    seed: int = 0
    perfect_splits: tuple[str, ...] = ()
    by_key: dict[tuple[str, str], list[dict]] = field(init=False)
    outcome: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.by_key = {}
        for row in self.rows:
            self.by_key.setdefault((row["image_digest"], row["prompt_local"].strip()), []).append(row)
        rng = random.Random(self.seed)
        self.outcome = {}
        for row in sorted(self.rows, key=lambda r: r["item_id"]):
            u = rng.random()
            self.outcome[row["item_id"]] = (
                RIGHT if row["split"] in self.perfect_splits
                else MALFORMED if u < self.share_malformed
                else WRONG if u < self.share_malformed + self.share_wrong
                else RIGHT
            )

    def answer(self, digest: str, prompt_local: str) -> tuple[str, list[dict]]:
        """(answer text, matching rows); rows sharing image and prompt share the answer."""
        rows = self.by_key.get((digest, prompt_local.strip()), [])
        if not rows:
            raise LookupError("no item has this image and prompt_local")
        if len({r["answer"] for r in rows}) != 1:
            raise LookupError(f"ambiguous request: items {[r['item_id'] for r in rows]} differ in their answers")
        first = min(rows, key=lambda r: r["item_id"])
        outcome = self.outcome[first["item_id"]]
        text = right_answer(first) if outcome == RIGHT else wrong_answer(first) if outcome == WRONG else MALFORMED_TEXT
        return text, rows


def _decode_data_url(url: str) -> Image.Image:
    header, _, data = url.partition(",")
    if not header.startswith("data:image/") or ";base64" not in header:
        raise ValueError(f"expected a base64 image data URL, got {header[:40]!r}")
    return Image.open(io.BytesIO(base64.b64decode(data)))


class _Handler(BaseHTTPRequestHandler):
    server: "AnswerServer"

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._reply(404, {"error": {"message": f"unknown path {self.path}"}})
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        entry: dict[str, Any] = {
            "authorization": self.headers.get("Authorization"),
            "model": body.get("model"),
            "max_tokens": body.get("max_tokens"),
            "temperature": body.get("temperature"),
            "stop": body.get("stop"),
            "roles": [m.get("role") for m in body.get("messages", [])],
        }
        try:
            (message,) = body["messages"]
            parts = message["content"]
            entry["part_types"] = [p["type"] for p in parts]
            entry["texts"] = [p["text"] for p in parts if p["type"] == "text"]
            images = [_decode_data_url(p["image_url"]["url"]) for p in parts if p["type"] == "image_url"]
            entry["image_digests"] = [image_digest(img) for img in images]
            text, rows = self.server.key.answer(entry["image_digests"][-1], entry["texts"][-1])
            entry.update(item_ids=sorted(r["item_id"] for r in rows), answer=text)
        except Exception as exc:  # logged and answered 400: the test sees both
            entry["error"] = f"{type(exc).__name__}: {exc}"
            self.server.record(entry)
            self._reply(400, {"error": {"message": entry["error"]}})
            return
        self.server.record(entry)
        self._reply(200, {
            "id": "chatcmpl-rose", "object": "chat.completion", "created": 0, "model": body.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        })


class AnswerServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, key: AnswerKey) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.key = key
        self.log: list[dict] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def record(self, entry: dict) -> None:
        with self._lock:
            self.log.append(entry)

    def __enter__(self) -> "AnswerServer":
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()
        self.server_close()
