"""manifest.json: what a build is (versions, seed, counts) and the checksum of every file in it.

The manifest is written last by the writer and checked by ``verify_manifest``
before anything is exported or published, so a build directory that was edited,
truncated or mixed with another build is refused instead of released.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any, Mapping

import pyarrow.parquet as pq

from rose_bench.scoring.contract import MANIFEST_NAME, SPLITS, TEMPLATE_CONFIGS, build_shards
from rose_bench.scoring.io import atomic_write

MANIFEST_FORMAT = "rose-bench-build/1"
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks (the checksum the manifest records)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def code_version() -> dict[str, Any]:
    """rose-bench version plus the git commit of the source checkout (None outside git, never an error)."""
    import rose_bench

    info: dict[str, Any] = {"package": "rose-bench", "version": rose_bench.__version__, "git_commit": None, "git_dirty": None}
    src = Path(rose_bench.__file__).resolve().parent
    try:
        top = subprocess.run(
            ["git", "-C", str(src), "rev-parse", "--show-toplevel"], capture_output=True, text=True, timeout=10
        )
        if top.returncode != 0 or not (Path(top.stdout.strip()) / "rose_bench").is_dir():
            return info  # an installed wheel, or a checkout of something else
        head = subprocess.run(["git", "-C", str(src), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        if head.returncode == 0:
            info["git_commit"] = head.stdout.strip()
            dirty = subprocess.run(
                ["git", "-C", str(src), "status", "--porcelain", "--untracked-files=no"],
                capture_output=True, text=True, timeout=30,
            )
            info["git_dirty"] = bool(dirty.stdout.strip()) if dirty.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        pass
    return info


def list_files(build_dir: Path) -> list[str]:
    """Every regular file below ``build_dir`` except the manifest, as sorted POSIX relative paths."""
    build_dir = Path(build_dir)
    found = []
    for root, dirs, files in os.walk(build_dir):
        dirs.sort()
        for name in files:
            rel = (Path(root) / name).relative_to(build_dir).as_posix()
            if rel != MANIFEST_NAME:
                found.append(rel)
    return sorted(found)


def file_entries(build_dir: Path) -> list[dict[str, Any]]:
    return [
        {"path": rel, "size": (Path(build_dir) / rel).stat().st_size, "sha256": sha256_file(Path(build_dir) / rel)}
        for rel in list_files(build_dir)
    ]


def build_manifest(build_dir: Path, description: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest of a finished build directory: ``description`` (from the writer) plus file checksums."""
    manifest = {"format": MANIFEST_FORMAT}
    manifest.update(description)
    manifest["files"] = file_entries(build_dir)
    return manifest


def write_manifest(build_dir: Path, description: Mapping[str, Any]) -> Path:
    manifest = build_manifest(build_dir, description)
    return atomic_write(Path(build_dir) / MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


def read_manifest(build_dir: Path) -> dict[str, Any]:
    return json.loads((Path(build_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _dict_of(value: Any, check) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and check(v) for k, v in value.items())


def _list_of(value: Any, check) -> bool:
    return isinstance(value, list) and all(check(v) for v in value)


# field -> (check, the expected shape in words): the fields that export, publish and verify read
_SHAPES: dict[str, tuple[Any, str]] = {
    "files": (lambda v: _list_of(v, lambda e: isinstance(e, dict) and isinstance(e.get("path"), str)
                                 and _is_int(e.get("size")) and isinstance(e.get("sha256"), str)),
              "a list of {path: str, size: int, sha256: str}"),
    "counts": (lambda v: isinstance(v, dict) and _dict_of(v.get("parquet_rows"), lambda s: _dict_of(s, _is_int)),
               "{parquet_rows: {config: {split: int}}}"),
    "row_key_order": (lambda v: _dict_of(v, lambda t: _dict_of(t, lambda k: _list_of(k, lambda x: isinstance(x, str)))),
                      "{subset: {template: [key, ...]}}"),
    "columns": (lambda v: _dict_of(v, lambda c: _list_of(c, lambda p: _list_of(p, lambda x: isinstance(x, str)) and len(p) == 2)),
                "{config: [[name, type], ...]}"),
    "versions": (lambda v: _dict_of(v, lambda x: _dict_of(x, lambda y: _list_of(y, lambda z: isinstance(z, str)))),
                 "{kind: {name: [version, ...]}}"),
}


def shape_problems(manifest: Mapping[str, Any]) -> list[str]:
    """One problem per field that readers use and whose JSON type is wrong or missing."""
    return [f"{name}: expected {words}, got {type(manifest.get(name)).__name__}"
            f" (fix: rebuild with `rose build`; the manifest must not be edited)"
            for name, (check, words) in _SHAPES.items() if not check(manifest.get(name))]


def verify_manifest(build_dir: Path) -> list[str]:
    """Problems with a build directory (empty list = consistent).

    Checks: the manifest parses; every listed file exists with the recorded
    size and sha256; no unlisted files; the Parquet row counts per config and
    split equal the recorded ones.
    """
    build_dir = Path(build_dir)
    path = build_dir / MANIFEST_NAME
    if not build_dir.is_dir():
        return [f"{build_dir}: not a directory"]
    if not path.is_file():
        return [f"{path}: missing (fix: build with `rose build --out DIR`, which writes it)"]
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"{path}: unreadable ({exc})"]
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return [f"{path}: format is not {MANIFEST_FORMAT!r}"]
    shape = shape_problems(manifest)
    if shape:  # a hand-edited manifest: report it instead of failing inside a reader
        return [f"{path}: {problem}" for problem in shape]
    files = manifest["files"]

    problems: list[str] = []
    listed: set[str] = set()
    for i, entry in enumerate(files):
        rel = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(rel, str) or rel.startswith("/") or ".." in Path(rel).parts:
            problems.append(f"{path}: files[{i}]: bad path {rel!r}")
            continue
        listed.add(rel)
        target = build_dir / rel
        if not target.is_file():
            problems.append(f"{rel}: listed in the manifest but missing")
            continue
        size = target.stat().st_size
        if size != entry.get("size"):
            problems.append(f"{rel}: size {size} != manifest {entry.get('size')}")
            continue
        if sha256_file(target) != entry.get("sha256"):
            problems.append(f"{rel}: sha256 differs from the manifest (file changed after the build)")
    for rel in list_files(build_dir):
        if rel not in listed:
            problems.append(f"{rel}: not listed in the manifest (stray file; remove it or rebuild)")

    expected = (manifest.get("counts") or {}).get("parquet_rows")
    if not isinstance(expected, dict):
        problems.append(f"{path}: counts.parquet_rows missing")
        return problems
    for folder in TEMPLATE_CONFIGS.values():
        for split in SPLITS:
            want = (expected.get(folder) or {}).get(split)
            shards = build_shards(build_dir, folder, split)
            if not want and not shards:
                continue  # an empty split has no shard
            if not shards:
                problems.append(f"data/{folder}: no {split} shard although the manifest records {want} rows")
                continue
            try:
                got = sum(pq.read_metadata(s).num_rows for s in shards)
            except Exception as exc:  # corrupt Parquet: report, do not crash the check
                problems.append(f"data/{folder}/{split}: unreadable Parquet ({exc})")
                continue
            if got != want:
                problems.append(f"data/{folder}/{split}: {got} rows in Parquet != manifest {want}")
    return problems
