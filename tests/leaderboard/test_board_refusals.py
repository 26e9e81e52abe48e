"""Bad bundles: each is refused with a message naming the problem, and the board is left byte-for-byte unchanged."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from rose_bench.cli import main as rose_main
from rose_bench.leaderboard.board import add_bundle
from rose_bench.scoring.io import InputError

from tests.support.cli import snapshot
from tests.support.files import edit_json


def _rewrite(bundle: Path, data: bytes) -> Path:
    """Replace predictions.jsonl and make submission.json agree (hash, rows): a well-formed bundle of bad rows."""
    (bundle / "predictions.jsonl").write_bytes(data)

    def fix(meta: dict) -> None:
        meta["predictions"]["sha256"] = hashlib.sha256(data).hexdigest()
        meta["predictions"]["rows"] = sum(1 for line in data.split(b"\n") if line.strip())

    edit_json(bundle / "submission.json", fix)
    return bundle


def _lines(rows) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


def _meta(change):
    def make(gold, mk):
        bundle = mk(gold)
        edit_json(bundle / "submission.json", change)
        return bundle
    return make


def _after(action):
    """A well-formed bundle of the gold rows, then ``action(bundle)`` breaks it."""
    def make(gold, mk):
        bundle = mk(gold)
        action(bundle)
        return bundle
    return make


def _set(path: str, value):
    def change(meta: dict) -> None:
        *parents, last = path.split(".")
        node = meta
        for p in parents:
            node = node[p]
        if value is KeyError:
            del node[last]
        else:
            node[last] = value
    return change


CASES = {
    "wrong-fingerprint": (lambda gold, mk: mk(gold, fingerprint="sha256:" + "0" * 64), "dataset fingerprint"),
    "limit-run": (_meta(_set("harness.limit", 10)), "--limit 10"),
    "missing-ids": (lambda gold, mk: mk(gold[:-2]), "missing 2 of"),
    "extra-ids": (lambda gold, mk: mk(gold + [{"item_id": "CHITEM_999999", "raw_text": "COUNT(1)"}]),
                  "not in the board's dataset"),
    "duplicate-ids": (lambda gold, mk: _rewrite(mk(gold), _lines(gold + gold[:1])), "duplicate item_id"),
    "schema-missing-field": (_meta(_set("model.organisation", KeyError)), "'organisation' is a required property"),
    "schema-wrong-type": (_meta(_set("model.open_weights", "yes")), "model.open_weights"),
    "schema-unknown-field": (_meta(_set("extra", 1)), "Additional properties"),
    "schema-no-revision-or-api-id": (_meta(lambda m: (m["model"].update(revision=None, api_model_id=None))), "schema"),
    "schema-bad-fingerprint-format": (_meta(_set("dataset.fingerprint", "md5:abc")), "dataset.fingerprint"),
    "schema-variants-zero": (_meta(_set("variants_tried", 0)), "variants_tried"),
    "tampered-predictions": (_after(lambda b: (b / "predictions.jsonl").write_bytes(
        (b / "predictions.jsonl").read_bytes().replace(b"COUNT(", b"COUNT(9", 1))), "differs from submission.json"),
    "non-utf8-predictions": (lambda gold, mk: _rewrite(mk(gold), _lines(gold).replace(b"COUNT(", b"\xff\xfe(", 1)),
                             "not UTF-8"),
    "invalid-json-line": (lambda gold, mk: _rewrite(mk(gold), _lines(gold) + b"{not json\n"), "invalid JSON"),
    "submission-not-json": (_after(lambda b: (b / "submission.json").write_text("{", encoding="utf-8")), "invalid JSON"),
    "submission-not-utf8": (_after(lambda b: (b / "submission.json").write_bytes(b"\xff{}")), "not UTF-8"),
    "submission-too-large": (_after(lambda b: (b / "submission.json").write_bytes(
        (b / "submission.json").read_bytes() + b" " * (1 << 20))), "more than the limit"),
    "wrong-split": (_meta(_set("dataset.split", "dev")), "split 'dev'"),
    "missing-predictions-file": (_after(lambda b: (b / "predictions.jsonl").unlink()), "predictions.jsonl missing"),
    "missing-submission-json": (_after(lambda b: (b / "submission.json").unlink()), "submission.json missing"),
    "row-count-mismatch": (_meta(lambda m: m["predictions"].update(rows=m["predictions"]["rows"] + 1)), "declares"),
    "several-models": (lambda gold, mk: _rewrite(mk(gold), _lines(gold[:-1] + [{**gold[-1], "model": "other"}])),
                       "several models"),
    "raw-text-not-string": (lambda gold, mk: _rewrite(mk(gold), _lines(gold[:-1] + [{**gold[-1], "raw_text": 5}])),
                            "raw_text"),
    "item-id-missing": (lambda gold, mk: _rewrite(mk(gold), _lines(gold + [{"raw_text": "COUNT(1)"}])), "item_id missing"),
    "not-a-directory": (lambda gold, mk: (lambda b: (b / "submission.json"))(mk(gold)), "not a directory"),
}


@pytest.mark.parametrize("case", sorted(CASES), ids=sorted(CASES))
def test_bad_bundle_is_refused_and_board_unchanged(case, board, gold_rows, make_bundle) -> None:
    make, fragment = CASES[case]
    bundle = make(gold_rows, make_bundle)
    before = snapshot(board)
    with pytest.raises(InputError) as info:
        add_bundle(board, bundle)
    assert fragment in str(info.value), str(info.value)
    assert "(fix:" in str(info.value)
    assert snapshot(board) == before


def test_exact_duplicate_is_refused_and_board_unchanged(board, gold_rows, make_bundle) -> None:
    first = make_bundle(gold_rows)
    add_bundle(board, first)
    again = make_bundle(gold_rows)  # a second folder with the same predictions bytes
    before = snapshot(board)
    with pytest.raises(InputError, match="already on the board"):
        add_bundle(board, again)
    assert snapshot(board) == before


def test_cli_refusal_exits_2_with_one_clear_line(board, gold_rows, make_bundle, capsys) -> None:
    bundle = make_bundle(gold_rows[:-1])
    before = snapshot(board)
    assert rose_main(["leaderboard", "add", "--board", str(board), str(bundle)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rose leaderboard add: error: ") and "(fix: " in err[0]
    assert snapshot(board) == before


def test_partial_board_takes_partial_rows_and_marks_them(build, tmp_path, gold_rows, make_bundle) -> None:
    from rose_bench.leaderboard.board import Board, init_board

    init_board(tmp_path / "partial", build, allow_partial=True, replicates=50)
    sub_id = add_bundle(tmp_path / "partial", make_bundle(gold_rows[:-3]))
    assert Board(tmp_path / "partial").summary(sub_id)["coverage"] == {
        "expected": len(gold_rows), "evaluated": len(gold_rows) - 3, "missing": 3, "partial": True}
