"""The rendered page in a real headless Chromium, from file:// and over http://127.0.0.1: no console errors,
no request leaves the machine, sorting and filters work, links resolve.  With ROSE_UPDATE_DOCS=1 the
screenshot also replaces docs/leaderboard.png (otherwise the tree is never written)."""

from __future__ import annotations

import functools
import os
import shutil
import threading
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rose_bench.leaderboard.baselines import add_baselines
from rose_bench.leaderboard.board import add_bundle, init_board
from rose_bench.leaderboard.bundle import dataset_fingerprint
from rose_bench.leaderboard.site import render_site
from tests.support.browser import chromium, console_errors, requested_urls, require_chromium
from tests.support.leaderboard import bundle_of, wrong_rows

pytestmark = pytest.mark.slow
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "leaderboard.png"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site(build: Path, gold_rows, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    board = init_board(root / "board", build, replicates=2000, seed=0).root
    add_baselines(board)
    add_bundle(board, bundle_of(wrong_rows(gold_rows, 4, "COUNT(0)"), root / "bundle",
                                fingerprint=dataset_fingerprint(build), name="example-vlm", organisation="example",
                                revision="0" * 40, api_model_id=None, open_weights=True, parameters=8_000_000_000))
    return render_site(board, root / "site")


def _rows(driver) -> list:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, "#board tbody tr")


def _check_page(driver, url: str, allowed_prefix: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url)
    assert driver.find_element(By.TAG_NAME, "h1").text == "ROSE leaderboard"
    assert driver.find_element(By.ID, "controls").is_displayed()  # the script ran
    rows = _rows(driver)
    assert len(rows) == 6
    # sort by Avg. PASS: first click ascending, second descending
    header = driver.find_element(By.XPATH, "//table[@id='board']//th[starts-with(normalize-space(.), 'Avg. PASS')]")
    for expected in ("ascending", "descending"):
        header.click()
        values = [float(r.find_elements(By.TAG_NAME, "td")[6].get_attribute("data-sort")) for r in _rows(driver)]
        assert values == sorted(values, reverse=expected == "descending") and header.get_attribute("aria-sort") == expected
    # filters: hide baselines, then open weights only
    driver.find_element(By.ID, "filter-baselines").click()
    visible = [r for r in _rows(driver) if r.is_displayed()]
    assert [r.get_attribute("data-baseline") for r in visible] == ["0"]
    driver.find_element(By.ID, "filter-baselines").click()
    size = driver.find_element(By.ID, "filter-size")
    size.send_keys("5")  # at most 5 B parameters: the 8 B model and rows of unknown size disappear
    assert not [r for r in _rows(driver) if r.is_displayed()]
    size.clear()
    size.send_keys("0")
    # column toggle
    driver.find_element(By.CSS_SELECTOR, "input[data-column='templates']").click()
    assert not [c for c in driver.find_elements(By.CSS_SELECTOR, "td[data-col='templates']") if c.is_displayed()]
    # follow a model link and its per-item Parquet link
    link = driver.find_element(By.CSS_SELECTOR, "#board tbody tr td.name a")
    name = link.text
    link.click()
    assert driver.find_element(By.TAG_NAME, "h1").text == name
    parquet = driver.find_element(By.PARTIAL_LINK_TEXT, ".parquet").get_attribute("href")
    assert parquet.startswith(allowed_prefix) and parquet.endswith(".parquet")
    driver.back()
    assert console_errors(driver) == []
    outside = [u for u in requested_urls(driver) if not u.startswith((allowed_prefix, "data:", "about:"))]
    assert outside == []
    return parquet


def test_page_from_file_url(site: Path) -> None:
    require_chromium()
    with chromium() as driver:
        parquet = _check_page(driver, site.joinpath("index.html").as_uri(), "file://")
        assert Path(urllib.request.url2pathname(parquet.removeprefix("file://"))).is_file()


def test_page_over_local_http_and_screenshot(site: Path, tmp_path: Path) -> None:
    screenshot = tmp_path / "leaderboard.png"
    require_chromium()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with chromium(width=1400, height=1000) as driver:
            parquet = _check_page(driver, base + "index.html", base)
            with urllib.request.urlopen(parquet, timeout=10) as response:
                assert response.status == 200 and response.read(4) == b"PAR1"
            driver.get(base + "index.html")
            driver.save_screenshot(str(screenshot))
    finally:
        server.shutdown()
        server.server_close()
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 10_000
    if os.environ.get("ROSE_UPDATE_DOCS") == "1":
        shutil.copyfile(screenshot, DOCS_SCREENSHOT)
