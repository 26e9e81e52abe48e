"""``rose withhold BUILD --split test``: a public build without answers, and an answer key bound to it.

What withholding protects against: answers crawled into training data (the
public files hold images and prompts, no answer, count, target cell or anything
derived from the targets, and no seed that would let the generator redraw
them).  What it cannot protect against: anyone can run the open reference
solver on the public images and get the answers; a hidden re-draw (a build
from a secret seed) is the check for that kind of overfitting.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from rose_bench.scoring.answer_key import (
    KEY_JSON, WITHHELD_COLUMNS, KeyFile, dataset_fingerprint, file_sha256, key_record,
)
from rose_bench.scoring.completeness import check_complete
from rose_bench.scoring.contract import (
    BUILD_DATA_DIR, CARD_NAME, MANIFEST_NAME, SPLITS, TEMPLATE_CONFIGS, all_configs, build_shards, shard_glob,
)
from rose_bench.scoring.io import InputError, atomic_dir
from rose_bench.scoring.paths import check_output

__all__ = ["WITHHELD_COLUMNS", "PUBLIC_MANIFEST_KEYS", "withhold", "public_card"]

# manifest keys that are safe to publish (the seed, config hash, per-scene choices and statistics are not)
PUBLIC_MANIFEST_KEYS = ("dataset_name", "code_version", "scale", "subsets", "license", "versions")
_HF_METADATA = b"huggingface"  # the `datasets` feature description in each shard's schema metadata


def public_card(split: str, folders: list[str]) -> str:
    """The public build's card: every config of a build (composites too), for the one split it holds."""
    configs = ""
    for name, members in all_configs().items():
        present = [f for f in members if f in folders]
        if present:
            paths = "".join(f"    - {shard_glob(f, split)}\n" for f in present)
            configs += f"- config_name: {name}\n  data_files:\n  - split: {split}\n    path:\n{paths}"
    return (f"---\nconfigs:\n{configs}---\n# rose-bench (withheld {split} split)\n\n"
            f"The {split} rows of this build carry images and prompts only; answers and every column derived from "
            f"the targets are withheld ({len(WITHHELD_COLUMNS)} columns). Scores need the answer key held by the board "
            f"(`rose score --dataset-root THIS_BUILD --answer-key KEY`, `rose leaderboard add --answer-key KEY`); "
            f"lmms-eval runs on this build save the answers (`--log_samples`) and report no figures.\n\n"
            "Withholding keeps the answers out of crawled training data. It cannot stop anyone from running the open "
            "reference solver on these images; a hidden re-draw from a secret seed checks for that.\n")


def _public_schema_metadata(table: pa.Table) -> dict[bytes, bytes] | None:
    """The shard's `datasets` features without the withheld columns (so images still decode as images)."""
    metadata = table.schema.metadata or {}
    if _HF_METADATA not in metadata:
        return None
    info = json.loads(metadata[_HF_METADATA])
    features = info.get("info", {}).get("features")
    if not isinstance(features, dict):
        return None
    info["info"] = {"features": {k: v for k, v in features.items() if k not in WITHHELD_COLUMNS}}
    return {_HF_METADATA: json.dumps(info, ensure_ascii=False).encode("utf-8")}


def _check_targets(build: Path, out: Path, key_dir: Path, split: str) -> None:
    if split not in SPLITS:
        raise InputError("--split", f"unknown split {split!r}", fix="use dev or test")
    if not (build / MANIFEST_NAME).is_file():
        raise InputError(build, "not a build (no manifest.json)", fix="pass a `rose build` output directory")
    # both folders are new (an answer key is never replaced) and neither holds the other
    targets = (("--out", out, ("--key", key_dir)), ("--key", key_dir, ("--out", out)))
    for flag, target, other in targets:
        check_output(target, [("BUILD", build), other], flag=flag, kind="into")
        if target.is_dir() and any(target.iterdir()):
            raise InputError(target, f"{flag} exists and is not empty", fix=f"choose a new folder for {flag}")


def withhold(build: Path, out: Path, key_dir: Path, split: str = "test") -> tuple[str, int]:
    """Write the public build ``out`` and the answer key ``key_dir``; returns (public fingerprint, withheld rows).

    The key holds the original rows of ``split`` without the image, shard by
    shard with the original schema (``scoring.answer_key`` reads it).
    """
    build, out, key_dir = Path(build), Path(out), Path(key_dir)
    _check_targets(build, out, key_dir, split)
    check_complete(build, TEMPLATE_CONFIGS.values(), SPLITS)  # never publish from a damaged build
    manifest = json.loads((build / MANIFEST_NAME).read_text(encoding="utf-8"))
    key_tables: list[tuple[str, pa.Table]] = []
    with atomic_dir(out, overwrite=False) as tmp:
        columns_by_folder: dict[str, list] = {}
        for folder in TEMPLATE_CONFIGS.values():
            for shard in build_shards(build, folder, split):
                table = pq.read_table(shard)
                rel = f"{BUILD_DATA_DIR}/{folder}/{shard.name}"
                key_tables.append((rel, table.drop_columns([c for c in ("image",) if c in table.column_names])
                                   .replace_schema_metadata(None)))
                public = table.drop_columns([c for c in WITHHELD_COLUMNS if c in table.column_names])
                (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(public.replace_schema_metadata(_public_schema_metadata(table)), tmp / rel)
                columns_by_folder[folder] = [[f.name, str(f.type)] for f in public.schema]
        if not key_tables or not sum(t.num_rows for _, t in key_tables):
            raise InputError(build, f"no {split} rows", fix="choose a split the build has")
        (tmp / CARD_NAME).write_text(public_card(split, list(columns_by_folder)), encoding="utf-8")
        from rose_bench.dataset_builder.manifest import write_manifest

        description: dict[str, Any] = {k: manifest[k] for k in PUBLIC_MANIFEST_KEYS if k in manifest}
        description.update(columns=columns_by_folder,
                           withheld={"split": split, "columns": list(WITHHELD_COLUMNS), "answer_key": "held by the board"})
        write_manifest(tmp, description)
        fingerprint = dataset_fingerprint(tmp)  # the bytes the public build will have
        with atomic_dir(key_dir, overwrite=False) as key_tmp:  # both land, or neither does
            files = []
            for rel, table in key_tables:
                (key_tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(table, key_tmp / rel)
                files.append(KeyFile(rel, (key_tmp / rel).stat().st_size, file_sha256(key_tmp / rel), table.num_rows))
            (key_tmp / KEY_JSON).write_text(json.dumps(key_record(fingerprint, split, files), indent=2) + "\n",
                                            encoding="utf-8")
    return fingerprint, sum(f.rows for f in files)
