"""`rose score` end to end: metadata sources, coverage rules, output files, error handling."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rose_bench.cli import main as rose
from rose_bench.scoring import evaluate as evaluate_module
from rose_bench.scoring.evaluate import OUTPUT_FILES
from rose_bench.scoring.scored_items import ScoreOptions

from tests.support.fixtures import GLOBAL_CLICK, MATCHED_COUNT as MATCHED

VECTORS_DIR = Path(__file__).resolve().parent / "vectors" / "official_run"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def score(*args: str) -> int:
    return rose(["score", "--quiet", *args])


@pytest.mark.parametrize("fixture", [GLOBAL_CLICK, MATCHED], ids=["global_click", "matched_local_count"])
def test_fixture_gold_answers_all_pass(fixture, tmp_path):
    """The official rows load unchanged and their own gold answers score PASS on every row."""
    rows = read_jsonl(fixture)
    preds = write_jsonl(tmp_path / "gold.jsonl",
                        [{"item_id": r["item_id"], "raw_text": r["ground_truth_formal_answer"]} for r in rows])
    assert score("--metadata", str(fixture), "--predictions", str(preds), "--out_dir", str(tmp_path / "out")) == 0
    per_item = read_jsonl(tmp_path / "out" / "per_item_eval.jsonl")
    assert len(per_item) == len(rows) == 1112
    assert all(r["pass"] == 1 and r["format_valid"] == 1 and r["unified_soft"] == 1.0 for r in per_item)
    assert [r["item_id"] for r in per_item] == sorted(r["item_id"] for r in rows)
    summary = json.loads((tmp_path / "out" / "evaluation_summary.json").read_text(encoding="utf-8"))
    assert summary["overall"]["pass_rate"] == 1.0
    assert summary["paper_metrics"]["table1"]["Avg. PASS"] == 1.0
    assert summary["coverage"]["complete_submission"] is True
    assert summary["model"] == "gold"  # file stem when no model field
    assert (tmp_path / "out" / "error_cases.jsonl").read_text() == ""


def _first(rows, subset, k=0):
    return [r for r in rows if r["rose_subset"] == subset][k]


@pytest.fixture()
def mixed_run(tmp_path):
    """Six fixture items with a known mix of right / wrong / invalid answers."""
    gc, ml = read_jsonl(GLOBAL_CLICK), read_jsonl(MATCHED)
    g1, g2 = _first(gc, "ROSE-ChineseGlyph", 0), _first(gc, "ROSE-ChineseGlyph", 1)
    g3 = _first(gc, "ROSE-EmojiStyle")
    m1 = _first(ml, "ROSE-ChineseGlyph")
    m2, m3 = _first(ml, "ROSE-PixelEdit", 0), _first(ml, "ROSE-PixelEdit", 1)
    meta = write_jsonl(tmp_path / "metadata.jsonl", [g1, g2, g3, m1, m2, m3])
    model = "qwen3.6-plus"
    preds = [
        {"item_id": g1["item_id"], "raw_text": g1["ground_truth_formal_answer"], "model": model},  # right
        {"item_id": g2["item_id"], "raw_text": "DONE", "model": model},  # valid, wrong (gold non-empty)
        {"item_id": g3["item_id"], "raw_text": "CLICK(R1,C1)", "model": model},  # invalid: no DONE
        {"item_id": m1["item_id"], "raw_text": m1["ground_truth_formal_answer"], "model": model},  # right
        {"item_id": m2["item_id"], "raw_text": f"COUNT({m2['ground_truth_count'] + 1})", "model": model},  # off by 1
        {"item_id": m3["item_id"], "raw_text": None, "error": "timeout", "model": model},  # API error
        {"item_id": "NOT_AN_ITEM", "raw_text": "DONE", "model": model},  # extra
    ]
    return meta, write_jsonl(tmp_path / "preds.jsonl", preds), tmp_path / "out"


def test_end_to_end_known_mix(mixed_run, capsys):
    meta, preds, out = mixed_run
    assert rose(["score", "--metadata", str(meta), "--predictions", str(preds), "--out_dir", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "### Primary table" in printed
    # Glyph 2/3; Emoji = EmojiStyle only (0); Pixel = PixelEdit only (0); no T1..T5 rows -> "--"
    assert "| Qwen3.6-Plus | -- | -- | -- | -- | -- | 66.7 | 0.0 | 0.0 | 22.2 | 50.0 |" in printed
    assert "6 of 6 items evaluated (100.0%), 0 missing, 1 extra" in printed
    assert "complete submission: no" in printed and "**Warning:**" in printed

    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    summary = json.loads((out / "evaluation_summary.json").read_text(encoding="utf-8"))
    overall = summary["overall"]
    # by hand: PASS = {g1, m1} of 6; VALID = {g1, g2, m1, m2}; one API error
    assert overall["n"] == 6
    assert overall["pass_rate"] == pytest.approx(2 / 6)
    assert overall["valid_rate"] == pytest.approx(4 / 6)
    assert overall["api_error_rate"] == pytest.approx(1 / 6)
    # COUNT rows m1 (exact), m2 (+1), m3 (unparsed): MAE over parsed = 0.5, soft = (1 + 0.5 + 0) / 3
    assert overall["count_mae_parsed"] == 0.5 and overall["count_bias_parsed"] == 0.5
    assert overall["count_soft"] == pytest.approx(0.5)
    # macro over subsets: Glyph 2/3, EmojiStyle 0, PixelEdit 0 -> 2/9 (the item mean would be 1/3)
    t1 = summary["paper_metrics"]["table1"]
    assert t1["Avg. PASS"] == pytest.approx(2 / 9)
    assert t1["VALID"] == pytest.approx((1 + 0 + 0.5) / 3)
    assert t1["Avg. SOFT"] == pytest.approx((2 / 3 + 0 + 0.25) / 3)
    assert t1["by_subset"]["ROSE-EmojiContent"] == {"n": 0, "PASS": None, "SOFT": None, "VALID": None}
    t2 = summary["paper_metrics"]["table2"]
    assert t2["G-Cnt"] is None and t2["Avg. PASS"] is None  # bridges are not T1..T5
    assert t2["C-F1"] == pytest.approx(0.25) and t2["R-OK"] == 1.0
    assert summary["paper_metrics_percent"]["table1"]["Avg. PASS"] == round(100 * 2 / 9, 4)

    cov = summary["coverage"]
    assert (cov["num_expected"], cov["num_evaluated"], cov["num_missing"], cov["num_extra"]) == (6, 6, 0, 1)
    assert cov["extra_item_ids"] == ["NOT_AN_ITEM"] and cov["complete_submission"] is False
    assert cov["num_prediction_rows"] == 7
    assert summary["metric_notes"]["partial_warning"]
    assert (summary["model"], summary["display_name"]) == ("qwen3.6-plus", "Qwen3.6-Plus")
    assert summary["evaluator"] == "ROSE release evaluator v1"

    assert (out / "table1_row.txt").read_text(encoding="utf-8") == (
        "Qwen3.6-Plus\n& 66.7 & 66.7 & 0.0 & 0.0 & -- & -- & 0.0 & 25.0 & -- & -- & 22.2 & 30.6 & 50.0 \\\\\n")
    assert (out / "table2_row.txt").read_text(encoding="utf-8") == (
        "Qwen3.6-Plus\n& -- & -- & -- & -- & -- & 25.0 & 100.0 & -- \\\\\n")
    per_item = read_jsonl(out / "per_item_eval.jsonl")
    assert [r["item_id"] for r in per_item] == sorted(r["item_id"] for r in per_item)
    assert len(read_jsonl(out / "error_cases.jsonl")) == 4
    csv_text = (out / "summary_by_subset.csv").read_bytes()
    assert csv_text.startswith(b"\xef\xbb\xbfrose_subset,subset_short,n,pass_rate,")
    assert (out / "coverage_by_subset_template.csv").read_text(encoding="utf-8-sig").splitlines()[0] == (
        "group,rose_subset,expected,evaluated,coverage_rate,task_template,task_short")


@pytest.mark.parametrize("writer", ["in-process", "forked", "fork-refused"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "utf8-bom"])
def test_golden_official_run_reproduced(tmp_path, bom, writer, monkeypatch):
    """Same inputs as a recorded official run -> the same eight files (a leading UTF-8 BOM changes nothing),
    whether the per-item files are written in this process or by the forked writer of large runs.

    The recorded predictions include a numeric raw_text (line 10), which the official evaluator scores
    as an invalid answer: `rose score` refuses it unless --lenient, and with --lenient matches exactly.
    """
    if writer != "in-process":
        if not hasattr(os, "fork"):
            pytest.skip("no os.fork on this platform: the writer always runs in-process")
        monkeypatch.setattr(evaluate_module, "FORK_WRITER_MIN_ROWS", 1)
        monkeypatch.setattr(evaluate_module, "can_fork", lambda: True)  # even if an earlier test left a thread
    if writer == "fork-refused":  # process limits: the files are written in this process instead
        monkeypatch.setattr(os, "fork", lambda: (_ for _ in ()).throw(BlockingIOError(11, "no more processes")))
    root = tmp_path / "root"
    root.mkdir()
    (root / "metadata_test.jsonl").write_bytes(bom + (VECTORS_DIR / "metadata_test.jsonl").read_bytes())
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_bytes(bom + (VECTORS_DIR / "predictions.jsonl").read_bytes())
    out = tmp_path / "out"
    assert score("--dataset_root", str(root), "--predictions", str(predictions), "--out_dir", str(out)) == 2
    assert not out.exists()
    assert score("--dataset_root", str(root), "--predictions", str(predictions), "--out_dir", str(out), "--lenient") == 0
    expected = VECTORS_DIR / "expected"
    for name in expected.iterdir():
        if name.name == "evaluation_summary.json":
            continue
        assert (out / name.name).read_bytes() == name.read_bytes(), name.name
    ours = json.loads((out / "evaluation_summary.json").read_text(encoding="utf-8"))
    theirs = json.loads((expected / "evaluation_summary.json").read_text(encoding="utf-8"))
    for key in ("metadata_jsonl", "predictions_jsonl"):
        ours.pop(key), theirs.pop(key)
    assert ours == theirs
    assert list(ours) == list(theirs)
    rows = read_jsonl(out / "per_item_eval.jsonl")
    assert read_jsonl(out / "error_cases.jsonl") == [r for r in rows if r["pass"] != 1]


def _build_dir(tmp_path: Path, rows: list[dict]) -> Path:
    """A minimal `rose build` layout: data/t<k>/<split>-00000-of-00001.parquet, dicts as JSON strings."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder_of = {"T1_": "t1", "T2_": "t2", "T3_": "t3", "T4_": "t4", "T5_": "t5", "T1B": "t1b", "T2B": "t2b"}
    by_folder: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        folder = folder_of.get(row["task_template"][:3]) or folder_of[row["task_template"][:3]]
        record = dict(row)
        record["region_params"] = json.dumps(row["region_params"], ensure_ascii=False, separators=(",", ":"))
        record["image"] = {"bytes": b"\x89PNG fake", "path": None}
        by_folder.setdefault((folder, row.get("split", "test")), []).append(record)
    build = tmp_path / "build"
    for (folder, split), records in by_folder.items():
        (build / "data" / folder).mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(records), build / "data" / folder / f"{split}-00000-of-00001.parquet")
    return build


def test_build_directory_and_parquet_file(tmp_path):
    """A build directory (T1..T5 folders only) scores exactly like the same rows in JSONL."""
    meta = [r for r in read_jsonl(VECTORS_DIR / "metadata_test.jsonl") if r.get("split") in ("test", "dev")]
    main_rows = [r for r in meta if r["task_template"][:3] in ("T1_", "T2_", "T3_", "T4_", "T5_")]
    build = _build_dir(tmp_path, meta)
    preds = VECTORS_DIR / "predictions.jsonl"
    assert score("--dataset-root", str(build), "--predictions", str(preds), "--out-dir", str(tmp_path / "pq"),
                 "--allow-partial", "--lenient") == 0
    jsonl = write_jsonl(tmp_path / "main.jsonl", main_rows)
    assert score("--metadata", str(jsonl), "--predictions", str(preds), "--out_dir", str(tmp_path / "js"),
                 "--allow_partial", "--lenient") == 0
    from_parquet = (tmp_path / "pq" / "per_item_eval.jsonl").read_text(encoding="utf-8")
    assert from_parquet == (tmp_path / "js" / "per_item_eval.jsonl").read_text(encoding="utf-8")
    assert len(from_parquet.splitlines()) == sum(1 for r in main_rows if r["split"] == "test")
    # a single Parquet shard works through --metadata too
    shard = build / "data" / "t5" / "test-00000-of-00001.parquet"
    assert score("--metadata", str(shard), "--predictions", str(preds), "--out_dir", str(tmp_path / "one"),
                 "--allow_partial", "--lenient") == 0
    t5 = read_jsonl(tmp_path / "one" / "per_item_eval.jsonl")
    assert t5 and {r["task_template"] for r in t5} == {"T5_CLICK_COUNT_EXCLUSION"}


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    "case,extra_args,expect",
    [
        ("missing-ids", [], "--allow_partial"),
        ("no-match", ["--allow_partial"], "no item_id matches"),
        ("duplicate", [], "duplicate item_id"),
        ("malformed", [], ":3: invalid JSON"),
        ("not-object", [], ":2: expected a JSON object"),
        ("no-item-id", [], "item_id"),
        ("two-models", [], "several model names"),
        ("wrong-split", ["--split", "dev"], "no metadata rows"),
        ("no-metadata", ["--no-source"], "no metadata source"),
        ("both-sources", ["--dataset_root", "."], "only one"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_input_errors_exit_2_and_write_nothing(case, extra_args, expect, tmp_path, capsys):
    rows = read_jsonl(MATCHED)[:3]
    meta = write_jsonl(tmp_path / "meta.jsonl", rows)
    good = [{"item_id": r["item_id"], "raw_text": "COUNT(1)"} for r in rows]
    preds = tmp_path / "preds.jsonl"
    if case == "missing-ids":
        write_jsonl(preds, good[:2])
    elif case == "no-match":
        write_jsonl(preds, [{"item_id": "X", "raw_text": "COUNT(1)"}])
    elif case == "duplicate":
        write_jsonl(preds, good + [good[0]])
    elif case == "malformed":
        preds.write_text(json.dumps(good[0]) + "\n\n{\"item_id\": \"a\", raw_text}\n", encoding="utf-8")
    elif case == "not-object":
        preds.write_text(json.dumps(good[0]) + "\n[1, 2]\n", encoding="utf-8")
    elif case == "no-item-id":
        write_jsonl(preds, good + [{"raw_text": "COUNT(1)"}])
    elif case == "two-models":
        write_jsonl(preds, [dict(g, model=f"m{i}") for i, g in enumerate(good)])
    else:
        write_jsonl(preds, good)
    source = [] if "--no-source" in extra_args else ["--metadata", str(meta)]
    out = tmp_path / "out"
    code = score(*source, "--predictions", str(preds), "--out_dir", str(out),
                 *[a for a in extra_args if a != "--no-source"])
    err = capsys.readouterr().err
    assert code == 2
    assert expect in err and err.startswith("rose score: error:")
    assert "Traceback" not in err
    if case in ("malformed", "not-object", "duplicate"):
        assert str(preds) in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_a_number_beyond_the_int_limit_scores_as_invalid(tmp_path):
    """The official evaluator crashes on >4300 digits; rose score reads the answer as malformed instead."""
    rows = read_jsonl(MATCHED)[:1]
    meta = write_jsonl(tmp_path / "meta.jsonl", rows)
    preds = write_jsonl(tmp_path / "p.jsonl", [{"item_id": rows[0]["item_id"], "raw_text": "COUNT(" + "9" * 5000 + ")"}])
    assert score("--metadata", str(meta), "--predictions", str(preds), "--out_dir", str(tmp_path / "o"), "--model", "x") == 0
    item = json.loads((tmp_path / "o" / "per_item_eval.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert (item["format_valid"], item["parse_error"], item["pass"]) == (0, "expected_COUNT_only", 0)


def test_allow_partial_scores_only_matched(tmp_path):
    rows = read_jsonl(MATCHED)[:4]
    meta = write_jsonl(tmp_path / "meta.jsonl", rows)
    preds = write_jsonl(tmp_path / "p.jsonl", [{"item_id": rows[0]["item_id"], "raw_text": "COUNT(0)"}])
    assert score("--metadata", str(meta), "--predictions", str(preds), "--out_dir", str(tmp_path / "o"),
                 "--allow_partial", "--model", "x") == 0
    summary = json.loads((tmp_path / "o" / "evaluation_summary.json").read_text(encoding="utf-8"))
    cov = summary["coverage"]
    assert (cov["num_evaluated"], cov["num_missing"], cov["coverage_rate"]) == (1, 3, 0.25)
    assert cov["missing_item_ids"] == sorted(r["item_id"] for r in rows[1:])
    assert cov["allow_partial"] is True and summary["model"] == "x" and summary["display_name"] == "x"


def test_out_dir_replaced_atomically_but_foreign_dirs_refused(tmp_path, capsys):
    rows = read_jsonl(MATCHED)[:2]
    meta = write_jsonl(tmp_path / "meta.jsonl", rows)
    preds = write_jsonl(tmp_path / "p.jsonl", [{"item_id": r["item_id"], "raw_text": "COUNT(1)"} for r in rows])
    out = tmp_path / "out"
    args = ["--metadata", str(meta), "--predictions", str(preds), "--out_dir", str(out)]
    assert score(*args) == 0
    first = (out / "per_item_eval.jsonl").read_text(encoding="utf-8")
    write_jsonl(preds, [{"item_id": r["item_id"], "raw_text": "COUNT(0)"} for r in rows])
    assert score(*args) == 0  # a previous rose score output is replaced as a whole
    assert (out / "per_item_eval.jsonl").read_text(encoding="utf-8") != first
    (out / "notes.txt").write_text("mine")
    assert score(*args) == 2
    assert "did not write" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "mine"


def _failing(*_args, **_kwargs):
    raise OSError("No space left on device")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the forked writer needs os.fork")
@pytest.mark.parametrize("broken", ["_write_item_files", "_summarise"], ids=["writer-fails", "summary-fails"])
def test_forked_writer_failure_leaves_nothing(broken, tmp_path, monkeypatch, capfd):
    """A writer process that fails, or a summary that fails while it writes: an error, and no output at all."""
    rows = read_jsonl(MATCHED)[:3]
    meta = write_jsonl(tmp_path / "meta.jsonl", rows)
    preds = write_jsonl(tmp_path / "p.jsonl", [{"item_id": r["item_id"], "raw_text": "COUNT(1)"} for r in rows])
    monkeypatch.setattr(evaluate_module, "FORK_WRITER_MIN_ROWS", 1)
    monkeypatch.setattr(evaluate_module, "can_fork", lambda: True)
    monkeypatch.setattr(evaluate_module, broken, _failing)
    options = ScoreOptions(predictions=preds, metadata=meta, out_dir=tmp_path / "out")
    with pytest.raises(OSError, match="writer process failed" if broken == "_write_item_files" else "No space"):
        evaluate_module.run(options)
    if broken == "_write_item_files":
        assert "No space left on device" in capfd.readouterr().err  # the child's own traceback
    assert sorted(p.name for p in tmp_path.iterdir()) == ["meta.jsonl", "p.jsonl"]  # no output, no temp dir


def test_one_process_never_forks_and_writes_the_same(tmp_path, monkeypatch):
    """``--one-process``: no child even where a large run would fork, and the very same eight files."""
    from rose_bench.scoring import scored_items as scored_items_module

    rows = read_jsonl(MATCHED)
    meta = write_jsonl(tmp_path / "metadata_test.jsonl", rows)
    preds = write_jsonl(tmp_path / "p.jsonl", [{"item_id": r["item_id"], "raw_text": "COUNT(2)"} for r in rows])
    for module, name in ((evaluate_module, "FORK_WRITER_MIN_ROWS"), (scored_items_module, "TWO_PROCESS_MIN_BYTES")):
        monkeypatch.setattr(module, name, 0)
        monkeypatch.setattr(module, "can_fork", lambda: True)
    args = ["--metadata", str(meta), "--predictions", str(preds)]
    if hasattr(os, "fork"):
        forks, fork = [], os.fork
        monkeypatch.setattr(os, "fork", lambda: forks.append(1) or fork())
        assert score(*args, "--out-dir", str(tmp_path / "forked")) == 0
        assert len(forks) == 2  # one child read and scored half the file, one wrote the per-item files
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("--one-process forked"))
    assert score(*args, "--out-dir", str(tmp_path / "one"), "--one-process") == 0
    if hasattr(os, "fork"):
        for name in OUTPUT_FILES:
            assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "forked" / name).read_bytes(), name


def test_near_miss_and_digits_flags(tmp_path):
    gc = read_jsonl(GLOBAL_CLICK)[:1]
    meta = write_jsonl(tmp_path / "meta.jsonl", gc)
    target = gc[0]["ground_truth_clicks"][0]
    r, c = (int(x) for x in target[1:].split(",C"))
    shifted = f"CLICK(R{r},C{c + 2}); DONE"
    preds = write_jsonl(tmp_path / "p.jsonl", [{"item_id": gc[0]["item_id"], "raw_text": shifted}])
    for radius, expected in (("1", 0), ("2", 1)):
        out = tmp_path / f"o{radius}"
        assert score("--metadata", str(meta), "--predictions", str(preds), "--out_dir", str(out),
                     "--near_miss_l1", radius, "--digits", "3", "--display_name", "Me") == 0
        row = read_jsonl(out / "per_item_eval.jsonl")[0]
        assert row["near_miss_count"] == expected
        assert (out / "table1_row.txt").read_text(encoding="utf-8").startswith("Me\n& 0.000 & ")


@pytest.mark.parametrize(
    "change,expect",
    [({"region_type": "HEXAGON"}, "unknown region_type"), ({"rows": None}, "cannot score"),
     ({"item_id": None}, "no item_id")],
    ids=["unknown-region", "null-rows", "null-item-id"],
)
def test_bad_metadata_exit_2(change, expect, tmp_path, capsys):
    rows = read_jsonl(MATCHED)[:2]
    preds = write_jsonl(tmp_path / "p.jsonl", [{"item_id": r["item_id"], "raw_text": "COUNT(1)"} for r in rows])
    rows[1].update(change)
    meta = write_jsonl(tmp_path / "meta.jsonl", rows)
    assert score("--metadata", str(meta), "--predictions", str(preds), "--out_dir", str(tmp_path / "o"),
                 "--allow_partial") == 2
    err = capsys.readouterr().err
    assert expect in err and str(meta) in err
    assert not (tmp_path / "o").exists()
