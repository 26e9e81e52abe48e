"""Complete builds only: every reader of a ``rose build`` directory refuses one that lost a shard or rows.

A build's ``manifest.json`` lists every file with its size and records the row
count of every config folder and split.  Before a command reads shards
(``rose score``, ``rose certify``, ``rose bridge``, the lmms-eval data source) it
calls :func:`check_complete` for the folders and splits it will read, so a
deleted, truncated or foreign shard is an error instead of a table that silently
covers fewer templates.  This is the cheap part of the builder's full
``verify_manifest`` (no checksums): file presence, sizes, Parquet footers.
A folder without a manifest (hand-assembled shards) is read as it is.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Optional

from .contract import BUILD_DATA_DIR, MANIFEST_NAME, build_shards
from .io import InputError

__all__ = ["check_complete"]

_FIX = "rebuild with `rose build`, or restore the build's files as they were written"


def _manifest(build_dir: Path) -> Optional[dict[str, Any]]:
    path = build_dir / MANIFEST_NAME
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(path, f"unreadable ({exc})", fix=_FIX) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise InputError(path, "not a rose build manifest (no 'files' list)", fix=_FIX)
    return manifest


def _listed_sizes(manifest: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {entry["path"]: entry.get("size") for entry in manifest["files"]
            if isinstance(entry, dict) and isinstance(entry.get("path"), str) and entry["path"].startswith(prefix)}


def _recorded_rows(manifest: dict[str, Any], folder: str, split: str) -> Any:
    counts = manifest.get("counts")
    rows = counts.get("parquet_rows") if isinstance(counts, dict) else None
    per_folder = rows.get(folder) if isinstance(rows, dict) else None
    return per_folder.get(split) if isinstance(per_folder, dict) else None


def check_complete(build_dir: Path | str, folders: Iterable[str], splits: Iterable[str]) -> None:
    """Raise ``InputError`` unless the shards of ``folders`` x ``splits`` are exactly the ones the manifest lists."""
    import pyarrow.parquet as pq

    build_dir = Path(build_dir)
    manifest = _manifest(build_dir)
    if manifest is None:
        return
    for folder in folders:
        for split in splits:
            prefix = f"{BUILD_DATA_DIR}/{folder}/{split}-"
            listed = _listed_sizes(manifest, prefix)
            present = {shard.relative_to(build_dir).as_posix(): shard for shard in build_shards(build_dir, folder, split)}
            missing, stray = sorted(set(listed) - set(present)), sorted(set(present) - set(listed))
            if missing:
                raise InputError(build_dir / missing[0], f"listed in manifest.json but missing ({len(missing)} "
                                 "shard(s) missing): the build is incomplete", fix=_FIX)
            if stray:
                raise InputError(build_dir / stray[0], "not listed in manifest.json (a stray shard)", fix=_FIX)
            got_rows = 0
            for rel, shard in sorted(present.items()):
                size = shard.stat().st_size
                if size != listed[rel]:
                    raise InputError(shard, f"{size} bytes, manifest.json records {listed[rel]}", fix=_FIX)
                try:
                    got_rows += pq.read_metadata(shard).num_rows
                except Exception as exc:  # pyarrow raises several unrelated types for a damaged file
                    raise InputError(shard, f"unreadable Parquet ({exc})", fix=_FIX) from None
            want_rows = _recorded_rows(manifest, folder, split)
            if want_rows is not None and got_rows != want_rows:
                raise InputError(build_dir / BUILD_DATA_DIR / folder,
                                 f"{split}: {got_rows} rows, manifest.json records {want_rows}", fix=_FIX)
