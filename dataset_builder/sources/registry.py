"""Subset name -> visual source, resolved lazily so a missing optional asset stack only fails its own subset.

Each source registers itself with ONE line in ``_REGISTRY``:
``"<rose_subset>": "<module path>:<factory>"``, where ``factory(**options)``
returns an object implementing ``sources.base.Source``.  The build's seed is not
an option: it reaches the source through ``Source.pairs(seed)``.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from rose_bench.scoring.contract import SUBSET_ORDER

from .base import Source

__all__ = ["SourceUnavailable", "get_source", "registered_subsets", "available_subsets"]

_REGISTRY: dict[str, str] = {
    "ROSE-ChineseGlyph": "rose_bench.dataset_builder.sources.glyph:ChineseGlyphSource",
    "ROSE-EmojiStyle": "rose_bench.dataset_builder.sources.emoji:EmojiStyleSource",
    "ROSE-EmojiContent": "rose_bench.dataset_builder.sources.emoji:EmojiContentSource",
    "ROSE-PixelEdit": "rose_bench.dataset_builder.sources.pixel:PixelEditSource",
    "ROSE-PixelContent": "rose_bench.dataset_builder.sources.pixel:PixelContentSource",
}


class SourceUnavailable(LookupError):
    """The subset is unknown or its source module is not installed / not importable."""


def registered_subsets() -> list[str]:
    return [s for s in SUBSET_ORDER if s in _REGISTRY]


def _module_of(subset: str) -> tuple[str, str]:
    module, _, attr = _REGISTRY[subset].partition(":")
    return module, attr


def available_subsets() -> list[str]:
    """Registered subsets whose source module exists (no import side effects beyond finding it)."""
    found = []
    for subset in registered_subsets():
        module, _ = _module_of(subset)
        try:
            if importlib.util.find_spec(module) is not None:
                found.append(subset)
        except ModuleNotFoundError:
            continue
    return found


def get_source(subset: str, **options: Any) -> Source:
    """The source for ``subset``; raises SourceUnavailable listing what is available."""
    if subset not in SUBSET_ORDER:
        raise SourceUnavailable(f"unknown subset {subset!r}; ROSE subsets are {', '.join(SUBSET_ORDER)}")
    listing = f"available sources: {', '.join(available_subsets()) or 'none'}"
    if subset not in _REGISTRY:
        raise SourceUnavailable(f"no source is registered for {subset} ({listing})")
    module_name, attr = _module_of(subset)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise SourceUnavailable(f"source module {module_name} for {subset} is not installed ({listing})") from exc
        raise
    factory = getattr(module, attr or "", None)
    if factory is None:
        raise SourceUnavailable(f"{module_name} has no factory {attr!r} for {subset} (fix the registry line)")
    source = factory(**options)
    if not isinstance(source, Source) or source.subset != subset:
        raise SourceUnavailable(f"{module_name}:{attr} did not return a Source for {subset}")
    return source
