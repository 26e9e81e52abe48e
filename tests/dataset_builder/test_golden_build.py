"""Golden bytes of a tiny real build: a refactor must not change one byte of the data.

Five subsets, two scenes each, seed 5, certified, real asset sources.  Only the Parquet
shards are pinned: the card and manifest carry the code version (git commit), which moves
with every commit by design.  If a change alters the data on purpose, update DIGESTS once
and say why in the commit message.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from rose_bench.cli import main

DIGESTS = {
    "data/t1/dev-00000-of-00001.parquet": "0e07d76dc3283654f5d65633a0f414538cd60916304021b9f29dfe7d3645c7b4",
    "data/t1/test-00000-of-00001.parquet": "22b13bb10053f50237b6e0bd22b0886cbe742b3c731bd2eef679818ebef047b4",
    "data/t1b/dev-00000-of-00001.parquet": "1626f9659dc532819001c2d5c8472a84ffd4a83e65ecf206e4f23524592999c5",
    "data/t1b/test-00000-of-00001.parquet": "5eccc20f317fc0dace9fbd1984acbb466a5a92aaf5cd39484eca7856e23f08b4",
    "data/t2/dev-00000-of-00001.parquet": "1e8d4c103061e9122b169754cdb03e506fece456ddf920b9fa01d5313fa76712",
    "data/t2/test-00000-of-00001.parquet": "f54b1370461a99acd3dba6789849b2bc71ef3db24b0ea68917d45590e919cdb3",
    "data/t2b/dev-00000-of-00001.parquet": "aa1f862438b8834e4d3df37a31f5fff1a346d19bafd731d74f12ef52a5c0fc2c",
    "data/t2b/test-00000-of-00001.parquet": "4aa9a058f40780729accbc5ee69e02c82385f16aa8de07920b92a5f59370f51e",
    "data/t3/dev-00000-of-00001.parquet": "f33d95f270ff70b309028b47f4c43e448dea077d1b4795edb3368f30e0ac9ad9",
    "data/t3/test-00000-of-00001.parquet": "b22f2bb20dd36f7ae1f28a202c19fae0f2905ac0c75bdc4465da8049ae59e278",
    "data/t4/dev-00000-of-00001.parquet": "9479720d6e801da2bd52a49b64b3a7e9d31465db22ae2c21499f7b892cf04f0b",
    "data/t4/test-00000-of-00001.parquet": "8624a63ac96041844913e568ecc89cee828d3ac0c5082ed121eb3ac06abf2e0f",
    "data/t5/dev-00000-of-00001.parquet": "c78505b58d4c1cfd9e74fff4b75ce9643dfab21bbc2df3c3ce773100af326687",
    "data/t5/test-00000-of-00001.parquet": "d342fd3470a3d9ccc3ce22c8d541351795edcbea75e43938cb01e526d6ee81b8",
}


@pytest.fixture(scope="module")
def golden_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "build"
    code = main(["build", "--out", str(out), "--scenes-per-subset", "2", "--seed", "5", "--workers", "2", "--no-progress"])
    assert code == 0
    return out


@pytest.mark.parametrize("name", sorted(DIGESTS), ids=sorted(DIGESTS))
def test_shard_bytes_match_golden(golden_build: Path, name: str) -> None:
    assert hashlib.sha256((golden_build / name).read_bytes()).hexdigest() == DIGESTS[name]


def test_no_unexpected_shards(golden_build: Path) -> None:
    shards = sorted(str(p.relative_to(golden_build)) for p in golden_build.rglob("*.parquet"))
    assert shards == sorted(DIGESTS)
