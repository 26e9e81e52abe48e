"""`rose submission create`: from a predictions JSONL and from lmms-eval samples + results JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rose_bench.cli import main as rose_main
from rose_bench.leaderboard.bundle import harness_from_lmms_results, read_bundle, schema_problems
from rose_bench.lmms_tasks.metrics import PAYLOAD_METRIC


def _create(tmp: Path, build: Path, *source: str, out: str = "bundle") -> int:
    return rose_main(["submission", "create", *source, "--dataset", str(build), "--model-name", "m",
                      "--organisation", "o", "--api-model-id", "vendor/m", "--closed-weights", "--out", str(tmp / out)])


def test_create_from_predictions_is_deterministic_and_valid(build, gold_rows, tmp_path) -> None:
    src = tmp_path / "p.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in reversed(gold_rows)), encoding="utf-8")
    assert _create(tmp_path, build, "--predictions", str(src), out="a") == 0
    assert _create(tmp_path, build, "--predictions", str(src), out="b") == 0
    for name in ("submission.json", "predictions.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    bundle = read_bundle(tmp_path / "a")
    assert [r["item_id"] for r in bundle.predictions] == sorted(r["item_id"] for r in gold_rows)
    assert bundle.meta["dataset"]["fingerprint"].startswith("sha256:") and schema_problems(bundle.meta) == []


def _samples(tmp: Path, gold_rows: list[dict], limit) -> Path:
    folder = tmp / "lmms" / "rose-solver"
    folder.mkdir(parents=True)
    lines = [{"doc_id": i, "filtered_resps": [r["raw_text"]], PAYLOAD_METRIC: {"item_id": r["item_id"]}}
             for i, r in enumerate(gold_rows)]
    (folder / "20260101_samples_rose.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    results = {"results": {"rose": {}}, "lmms_eval_version": "0.7.3", "git_hash": "abc123",
               "config": {"model": "openai", "model_args": "model=rose-solver,base_url=http://127.0.0.1:1/v1",
                          "limit": limit, "gen_kwargs": ""}}
    (folder / "20260101_results.json").write_text(json.dumps(results), encoding="utf-8")
    return folder / "20260101_samples_rose.jsonl"


def test_create_from_lmms_samples_copies_the_harness_provenance(build, gold_rows, tmp_path) -> None:
    samples = _samples(tmp_path, gold_rows, None)
    assert _create(tmp_path, build, "--lmms-samples", str(samples)) == 0
    meta = read_bundle(tmp_path / "bundle").meta
    assert meta["harness"]["name"] == "lmms-eval" and meta["harness"]["version"] == "0.7.3"
    assert meta["harness"]["git_hash"] == "abc123" and "rose-solver" in meta["harness"]["model_args"]
    assert meta["predictions"]["rows"] == len(gold_rows)


def test_create_refuses_a_limit_run(build, gold_rows, tmp_path, capsys) -> None:
    samples = _samples(tmp_path, gold_rows, 5)
    assert _create(tmp_path, build, "--lmms-samples", str(samples)) == 2
    assert "--limit 5" in capsys.readouterr().err and not (tmp_path / "bundle").exists()


@pytest.mark.parametrize("results, expected", [
    ({}, {"name": "lmms-eval", "version": None, "limit": None}),
    ({"config": {"limit": 0.5}}, {"limit": 0.5}),
    ({"config": {"limit": "10"}}, {"limit": 10.0}),
    ({"config": {"limit": None}}, {"limit": None}),
], ids=["empty", "fraction-limit", "text-limit", "no-limit"])
def test_harness_from_lmms_results(results, expected) -> None:
    harness = harness_from_lmms_results(results)
    assert {k: harness[k] for k in expected} == expected
