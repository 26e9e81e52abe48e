"""`rose stats` core: TVD, permutation p-values, the chance rule, and the packaged v0.1 reference."""

from __future__ import annotations

import gzip
import math

import numpy as np
import pytest

from rose_bench.dataset_builder import fidelity as fd
from rose_bench.dataset_builder import fidelity_data as data
from rose_bench.scoring.io import InputError


@pytest.fixture(scope="module")
def reference() -> dict:
    return data.group(data.reference_rows(None), "test")


@pytest.mark.parametrize(
    "a, b, tvd",
    [
        (["x"] * 50 + ["y"] * 50, ["x"] * 50 + ["y"] * 50, 0.0),
        (["x"] * 40, ["y"] * 40, 1.0),
        (["x"] * 30 + ["y"] * 10, ["x"] * 20 + ["y"] * 20, 0.25),
        (["x", "y", "z", "z"], ["x", "x", "y", "y"], 0.5),
    ],
    ids=["identical", "disjoint", "shifted", "three-labels"],
)
def test_tvd_known_values(a, b, tvd) -> None:
    observed, _ = fd.tvd_and_p(a, b, np.random.default_rng(0), 200)
    assert observed == pytest.approx(tvd)


def test_p_value_separates_noise_from_drift() -> None:
    rng = np.random.default_rng(1)
    same = fd.tvd_and_p(list("xy" * 100), list("yx" * 100), rng, 500)[1]
    drift = fd.tvd_and_p(["x"] * 150 + ["y"] * 50, ["x"] * 100 + ["y"] * 100, rng, 500)[1]
    assert same == 1.0
    assert drift == pytest.approx(1 / 501)  # no permutation reaches the observed TVD


def test_p_values_are_seeded() -> None:
    a, b = ["x"] * 60 + ["y"] * 40, ["x"] * 50 + ["y"] * 50
    first = fd.tvd_and_p(a, b, np.random.default_rng(7), 300)
    assert first == fd.tvd_and_p(a, b, np.random.default_rng(7), 300)
    assert 0.05 < first[1] < 0.5


@pytest.mark.parametrize("k, m, expected", [(0, 10, 1.0), (10, 10, 0.05**10), (1, 1, 0.05), (2, 3, 3 * 0.05**2 * 0.95 + 0.05**3)],
                         ids=["none", "all", "one-of-one", "two-of-three"])
def test_binomial_tail(k, m, expected) -> None:
    assert fd.binomial_tail(k, m) == pytest.approx(expected)


def test_binomial_tail_is_decreasing_in_k() -> None:
    tails = [fd.binomial_tail(k, 68) for k in range(0, 12)]
    assert all(x > y for x, y in zip(tails, tails[1:]))
    assert tails[8] < fd.ALPHA < tails[6]  # 68 attributes: 8 outside fails, 6 passes


def test_packaged_reference_is_the_official_rows(reference, global_click_rows, matched_local_count_rows) -> None:
    rows = data.reference_rows(None)
    assert len(rows) == 2 * 1112
    assert sorted(r["item_id"] for r in rows) == sorted(r["item_id"] for r in (*global_click_rows, *matched_local_count_rows))
    assert {level: sum(map(len, by.values())) for level, by in reference.items()} == {"scene": 1112, "region": 1112}


def test_reference_against_itself_passes(reference) -> None:
    verdict = fd.compare(reference, reference, permutations=200)
    assert verdict.passed and verdict.outside == 0
    assert all(c.tvd == 0 for c in verdict.comparisons)
    # 14 attributes for the glyph and emoji subsets (one content attribute each), 13 for the pixel subsets
    assert len(verdict.comparisons) == 3 * 14 + 2 * 13


def test_drifted_build_fails_and_names_the_attribute(reference) -> None:
    drifted = {level: {s: [dict(r) for r in rows] for s, rows in by.items()} for level, by in reference.items()}
    for subset in ("ROSE-EmojiContent", "ROSE-PixelEdit", "ROSE-PixelContent"):
        for row in drifted["region"][subset]:
            row["difficulty"] = "medium"
            row["region_case"] = "partial"
            row["region_ratio"] = 0.05
            row["region_cell_count"] = 5
    verdict = fd.compare(drifted, reference, permutations=300)
    assert not verdict.passed
    flagged = {(c.subset, c.attribute) for c in verdict.comparisons if c.outside}
    assert ("ROSE-PixelEdit", "difficulty") in flagged and ("ROSE-EmojiContent", "region_ratio") in flagged
    assert "FAIL" in fd.to_text(verdict) and "| ROSE-PixelEdit | difficulty |" in fd.to_markdown(verdict)


def test_json_report_is_complete_and_renders_back(reference) -> None:
    verdict = fd.compare(reference, reference, permutations=50, seed=3)
    report = fd.to_json(verdict, permutations=50, seed=3)
    assert report["passed"] is True and len(report["comparisons"]) == 68
    assert (report["attributes"], report["not_compared"]) == (67, 1)
    assert not any(math.isnan(c["tvd"]) for c in report["comparisons"])
    assert fd.to_markdown(fd.from_json(report)) == fd.to_markdown(verdict)  # the card renders the manifest's report


def test_a_not_compared_attribute_is_reported_but_never_counted(reference) -> None:
    relabelled = {level: {s: [dict(r) for r in rows] for s, rows in by.items()} for level, by in reference.items()}
    for row in relabelled["scene"]["ROSE-ChineseGlyph"]:
        row["similarity_level"] = "high"
    verdict = fd.compare(relabelled, reference, permutations=200)
    glyph = next(c for c in verdict.comparisons if c.attribute == "glyph_similarity_level")
    assert glyph.p_value < fd.ALPHA and glyph.tvd > 0.9 and not glyph.outside
    assert verdict.passed and verdict.outside == 0 and verdict.counted == 67
    assert "not compared: labelling differs by construction" in fd.to_text(verdict)
    assert "1 more reported, not compared" in fd.summary_line(verdict)


@pytest.mark.parametrize(
    "content, message",
    [(b"\x1f\x8b not gzip", "cannot read"), (gzip.compress(b'{"a": 1}\n[1]\n'), "not a JSON object"),
     (gzip.compress(b"\xff\xfe"), "not UTF-8"), (gzip.compress(b"{oops\n"), "invalid JSON")],
    ids=["bad-gzip", "not-object", "not-utf8", "bad-json"],
)
def test_bad_reference_files_are_input_errors(tmp_path, content, message) -> None:
    path = tmp_path / "x_metadata_test.jsonl.gz"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        data.reference_rows([path])


def test_missing_reference_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="not found"):
        data.reference_rows([tmp_path / "nope.jsonl"])
    with pytest.raises(InputError, match="no \\*metadata_test"):
        data.reference_rows([tmp_path])
