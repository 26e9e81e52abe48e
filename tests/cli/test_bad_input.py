"""Issue 10 through the real `rose` command: every bad-input class ends in a message and the right exit code,
and no input changes (every file under the case's folder is hashed before and after).

Each case names the numbered class of the issue it covers (10.1 ... 10.8).  Cases that once hung run as a
process with a time limit.  The range of every numeric flag is in ``test_numeric_flags_are_range_checked``.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pyarrow.parquet as pq
import pytest

from rose_bench.scoring.contract import build_shards
from tests.support.cli import rose, rose_process, snapshot
from tests.support.fixtures import GLOBAL_CLICK, MATCHED_COUNT, fixture_rows


@dataclass(frozen=True)
class Env:
    build: Callable[[Path], Path]  # copy the tiny build to a path

    @staticmethod
    def rows(path: Path, n: int) -> list[dict]:
        return [dict(r) for r in fixture_rows(path)[:n]]


def _jsonl(path: Path, rows: list, *, bom: bool = False) -> Path:
    """One JSON value per line (``ensure_ascii``: a lone surrogate stays a ``\\ud800`` escape, as a client sends it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r) + "\n" for r in rows)
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def _scoring_inputs(tmp: Path, raw_text, *, key: str = "raw_text", n: int = 2) -> tuple[Path, Path]:
    """Official matched-count rows as metadata and one prediction per row with ``key: raw_text``."""
    rows = Env.rows(MATCHED_COUNT, n)
    meta = _jsonl(tmp / "meta.jsonl", rows)
    preds = _jsonl(tmp / "preds.jsonl", [{"item_id": r["item_id"], key: raw_text} for r in rows])
    return meta, preds


def _build_predictions(build: Path, path: Path) -> Path:
    """A COUNT(0) prediction for every test item of ``build`` (read before it is damaged)."""
    ids = [r["item_id"] for folder in ("t1", "t2", "t3", "t4", "t5") for shard in build_shards(build, folder, "test")
           for r in pq.read_table(shard, columns=["item_id"]).to_pylist()]
    return _jsonl(path, [{"item_id": i, "raw_text": "COUNT(0)"} for i in ids])


def _row(build: Path, folder: str) -> dict:
    return pq.read_table(build_shards(build, folder, "test")[0]).slice(0, 1).to_pylist()[0]


def _solve_with_region(tmp: Path, env: Env, numbers: Callable[[int], str]) -> list:
    """`rose solve` on a real local-count item whose prompt's numbers are replaced (i-th number -> numbers(i))."""
    build = env.build(tmp / "B")
    row = _row(build, "t2")
    image = tmp / "item.png"
    image.write_bytes(row["image"]["bytes"])
    counter = iter(range(100))
    prompt = re.sub(r"\d+", lambda m: numbers(next(counter)), row["prompt_local"].replace("COUNT(n)", "COUNT(N)"))
    return ["solve", "--image", image, "--prompt-local", prompt.replace("COUNT(N)", "COUNT(n)")]


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header announces ``width`` x ``height`` (the pixel data is a few bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


def _edit_manifest(build: Path, **fields) -> None:
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(fields)
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _lmms_sample(path: Path) -> Path:
    """One lmms-eval sample of a rose_* task (the ROSE row under the 'pass' metric)."""
    row = Env.rows(MATCHED_COUNT, 1)[0]
    return _jsonl(path, [{"doc_id": 0, "filtered_resps": ["COUNT(1)"], "pass": {"item_id": row["item_id"],
                                                                               "rose_split": "test"}}])


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    id: str
    issue: str  # the numbered class of issue 10
    setup: Callable[[Path, Env], list]  # creates the inputs under the case folder, returns the argv
    code: int
    message: str  # must appear in stderr (``stream="out"``: stdout)
    stream: str = "err"
    process: bool = False  # run as a process with a time limit (cases that once hung or ran away)
    pending: str | None = None  # the core fix has not landed yet: who owns it (strict xfail until it does)


def _export_same(tmp, env):
    b = env.build(tmp / "B")
    return ["export-official", b, b, "--overwrite"]


def _export_parent(tmp, env):
    b = env.build(tmp / "W" / "B")
    return ["export-official", b, tmp / "W", "--overwrite"]


def _export_inside(tmp, env):
    b = env.build(tmp / "B")
    return ["export-official", b, b / "official"]


def _export_symlink(tmp, env):
    b = env.build(tmp / "B")
    (tmp / "L").symlink_to(b)
    return ["export-official", b, tmp / "L", "--overwrite"]


def _score_in_build(tmp, env):
    b = env.build(tmp / "B")
    preds = _build_predictions(b, tmp / "p.jsonl")
    return ["score", "--dataset_root", b, "--predictions", preds, "--out_dir", b / "scores"]


def _score_shard_in_build(tmp, env):
    b = env.build(tmp / "B")
    preds = _build_predictions(b, tmp / "p.jsonl")
    return ["score", "--metadata", build_shards(b, "t1", "test")[0], "--predictions", preds, "--allow-partial",
            "--out-dir", b / "scores"]


def _score_out_holds_predictions(tmp, env):
    meta, preds = _scoring_inputs(tmp, "COUNT(1)")
    return ["score", "--metadata", meta, "--predictions", preds, "--out-dir", tmp]


def _lmms_onto_input(tmp, env):
    s = _lmms_sample(tmp / "S.jsonl")
    return ["lmms-to-predictions", s, "--out", s, "--model", "m"]


def _lmms_existing(tmp, env):
    s = _lmms_sample(tmp / "S.jsonl")
    (tmp / "preds.jsonl").write_text("mine\n", encoding="utf-8")
    return ["lmms-to-predictions", s, "--out", tmp / "preds.jsonl", "--model", "m"]


def _bridge_onto_metadata_folder(tmp, env):
    _jsonl(tmp / "official" / "metadata_test.jsonl", Env.rows(GLOBAL_CLICK, 2))
    preds = _jsonl(tmp / "p.jsonl", [{"item_id": r["item_id"], "raw_text": "DONE"} for r in Env.rows(GLOBAL_CLICK, 2)])
    return ["bridge", "global-click", "--metadata", tmp / "official", "--predictions", preds, "--out-dir", tmp / "official"]


def _build_into_build(tmp, env):
    b = env.build(tmp / "B")
    return ["build", "--out", b / "again", "--scenes-per-subset", "2", "--subsets", "ROSE-ChineseGlyph"]


def _build_non_empty(tmp, env):
    (tmp / "X").mkdir()
    (tmp / "X" / "notes.txt").write_text("mine", encoding="utf-8")
    return ["build", "--out", tmp / "X", "--scenes-per-subset", "2", "--subsets", "ROSE-ChineseGlyph"]


def _certify_json_in_build(tmp, env):
    b = env.build(tmp / "B")
    return ["certify", b, "--json", b / "cert.json"]


def _score_region(tmp, env, r2):
    rows = Env.rows(MATCHED_COUNT, 2)
    rows[1]["region_params"] = {"r1": 1, "r2": r2, "c1": 1, "c2": 2}
    meta = _jsonl(tmp / "meta.jsonl", rows)
    preds = _jsonl(tmp / "p.jsonl", [{"item_id": r["item_id"], "raw_text": "COUNT(1)"} for r in rows])
    return ["score", "--metadata", meta, "--predictions", preds, "--out-dir", tmp / "out"]


def _validate_region(tmp, env):
    rows = Env.rows(MATCHED_COUNT, 2)
    rows[1]["region_params"] = {"r1": 1, "r2": 10**9, "c1": 1, "c2": 2}
    return ["validate", _jsonl(tmp / "metadata_test.jsonl", rows)]


def _score_raw_text(value, key="raw_text"):
    def setup(tmp, env):
        meta, preds = _scoring_inputs(tmp, value, key=key)
        return ["score", "--metadata", meta, "--predictions", preds, "--out-dir", tmp / "out"]

    return setup


def _validate_raw_text(value, key="raw_text"):
    def setup(tmp, env):
        _, preds = _scoring_inputs(tmp, value, key=key)
        return ["validate", "--kind", "predictions", preds]

    return setup


def _missing_shard(command):
    def setup(tmp, env):
        b = env.build(tmp / "B")
        preds = _build_predictions(b, tmp / "p.jsonl")
        build_shards(b, "t3", "test")[0].unlink()
        if command == "score":
            return ["score", "--dataset-root", b, "--predictions", preds, "--out-dir", tmp / "out"]
        return ["certify", b]

    return setup


def _bridge_surrogate(tmp, env):
    rows = Env.rows(GLOBAL_CLICK, 2)
    meta = _jsonl(tmp / "meta.jsonl", rows)
    preds = _jsonl(tmp / "p.jsonl", [{"item_id": r["item_id"], "raw_text": "\ud800"} for r in rows])
    return ["bridge", "global-click", "--metadata", meta, "--predictions", preds, "--out-dir", tmp / "out"]


def _under_file(command):
    def setup(tmp, env):
        (tmp / "F").write_text("a regular file", encoding="utf-8")
        under = tmp / "F" / "out"
        meta, preds = _scoring_inputs(tmp, "COUNT(1)")
        if command == "score":
            return ["score", "--metadata", meta, "--predictions", preds, "--out_dir", under]
        if command == "bridge":
            gc = _jsonl(tmp / "gc.jsonl", Env.rows(GLOBAL_CLICK, 2))
            p = _jsonl(tmp / "gp.jsonl", [{"item_id": r["item_id"], "raw_text": "DONE"} for r in Env.rows(GLOBAL_CLICK, 2)])
            return ["bridge", "global-click", "--metadata", gc, "--predictions", p, "--out_dir", under]
        if command == "consistency":
            per_item = _jsonl(tmp / "run" / "per_item_eval.jsonl", [{"item_id": "x", "model": "m"}])
            return ["consistency", per_item, "--out_dir", under]
        if command == "lmms-to-predictions":
            return ["lmms-to-predictions", _lmms_sample(tmp / "S.jsonl"), "--out", under / "p.jsonl"]
        if command == "build":
            return ["build", "--out", under, "--scenes-per-subset", "2", "--subsets", "ROSE-ChineseGlyph"]
        b = env.build(tmp / "B")
        return ["certify", b, "--json", under / "cert.json"]

    return setup


def _solve_bomb(tmp, env):
    (tmp / "bomb.png").write_bytes(_png_header(30000, 30000))
    return ["solve", "--image", tmp / "bomb.png", "--prompt-local", "Count the cells in row 1. Answer only in the format: COUNT(n)."]


def _certify_corrupt(tmp, env):
    b = env.build(tmp / "B")
    shard = build_shards(b, "t1", "test")[0]
    data = shard.read_bytes()
    shard.write_bytes(data[:-8] + b"\0" * 8)  # same size, footer destroyed: only pyarrow can tell
    return ["certify", b]


def _manifest_wrong_type(command, **fields):
    def setup(tmp, env):
        b = env.build(tmp / "B")
        _edit_manifest(b, **fields)
        if command == "export":
            return ["export-official", b, tmp / "out"]
        return ["publish", b, "--repo-id", "org/rose", "--version", "v0.1.0", "--dry-run"]

    return setup


# owners of core fixes that had not landed when this suite was written (the cases are strict xfails until then)
PREDICTION_VALIDITY = "owned by the scoring helper: one definition of a valid prediction (raw_text str or null; " \
    "a lone surrogate is an error naming the line) in scoring's reader, used by validate, score and bridge"

ALL_BIG = lambda i: "999999999"  # noqa: E731
ZERO_TO_99 = lambda i: "0" if i == 0 else "99"  # noqa: E731

CASES = [
    # 10.1: a command never destroys or changes the build (or other input) it reads
    Case("export-out-is-the-build", "10.1", _export_same, 2, "OUT_DIR is the input BUILD_DIR"),
    Case("export-out-is-the-builds-parent", "10.1", _export_parent, 2, "OUT_DIR contains the input BUILD_DIR"),
    Case("export-out-inside-the-build", "10.1", _export_inside, 2, "OUT_DIR lies inside the input BUILD_DIR"),
    Case("export-out-is-a-symlink-to-the-build", "10.1", _export_symlink, 2, "OUT_DIR is the input BUILD_DIR"),
    Case("score-out-dir-inside-the-build", "10.1", _score_in_build, 2, "lies inside the input --dataset-root"),
    Case("score-out-dir-inside-the-build-of-a-shard", "10.1", _score_shard_in_build, 2, "the rose build"),
    Case("score-out-dir-holds-the-predictions", "10.1", _score_out_holds_predictions, 2, "contains the input --predictions"),
    Case("bridge-out-dir-is-the-metadata-folder", "10.1", _bridge_onto_metadata_folder, 2, "is the input --metadata"),
    Case("build-out-inside-a-build", "10.1", _build_into_build, 2, "lies inside the rose build"),
    Case("certify-json-inside-the-build", "10.1", _certify_json_in_build, 2, "lies inside the input BUILD_DIR"),
    # 10.2: never over its own input; an existing output only with --overwrite
    Case("lmms-out-is-the-input", "10.2", _lmms_onto_input, 2, "--out is the input SAMPLES_JSONL"),
    Case("lmms-out-exists", "10.2", _lmms_existing, 2, "pass --overwrite"),
    # 10.3: an existing build is never replaced without --overwrite (the race: test_concurrent_build.py)
    Case("build-out-not-empty", "10.3", _build_non_empty, 2, "exists and is not empty"),
    # 10.5: sizes read from text or metadata are bounded before work proportional to them
    Case("solve-region-rows-to-999999999", "10.5", lambda t, e: _solve_with_region(t, e, ALL_BIG), 2, "prompt_local",
         process=True),
    Case("solve-region-rows-0-to-99", "10.5", lambda t, e: _solve_with_region(t, e, ZERO_TO_99), 2, "prompt_local",
         process=True),
    Case("score-metadata-r2-1e9", "10.5", lambda t, e: _score_region(t, e, 10**9), 2, "meta.jsonl", process=True),
    Case("validate-metadata-r2-1e9", "10.5", _validate_region, 1, "region", stream="out", process=True),
    # 10.6: one definition of a valid prediction; complete builds only
    Case("score-raw-text-number", "10.6", _score_raw_text(3), 2, "raw_text"),
    Case("score-raw-text-list", "10.6", _score_raw_text(["COUNT(1)"]), 2, "raw_text"),
    Case("score-raw-text-dict", "10.6", _score_raw_text({"text": "COUNT(1)"}), 2, "raw_text"),
    Case("score-raw-text-bool", "10.6", _score_raw_text(True), 2, "raw_text"),
    Case("score-raw-text-missing", "10.6", _score_raw_text("COUNT(1)", key="answer"), 2, "raw_text"),
    Case("validate-raw-text-missing", "10.6", _validate_raw_text("COUNT(1)", key="answer"), 1, "raw_text", stream="out"),
    Case("validate-raw-text-number", "10.6", _validate_raw_text(3), 1, "raw_text", stream="out"),
    Case("score-build-missing-a-shard", "10.6", _missing_shard("score"), 2, "t3"),
    Case("certify-build-missing-a-shard", "10.6", _missing_shard("certify"), 2, "t3"),
    # 10.8: a message and exit 2 instead of a traceback
    Case("score-lone-surrogate", "10.8", _score_raw_text("\ud800"), 2, "preds.jsonl"),
    Case("validate-lone-surrogate", "10.8", _validate_raw_text("\ud800"), 1, "preds.jsonl", stream="out"),
    Case("bridge-lone-surrogate", "10.8", _bridge_surrogate, 2, "p.jsonl"),
    Case("score-out-dir-under-a-file", "10.8", _under_file("score"), 2, "is a file, not a folder"),
    Case("bridge-out-dir-under-a-file", "10.8", _under_file("bridge"), 2, "is a file, not a folder"),
    Case("consistency-out-dir-under-a-file", "10.8", _under_file("consistency"), 2, "is a file, not a folder"),
    Case("lmms-out-under-a-file", "10.8", _under_file("lmms-to-predictions"), 2, "is a file, not a folder"),
    Case("build-out-under-a-file", "10.8", _under_file("build"), 2, "is a file, not a folder"),
    Case("certify-json-under-a-file-before-the-run", "10.8", _under_file("certify"), 2, "is a file, not a folder"),
    Case("solve-30000x30000-png-header", "10.8", _solve_bomb, 2, "bomb.png", process=True),
    Case("certify-corrupt-shard", "10.8", _certify_corrupt, 2, "unreadable Parquet"),
    Case("export-manifest-counts-is-a-list", "10.8", _manifest_wrong_type("export", counts=[1]), 2, "counts: expected"),
    Case("export-manifest-key-order-is-a-string", "10.8", _manifest_wrong_type("export", row_key_order="x"), 2,
         "row_key_order: expected"),
    Case("publish-dry-run-manifest-versions-is-a-list", "10.8", _manifest_wrong_type("publish", versions=[]), 2,
         "versions: expected"),
    Case("publish-dry-run-manifest-files-is-a-dict", "10.8", _manifest_wrong_type("publish", files={}), 2,
         "files: expected"),
]


@pytest.mark.parametrize("case", [
    pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=c.pending)) if c.pending else c for c in CASES
], ids=[f"{c.issue}-{c.id}" for c in CASES])
def test_bad_input_is_refused_and_changes_nothing(case: Case, tmp_path: Path, build_copy) -> None:
    argv = case.setup(tmp_path, Env(build_copy))
    before = snapshot(tmp_path)
    if case.process:
        proc = rose_process(argv, timeout=120)
        code, out, err = proc.returncode, proc.stdout, proc.stderr
    else:
        result = rose(*argv)
        code, out, err = result.code, result.out, result.err
    shown = out if case.stream == "out" else err
    assert code == case.code, f"exit {code}\nstdout: {out[-2000:]}\nstderr: {err[-2000:]}"
    assert case.message in shown, shown[-2000:]
    assert "Traceback" not in err, err[-4000:]
    if case.code == 2:
        assert re.search(r"^rose [a-z-]+( [a-z-]+)?: error: ", err, re.M), err[-2000:]
        assert "(fix: " in err, err[-2000:]
    assert snapshot(tmp_path) == before, "an input changed or something was written"


# --------------------------------------------------------------------------- numeric flags

NEEDS_NOTHING = ["--predictions", "p.jsonl", "--metadata", "m.jsonl"]
BRIDGE = ["bridge", "global-click", "--metadata", "m", "--predictions", "p", "--out-dir", "o"]
SERVE = ["serve"]
BUILD = ["build", "--out", "o"]
DEMO = ["demo", "--work", "w"]

# (command argv before the flag, flag, bad value)
NUMERIC_FLAGS = [
    (["score", *NEEDS_NOTHING], "--digits", "-3"),
    (["score", *NEEDS_NOTHING], "--digits", "11"),
    (["score", *NEEDS_NOTHING], "--digits", "1.5"),
    (["score", *NEEDS_NOTHING], "--near_miss_l1", "-1"),
    (["score", *NEEDS_NOTHING], "--near-miss-l1", "99999999999"),
    (BRIDGE, "--digits", "-3"),
    (BRIDGE, "--near_miss_l1", "-1"),
    (["consistency", "x", "--out-dir", "o"], "--digits", "-1"),
    (SERVE, "--port", "99999"),
    (SERVE, "--port", "-1"),
    (SERVE, "--max-body-mb", "nan"),
    (SERVE, "--max-body-mb", "inf"),
    (SERVE, "--max-body-mb", "0"),
    (SERVE, "--max-body-mb", "1e308"),
    (SERVE, "--workers", "0"),
    (SERVE, "--queue", "-1"),
    (SERVE, "--read-timeout", "0"),
    (SERVE, "--solve-timeout", "nan"),
    (["certify", "b"], "--max-failures", "-1"),
    (BUILD, "--seed", "-1"),
    (BUILD, "--seed", str(2**64)),
    (BUILD, "--scale", "1e308"),
    (BUILD, "--scale", "nan"),
    (BUILD, "--scale", "inf"),
    (BUILD, "--scale", "0"),
    (BUILD, "--scale", "-1"),
    (BUILD, "--scenes-per-subset", "1"),
    (BUILD, "--scenes-per-subset", "1000000000"),
    (BUILD, "--workers", "0"),
    (BUILD, "--workers", "100000"),
    (DEMO, "--scale", "nan"),
    (DEMO, "--concurrency", "0"),
    (DEMO, "--seed", "-5"),
]


@pytest.mark.parametrize("argv,flag,value", NUMERIC_FLAGS, ids=[f"{a[0]}{f}={v}" for a, f, v in NUMERIC_FLAGS])
def test_numeric_flags_are_range_checked(argv, flag, value, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # relative paths of the argv land here, and nothing may be created
    result = rose(*argv, flag, value)
    assert result.code == 2
    named = rf"(--[a-z0-9_-]+/)?{re.escape(flag)}(/--[a-z0-9_-]+)?"  # argparse names every spelling
    assert re.search(rf"^rose [a-z-]+( [a-z-]+)?: error: argument {named}: ", result.err, re.M), result.err
    assert value[:40] in result.err and "Traceback" not in result.err
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- what must still work


def test_certify_json_into_a_missing_folder_is_created(tmp_path: Path, build_copy) -> None:
    """10.8: --json into a folder that does not exist yet: made after the run, not a traceback."""
    build = build_copy(tmp_path / "B")
    result = rose("certify", build, "--templates", "t1", "--json", tmp_path / "new" / "deeper" / "cert.json")
    assert result.code == 0, result.err
    assert json.loads((tmp_path / "new" / "deeper" / "cert.json").read_text(encoding="utf-8"))["ok"] is True


def test_lmms_to_predictions_writes_an_ordinary_file(tmp_path: Path) -> None:
    """10.2: outputs get the permissions of the user's umask, not mkstemp's 0600; --overwrite replaces."""
    import os
    import stat

    sample = _lmms_sample(tmp_path / "S.jsonl")
    out = tmp_path / "preds.jsonl"
    assert rose("lmms-to-predictions", sample, "--out", out, "--model", "m").code == 0
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask
    assert rose("lmms-to-predictions", sample, "--out", out, "--model", "m2", "--overwrite").code == 0
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["model"] == "m2"


def test_validate_and_score_agree_on_a_bom(tmp_path: Path) -> None:
    """10.6: a predictions file that starts with a UTF-8 BOM is read the same way by both commands."""
    rows = Env.rows(MATCHED_COUNT, 2)
    meta = _jsonl(tmp_path / "meta.jsonl", rows)
    preds = _jsonl(tmp_path / "preds.jsonl", [{"item_id": r["item_id"], "raw_text": "COUNT(1)"} for r in rows], bom=True)
    assert rose("validate", "--kind", "predictions", preds).code == 0
    scored = rose("score", "--metadata", meta, "--predictions", preds, "--quiet")
    assert scored.code == 0, scored.err


def test_score_replaces_its_own_earlier_output_without_overwrite(tmp_path: Path) -> None:
    """The official evaluator's behaviour is kept: --out-dir holding only an earlier rose score output is replaced."""
    meta, preds = _scoring_inputs(tmp_path, "COUNT(1)")
    out = tmp_path / "out"
    assert rose("score", "--metadata", meta, "--predictions", preds, "--out-dir", out, "--quiet").code == 0
    assert rose("score", "--metadata", meta, "--predictions", preds, "--out_dir", out, "--quiet").code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["meta.jsonl", "out", "preds.jsonl"]


# --------------------------------------------------------------------------- 10.4: rose serve


def test_serve_answers_a_deeply_nested_body_with_400_and_keeps_serving(tmp_path: Path) -> None:
    import urllib.error
    import urllib.request

    from tests.support.lmms import rose_serve

    with rose_serve("solver", tmp_path / "serve.log") as url:
        body = ("[" * 200_000 + "]" * 200_000).encode("ascii")
        request = urllib.request.Request(f"{url}/chat/completions", data=body,
                                         headers={"Content-Type": "application/json"}, method="POST")
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=60)
        assert caught.value.code == 400
        assert "error" in json.loads(caught.value.read().decode("utf-8"))
        with urllib.request.urlopen(f"{url}/models", timeout=60) as reply:
            assert reply.status == 200


def test_serve_takes_a_burst_of_connections_without_resets(tmp_path: Path) -> None:
    """64 clients connect at once (the standard library's backlog of 5 reset most of them)."""
    import threading
    import urllib.request

    from tests.support.lmms import rose_serve

    outcomes: list[object] = []
    with rose_serve("solver", tmp_path / "serve.log") as url:
        barrier = threading.Barrier(64)

        def get() -> None:
            barrier.wait()
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=60) as reply:
                    outcomes.append(reply.status)
            except Exception as exc:  # noqa: BLE001 - the outcome under test
                outcomes.append(exc)

        threads = [threading.Thread(target=get) for _ in range(64)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert [o for o in outcomes if o not in (200, 503)] == []
    assert len(outcomes) == 64
