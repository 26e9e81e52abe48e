"""The OpenAI chat-completions protocol, as pure functions (no sockets).

A ROSE request is one user message whose content is ``[text prompt_global,
image_url data URL, text prompt_local]`` (protocol §10).  The runner's other
orders put both prompts in one text part ("\n\n"-joined) before or after the
image; that text is split at the end of the known ``prompt_global``.

Sizes in a body are bounded before work proportional to them: JSON nesting
(``MAX_JSON_DEPTH``; deeper bodies stop the parser with RecursionError, also a
400) and image pixels (``MAX_IMAGE_PIXELS`` / ``MAX_IMAGE_SIDE`` of the data
contract, read from the image header before decoding).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

from PIL import Image

from rose_bench.scoring.contract import PROMPT_GLOBAL

from .grid_detect import ImageTooLarge, open_image

__all__ = [
    "RequestError",
    "ChatRequest",
    "parse_chat_request",
    "split_prompts",
    "completion_response",
    "error_body",
    "models_response",
]

MAX_JSON_DEPTH = 64  # nesting levels of a request body; a chat-completions request needs about 6
_DATA_URL = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[^,;]*)*?);base64,(?P<data>.*)", re.DOTALL)


class RequestError(ValueError):
    """A request the server refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, code: str = "invalid_request") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class ChatRequest:
    model: str
    image: Image.Image
    prompt_global: str
    prompt_local: str


def _known_prompt_global() -> str:
    return PROMPT_GLOBAL.strip()


def split_prompts(text: str, known_global: str | None = None) -> tuple[str, str]:
    """Split one text holding both prompts into (prompt_global, prompt_local)."""
    known = (known_global if known_global is not None else _known_prompt_global()).strip()
    if known:
        at = text.find(known)
        if at >= 0:
            return text[: at + len(known)].strip(), text[at + len(known) :].strip()
        last_line = known.splitlines()[-1].strip()
        at = text.rfind(last_line) if last_line else -1
        if at >= 0:
            return text[: at + len(last_line)].strip(), text[at + len(last_line) :].strip()
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if len(paragraphs) > 1:
        return "\n\n".join(paragraphs[:-1]).strip(), paragraphs[-1].strip()
    return "", text.strip()


def _decode_image(url: Any) -> Image.Image:
    if not isinstance(url, str):
        raise RequestError(400, "image_url.url must be a string holding a base64 data URL", "invalid_image")
    match = _DATA_URL.fullmatch(url.strip())
    if not match:
        raise RequestError(
            400,
            "image_url.url must be a base64 data URL ('data:image/png;base64,...'); remote URLs are not fetched",
            "invalid_image",
        )
    try:
        raw = base64.b64decode(re.sub(r"\s+", "", match["data"]), validate=True)
    except (binascii.Error, ValueError):
        raise RequestError(400, "image data URL is not valid base64", "invalid_image") from None
    if not raw:
        raise RequestError(400, "image data URL is empty", "invalid_image")
    try:
        img = open_image(raw)
    except ImageTooLarge as exc:
        raise RequestError(400, str(exc), "image_too_large") from None
    except Exception as exc:  # PIL raises many types for corrupt data
        raise RequestError(400, f"image bytes are not a decodable image ({type(exc).__name__}: {exc})", "invalid_image") from None
    return img


def _parts(content: Any) -> list[Mapping[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list) and all(isinstance(p, Mapping) for p in content):
        return list(content)
    raise RequestError(400, "message content must be a string or a list of content parts (objects)")


def _too_deep(value: Any, limit: int) -> bool:
    """True if ``value`` nests lists/objects more than ``limit`` levels deep (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _nesting_error() -> RequestError:
    return RequestError(400, f"request body nests JSON deeper than {MAX_JSON_DEPTH} levels", "invalid_json")


def parse_chat_request(body: bytes) -> ChatRequest:
    """Validate a chat-completions body and extract the image and the two prompts."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise RequestError(400, "request body is not UTF-8 JSON", "invalid_json") from None
    except json.JSONDecodeError as exc:
        raise RequestError(400, f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", "invalid_json") from None
    except RecursionError:  # the parser's own depth guard, hit long before the stack is at risk
        raise _nesting_error() from None
    if _too_deep(payload, MAX_JSON_DEPTH):
        raise _nesting_error()
    if not isinstance(payload, dict):
        raise RequestError(400, "request body must be a JSON object with a 'messages' list", "invalid_json")
    if payload.get("stream"):
        raise RequestError(400, "streaming is not supported; send 'stream': false", "unsupported")
    messages = payload.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError(400, "'messages' must be a non-empty list")
    users = [m for m in messages if isinstance(m, Mapping) and m.get("role", "user") == "user"]
    if not users:
        raise RequestError(400, "no user message in 'messages'")
    before: list[str] = []
    after: list[str] = []
    images: list[Image.Image] = []
    for message in users:
        for part in _parts(message.get("content")):
            kind = part.get("type")
            if kind in ("text", "input_text"):
                text = part.get("text")
                if not isinstance(text, str):
                    raise RequestError(400, "a text content part needs a string 'text'")
                (after if images else before).append(text)
            elif kind in ("image_url", "input_image"):
                ref = part.get("image_url")
                images.append(_decode_image(ref.get("url") if isinstance(ref, Mapping) else ref))
            else:
                raise RequestError(400, f"unsupported content part type {kind!r}; use 'text' and 'image_url'")
    if not images:
        raise RequestError(400, "missing image: the user message needs one image_url part with a base64 data URL", "missing_image")
    if len(images) > 1:
        raise RequestError(400, f"expected exactly one image, got {len(images)}", "too_many_images")
    if before and after:
        prompt_global, prompt_local = "\n\n".join(before).strip(), "\n\n".join(after).strip()
    else:
        prompt_global, prompt_local = split_prompts("\n\n".join(before or after))
    if not prompt_local:
        raise RequestError(400, "missing prompt: no task text (prompt_local) found in the message", "missing_prompt")
    model = payload.get("model")
    return ChatRequest(str(model) if model is not None else "", images[0], prompt_global, prompt_local)


def _words(*texts: str) -> int:
    return sum(len(t.split()) for t in texts)


def completion_response(request_body: bytes, model: str, answer: str, request: ChatRequest) -> dict[str, Any]:
    """An OpenAI chat.completion object; ids and timestamps are deterministic (no clock)."""
    digest = hashlib.sha256(request_body).hexdigest()[:24]
    prompt_tokens = _words(request.prompt_global, request.prompt_local)
    completion_tokens = _words(answer)
    return {
        "id": f"chatcmpl-{digest}",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop", "logprobs": None}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def error_body(message: str, code: str, status: int) -> dict[str, Any]:
    kind = "invalid_request_error" if status < 500 else "server_error"
    return {"error": {"message": message, "type": kind, "code": code, "param": None}}


def models_response(model: str) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": model, "object": "model", "created": 0, "owned_by": "rose-bench"}]}
