"""Issue 10.3: two `rose build` processes started together on one --out: exactly one wins, the other exits 2
and leaves the winner's build untouched (the commit is a rename that fails when the target is filled)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from rose_bench.scoring.contract import MANIFEST_NAME
from tests.support.cli import ROSE, rose, snapshot

BUILD = ["--subsets", "ROSE-ChineseGlyph", "--scenes-per-subset", "2", "--workers", "1", "--no-progress", "--no-certify"]


def test_two_builds_on_one_out_exactly_one_succeeds(tmp_path: Path) -> None:
    out = tmp_path / "X"
    # different seeds, so that a build replaced by the other would show in the manifest
    procs = {seed: subprocess.Popen([ROSE, "build", "--out", str(out), "--seed", seed, *BUILD],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for seed in ("1", "2")}
    results = {seed: (p.wait(timeout=600), p.stdout.read(), p.stderr.read()) for seed, p in procs.items()}
    for p in procs.values():
        p.stdout.close()
        p.stderr.close()
    codes = sorted(code for code, _, _ in results.values())
    assert codes == [0, 2], results
    (winner,) = [seed for seed, (code, _, _) in results.items() if code == 0]
    (loser,) = [seed for seed, (code, _, _) in results.items() if code == 2]
    loser_err = results[loser][2]
    assert "rose build: error: " in loser_err and "(fix: " in loser_err and "Traceback" not in loser_err
    manifest = (out / MANIFEST_NAME).read_text(encoding="utf-8")
    assert f'"seed": {winner},' in manifest
    # the winner's build is complete and nothing of either run is left beside it
    assert rose("certify", out, "--templates", "t1").code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["X"]


def test_a_build_that_finds_its_out_filled_meanwhile_leaves_it_untouched(tmp_path: Path) -> None:
    """The slow loser: --out appears (someone else's files) while the build runs; the build exits 2."""
    out = tmp_path / "X"
    proc = subprocess.Popen([ROSE, "build", "--out", str(out), "--seed", "3", *BUILD[:-1]],  # certified: slower
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".X.") for p in tmp_path.iterdir()):  # the build's staging area exists
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    out.mkdir()
    (out / "theirs.txt").write_text("someone else's", encoding="utf-8")
    before = snapshot(out)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 2, stdout + stderr
    assert f"rose build: error: {out}" in stderr and "Traceback" not in stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["X"]
