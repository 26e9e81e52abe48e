"""Official release layout from a build directory (``rose export-official``).

Writes what the authors' scripts read (protocol §2.2, §13), with every name from
``scoring.contract``: ``metadata_dev.jsonl``, ``metadata_test.jsonl`` (T1–T5 rows),
``images/<rose_subset>/<image_id>.png`` and the bridge files
``analysis/data/{global_click,matched_local_count}/metadata_{dev,test}.jsonl``.
Rows get back their original key order (recorded per subset and template in the
manifest) and dict fields become dicts again; image files are the exact bytes
stored in the Parquet files.  The build is verified against its manifest first.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterator, Mapping

from rose_bench.scoring.contract import (
    BRIDGE_CONFIGS,
    CONFIG_TEMPLATES,
    MAIN_CONFIGS,
    OFFICIAL_BRIDGE_DIRS,
    OFFICIAL_METADATA_NAME,
    SPLITS,
    SUBSET_ORDER,
    build_shards,
    image_path,
)
from rose_bench.scoring.errors import UsageError
from rose_bench.scoring.io import atomic_dir, parquet_rows

from .manifest import read_manifest, verify_manifest
from .parquet_schema import Column, decode_value


class ExportError(UsageError):
    pass


def _dumps(row: Mapping[str, Any]) -> str:
    """One JSONL line in the official style (compact, UTF-8 characters kept)."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def _iter_rows(build_dir: Path, folder: str, split: str) -> Iterator[dict[str, Any]]:
    for shard in build_shards(build_dir, folder, split):
        yield from parquet_rows(shard, batch_size=64)


def _official_row(row: dict[str, Any], keys: list[str], columns: dict[str, Column]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in keys:
        col = columns.get(key)
        if col is None:
            raise ExportError(f"row {row.get('item_id')}: field {key!r} has no Parquet column (build is inconsistent; rebuild)")
        value = row.get(key)
        if col.dtype == "image":
            value = (value or {}).get("path") or image_path(row["rose_subset"], row["image_id"])
        else:
            value = decode_value(col, value)
        out[key] = value
    return out


def _sort_key(row: Mapping[str, Any]) -> tuple[int, str]:
    subset = row["rose_subset"]
    return (SUBSET_ORDER.index(subset) if subset in SUBSET_ORDER else len(SUBSET_ORDER), row["item_id"])


def export_official(build_dir: Path, out_dir: Path, *, overwrite: bool = False) -> dict[str, Any]:
    """Write the official layout to ``out_dir`` (atomically); returns counts of rows and images written."""
    build_dir = Path(build_dir)
    problems = verify_manifest(build_dir)
    if problems:
        raise ExportError(f"{build_dir}: does not match its manifest:\n  " + "\n  ".join(problems))
    manifest = read_manifest(build_dir)
    key_order = manifest["row_key_order"]
    columns = {folder: {n: Column(n, t) for n, t in cols} for folder, cols in manifest["columns"].items()}

    counts: dict[str, Any] = {"metadata": {}, "images": 0}
    image_sha: dict[str, str] = {}
    with atomic_dir(Path(out_dir), overwrite=overwrite) as stage:

        def save_image(row: dict[str, Any], rel: str) -> None:
            data = (row.get("image") or {}).get("bytes")
            if data is None:
                raise ExportError(f"row {row['item_id']}: image has no bytes")
            digest = hashlib.sha256(data).hexdigest()
            if rel in image_sha:
                if image_sha[rel] != digest:
                    raise ExportError(f"{rel}: rows {row['item_id']} and an earlier row carry different image bytes")
                return
            target = stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            image_sha[rel] = digest

        def export_group(folders: tuple[str, ...], split: str, dest: Path) -> None:
            rows: list[dict[str, Any]] = []
            for folder in folders:
                template = CONFIG_TEMPLATES[folder]
                for row in _iter_rows(build_dir, folder, split):
                    keys = key_order[row["rose_subset"]][template]
                    official = _official_row(row, keys, columns[folder])
                    save_image(row, official.get("image") or image_path(row["rose_subset"], row["image_id"]))
                    rows.append(official)
            rows.sort(key=_sort_key)
            dest.parent.mkdir(parents=True, exist_ok=True)
            with open(dest, "w", encoding="utf-8", newline="\n") as fh:
                for row in rows:
                    fh.write(_dumps(row) + "\n")
            counts["metadata"][dest.relative_to(stage).as_posix()] = len(rows)

        for split in SPLITS:
            export_group(MAIN_CONFIGS, split, stage / OFFICIAL_METADATA_NAME.format(split=split))
        for folder in BRIDGE_CONFIGS:
            for split in SPLITS:
                export_group((folder,), split, stage / OFFICIAL_BRIDGE_DIRS[folder] / OFFICIAL_METADATA_NAME.format(split=split))
    counts["images"] = len(image_sha)
    return counts
