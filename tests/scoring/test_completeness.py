"""scoring.completeness: a build whose shards differ from its manifest is refused by every reader."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rose_bench.scoring.completeness import check_complete
from rose_bench.scoring.io import InputError


def _build(root: Path) -> Path:
    """A minimal build layout: t1 with a test shard of 3 rows and a dev shard of 1, and its manifest."""
    files, rows = [], {}
    for split, n in (("test", 3), ("dev", 1)):
        shard = root / "data" / "t1" / f"{split}-00000-of-00001.parquet"
        shard.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"item_id": [f"{split}{i}" for i in range(n)]}), shard)
        files.append({"path": shard.relative_to(root).as_posix(), "size": shard.stat().st_size, "sha256": "-"})
        rows[split] = n
    manifest = {"format": "rose-bench-build/1", "files": files, "counts": {"parquet_rows": {"t1": rows}}}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def _shard(root: Path, split: str = "test") -> Path:
    return root / "data" / "t1" / f"{split}-00000-of-00001.parquet"


def _rewrite(root: Path, n: int) -> None:
    pq.write_table(pa.table({"item_id": [f"x{i}" for i in range(n)]}), _shard(root))


def _record_size(root: Path) -> None:
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][0]["size"] = _shard(root).stat().st_size
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


# (id, damage, message)
DAMAGES = [
    ("shard-deleted", lambda r: _shard(r).unlink(), "listed in manifest.json but missing"),
    ("stray-shard", lambda r: _shard(r).rename(_shard(r).with_name("test-00000-of-00002.parquet")), "missing"),
    ("extra-shard", lambda r: _shard(r).with_name("test-00001-of-00002.parquet").write_bytes(_shard(r).read_bytes()),
     "not listed in manifest.json"),
    ("rows-removed", lambda r: _rewrite(r, 2), "bytes, manifest.json records"),
    ("rows-removed-size-recorded", lambda r: (_rewrite(r, 2), _record_size(r)), "test: 2 rows, manifest.json records 3"),
    ("footer-destroyed", lambda r: _shard(r).write_bytes(_shard(r).read_bytes()[:-8] + b"\0" * 8), "unreadable Parquet"),
    ("manifest-not-json", lambda r: (r / "manifest.json").write_text("{", encoding="utf-8"), "unreadable"),
]


@pytest.mark.parametrize("damage,message", [d[1:] for d in DAMAGES], ids=[d[0] for d in DAMAGES])
def test_a_damaged_build_is_refused(tmp_path: Path, damage, message: str) -> None:
    root = _build(tmp_path / "b")
    check_complete(root, ["t1"], ["test", "dev"])
    damage(root)
    with pytest.raises(InputError) as caught:
        check_complete(root, ["t1"], ["test", "dev"])
    assert message in str(caught.value) and "(fix: " in str(caught.value)


def test_only_the_folders_and_splits_read_are_checked(tmp_path: Path) -> None:
    root = _build(tmp_path / "b")
    _shard(root, "dev").unlink()
    check_complete(root, ["t1"], ["test"])
    check_complete(root, ["t2"], ["test", "dev"])  # nothing listed, nothing present
    with pytest.raises(InputError, match="dev-00000-of-00001.parquet"):
        check_complete(root, ["t1"], ["dev"])


def test_a_folder_without_a_manifest_is_read_as_it_is(tmp_path: Path) -> None:
    root = _build(tmp_path / "b")
    (root / "manifest.json").unlink()
    _shard(root).unlink()
    check_complete(root, ["t1"], ["test", "dev"])
