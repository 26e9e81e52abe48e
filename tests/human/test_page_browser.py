"""The page in a real headless Chromium: answer 20 items by clicking cells and typing counts, reload mid-run,
finish, and score the run with `rose human report`; a second run with one wrong cell scores exactly 19/20.

Click positions come from the metadata (rows, cols, cell size) and the image's rendered size, so the test
checks the page's own mapping from a click to ``R,C``.  With ROSE_UPDATE_DOCS=1 the screenshots of the
answering view and the review view are also written to docs/human_answer.png and docs/human_review.png.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path
from typing import Optional

import pytest

from rose_bench.cli import main as rose
from rose_bench.scoring.grammar import format_answer
from rose_bench.scoring.grid import Cell, parse_cells
from tests.support.browser import chromium, console_errors, require_chromium, requested_urls

from tests.support.human import build_rows, human_argv, make_config, start_cli

pytestmark = pytest.mark.slow

DOCS = Path(__file__).resolve().parents[2] / "docs"
WAIT = 15


def _wait(driver, condition, what: str):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(condition, message=f"timed out waiting for {what}")


def _current(driver) -> Optional[str]:
    """The item the page shows once it is ready (image loaded), or None when the run is done."""
    def ready(d):
        state = d.execute_script("return document.body.dataset.state")
        if state == "done":
            return "done"
        item = d.execute_script("return document.getElementById('stage').dataset.itemId || ''")
        loaded = d.execute_script("return document.getElementById('item-image').dataset.loaded || ''")
        complete = d.execute_script("return document.getElementById('item-image').complete")
        return item if state == "ready" and item and loaded == item and complete else False

    found = _wait(driver, ready, "the next item")
    return None if found == "done" else found


def _click_cell(driver, meta: dict, cell: Cell) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    img = driver.find_element(By.ID, "item-image")
    width, height = img.rect["width"], img.rect["height"]
    scale_x = width / (meta["cols"] * meta["cell_size"])
    scale_y = height / (meta["rows"] * meta["cell_size"])
    x = (cell.col - 0.5) * meta["cell_size"] * scale_x - width / 2  # offsets are from the element's centre
    y = (cell.row - 0.5) * meta["cell_size"] * scale_y - height / 2
    ActionChains(driver).move_to_element_with_offset(img, round(x), round(y)).click().perform()


def _keys(driver, text: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(text).perform()


def _preview_is(driver, expected: str) -> None:
    from selenium.webdriver.common.by import By

    _wait(driver, lambda d: d.find_element(By.ID, "preview-text").text == expected, f"preview {expected!r}")


def _selected(driver) -> list[str]:
    return driver.execute_script("return [...document.querySelectorAll('#marks .mark.selected')].map(m => m.dataset.cell)")


def _a_non_target(meta: dict) -> Cell:
    targets = parse_cells(meta["ground_truth_clicks"])
    return next(Cell(r, c) for r in range(1, meta["rows"] + 1) for c in range(1, meta["cols"] + 1)
                if Cell(r, c) not in targets)


def _answer(driver, meta: dict, *, wrong: bool, typed: bool) -> None:
    """Answer the shown item like a person: cells by clicking, counts by typing; submit with Enter."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    mode = meta["task_mode"]
    cells = sorted(parse_cells(meta["ground_truth_clicks"]))
    expected = meta["ground_truth_formal_answer"]
    if typed:
        driver.find_element(By.ID, "tab-text").click()
        driver.find_element(By.ID, "raw-text").send_keys(expected)
        _preview_is(driver, expected)
        _keys(driver, Keys.ENTER)
        return
    if mode == "COUNT":
        _keys(driver, str(meta["ground_truth_count"]))  # digits go to the count field
    else:
        stray = _a_non_target(meta)
        _click_cell(driver, meta, stray)  # a slip, undone with Backspace
        _wait(driver, lambda d: _selected(d) == [stray.key], "the slip to be highlighted")
        _keys(driver, Keys.BACKSPACE)
        for cell in cells:
            _click_cell(driver, meta, cell)
        _wait(driver, lambda d: sorted(_selected(d)) == sorted(c.key for c in cells), "selected cells")
        if wrong:
            _click_cell(driver, meta, stray)
            cells = cells + [stray]
        if mode == "CLICK_COUNT":
            box = driver.find_element(By.ID, "count")
            box.click()
            box.send_keys(str(meta["ground_truth_count"]))
        expected = format_answer(mode, cells, meta["ground_truth_count"] if mode == "CLICK_COUNT" else None)
    _preview_is(driver, expected)
    _keys(driver, Keys.ENTER)


def _run(driver, url: str, rows: dict, *, wrong_item: Optional[str] = None, reload_at: int = 10,
         shot: Optional[Path] = None) -> list[str]:
    from selenium.webdriver.common.by import By

    driver.get(url)
    answered: list[str] = []
    reloaded = False
    while (item_id := _current(driver)) is not None:
        meta = rows[item_id]
        if len(answered) == reload_at and not reloaded:
            if meta["task_mode"] == "COUNT":
                _keys(driver, "7")
            else:
                _click_cell(driver, meta, _a_non_target(meta))
            _wait(driver, lambda d: d.find_element(By.ID, "preview-text").text != "", "a preview before reload")
            driver.refresh()
            reloaded = True
            assert _current(driver) == item_id  # same item again, nothing recorded, selection gone
            assert _selected(driver) == [] and f"{reload_at} answered" in driver.find_element(By.ID, "progress").text
        if shot is not None and meta["task_template"] == "T4_CLICK_VISUAL_REGION" and not shot.exists():
            for cell in sorted(parse_cells(meta["ground_truth_clicks"])):
                _click_cell(driver, meta, cell)
            _preview_is(driver, meta["ground_truth_formal_answer"])
            driver.save_screenshot(str(shot))
            driver.find_element(By.ID, "clear").click()
            _wait(driver, lambda d: _selected(d) == [], "cleared selection")
        typed = len(answered) == 4 and wrong_item is None
        _answer(driver, meta, wrong=item_id == wrong_item, typed=typed)
        _wait(driver, lambda d: d.execute_script("return document.body.dataset.state") == "done"
              or d.execute_script("return document.getElementById('stage').dataset.itemId") != item_id,
              "the page to take the answer")
        if typed:
            driver.find_element(By.ID, "tab-cells").click()
        answered.append(item_id)
    assert reloaded
    return answered


def _stop(proc) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 143


def test_a_person_answers_twenty_items_in_the_browser(human_build: Path, tmp_path: Path, capsys) -> None:
    require_chromium()
    rows = build_rows(human_build)
    runs = {name: tmp_path / name for name in ("alice", "bob")}
    order = make_config(human_build, runs["alice"]).items
    wrong_item = next(i for i in order if rows[i]["task_mode"] == "CLICK")
    shots = {"answer": tmp_path / "human_answer.png", "review": tmp_path / "human_review.png"}

    with chromium(width=1280, height=1000) as driver:
        for name, wrong in (("alice", None), ("bob", wrong_item)):
            proc, url = start_cli(human_argv(human_build, runs[name], annotator=name))
            try:
                answered = _run(driver, url, rows, wrong_item=wrong, shot=shots["answer"] if name == "alice" else None)
                assert answered == list(order)
                assert "answered all 20 items" in driver.find_element("id", "done-view").text
                assert console_errors(driver) == []
                assert all(u.startswith(url) for u in requested_urls(driver))
            finally:
                _stop(proc)

        proc, url = start_cli(["human", "--build", str(human_build), "--split", "dev", "--n", "20", "--review",
                               "--port", "0"])
        try:
            t4 = next(p for p, i in enumerate(order, start=1) if rows[i]["task_template"] == "T4_CLICK_VISUAL_REGION")
            driver.get(f"{url}?item={t4}")
            _wait(driver, lambda d: d.execute_script("return document.getElementById('stage').dataset.itemId")
                  == order[t4 - 1] and d.execute_script("return document.getElementById('item-image').dataset.loaded")
                  == order[t4 - 1], "the review item")
            facts = driver.find_element("id", "review-facts").text
            assert rows[order[t4 - 1]]["ground_truth_formal_answer"] in facts and "solver PASS\nyes" in facts
            marks = driver.execute_script("return document.querySelectorAll('#marks .mark.answer').length")
            assert marks == len(rows[order[t4 - 1]]["ground_truth_clicks"])
            driver.save_screenshot(str(shots["review"]))
            driver.find_element("id", "next").click()
            _wait(driver, lambda d: d.execute_script("return document.getElementById('stage').dataset.itemId")
                  == order[t4], "the next review item")
            assert console_errors(driver) == []
        finally:
            _stop(proc)

    report = tmp_path / "report.json"
    assert rose(["human", "report", str(runs["alice"]), str(runs["bob"]), "--json", str(report)]) == 0
    people = {p["annotator"]: p for p in json.loads(report.read_text())["annotators"]}
    assert people["alice"]["pass"] == 1.0 and people["alice"]["answered"] == 20
    assert people["bob"]["pass"] == 19 / 20
    assert people["alice"]["input"] == {"cells": 19, "text": 1}
    printed = capsys.readouterr().out
    assert "| alice | 20/20 | 100.0 |" in printed and "| bob | 20/20 | 95.0 |" in printed

    for name, path in shots.items():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        if os.environ.get("ROSE_UPDATE_DOCS") == "1":
            shutil.copyfile(path, DOCS / f"human_{name}.png")
