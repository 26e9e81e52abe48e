"""Which model a predictions file belongs to, and the name tables show for it.

One rule for every command: ``--model`` wins; else the single non-empty
``model`` value of the rows; several different values are an error (one file,
one model); no value at all gives the caller's fallback -- the file stem for
``rose score`` (as the official evaluator) and ``"model"`` for the bridges (as
the official analysis scripts).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from .contract import MODEL_DISPLAY
from .io import InputError

__all__ = ["infer_model", "model_names", "display_model_name", "BRIDGE_FALLBACK_MODEL"]

BRIDGE_FALLBACK_MODEL = "model"


def infer_model(
    rows: Iterable[Mapping[str, Any]], override: str = "", *, fallback: str = BRIDGE_FALLBACK_MODEL,
    source: Optional[Any] = None,
) -> str:
    """``override``, else the one ``model`` value of ``rows``, else ``fallback``; ``source`` names the file in errors."""
    if override and override.strip():
        return override.strip()
    names = model_names(rows)
    if len(names) > 1:
        raise InputError(source, f"several model names {sorted(names)}", field="model",
                         fix="pass --model NAME or split the file per model")
    return next(iter(names)) if names else fallback


def model_names(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Each distinct model name of ``rows`` (stripped; None and blank are no name) -> index of its first row."""
    first: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row.get("model") is not None:
            name = str(row["model"]).strip()
            if name:
                first.setdefault(name, index)
    return first


def display_model_name(model: str, override: str = "") -> str:
    """``--display_name``, else the paper's spelling of a known model, else the name itself."""
    return override.strip() or MODEL_DISPLAY.get(model, model)
