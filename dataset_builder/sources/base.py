"""The contract between the scene machinery and a visual source (one per subset).

A source owns its assets: it lists candidate element pairs in a fixed order,
renders one element into a complete cell tile, and supplies the subset-specific
metadata fields of protocol §5.2.  Everything else (grid, targets, regions, tasks,
images, rows) is shared machinery that never looks inside a pair.

The build's seed reaches a source through ``pairs(seed)`` only: a source that
makes choices of its own (which character is the majority, which font) draws
them from ``seeds.keyed_rng(seed, pair_key)`` and from nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence, runtime_checkable

from PIL import Image


@dataclass(frozen=True)
class ElementPair:
    """Two visually similar elements: ``majority`` fills the grid, ``target`` marks the odd cells.

    ``pair_key`` is unique within a source (one pair <-> one scene).  ``majority``
    and ``target`` are opaque to the machinery; only the source renders them.
    ``fields`` are the subset-specific row fields that do not depend on the
    scene (e.g. ``background_char``, ``font_name``); ``scene_fields`` adds the
    ones that do (e.g. ``font_size`` from ``cell_size``).
    """

    pair_key: str
    majority: Any
    target: Any
    fields: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Source(Protocol):
    subset: str  # e.g. "ROSE-ChineseGlyph"

    def pairs(self, seed: int) -> Sequence[ElementPair]:
        """All usable pairs in a deterministic order (same installed assets and seed -> same list).

        ``seed`` is the source seed of the build, ``derive_seed(master_seed, subset, "source")``.
        The order and the pair keys must not depend on it (the builder draws which pairs a
        build uses, by a seeded shuffle of this list); what a pair looks like may.
        """

    def render_tile(self, element: Any, pair: ElementPair, cell_size: int) -> Image.Image:
        """One complete RGB cell tile of ``cell_size`` x ``cell_size`` pixels, grid lines included.

        Must be a pure function of its arguments: every majority cell of a
        scene is pasted from the same tile, so they are pixel-identical.
        """

    def scene_fields(self, pair: ElementPair, cell_size: int) -> dict[str, Any]:
        """Subset-specific row fields for a scene using ``pair`` at ``cell_size`` (ordered as in protocol §5.2)."""

    def provenance(self) -> dict[str, Any]:
        """Asset versions, licences and checksums, recorded in manifest.json and the dataset card."""
