"""scoring.paths: which output locations are refused, and a commit that never replaces what it was not asked to."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from rose_bench.scoring.contract import MANIFEST_NAME
from rose_bench.scoring.io import InputError
from rose_bench.scoring.paths import check_output, commit_dir, commit_file, enclosing_build


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """in/ (an input folder with a file), build/ (a rose build: has a manifest), a regular file, a symlink to in/."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "rows.jsonl").write_text("{}\n", encoding="utf-8")
    (tmp_path / "build" / "data").mkdir(parents=True)
    (tmp_path / "build" / MANIFEST_NAME).write_text("{}", encoding="utf-8")
    (tmp_path / "build" / "data" / "t1.parquet").write_bytes(b"x")
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "in")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("keep", encoding="utf-8")
    (tmp_path / "previous").mkdir()
    (tmp_path / "previous" / "a.json").write_text("{}", encoding="utf-8")
    return tmp_path


# (id, out, inputs, kind, options, message or None for accepted)
CASES = [
    ("is-the-input-folder", "in", [("IN", "in")], "dir", {}, "is the input IN"),
    ("is-the-input-via-symlink", "link", [("IN", "in")], "dir", {"overwrite": True}, "is the input IN"),
    ("inside-the-input", "in/out", [("IN", "in")], "dir", {}, "lies inside the input IN"),
    ("contains-the-input", ".", [("IN", "in/rows.jsonl")], "dir", {"overwrite": True}, "contains the input IN"),
    ("file-is-the-input", "in/rows.jsonl", [("IN", "in/rows.jsonl")], "file", {"overwrite": True}, "is the input IN"),
    ("inside-the-build-of-an-input-file", "build/scores", [("META", "build/data/t1.parquet")], "dir", {},
     "holding the input META"),
    ("inside-any-build", "build/scores", [], "into", {}, "lies inside the rose build"),
    ("under-a-regular-file", "file.txt/out", [], "dir", {}, "is a file, not a folder"),
    ("dir-over-a-file", "file.txt", [], "dir", {"overwrite": True}, "exists and is not a directory"),
    ("file-over-a-folder", "in", [], "file", {"overwrite": True}, "is a folder, not a file"),
    ("existing-file-without-overwrite", "file.txt", [], "file", {}, "pass --overwrite"),
    ("non-empty-dir-without-overwrite", "full", [], "dir", {}, "exists and is not empty"),
    ("foreign-files-in-a-replaceable-dir", "full", [], "dir", {"replaceable": ("a.json",), "owner": "rose x"},
     "holds files rose x did not write (mine.txt)"),
    ("accepted-new-path", "new/deeper/out", [("IN", "in")], "dir", {}, None),
    ("accepted-own-earlier-output", "previous", [], "dir", {"replaceable": ("a.json",)}, None),
    ("accepted-overwrite", "full", [("IN", "in")], "dir", {"overwrite": True}, None),
    ("accepted-into-a-folder-holding-an-input", "in", [("IN", "in/rows.jsonl")], "into", {}, None),
    ("accepted-build-itself-replaced", "build", [], "dir", {"overwrite": True}, None),
]


@pytest.mark.parametrize("out,inputs,kind,options,message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_check_output(tree: Path, out, inputs, kind, options, message) -> None:
    resolved_inputs = [(label, tree / path) for label, path in inputs]
    if message is None:
        assert check_output(tree / out, resolved_inputs, flag="--out", kind=kind, **options) == (tree / out).resolve()
        return
    with pytest.raises(InputError) as caught:
        check_output(tree / out, resolved_inputs, flag="--out", kind=kind, **options)
    assert message in str(caught.value) and "(fix: " in str(caught.value)


def test_enclosing_build(tree: Path) -> None:
    assert enclosing_build(tree / "build" / "data" / "t1.parquet") == (tree / "build").resolve()
    assert enclosing_build(tree / "in" / "rows.jsonl") is None


def _stage(parent: Path, name: str, content: str) -> Path:
    stage = parent / name
    stage.mkdir()
    (stage / "result.txt").write_text(content, encoding="utf-8")
    os.chmod(stage, 0o700)  # as mkdtemp makes it
    return stage


def test_commit_dir_without_overwrite_never_replaces_a_result_that_appeared(tmp_path: Path) -> None:
    final = tmp_path / "out"
    commit_dir(_stage(tmp_path, ".a", "first"), final, overwrite=False)
    second = _stage(tmp_path, ".b", "second")
    with pytest.raises(InputError, match="appeared while this command ran"):
        commit_dir(second, final, overwrite=False)
    assert (final / "result.txt").read_text(encoding="utf-8") == "first"
    assert (second / "result.txt").read_text(encoding="utf-8") == "second"  # left for the caller to remove
    assert stat.S_IMODE(final.stat().st_mode) == 0o777 & ~_umask()


def test_commit_dir_with_overwrite_swaps_and_removes_the_old(tmp_path: Path) -> None:
    final = tmp_path / "out"
    commit_dir(_stage(tmp_path, ".a", "first"), final, overwrite=False)
    commit_dir(_stage(tmp_path, ".b", "second"), final, overwrite=True)
    assert (final / "result.txt").read_text(encoding="utf-8") == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_commit_dir_into_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    commit_dir(_stage(tmp_path, ".a", "first"), tmp_path / "out", overwrite=False)
    assert (tmp_path / "out" / "result.txt").read_text(encoding="utf-8") == "first"


def test_racing_commits_without_overwrite_exactly_one_wins(tmp_path: Path) -> None:
    stages = [_stage(tmp_path, f".s{i}", str(i)) for i in range(8)]
    barrier = threading.Barrier(len(stages))
    outcomes: list[str] = []

    def commit(stage: Path) -> None:
        barrier.wait()
        try:
            commit_dir(stage, tmp_path / "out", overwrite=False)
            outcomes.append("won")
        except InputError:
            outcomes.append("refused")

    threads = [threading.Thread(target=commit, args=(s,)) for s in stages]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused"] * 7 + ["won"]
    winner = (tmp_path / "out" / "result.txt").read_text(encoding="utf-8")
    assert not (tmp_path / f".s{winner}").exists()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("overwrite", [False, True], ids=["new", "overwrite"])
def test_commit_file_gives_normal_permissions(tmp_path: Path, overwrite: bool) -> None:
    tmp = tmp_path / ".x.tmp"
    tmp.write_text("data", encoding="utf-8")
    os.chmod(tmp, 0o600)  # as mkstemp makes it
    if overwrite:
        (tmp_path / "x").write_text("old", encoding="utf-8")
    commit_file(tmp, tmp_path / "x", overwrite=overwrite)
    assert (tmp_path / "x").read_text(encoding="utf-8") == "data" and not tmp.exists()
    assert stat.S_IMODE((tmp_path / "x").stat().st_mode) == 0o666 & ~_umask()


def test_commit_file_without_overwrite_keeps_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("theirs", encoding="utf-8")
    tmp = tmp_path / ".x.tmp"
    tmp.write_text("mine", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        commit_file(tmp, tmp_path / "x", overwrite=False)
    assert "appeared while this command ran" in str(caught.value)
    assert (tmp_path / "x").read_text(encoding="utf-8") == "theirs"
