"""A hidden re-draw (same generator, another seed): rows get a hidden-build rank shown beside the public one."""

from __future__ import annotations

import pytest

from rose_bench.leaderboard.board import Board, add_bundle, add_hidden, set_hidden
from rose_bench.leaderboard.bundle import dataset_fingerprint
from rose_bench.leaderboard.scores import load_key
from rose_bench.leaderboard.site import render_site
from rose_bench.leaderboard.standings import standings
from rose_bench.scoring.io import InputError

from tests.support.cli import small_build
from tests.support.leaderboard import wrong_rows


def test_hidden_redraw_ranks_appear_on_the_page(board, build, gold_rows, make_bundle, tmp_path) -> None:
    hidden = tmp_path / "hidden-build"
    small_build(hidden, seed=99)
    set_hidden(board, hidden)
    good = add_bundle(board, make_bundle(gold_rows))
    worse = add_bundle(board, make_bundle(wrong_rows(gold_rows, 2, "COUNT(0)")))
    hidden_gold = [{"item_id": i, "raw_text": row["ground_truth_formal_answer"]} for i, row in sorted(load_key(hidden, "test").items())]
    fp = dataset_fingerprint(hidden)
    with pytest.raises(InputError, match="hidden re-draw"):
        add_hidden(board, good, make_bundle(gold_rows))  # the public build's answers, not the hidden one's
    add_hidden(board, good, make_bundle([{**r, "raw_text": "COUNT(0)"} for r in hidden_gold], fingerprint=fp))
    add_hidden(board, worse, make_bundle(hidden_gold, fingerprint=fp))
    rows = {r.id: r for r in standings(Board(board)).rows}
    assert (rows[good].rank[0], rows[good].hidden_rank) == (1, 2)
    assert (rows[worse].rank[0], rows[worse].hidden_rank) == (2, 1)
    html = (render_site(board, tmp_path / "site") / "index.html").read_text(encoding="utf-8")
    assert "Hidden rank" in html and ">+1</td>" in html and ">-1</td>" in html
