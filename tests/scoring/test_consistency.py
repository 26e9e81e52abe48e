"""Same-scene consistency (protocol §9.3), hand-computed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from rose_bench.scoring import contract as C
from rose_bench.scoring.consistency import (
    analyze_model,
    consistency_bundle,
    latex_rows,
    percent_rows,
)

from rose_bench.cli import main as rose_main

GLYPH, ESTY, ECON = C.SUBSET_ORDER[:3]


def r(subset, scene, template, passed, *, model="m", split="test"):
    return {"model": model, "rose_split": split, "rose_subset": subset, "scene_id": scene, "task_template": template, "pass": passed}


ROWS = [
    # Glyph: s1 T1 ok; s2 T1 ok but no T4 row (missing pair); s3 T1 wrong (ignored for conditioning)
    r(GLYPH, "s1", C.T1, 1), r(GLYPH, "s1", C.T2, 1), r(GLYPH, "s1", C.T3, 0), r(GLYPH, "s1", C.T4, 1), r(GLYPH, "s1", C.T5, 1),
    r(GLYPH, "s2", C.T1, 1), r(GLYPH, "s2", C.T2, 0), r(GLYPH, "s2", C.T3, 1), r(GLYPH, "s2", C.T5, 0),
    r(GLYPH, "s3", C.T1, 0), r(GLYPH, "s3", C.T2, 1), r(GLYPH, "s3", C.T3, 1), r(GLYPH, "s3", C.T4, 1), r(GLYPH, "s3", C.T5, 1),
    # E-Style: e1 all pass (T3 has a failing duplicate -> max = pass); e2 T1 wrong
    r(ESTY, "e1", C.T1, 1), r(ESTY, "e1", C.T2, 1), r(ESTY, "e1", C.T3, 0), r(ESTY, "e1", C.T3, 1),
    r(ESTY, "e1", C.T4, 1), r(ESTY, "e1", C.T5, 1), r(ESTY, "e2", C.T1, 0), r(ESTY, "e2", C.T3, 0),
    # E-Content: T1 correct but no other template at all -> conditioned metrics undefined, not 0
    r(ECON, "c1", C.T1, 1),
    # ignored: other split, unknown subset, bridge template, no model
    r(GLYPH, "s1", C.T3, 1, split="dev"), r("ROSE-Other", "x", C.T1, 1), r(GLYPH, "s2", C.T1B, 0),
    r(GLYPH, "s2", C.T4, 0, model=""),
    # second model
    r(GLYPH, "s1", C.T1, 1, model="z"), r(GLYPH, "s1", C.T3, 0, model="z"),
]

# expected per subset for model m: (T1, L-Cnt|T1, L-Clk|T1, V-Clk|T1, Excl-CS|T1, Action Ret.)
EXPECTED_SUBSETS = {
    GLYPH: (2 / 3, 0.5, 0.5, 1.0, 0.5, 2 / 3),
    ESTY: (0.5, 1.0, 1.0, 1.0, 1.0, 1.0),
    ECON: (1.0, None, None, None, None, None),
}
KEYS = ("T1", "L-Cnt|T1", "L-Clk|T1", "V-Clk|T1", "Excl-CS|T1", "Action Ret.")


def _close(a, b):
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-12)


@pytest.fixture(scope="module")
def bundle():
    return consistency_bundle(ROWS, "test")


def test_models_grouped_and_sorted(bundle):
    assert [m["model"] for m in bundle["models"]] == ["m", "z"]
    assert bundle["num_models"] == 2 and bundle["split"] == "test"
    assert bundle["models"][0]["n_items"] == 23  # filtered rows only


@pytest.mark.parametrize("subset", list(EXPECTED_SUBSETS), ids=["glyph", "estyle", "econtent"])
def test_per_subset_values(bundle, subset):
    rec = bundle["models"][0]["by_subset"][subset]
    for key, want in zip(KEYS, EXPECTED_SUBSETS[subset]):
        assert _close(rec[key], want), (key, rec[key], want)
    assert _close(rec["Action Fail."], None if rec["Action Ret."] is None else 1 - rec["Action Ret."])


def test_missing_pairs_are_counted_not_failed(bundle):
    glyph = bundle["models"][0]["by_subset"][GLYPH]
    assert (glyph["n_t1_scenes"], glyph["n_t1_correct_scenes"]) == (3, 2)
    assert (glyph["n_V-Clk|T1"], glyph["missing_V-Clk|T1"]) == (1, 1)
    assert glyph["V-Clk|T1"] == 1.0  # the scene without a T4 row is not a failure
    econ = bundle["models"][0]["by_subset"][ECON]
    assert [econ[f"missing_{k}"] for k in KEYS[1:5]] == [1, 1, 1, 1]


def test_empty_subsets_present_with_none(bundle):
    by_subset = bundle["models"][0]["by_subset"]
    assert list(by_subset) == list(C.SUBSET_ORDER)
    pedit = by_subset["ROSE-PixelEdit"]
    assert pedit["n_t1_scenes"] == 0 and pedit["T1"] is None and pedit["Action Ret."] is None


def test_macro_over_subsets_where_defined(bundle):
    macro = bundle["models"][0]["macro_equal_subset"]
    want = {
        "T1": (2 / 3 + 0.5 + 1.0) / 3,
        "L-Cnt|T1": 0.75,
        "L-Clk|T1": 0.75,
        "V-Clk|T1": 1.0,
        "Excl-CS|T1": 0.75,
        "Action Ret.": (2 / 3 + 1.0) / 2,
        "Action Fail.": (1 / 3 + 0.0) / 2,
    }
    assert list(macro) == list(want)
    for key, value in want.items():
        assert _close(macro[key], value), key


def test_second_model(bundle):
    macro = bundle["models"][1]["macro_equal_subset"]
    assert macro["T1"] == 1.0 and macro["L-Clk|T1"] == 0.0 and macro["L-Cnt|T1"] is None
    assert macro["Action Ret."] == 0.0 and macro["Action Fail."] == 1.0


def test_model_selection_and_split_filter():
    assert [m["model"] for m in consistency_bundle(ROWS, "test", ["z", "absent"])["models"]] == ["z"]
    dev = consistency_bundle(ROWS, "dev")
    assert dev["models"][0]["by_subset"][GLYPH]["n_t1_scenes"] == 0


def test_percent_and_latex_rows(bundle):
    rows = percent_rows(bundle, 1)
    assert rows[0] == {
        "model": "m", "T1": 72.2, "L-Cnt|T1": 75.0, "L-Clk|T1": 75.0, "V-Clk|T1": 100.0,
        "Excl-CS|T1": 75.0, "Action Ret.": 83.3, "Action Fail.": 16.7,
    }  # fmt: skip
    assert latex_rows(bundle, 1) == (
        "m\n& 72.2 & 75.0 & 75.0 & 100.0 & 75.0 & 83.3 \\\\\n\n"
        "z\n& 100.0 & -- & 0.0 & -- & -- & 0.0 \\\\\n"
    )
    assert latex_rows(bundle, 2).startswith("m\n& 72.22 & 75.00")


def test_analyze_model_alone():
    rec = analyze_model("m", [r(GLYPH, "a", C.T1, 1), r(GLYPH, "a", C.T4, 0), r(GLYPH, "b", C.T1, 1), r(GLYPH, "b", C.T4, 1)])
    assert rec["by_subset"][GLYPH]["V-Clk|T1"] == 0.5 and rec["macro_equal_subset"]["Action Ret."] == 0.5


def _write(path: Path, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(x) + "\n" for x in rows), encoding="utf-8")


def test_cli_recursive_inputs_and_files(tmp_path, capsys):
    _write(tmp_path / "runs" / "m" / "per_item_eval.jsonl", [x for x in ROWS if x["model"] == "m"])
    _write(tmp_path / "runs" / "z" / "deep" / "per_item_eval.jsonl", [x for x in ROWS if x["model"] == "z"])
    _write(tmp_path / "runs" / "other.jsonl", [r(GLYPH, "q", C.T1, 1, model="q")])  # not a per_item_eval.jsonl name
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("untouched")
    assert rose_main(["consistency", str(tmp_path / "runs"), "--split", "test", "--out_dir", str(out)]) == 0
    assert "Action Ret.=83.3%" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "keep.txt", "scene_consistency_test.csv", "scene_consistency_test.json", "scene_consistency_test_rows.tex",
    ]  # fmt: skip
    data = json.loads((out / "scene_consistency_test.json").read_text(encoding="utf-8"))
    assert [m["model"] for m in data["models"]] == ["m", "z"]
    with (out / "scene_consistency_test.csv").open(encoding="utf-8-sig") as handle:
        table = list(csv.DictReader(handle))
    assert table[0]["model"] == "m" and table[0]["T1"] == "72.2" and table[1]["L-Cnt|T1"] == ""
    # an explicit file is read whatever its name
    assert rose_main(["consistency", str(tmp_path / "runs" / "other.jsonl"), "--out_dir", str(tmp_path / "o2")]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    "args,message",
    [
        (["--split", "dev"], "no per-item rows of split 'dev'"),
        (["--split", "test", "--models", "nobody"], "no per-item rows"),
        (["--out_dir", "FILE"], "exists and is not a directory"),
        (["--out_dir", "MISSING_INPUT"], "no such file or directory"),
    ],
    ids=["no_rows_of_split", "unknown_model", "out_dir_is_a_file", "missing_input"],
)
def test_cli_errors_exit_2(tmp_path, capsys, args, message):
    _write(tmp_path / "in" / "per_item_eval.jsonl", [r(GLYPH, "s", C.T1, 1)])
    (tmp_path / "FILE").write_text("x")
    inputs = [str(tmp_path / "in")] + ([str(tmp_path / "nope")] if "MISSING_INPUT" in args else [])
    args = [str(tmp_path / "FILE") if a == "FILE" else str(tmp_path / "out") if a == "MISSING_INPUT" else a for a in args]
    if "--out_dir" not in args:
        args += ["--out_dir", str(tmp_path / "out")]
    assert rose_main(["consistency", *inputs, *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
