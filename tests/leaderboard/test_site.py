"""The static site: byte-identical for the same board, table in the HTML, nothing fetched from the network."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rose_bench.leaderboard.board import add_bundle
from rose_bench.leaderboard.site import render_site
from rose_bench.scoring.io import InputError

from tests.support.cli import snapshot
from tests.support.leaderboard import wrong_rows

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


@pytest.fixture
def filled_board(board: Path, gold_rows, make_bundle) -> Path:
    add_bundle(board, make_bundle(gold_rows, name="gold"))
    add_bundle(board, make_bundle(wrong_rows(gold_rows, 2), name="half", api_model_id="tests/half", open_weights=True,
                                  parameters=7_000_000_000))
    add_bundle(board, make_bundle(wrong_rows(gold_rows, 3), name="third"))
    return board


def test_same_board_gives_a_byte_identical_site(filled_board: Path, tmp_path: Path) -> None:
    one, two = render_site(filled_board, tmp_path / "one"), render_site(filled_board, tmp_path / "two")
    assert snapshot(one) == snapshot(two)
    render_site(filled_board, one)  # re-rendering into a previous site replaces it
    assert snapshot(one) == snapshot(two)


def test_site_is_self_contained_with_table_plots_exports_and_model_pages(filled_board: Path, tmp_path: Path) -> None:
    site = render_site(filled_board, tmp_path / "site")
    html = (site / "index.html").read_text(encoding="utf-8")
    assert html.count('<tr data-id="') == 3  # the table is in the HTML itself
    assert html.count("<svg ") == 4  # scatter, intervals, heatmap, difference matrix
    for path in site.rglob("*"):
        if path.suffix in (".html", ".css", ".js"):
            assert not EXTERNAL.search(path.read_text(encoding="utf-8")), path
    for name in ("leaderboard.csv", "leaderboard.json", "leaderboard.md", "table1.tex", "table2.tex"):
        assert (site / name).stat().st_size > 0
    for model_id in re.findall(r'href="models/([0-9a-f]{64})\.html"', html):
        page = (site / "models" / f"{model_id}.html").read_text(encoding="utf-8")
        assert f'href="../data/{model_id}.parquet"' in page and (site / "data" / f"{model_id}.parquet").is_file()
    assert "Board revision 3" in html and "bootstrap replicates, seed 1" in html


def test_render_refuses_a_folder_that_is_not_a_site(filled_board: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(InputError, match="not a site"):
        render_site(filled_board, foreign)
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep"
