"""`rose score --answer-key`: a withheld public build plus its key scores exactly like the original build.

A tiny real build is withheld with `rose withhold`; the `global` policy answers
the public build's images; scoring the public build with the key writes the
same bytes as scoring the original build (moved aside so that both runs record
the same dataset path).  Every way a key can be wrong is refused with exit 2,
a message naming the file and the fix, and no output written.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import pytest

from rose_bench.leaderboard.baselines import policy_predictions
from rose_bench.scoring.answer_key import KEY_JSON, WITHHELD_COLUMNS, bind_key, is_withheld, read_key
from rose_bench.scoring.evaluate import OUTPUT_FILES
from rose_bench.scoring.io import InputError, write_jsonl

from tests.support.cli import rose, snapshot


@pytest.fixture(scope="module")
def withheld(tmp_path_factory) -> dict[str, Path]:
    """root/original (the build), root/public + root/key (`rose withhold`), root/pred.jsonl (global policy)."""
    root = tmp_path_factory.mktemp("answer_key")
    built = rose("build", "--out", root / "original", "--scenes-per-subset", "3", "--seed", "5", "--no-certify",
                 "--workers", "1", "--no-progress")
    assert built.code == 0, built.err
    made = rose("withhold", root / "original", "--split", "test", "--out", root / "public", "--key", root / "key")
    assert made.code == 0, made.err
    write_jsonl(root / "pred.jsonl", policy_predictions(root / "public", "global", "test"))
    return {"root": root, "original": root / "original", "public": root / "public", "key": root / "key",
            "pred": root / "pred.jsonl"}


def test_scores_equal_those_of_the_original_build_byte_for_byte(withheld, tmp_path) -> None:
    # both runs record the dataset root they read, so the original build is scored at the public build's path
    stage = tmp_path / "build"
    shutil.copytree(withheld["original"], stage)
    plain = rose("score", "--predictions", withheld["pred"], "--dataset-root", stage, "--out-dir", tmp_path / "plain")
    assert plain.code == 0, plain.err
    shutil.rmtree(stage)
    shutil.copytree(withheld["public"], stage)
    keyed = rose("score", "--predictions", withheld["pred"], "--dataset_root", stage, "--answer-key", withheld["key"],
                 "--out-dir", tmp_path / "keyed")
    assert keyed.code == 0, keyed.err
    assert sorted(p.name for p in (tmp_path / "keyed").iterdir()) == sorted(OUTPUT_FILES)
    assert snapshot(tmp_path / "keyed") == snapshot(tmp_path / "plain")
    assert keyed.out.replace("keyed", "plain") == plain.out
    summary = json.loads((tmp_path / "keyed" / "evaluation_summary.json").read_text(encoding="utf-8"))
    assert summary["coverage"]["complete_submission"] and 0 < summary["overall"]["pass_rate"] < 1  # a real, imperfect run


def test_key_holds_the_original_rows_and_the_public_build_none_of_the_answers(withheld) -> None:
    key = read_key(withheld["key"])
    assert key.split == "test" and key.rows == sum(f.rows for f in key.files) > 0
    import pyarrow.parquet as pq

    for file in key.files:
        original = pq.read_table(withheld["original"] / file.path)
        assert pq.read_table(withheld["key"] / file.path).equals(original.drop_columns(["image"]))
        public = pq.read_table(withheld["public"] / file.path)
        assert not set(public.column_names) & set(WITHHELD_COLUMNS)
        assert all(is_withheld(row) for row in public.drop_columns(["image"]).to_pylist())
        assert not any(is_withheld(row) for row in original.drop_columns(["image"]).to_pylist())


def _copy_key(withheld, tmp_path: Path) -> Path:
    return Path(shutil.copytree(withheld["key"], tmp_path / "key"))


def _edit_record(key: Path, edit: Callable[[dict], None]) -> None:
    record = json.loads((key / KEY_JSON).read_text(encoding="utf-8"))
    edit(record)
    (key / KEY_JSON).write_text(json.dumps(record), encoding="utf-8")


def _tamper_shard(key: Path) -> None:
    shard = sorted(key.glob("data/*/*.parquet"))[0]
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))


def _stray_shard(key: Path) -> None:
    shard = sorted(key.glob("data/*/*.parquet"))[0]
    shutil.copyfile(shard, shard.with_name("test-00001-of-00002.parquet"))


# id -> (change to a copy of the key, extra arguments ({key}, {public}, {original} filled in), message)
KEY_REFUSALS: dict[str, tuple[Callable[[Path], None] | None, list[str], str]] = {
    "other-build": (None, ["--dataset-root", "{original}", "--answer-key", "{key}"], "bound to public build"),
    "no-key-for-withheld-build": (None, ["--dataset-root", "{public}"], "rows are withheld"),
    "key-with-metadata-file": (None, ["--metadata", "{shard}", "--answer-key", "{key}"], "--dataset-root PUBLIC_BUILD"),
    "key-without-dataset-root": (None, ["--answer-key", "{key}"], "--dataset-root PUBLIC_BUILD"),
    "other-split": (None, ["--dataset-root", "{public}", "--answer-key", "{key}", "--split", "dev"],
                    "holds the test split, not dev"),
    "missing-key-folder": (lambda k: shutil.rmtree(k), ["--dataset-root", "{public}", "--answer-key", "{key}"],
                           "answer key folder not found"),
    "no-record": (lambda k: (k / KEY_JSON).unlink(), ["--dataset-root", "{public}", "--answer-key", "{key}"],
                  f"no {KEY_JSON}"),
    "record-not-json": (lambda k: (k / KEY_JSON).write_bytes(b"\xff{"), ["--dataset-root", "{public}", "--answer-key",
                                                                         "{key}"], "not a JSON document"),
    "old-format": (lambda k: _edit_record(k, lambda r: r.update(format="rose-answer-key/1")),
                   ["--dataset-root", "{public}", "--answer-key", "{key}"], "is not rose-answer-key/2"),
    "path-escapes-key": (lambda k: _edit_record(k, lambda r: r["files"][0].update(path="data/../../x.parquet")),
                         ["--dataset-root", "{public}", "--answer-key", "{key}"], "not a test shard path"),
    "huge-recorded-size": (lambda k: _edit_record(k, lambda r: r["files"][0].update(size=1 << 40)),
                           ["--dataset-root", "{public}", "--answer-key", "{key}"], "size (0.."),
    "rows-do-not-add-up": (lambda k: _edit_record(k, lambda r: r.update(rows=r["rows"] + 1)),
                           ["--dataset-root", "{public}", "--answer-key", "{key}"], "not the sum over its files"),
    "tampered-shard": (_tamper_shard, ["--dataset-root", "{public}", "--answer-key", "{key}"],
                       "sha256 differs"),
    "stray-shard": (_stray_shard, ["--dataset-root", "{public}", "--answer-key", "{key}"], "a stray shard"),
    "missing-shard": (lambda k: sorted(k.glob("data/*/*.parquet"))[0].unlink(),
                      ["--dataset-root", "{public}", "--answer-key", "{key}"], "listed in answer_key.json but missing"),
}


@pytest.mark.parametrize("case", list(KEY_REFUSALS), ids=list(KEY_REFUSALS))
def test_bad_keys_are_refused_with_exit_2_and_nothing_written(withheld, tmp_path, case: str) -> None:
    change, args, message = KEY_REFUSALS[case]
    key = _copy_key(withheld, tmp_path)
    if change is not None:
        change(key)
    shard = sorted(withheld["original"].glob("data/t1/test-*.parquet"))[0]
    names = {"key": key, "public": withheld["public"], "original": withheld["original"], "shard": shard}
    before = snapshot(withheld["root"])
    result = rose("score", "--predictions", withheld["pred"], "--out-dir", tmp_path / "out", "--quiet",
                  *[a.format(**{k: str(v) for k, v in names.items()}) for a in args])
    assert result.code == 2, result.err
    assert result.err.startswith("rose score: error: ") and message in result.err and "(fix: " in result.err
    assert not (tmp_path / "out").exists() and snapshot(withheld["root"]) == before


def test_bind_key_checks_the_public_build_and_the_split(withheld) -> None:
    key = bind_key(withheld["key"], withheld["public"], "test")
    assert key.public_fingerprint.startswith("sha256:") and key.shards(["t1"])
    with pytest.raises(InputError, match="bound to public build"):
        bind_key(withheld["key"], withheld["original"], "test")
