"""Read the items of a build for a human run, and the one view of an item the annotator may see.

Metadata is read without the image column (the scorer's own reader); the PNG
bytes of the sampled rows only are then streamed from the same shards.  The
page gets ``public_item`` -- the row's two prompt texts, its image and the grid
geometry needed to turn a click into ``R,C`` -- and nothing that names or
implies the answer (a whitelist, so a new metadata column can never leak).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from rose_bench.scoring.contract import TEMPLATE_CONFIGS, build_shards
from rose_bench.scoring.completeness import check_complete
from rose_bench.scoring.score_inputs import load_metadata
from rose_bench.scoring.io import InputError, parquet_rows

from .sample import ItemKey

__all__ = [
    "PUBLIC_FIELDS", "MAX_GRID", "MAX_IMAGE_BYTES", "BuildItems", "load_build_items",
    "load_images", "public_item", "grid_of",
]

# the only metadata fields the annotator's page receives (besides its position and the image URL)
PUBLIC_FIELDS: tuple[str, ...] = ("item_id", "prompt_global", "prompt_local", "task_mode", "rows", "cols", "cell_size")
MAX_GRID = 200  # rows/cols beyond this are not a ROSE grid; refuse before allocating per-cell state
MAX_IMAGE_BYTES = 32 * 1024 * 1024
_BATCH_ROWS = 64


class BuildItems:
    """The metadata rows of one split for the chosen templates, keyed by item id, plus their shards."""

    def __init__(self, build_dir: Path, split: str, rows: list[dict], shards: list[Path]) -> None:
        self.build_dir = build_dir
        self.split = split
        self.rows = rows
        self.by_id = {str(r["item_id"]): r for r in rows}
        self.shards = shards

    def keys(self) -> list[ItemKey]:
        return [ItemKey(str(r["item_id"]), str(r.get("rose_subset")), str(r.get("task_template"))) for r in self.rows]


def load_build_items(build_dir: Path, split: str, templates: Sequence[str]) -> BuildItems:
    """Metadata rows (no images) of ``split`` for ``templates``; InputError names what is missing."""
    build_dir = Path(build_dir)
    if not (build_dir / "data").is_dir():
        raise InputError(build_dir, "no data/ folder of Parquet shards", fix="pass a directory written by `rose build --out`")
    shards = [shard for t in templates for shard in build_shards(build_dir, TEMPLATE_CONFIGS[t], split)]
    if not shards:
        raise InputError(build_dir / "data", f"no {split}-*.parquet shards for the chosen templates",
                         fix="choose --split/--templates that the build has")
    check_complete(build_dir, {TEMPLATE_CONFIGS[t] for t in templates}, [split])  # a shard missing from the manifest
    rows, _ = load_metadata(shards, split)
    for row in rows:
        grid_of(row, source=str(row.get("item_id")))
    return BuildItems(build_dir, split, rows, shards)


def grid_of(meta: Mapping[str, Any], source: str = "") -> tuple[int, int, int]:
    """(rows, cols, cell_size) of a row, bounded; InputError when absent or implausible."""
    try:
        rows, cols, cell = int(meta["rows"]), int(meta["cols"]), int(meta["cell_size"])
    except (KeyError, TypeError, ValueError):
        raise InputError(source, "row lacks integer rows/cols/cell_size", field="rows/cols/cell_size",
                         fix="use a build written by `rose build`") from None
    if not (1 <= rows <= MAX_GRID and 1 <= cols <= MAX_GRID and 1 <= cell <= 4096):
        raise InputError(source, f"implausible grid {rows}x{cols} of {cell}px cells", field="rows/cols/cell_size",
                         fix="use a build written by `rose build`")
    return rows, cols, cell


def _png_of(value: Any, build_dir: Path, source: str) -> bytes:
    if isinstance(value, Mapping):
        data = value.get("bytes")
        if data:
            if len(data) > MAX_IMAGE_BYTES:
                raise InputError(source, f"image of {len(data)} bytes", field="image", fix="rebuild the dataset")
            return bytes(data)
        path = value.get("path")
        if path and (build_dir / path).is_file() and (build_dir / path).stat().st_size <= MAX_IMAGE_BYTES:
            return (build_dir / path).read_bytes()
    raise InputError(source, "no PNG bytes in the image column", field="image",
                     fix="rebuild; `rose build` embeds every image in its row")


def load_images(items: BuildItems, wanted: Iterable[str]) -> dict[str, bytes]:
    """PNG bytes of the wanted item ids, streamed batch by batch (other rows' images are not kept)."""
    wanted = set(wanted)
    images: dict[str, bytes] = {}
    for shard in items.shards:
        for row in parquet_rows(shard, ["item_id", "image"], batch_size=_BATCH_ROWS):
            item_id = row["item_id"]
            if item_id in wanted and item_id not in images:
                images[item_id] = _png_of(row["image"], items.build_dir, f"{shard} (row of {item_id})")
    missing = sorted(wanted - set(images))
    if missing:
        raise InputError(items.build_dir, f"no image for {len(missing)} items (first: {missing[0]})",
                         fix="rebuild the dataset")
    return images


def public_item(meta: Mapping[str, Any], position: int, total: int) -> dict[str, Any]:
    """What the annotator sees of an item: prompts, image URL, grid geometry, position -- never the answer."""
    view = {field: meta.get(field) for field in PUBLIC_FIELDS}
    view["rows"], view["cols"], view["cell_size"] = grid_of(meta, str(meta.get("item_id")))
    view["image_url"] = f"/api/image/{meta['item_id']}"
    view["position"] = position
    view["total"] = total
    return view
