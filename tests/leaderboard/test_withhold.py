"""`rose withhold`: no answer-revealing column survives in any public file; the key scores, bound to the public build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from rose_bench.cli import main as rose_main
from rose_bench.leaderboard.board import Board, add_bundle, init_board
from rose_bench.leaderboard.bundle import dataset_fingerprint
from rose_bench.leaderboard.withhold import WITHHELD_COLUMNS
from rose_bench.scoring.answer_key import bind_key
from rose_bench.scoring.io import InputError

from tests.support.cli import snapshot


@pytest.fixture(scope="module")
def withheld(build: Path, tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("withheld")
    assert rose_main(["withhold", str(build), "--split", "test", "--out", str(root / "public"), "--key", str(root / "key")]) == 0
    return root / "public", root / "key"


def test_no_withheld_column_survives_in_any_public_file(withheld, key) -> None:
    public, _ = withheld
    shards = sorted(public.rglob("*.parquet"))
    assert shards and not [p for p in shards if not p.name.startswith("test-")]
    for shard in shards:
        schema = pq.read_schema(shard)
        assert not set(schema.names) & set(WITHHELD_COLUMNS), shard
        assert schema.metadata is None or not any(c.encode() in b"".join(schema.metadata.values()) for c in WITHHELD_COLUMNS)
    manifest = json.loads((public / "manifest.json").read_text(encoding="utf-8"))
    assert "seed" not in manifest and "config_hash" not in manifest
    listed = {name for cols in manifest["columns"].values() for name, _ in cols}
    assert not listed & set(WITHHELD_COLUMNS)
    answers = {row["ground_truth_formal_answer"] for row in key.values()}
    for path in public.rglob("*"):
        if path.suffix in (".json", ".md"):
            text = path.read_text(encoding="utf-8")
            assert not [a for a in answers if a in text], path


def test_key_is_bound_to_the_public_build_and_scores_a_board(withheld, build, gold_rows, make_bundle, tmp_path) -> None:
    public, key_dir = withheld
    fingerprint = bind_key(key_dir, public, "test").public_fingerprint
    assert fingerprint == dataset_fingerprint(public) != dataset_fingerprint(build)
    with pytest.raises(InputError, match="bound to public build"):
        bind_key(key_dir, build, "test")
    assert rose_main(["leaderboard", "init", "--board", str(tmp_path / "b"), "--dataset", str(public),
                      "--answer-key", str(key_dir), "--replicates", "20"]) == 0
    sub_id = add_bundle(tmp_path / "b", make_bundle(gold_rows, fingerprint=fingerprint))
    assert Board(tmp_path / "b").summary(sub_id)["figures"]["table1"]["Avg. PASS"] == 1.0


def test_public_build_alone_cannot_score(withheld, tmp_path) -> None:
    public, _ = withheld
    with pytest.raises(InputError, match="answer-key"):
        init_board(tmp_path / "b", public)


def test_board_refuses_a_key_bound_to_another_build_and_stays_unchanged(withheld, gold_rows, make_bundle, tmp_path) -> None:
    public, key_dir = withheld
    fingerprint = bind_key(key_dir, public, "test").public_fingerprint
    board = tmp_path / "b"
    assert rose_main(["leaderboard", "init", "--board", str(board), "--dataset", str(public),
                      "--answer-key", str(key_dir), "--replicates", "20"]) == 0
    other = Path(shutil.copytree(key_dir, tmp_path / "other-key"))
    record = json.loads((other / "answer_key.json").read_text(encoding="utf-8"))
    record["public_fingerprint"] = "sha256:" + "0" * 64
    (other / "answer_key.json").write_text(json.dumps(record), encoding="utf-8")
    before = snapshot(board)
    with pytest.raises(InputError, match="answer key is bound to sha256:000"):
        add_bundle(board, make_bundle(gold_rows, fingerprint=fingerprint), answer_key=other)
    assert snapshot(board) == before
