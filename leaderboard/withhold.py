"""``rose withhold BUILD --split test``: a public build without answers, and an answer key bound to it.

What withholding protects against: answers crawled into training data (the
public files hold images and prompts, no answer, count, target cell or anything
derived from the targets, and no seed that would let the generator redraw
them).  What it cannot protect against: anyone can run the open reference
solver on the public images and get the answers; a hidden re-draw (a build
from a secret seed) is the check for that kind of overfitting.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from rose_bench.scoring.contract import BUILD_DATA_DIR, CARD_NAME, MANIFEST_NAME, SPLITS, TEMPLATE_CONFIGS, build_shards
from rose_bench.scoring.io import InputError, atomic_dir

from .bundle import dataset_fingerprint

__all__ = ["WITHHELD_COLUMNS", "KEY_FORMAT", "withhold", "key_fingerprint", "add_parser"]

# answer-revealing columns: answers, targets, counts, region case, difficulty, and everything derived from the targets
WITHHELD_COLUMNS: tuple[str, ...] = (
    "answer", "ground_truth_count", "ground_truth_clicks", "ground_truth_formal_answer", "all_target_cells",
    "region_target_cells", "region_non_target_count", "num_out_region_targets", "global_target_count",
    "region_target_count", "region_case", "difficulty", "target_cells",
    # which symbol is the odd one (majority vs target identity) and how hard the pair is
    "background_char", "target_char", "source_pair", "pair_direction", "undirected_pair_key", "pair_key",
    "similarity_level", "similarity", "background_emoji", "target_emoji", "majority_style", "target_style",
    "background_unicode", "target_unicode", "background_name_zh", "target_name_zh", "background_name_en",
    "target_name_en", "background_path", "target_path",
)
# manifest keys that are safe to publish (the seed, config hash, per-scene choices and statistics are not)
PUBLIC_MANIFEST_KEYS = ("format", "dataset_name", "code_version", "scale", "subsets", "license", "versions")
KEY_FORMAT = "rose-answer-key/1"
KEY_JSON, KEY_PARQUET = "answer_key.json", "key.parquet"


def _public_card(split: str, columns: list[str]) -> str:
    configs = "".join(f"- config_name: {folder}\n  data_files:\n  - split: {split}\n    path: data/{folder}/{split}-*.parquet\n"
                      for folder in TEMPLATE_CONFIGS.values())
    return (f"---\nconfigs:\n{configs}---\n# rose-bench (withheld {split} split)\n\n"
            f"The {split} rows of this build carry images and prompts only; answers and every column derived from "
            f"the targets are withheld ({len(columns)} columns). Scores need the answer key held by the board "
            f"(`rose score --answer-key`, `rose leaderboard add --answer-key`).\n\n"
            "Withholding keeps the answers out of crawled training data. It cannot stop anyone from running the open "
            "reference solver on these images; a hidden re-draw from a secret seed checks for that.\n")


def withhold(build: Path, out: Path, key_dir: Path, split: str = "test") -> tuple[str, int]:
    """Write the public build ``out`` and the answer key ``key_dir``; returns (public fingerprint, withheld rows)."""
    build, out, key_dir = Path(build), Path(out), Path(key_dir)
    if split not in SPLITS:
        raise InputError("--split", f"unknown split {split!r}", fix="use dev or test")
    if not (build / MANIFEST_NAME).is_file():
        raise InputError(build, "not a build (no manifest.json)", fix="pass a `rose build` output directory")
    for target in (out, key_dir):
        if target.resolve() == build.resolve() or build.resolve() in target.resolve().parents:
            raise InputError(target, "is inside the build", fix="write the public build and the key elsewhere")
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise InputError(target, "exists and is not empty", fix="choose a new folder")
    manifest = json.loads((build / MANIFEST_NAME).read_text(encoding="utf-8"))
    key_rows: list[dict] = []
    with atomic_dir(out, overwrite=False) as tmp:
        columns_by_folder: dict[str, list] = {}
        for folder in TEMPLATE_CONFIGS.values():
            for shard in build_shards(build, folder, split):
                table = pq.read_table(shard)
                key_rows += table.drop_columns([c for c in ("image",) if c in table.column_names]).to_pylist()
                public = table.drop_columns([c for c in WITHHELD_COLUMNS if c in table.column_names])
                target = tmp / BUILD_DATA_DIR / folder / shard.name
                target.parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(public.replace_schema_metadata(None), target)
                columns_by_folder[folder] = [[f.name, str(f.type)] for f in public.schema]
        if not key_rows:
            raise InputError(build, f"no {split} rows", fix="choose a split the build has")
        (tmp / CARD_NAME).write_text(_public_card(split, list(WITHHELD_COLUMNS)), encoding="utf-8")
        from rose_bench.dataset_builder.manifest import write_manifest

        description: dict[str, Any] = {k: manifest[k] for k in PUBLIC_MANIFEST_KEYS if k in manifest and k != "format"}
        description.update(columns=columns_by_folder,
                           withheld={"split": split, "columns": list(WITHHELD_COLUMNS), "answer_key": "held by the board"})
        write_manifest(tmp, description)
        fingerprint = dataset_fingerprint(tmp)  # the bytes the public build will have
        with atomic_dir(key_dir, overwrite=False) as key_tmp:  # both land, or neither does
            import pyarrow as pa

            pq.write_table(pa.Table.from_pylist(key_rows), key_tmp / KEY_PARQUET)
            (key_tmp / KEY_JSON).write_text(json.dumps({"format": KEY_FORMAT, "public_fingerprint": fingerprint,
                                                        "split": split, "rows": len(key_rows)}, indent=2) + "\n",
                                            encoding="utf-8")
    return fingerprint, len(key_rows)


def key_fingerprint(key_dir: Path, public_build: Path) -> str:
    """The public build's fingerprint, after checking that the key was made for exactly that build."""
    path = Path(key_dir) / KEY_JSON
    if not path.is_file():
        raise InputError(key_dir, f"no {KEY_JSON}", fix="pass the key folder written by `rose withhold`")
    info = json.loads(path.read_text(encoding="utf-8"))
    fingerprint = dataset_fingerprint(public_build)
    if info.get("format") != KEY_FORMAT or info.get("public_fingerprint") != fingerprint:
        raise InputError(path, "answer key is not bound to this public build's fingerprint", field="public_fingerprint",
                         fix="pass the public build made by the same `rose withhold` run")
    return fingerprint


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("withhold", help="write a public build without answers and a separate answer key",
                              description=__doc__.splitlines()[0])
    p.add_argument("build", type=Path, metavar="BUILD")
    p.add_argument("--split", choices=SPLITS, default="test")
    p.add_argument("--out", type=Path, required=True, help="public build folder (new)")
    p.add_argument("--key", type=Path, required=True, help="answer key folder (new; keep it private)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    fingerprint, rows = withhold(args.build, args.out, args.key, args.split)
    print(f"public build {args.out} ({fingerprint}); answer key for {rows} {args.split} rows in {args.key}")
    return 0
