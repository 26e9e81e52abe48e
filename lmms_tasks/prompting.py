"""What the model sees: the reference runner's single user turn (protocol §10).

Chat models (``openai``, vLLM/SGLang chat, ...) get ``doc_to_messages``: text
``prompt_global.strip()``, then the row's own image, then text
``prompt_local.strip()``, in that order; lmms-eval's OpenAI adapter keeps the
order and sends the image as a lossless PNG data URL at native resolution.
Models that take one text plus a list of images get ``doc_to_text`` (the two
prompts joined by a blank line, as the runner's ``image_then_prompt`` order) and
``doc_to_visual``; they place the image themselves, normally before the text.

The image is the ``image`` column as decoded by ``datasets`` (base image, or the
cued image on T4 rows: the row decides, the task never does).  Nothing else is
added: no pre/post prompt, no system prompt, nothing per model.
"""

from __future__ import annotations

from typing import Any, Mapping

Document = Mapping[str, Any]


def prompt_parts(doc: Document) -> tuple[str, str]:
    """(global text, local text); the runner falls back to ``prompt`` when both parts are empty."""
    global_text = (doc.get("prompt_global") or "").strip()
    local_text = (doc.get("prompt_local") or "").strip()
    if not global_text and not local_text:
        global_text = (doc.get("prompt") or "").strip()
    return global_text, local_text


def doc_to_visual(doc: Document) -> list:
    return [doc["image"]]


def doc_to_text(doc: Document) -> str:
    return "\n\n".join(part for part in prompt_parts(doc) if part)


def doc_to_messages(doc: Document) -> list[dict]:
    global_text, local_text = prompt_parts(doc)
    content: list[dict] = [{"type": "text", "text": global_text}, {"type": "image", "url": doc["image"]}]
    if local_text:
        content.append({"type": "text", "text": local_text})
    return [{"role": "user", "content": content}]
