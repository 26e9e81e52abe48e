"""The board: a directory in Hugging Face dataset layout holding every submission exactly as received.

    BOARD/board.json                      pin (dataset fingerprint, split), settings, revision, rows
    BOARD/README.md                       dataset card; config ``scores`` = every per-item Parquet
    BOARD/submissions/<sha256>/           submission.json + predictions.jsonl (as received),
                                          scores.parquet (per item), summary.json (figures, scorer version)

A submission is keyed by its predictions' sha256, so exact duplicates collapse.
Writers take an exclusive ``fcntl`` lock on ``BOARD/.lock``; a new row is
staged in a temp folder inside the board and renamed into place, and
``board.json`` is replaced by rename, so concurrent ``add``s never lose a row
and a refused bundle leaves the board byte-for-byte unchanged.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

import pyarrow.parquet as pq

from rose_bench.scoring.io import InputError, atomic_dir, atomic_file, atomic_write, parquet_rows

from .bundle import PREDICTIONS_NAME, SUBMISSION_NAME, Bundle, dataset_fingerprint, read_bundle
from .scores import load_key, score_predictions, scorer_version, scores_table, summary_figures

__all__ = ["BOARD_FORMAT", "Board", "init_board", "open_board", "add_bundle", "remove_submission", "rescore"]

BOARD_FORMAT = "rose-board/1"
BOARD_JSON = "board.json"
SUBMISSIONS = "submissions"
LOCK = ".lock"
CARD = """---
configs:
- config_name: scores
  data_files:
  - split: {split}
    path: submissions/*/scores.parquet
---
# ROSE leaderboard board

Pinned to dataset `{fingerprint}` (split `{split}`). One folder per submission under
`submissions/<predictions sha256>/`: the bundle as received (`submission.json`,
`predictions.jsonl`), per-item scores (`scores.parquet`) and `summary.json`.
Render the page with `rose leaderboard render --board . --out site`.
"""


def _write_json_atomic(path: Path, obj: Any) -> None:
    atomic_write(path, json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


class Board:
    """A board directory (read side); writers go through the functions below, under the lock."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        path = self.root / BOARD_JSON
        if not path.is_file():
            raise InputError(self.root, "not a board (no board.json)", fix="create one with `rose leaderboard init`")
        self.config = json.loads(path.read_text(encoding="utf-8"))
        if self.config.get("format") != BOARD_FORMAT:
            raise InputError(path, f"format is not {BOARD_FORMAT}", fix="use a board made by `rose leaderboard init`")

    @property
    def fingerprint(self) -> str:
        return self.config["fingerprint"]

    @property
    def split(self) -> str:
        return self.config["split"]

    def dataset_path(self, override: Optional[Path] = None) -> Path:
        if override is not None:
            return Path(override)
        return (self.root / self.config["dataset_path"]).resolve()

    def ids(self) -> list[str]:
        base = self.root / SUBMISSIONS
        return sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")) if base.is_dir() else []

    def folder(self, sub_id: str) -> Path:
        return self.root / SUBMISSIONS / sub_id

    def submission(self, sub_id: str) -> dict:
        return json.loads((self.folder(sub_id) / SUBMISSION_NAME).read_text(encoding="utf-8"))

    def summary(self, sub_id: str) -> dict:
        return json.loads((self.folder(sub_id) / "summary.json").read_text(encoding="utf-8"))

    def score_rows(self, sub_id: str) -> list[dict]:
        return list(parquet_rows(self.folder(sub_id) / "scores.parquet", fix="re-add the submission or `rose leaderboard rescore`"))

    def resolve(self, prefix: str) -> str:
        found = [i for i in self.ids() if i.startswith(prefix)] if len(prefix) >= 6 else []
        if len(found) != 1:
            raise InputError(self.root, f"{'no' if not found else 'several'} submission(s) match {prefix!r}",
                             fix="pass at least 6 leading hex digits of an id from `rose leaderboard list`")
        return found[0]


@contextmanager
def locked(root: Path) -> Iterator[None]:
    with open(Path(root) / LOCK, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def init_board(root: Path, dataset: Path, *, split: str = "test", allow_partial: bool = False,
               replicates: int = 2000, seed: int = 0, repo_id: Optional[str] = None,
               revision: Optional[str] = None, fingerprint: Optional[str] = None) -> Board:
    """A new, empty board pinned to ``dataset``'s fingerprint (``fingerprint`` given: an answer key's public build)."""
    root = Path(root)
    if (root / BOARD_JSON).exists():
        raise InputError(root, "already a board", fix="use another directory, or `rose leaderboard list`")
    if root.exists() and any(root.iterdir()):
        raise InputError(root, "directory exists and is not empty", fix="choose a new directory for the board")
    load_key(dataset, split, fingerprint=fingerprint)  # the dataset must be able to score this split
    pin = fingerprint or dataset_fingerprint(dataset)
    root.mkdir(parents=True, exist_ok=True)
    (root / SUBMISSIONS).mkdir(exist_ok=True)
    config = {
        "format": BOARD_FORMAT, "fingerprint": pin, "split": split, "allow_partial": allow_partial,
        "dataset_path": os.path.relpath(Path(dataset).resolve(), root.resolve()), "repo_id": repo_id,
        "revision_of_dataset": revision, "replicates": replicates, "seed": seed, "revision": 0, "hidden": None,
    }
    (root / "README.md").write_text(CARD.format(split=split, fingerprint=pin), encoding="utf-8")
    _write_json_atomic(root / BOARD_JSON, config)
    return Board(root)


def open_board(root: Path) -> Board:
    return Board(root)


def check_against_board(board: Board, bundle: Bundle) -> None:
    """The refusals that depend on the board: fingerprint and split."""
    meta_path = bundle.path / SUBMISSION_NAME
    if bundle.meta["dataset"]["fingerprint"] != board.fingerprint:
        raise InputError(meta_path, f"dataset fingerprint {bundle.meta['dataset']['fingerprint'][:19]}... is not the "
                         f"board's {board.fingerprint[:19]}...", field="dataset.fingerprint",
                         fix="run the model on the build this board is pinned to (`rose leaderboard show`)")
    if bundle.meta["dataset"]["split"] != board.split:
        raise InputError(meta_path, f"split {bundle.meta['dataset']['split']!r}, the board ranks {board.split!r}",
                         field="dataset.split", fix=f"submit predictions for the {board.split} split")


def _score(board: Board, bundle: Bundle, key_path: Optional[Path]) -> tuple[list[dict], dict]:
    key = load_key(board.dataset_path(key_path), board.split, fingerprint=board.fingerprint)
    return score_predictions(bundle.predictions, key, where=str(bundle.path / PREDICTIONS_NAME),
                             allow_partial=bool(board.config.get("allow_partial")))


def _summary(bundle_meta: dict, rows: list[dict], coverage: dict, sub_id: str) -> dict:
    return {"id": sub_id, "model": bundle_meta["model"], "baseline": bundle_meta["baseline"],
            "variants_tried": bundle_meta["variants_tried"], "coverage": coverage,
            "scorer_version": scorer_version(), "figures": summary_figures(rows)}


def add_bundle(root: Path, bundle_dir: Path, *, answer_key: Optional[Path] = None) -> str:
    """Check, score and add a bundle; returns its id.  Raises InputError with the board unchanged."""
    board = Board(root)
    bundle = read_bundle(bundle_dir)
    check_against_board(board, bundle)
    if bundle.id in board.ids():
        raise InputError(bundle.path / PREDICTIONS_NAME, f"already on the board as {bundle.id[:12]}",
                         fix="exact duplicates collapse; nothing to add")
    rows, coverage = _score(board, bundle, answer_key)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=board.root / SUBMISSIONS))
    try:
        shutil.copyfile(bundle.path / SUBMISSION_NAME, staging / SUBMISSION_NAME)
        (staging / PREDICTIONS_NAME).write_bytes(bundle.predictions_bytes)
        pq.write_table(scores_table(rows), staging / "scores.parquet")
        (staging / "summary.json").write_text(
            json.dumps(_summary(bundle.meta, rows, coverage, bundle.id), ensure_ascii=False, indent=2, sort_keys=True)
            + "\n", encoding="utf-8")
        os.chmod(staging, 0o755)
        with locked(board.root):
            final = board.folder(bundle.id)
            if final.exists():
                raise InputError(bundle.path / PREDICTIONS_NAME, f"already on the board as {bundle.id[:12]}",
                                 fix="exact duplicates collapse; nothing to add")
            os.replace(staging, final)
            _bump_revision(board.root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return bundle.id


def _bump_revision(root: Path) -> None:
    config = json.loads((root / BOARD_JSON).read_text(encoding="utf-8"))
    config["revision"] = int(config["revision"]) + 1
    _write_json_atomic(root / BOARD_JSON, config)


def remove_submission(root: Path, prefix: str) -> str:
    board = Board(root)
    with locked(board.root):
        sub_id = board.resolve(prefix)
        trash = Path(tempfile.mkdtemp(prefix=".removed-", dir=board.root / SUBMISSIONS))
        os.replace(board.folder(sub_id), trash / sub_id)
        _bump_revision(board.root)
    shutil.rmtree(trash, ignore_errors=True)
    return sub_id


def set_hidden(root: Path, dataset: Path, fingerprint: Optional[str] = None) -> None:
    """Pin a hidden re-draw (a build from a secret seed) next to the public build."""
    board = Board(root)
    load_key(dataset, board.split, fingerprint=fingerprint)
    with locked(board.root):
        config = json.loads((board.root / BOARD_JSON).read_text(encoding="utf-8"))
        config["hidden"] = {"fingerprint": fingerprint or dataset_fingerprint(dataset),
                            "dataset_path": os.path.relpath(Path(dataset).resolve(), board.root.resolve())}
        config["revision"] = int(config["revision"]) + 1
        _write_json_atomic(board.root / BOARD_JSON, config)


def add_hidden(root: Path, prefix: str, bundle_dir: Path, *, answer_key: Optional[Path] = None) -> str:
    """Score a model's bundle on the hidden re-draw and attach it to its public submission."""
    board = Board(root)
    hidden = board.config.get("hidden")
    if not hidden:
        raise InputError(root, "board has no hidden re-draw", fix="pin one with `rose leaderboard hidden --dataset BUILD`")
    sub_id = board.resolve(prefix)
    bundle = read_bundle(bundle_dir)
    if bundle.meta["dataset"]["fingerprint"] != hidden["fingerprint"]:
        raise InputError(bundle.path / SUBMISSION_NAME, "dataset fingerprint is not the hidden re-draw's",
                         field="dataset.fingerprint", fix="run the model on the hidden build")
    key = load_key(Path(answer_key) if answer_key else (board.root / hidden["dataset_path"]), board.split,
                   fingerprint=hidden["fingerprint"])
    rows, coverage = score_predictions(bundle.predictions, key, where=str(bundle.path / PREDICTIONS_NAME),
                                       allow_partial=False)
    with locked(board.root):
        with atomic_dir(board.folder(sub_id) / "hidden", overwrite=True) as staging:  # an earlier re-draw row is replaced
            shutil.copyfile(bundle.path / SUBMISSION_NAME, staging / SUBMISSION_NAME)
            (staging / PREDICTIONS_NAME).write_bytes(bundle.predictions_bytes)
            pq.write_table(scores_table(rows), staging / "scores.parquet")
        _bump_revision(board.root)
    return sub_id


def rescore(root: Path, *, answer_key: Optional[Path] = None) -> list[tuple[str, str, str]]:
    """Recompute every row from its stored predictions with the current scorer.

    Returns (id, scorer version before, after) per row; the caller compares ranks.
    """
    board = Board(root)
    key = load_key(board.dataset_path(answer_key), board.split, fingerprint=board.fingerprint)
    changed = []
    with locked(board.root):
        for sub_id in board.ids():
            folder = board.folder(sub_id)
            bundle = read_bundle(folder)
            before = board.summary(sub_id).get("scorer_version", "")
            rows, coverage = score_predictions(bundle.predictions, key, where=str(folder / PREDICTIONS_NAME),
                                               allow_partial=bool(board.config.get("allow_partial")))
            with atomic_file(folder / "scores.parquet") as tmp:
                pq.write_table(scores_table(rows), tmp)
            _write_json_atomic(folder / "summary.json", _summary(bundle.meta, rows, coverage, sub_id))
            changed.append((sub_id, before, scorer_version()))
        _bump_revision(board.root)
    return changed

