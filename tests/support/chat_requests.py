"""OpenAI chat-completions requests for ROSE items, as the lmms-eval runner sends them to ``rose serve``.

Images are real renders (``tests.support.solver_images``); prompts come from
the real ``templates.yaml`` phrasings; ``raw_post`` speaks HTTP/1.1 over a
plain socket so tests can see exactly what the server did with a connection.
"""

from __future__ import annotations

import base64
import http.client
import json
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from rose_bench.dataset_builder.prompts import fill_prompt_local
from rose_bench.dataset_builder.render import png_bytes
from rose_bench.dataset_builder.template_specs import load_templates
from rose_bench.scoring.grid import Cell, Region

from tests.support import solver_images

__all__ = ["CONFIG", "Reply", "data_url", "chat_body", "item_request", "post", "png_header_only"]

CONFIG = load_templates()
_SPECS = {spec.name: spec for spec in (*CONFIG.templates, *CONFIG.bridges)}


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def content(self) -> str | None:
        choices = self.body.get("choices") or [{}]
        return choices[0].get("message", {}).get("content")

    @property
    def error(self) -> str:
        return (self.body.get("error") or {}).get("message", "")


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def chat_body(url: str, prompt_local: str, order: str = "global_image_local") -> dict[str, Any]:
    """A request body in one of the runner's three prompt orders."""
    image = {"type": "image_url", "image_url": {"url": url}}
    both = CONFIG.prompt_global.strip() + "\n\n" + prompt_local
    content = {
        "global_image_local": [{"type": "text", "text": CONFIG.prompt_global.strip()}, image, {"type": "text", "text": prompt_local}],
        "image_then_prompt": [image, {"type": "text", "text": both}],
        "prompt_then_image": [{"type": "text", "text": both}, image],
    }[order]
    return {"model": "rose-solver", "messages": [{"role": "user", "content": content}], "temperature": 0.0, "max_tokens": 256}


def item_request(template: str, region: Region, *, kind: str = "text", rows: int = 8, cols: int = 9, size: int = 44,
                 targets: frozenset[Cell] = frozenset({Cell(2, 2), Cell(2, 3), Cell(6, 7), Cell(8, 1)}),
                 cue: Region | None = None) -> tuple[str, str]:
    """(image data URL, prompt_local) of one rendered item."""
    spec = _SPECS[template]
    png = png_bytes(solver_images.scene(kind, rows, cols, size, targets, cue))
    return data_url(png), fill_prompt_local(spec.prompt_local, dict(spec.phrases), region)


def post(address: tuple[str, int], body: bytes, path: str = "/v1/chat/completions", timeout: float = 60.0) -> Reply:
    """POST ``body`` on a fresh connection; connection errors propagate (a test must see them)."""
    conn = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, json.loads(data))
    finally:
        conn.close()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header announces ``width`` x ``height`` RGB pixels but whose data is a few bytes.

    Opening it costs nothing; decoding it would allocate width*height*3 bytes -- the shape of a decompression bomb.
    """
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\0" * 64)) + _chunk(b"IEND", b"")
