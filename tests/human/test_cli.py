"""`rose human` on the command line: option checks (exit 2, nothing written) and a real stop/resume."""

from __future__ import annotations

import json
import signal
import socket
import urllib.request
from pathlib import Path

import pytest

# a mistake here could leave a server running in the test process: fail instead of hanging
pytestmark = pytest.mark.timeout(120)

from rose_bench.human.run import RunStore
from rose_bench.scoring.io import read_jsonl

from tests.support.cli import rose
from tests.support.human import build_rows, correct_body, human_argv, make_config, post_json, start_cli


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda a: a[:6] + ["25000"] + a[7:], "exceeds the 25 dev items"),
        (lambda a: a + ["--templates", "t9"], "unknown template"),
        (lambda a: [x for i, x in enumerate(a) if i not in (7, 8)], "--annotator is required"),
        (lambda a: a[:8] + ["not a name"] + a[9:], "invalid annotator name"),
        (lambda a: a[:1] + a[3:], "--build is required"),
        (lambda a: a[:10] + ["@BUILD/run"], "lies inside the input --build"),
        (lambda a: a[:4] + ["test"] + a[5:6] + ["80"] + a[7:], "exceeds the 75 test items"),
        (lambda a: a[:-1] + ["65536"], "argument --port: must be an integer from 0 to 65535"),
        (lambda a: a[:6] + ["0"] + a[7:], "argument --n: must be an integer from 1 to 100000"),
        (lambda a: a + ["--seed", "-1"], "argument --seed: must be an integer from 0 to"),
    ],
    ids=["n-too-large", "bad-template", "no-annotator", "bad-annotator", "no-build", "out-inside-build",
         "n-too-large-test", "port-out-of-range", "n-zero", "seed-negative"],
)
def test_bad_options_exit_2_and_write_nothing(human_build: Path, tmp_path: Path, edit, words) -> None:
    argv = [x.replace("@BUILD", str(human_build)) for x in edit(human_argv(human_build, tmp_path / "run"))]
    result = rose(*argv)
    assert result.code == 2 and words in result.err and "fix:" in result.err, result.err
    assert not (tmp_path / "run").exists() and not (human_build / "run").exists()


def test_resuming_with_other_options_is_refused(human_build: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    RunStore(run, make_config(human_build, run)).close()
    before = (run / "run.json").read_bytes()
    result = rose(*human_argv(human_build, run, "--seed", "7"))
    assert result.code == 2 and "started with other seed 0 (now 7); items" in result.err
    assert (run / "run.json").read_bytes() == before


def test_a_busy_port_is_a_usage_error(human_build: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = rose(*human_argv(human_build, tmp_path / "run", "--port", str(taken.getsockname()[1])))
    assert result.code == 2 and "--port 0" in result.err


def test_stop_and_resume_lose_and_repeat_nothing(human_build: Path, tmp_path: Path) -> None:
    rows = build_rows(human_build)
    argv = human_argv(human_build, tmp_path / "run")
    seen = []
    for session in range(2):
        proc, url = start_cli(argv)
        try:
            for _ in range(3):
                with urllib.request.urlopen(url + "api/state", timeout=10) as reply:
                    state = json.load(reply)
                assert state["answered"] == len(seen)
                item_id = state["item"]["item_id"]
                post_json(url + "api/answer", correct_body(rows[item_id]))
                seen.append(item_id)
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=20) == 143
    recorded = read_jsonl(tmp_path / "run" / "predictions.jsonl")
    assert [r["item_id"] for r in recorded] == seen == list(make_config(human_build, tmp_path / "run").items[:6])
