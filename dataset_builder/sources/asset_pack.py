"""Read access to a committed asset pack (``dataset_builder/assets/<kind>/``), shared by the emoji and pixel sources.

A pack holds ``index.json`` (what the source offers), ``manifest.json`` (source,
licence and sha256 of every file) and the image files.  Packs are read-only, so
reads are cached per process; a missing file names the command that regenerates it.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import numpy as np
from PIL import Image

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"


def pack_error(pack_dir: str | Path, name: str, message: str) -> RuntimeError:
    kind = Path(pack_dir).name
    return RuntimeError(
        f"{Path(pack_dir) / name}: {message} (fix: regenerate with `python scripts/build_asset_pack.py {kind}`)"
    )


@lru_cache(maxsize=8)
def load_index(pack_dir: str) -> Mapping[str, Any]:
    path = Path(pack_dir) / "index.json"
    if not path.is_file():
        raise pack_error(pack_dir, "index.json", "the asset pack index is missing")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=8)
def pack_digest(pack_dir: str) -> str:
    """sha256 of manifest.json, which itself lists the sha256 of every pack file."""
    path = Path(pack_dir) / "manifest.json"
    if not path.is_file():
        raise pack_error(pack_dir, "manifest.json", "the asset pack manifest is missing")
    return hashlib.sha256(path.read_bytes()).hexdigest()


@lru_cache(maxsize=4096)
def load_rgba(pack_dir: str, rel_path: str) -> Image.Image:
    """One pack image as RGBA (callers must not modify the cached image)."""
    path = Path(pack_dir) / rel_path
    if not path.is_file():
        raise pack_error(pack_dir, rel_path, "an image listed in index.json is missing")
    with Image.open(path) as im:
        return im.convert("RGBA").copy()


DIFF_LEVEL = 48  # a pixel differs when some RGB channel changes by at least this much


def diff_pixels(tile_a: Image.Image, tile_b: Image.Image, level: int = DIFF_LEVEL) -> int:
    """Pixels where some RGB channel differs by >= ``level`` (the visibility measure of both pack sources)."""
    a = np.asarray(tile_a.convert("RGB"), dtype=np.int16)
    b = np.asarray(tile_b.convert("RGB"), dtype=np.int16)
    return int((np.abs(a - b).max(axis=2) >= level).sum())


class PackSource:
    """What every pack-backed source shares: the pack location, a lazily built pair list with
    per-reason rejection counts, no scene-dependent fields, and the provenance record.

    Subclasses set ``subset``, ``pack_kind`` and ``visibility_check`` and implement
    ``_build_pairs`` and ``render_tile``; ``_extra_provenance`` adds source-specific facts.
    Pack pairs make no choices of their own, so ``pairs(seed)`` is the same list for every seed:
    the build's seed picks which of them a build uses.
    """

    subset = ""
    pack_kind = ""  # folder under dataset_builder/assets/
    visibility_check: Mapping[str, Any] = {}

    def __init__(self, pack_dir: str | Path | None = None) -> None:
        self.pack_dir = str(Path(pack_dir).resolve()) if pack_dir else str(ASSETS_DIR / self.pack_kind)
        self._pairs: tuple[Any, ...] | None = None
        self._rejected: dict[str, int] = {}

    def pairs(self, seed: int) -> tuple[Any, ...]:
        return self._all_pairs()

    def _all_pairs(self) -> tuple[Any, ...]:
        if self._pairs is None:
            self._pairs, self._rejected = self._build_pairs()
        return self._pairs

    def scene_fields(self, pair: Any, cell_size: int) -> dict[str, Any]:
        return {}

    def provenance(self) -> dict[str, Any]:
        self._all_pairs()
        index = load_index(self.pack_dir)
        return {
            "asset_pack": f"dataset_builder/assets/{self.pack_kind}",
            "asset_pack_manifest_sha256": pack_digest(self.pack_dir),
            "packages": index["packages"],
            "licenses": sorted({p["license"] for p in index["packages"]}),
            "attribution": [p["attribution"] for p in index["packages"]],
            "usable_pairs": len(self._pairs or ()),
            "rejected_pairs": dict(self._rejected),
            "visibility_check": dict(self.visibility_check),
            **self._extra_provenance(),
        }

    def _extra_provenance(self) -> dict[str, Any]:
        return {}

    def _build_pairs(self) -> tuple[tuple[Any, ...], dict[str, int]]:
        raise NotImplementedError
