"""Image sizes are bounded from the header, before decoding: the solver, `rose solve` and certify refuse
decompression bombs and oversized grids with a clear error (exit 2 on the command line)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rose_bench.dataset_builder.render import png_bytes
from rose_bench.scoring.contract import MAX_GRID_COLS, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE
from rose_bench.scoring.grid import Cell
from rose_bench.solver.certify import BuildRow, CertifyError, check_rows
from rose_bench.solver.grid_detect import GridNotFound, ImageTooLarge, detect_grid, open_image, to_pixels

from tests.support import solver_images
from tests.support.chat_requests import png_header_only

ROSE = str(Path(sys.executable).with_name("rose"))
PROMPT = "Click all cells that are different from the majority in {}. Answer only using CLICK(Rr,Cc); ...; DONE."

OVERSIZED = [
    ("bomb-30000x30000", 30000, 30000, "too large to decode"),  # past PIL's own bomb limit
    ("pixels-4097x4097", 4097, 4097, f"{MAX_IMAGE_PIXELS} pixels"),  # past ours, under PIL's
    ("side-8193x8", MAX_IMAGE_SIDE + 1, 8, f"{MAX_IMAGE_SIDE} px per side"),
]


@pytest.mark.parametrize(("width", "height", "message"), [c[1:] for c in OVERSIZED], ids=[c[0] for c in OVERSIZED])
def test_open_image_refuses_from_the_header(tmp_path, width, height, message) -> None:
    png = png_header_only(width, height)
    path = tmp_path / "big.png"
    path.write_bytes(png)
    for source in (png, path):
        with pytest.raises(ImageTooLarge, match=message):
            open_image(source)


def test_to_pixels_refuses_an_oversized_image_opened_elsewhere(tmp_path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(png_header_only(4097, 4097))
    with Image.open(path) as lazy:  # header only: nothing decoded yet
        with pytest.raises(ImageTooLarge):
            to_pixels(lazy)


def test_a_grid_with_more_columns_than_the_limit_is_not_searched_for() -> None:
    cols = MAX_GRID_COLS + 1
    pixels = np.asarray(solver_images.scene("text", 1, cols, 8, set()), dtype=np.uint8)
    with pytest.raises(GridNotFound, match=f"at most {MAX_GRID_COLS}x{MAX_GRID_COLS} tiles"):
        detect_grid(pixels)
    assert detect_grid(pixels[:, : 8 * MAX_GRID_COLS]).cols == MAX_GRID_COLS  # the limit itself is fine


def test_certify_names_the_row_whose_image_is_oversized() -> None:
    row = BuildRow({"item_id": "X", "prompt_local": PROMPT.format("row 1")}, png_header_only(30000, 30000), "data/t3/test.parquet:7")
    with pytest.raises(CertifyError, match=r"data/t3/test\.parquet:7: image: image is too large to decode"):
        list(check_rows([row]))


def _rose_solve(image: Path, prompt_local: str) -> subprocess.CompletedProcess:
    return subprocess.run([ROSE, "solve", "--image", str(image), "--prompt-local", prompt_local],
                          capture_output=True, text=True, timeout=120)


SOLVE_CASES = [
    ("bomb-png", "bomb", "row 1", "too large to decode"),
    ("png-over-pixel-limit", "big", "row 1", f"{MAX_IMAGE_PIXELS} pixels"),
    ("rows-to-999999999", "grid", "rows 1 to 999999999", "row 999999999 is outside any grid"),
    ("rows-0-to-99", "grid", "rows 0 to 99", "row 0 is outside any grid"),
    ("rows-past-the-8x8-grid", "grid", "rows 1 to 99", "outside the 8x8 grid"),
]


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("images")
    data = {"bomb": png_header_only(30000, 30000), "big": png_header_only(4097, 4097),
            "grid": png_bytes(solver_images.scene("text", 8, 8, 44, {Cell(2, 2)}))}
    paths = {}
    for name, png in data.items():
        paths[name] = folder / f"{name}.png"
        paths[name].write_bytes(png)
    return paths


@pytest.mark.parametrize(("image", "phrase", "message"), [c[1:] for c in SOLVE_CASES], ids=[c[0] for c in SOLVE_CASES])
def test_rose_solve_exits_2_with_a_message(images, image, phrase, message) -> None:
    before = hashlib.sha256(images[image].read_bytes()).hexdigest()
    done = _rose_solve(images[image], PROMPT.format(phrase))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("rose solve: error: ") and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert hashlib.sha256(images[image].read_bytes()).hexdigest() == before


def test_rose_solve_answers_a_region_reaching_the_edge(images) -> None:
    done = _rose_solve(images["grid"], PROMPT.format("rows 1 to 8"))
    assert (done.returncode, done.stdout) == (0, "CLICK(R2,C2); DONE\n"), done.stderr
