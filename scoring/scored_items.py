"""Load, check and score the inputs of one ``rose score`` run: in one process, or in two for a large file.

The one-process path (``_score_here``) defines the run: the official coverage
rules and every error, in a fixed order (metadata, predictions, coverage,
scoring).  A large single JSONL metadata file is instead read and scored in two
halves, the second by a forked child (``scoring.forked``) while this process
does the first.  That is only a faster way to the same rows: on any problem at
all (an input error in either half, an item id in both halves, a failed child)
the two-process path gives up and the one-process path runs, so errors are
always its errors.  tests/scoring/test_scored_items.py compares the two paths.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

from .contract import SPLITS
from .forked import ChildFailed, can_fork, forked
from .io import InputError, line_start_after
from .item import score_item
from .models import display_model_name, infer_model
from .predictions import LenientCount
from .score_inputs import load_metadata, load_metadata_range, load_predictions, resolve_metadata

__all__ = ["DEFAULT_REPO_ID", "ScoreOptions", "ScoredItems", "score_items", "score_all", "TWO_PROCESS_MIN_BYTES"]

DEFAULT_REPO_ID = "sysuwyh357/ROSE-v0.1"

# Metadata files smaller than this are read in one process: below it a child costs more than it saves
# (about 11,000 official rows; benchmarks/bench_score_vs_official.py).
TWO_PROCESS_MIN_BYTES = 32 * 2**20
# The child reads the last 44% of the file: it also serialises its rows for the pipe, which
# costs it about a fifth of its scoring time, so this share finishes both halves together.
CHILD_SHARE = 0.44


@dataclass(frozen=True)
class ScoreOptions:
    predictions: Path
    out_dir: Optional[Path] = None
    dataset_root: Optional[Path] = None
    metadata: Optional[Path] = None
    split: str = "test"
    allow_partial: bool = False
    model: str = ""
    display_name: str = ""
    near_miss_l1: int = 1
    digits: int = 1
    repo_id: str = DEFAULT_REPO_ID
    answer_key: Optional[Path] = None  # key folder of a withheld public build (dataset_root)
    lenient: bool = False  # score invalid prediction rows (scoring.predictions) as invalid answers instead of refusing
    one_process: bool = False  # never fork (no second process for reading, scoring or writing)


@dataclass
class ScoredItems:
    """The scored rows of a run (in item id order) and what its summary records about the inputs."""

    rows: list[dict]
    expected_by_subset: dict[str, int]
    expected_by_template: dict[str, int]
    metadata_path: Path
    predictions_path: Path
    model: str
    model_name: str
    num_expected: int
    num_prediction_rows: int
    missing: list[str]
    extra: list[str]
    warnings: list[str]
    # The metadata and prediction rows, no longer needed: ``evaluate.run`` drops them while the
    # per-item files are written, since freeing a million objects takes about a second at 100,000 items.
    inputs: Optional[tuple[list[dict], list[dict]]] = None


def score_all(matched: Sequence[str], predictions: dict[str, dict], metadata: dict[str, dict], model: str,
              near_miss_l1: int, metadata_path: Path) -> list[dict]:
    """``score_item`` for every id of ``matched``, in that order; malformed metadata is an InputError."""
    rows = []
    for item_id in matched:
        prediction = predictions[item_id]
        try:
            rows.append(
                score_item(
                    metadata[item_id],
                    prediction.get("raw_text"),
                    model=prediction["model"] if "model" in prediction else model,
                    api_error_text=prediction.get("error"),
                    near_miss_l1=near_miss_l1,
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
            raise InputError(metadata_path, f"item {item_id}: cannot score ({detail})", field="region/grid fields",
                             fix="check rows, cols, region_type, region_params and the target cell lists") from None
    return rows


def _counts(rows: Iterable[dict], key: str) -> dict[str, int]:
    """Rows per ``str(row.get(key))``."""
    return dict(Counter(map(str, [r.get(key) for r in rows])))


def _coverage(expected: set[str], predicted: set[str], opts: ScoreOptions, metadata_path: Path,
              predictions_path: Path) -> tuple[list[str], list[str], list[str]]:
    """(matched, missing, extra) item ids, sorted; a partial submission without --allow_partial is an error."""
    matched = sorted(expected & predicted)
    missing = sorted(expected - predicted)
    extra = sorted(predicted - expected)
    if missing and not opts.allow_partial:
        raise InputError(
            predictions_path,
            f"missing {len(missing)} of {len(expected)} {opts.split} items (first: {', '.join(missing[:5])})",
            fix="predict every item, or pass --allow_partial for a sampled/demo run",
        )
    if not matched:
        raise InputError(predictions_path, f"no item_id matches the {opts.split} metadata in {metadata_path}",
                         field="item_id", fix="check --split and that the predictions belong to this dataset")
    return matched, missing, extra


def score_items(opts: ScoreOptions) -> ScoredItems:
    """Load, check and score; raises InputError before any output exists."""
    if opts.split not in SPLITS:
        raise InputError("--split", f"unknown split {opts.split!r}", fix="use dev or test")
    metadata_path, files = resolve_metadata(dataset_root=opts.dataset_root, metadata=opts.metadata, split=opts.split,
                                             answer_key=opts.answer_key)
    predictions_path = Path(opts.predictions).expanduser().resolve()
    if not opts.one_process and len(files) == 1 and files[0].suffix == ".jsonl" and can_fork() \
            and files[0].stat().st_size >= TWO_PROCESS_MIN_BYTES:
        scored = _score_in_halves(opts, metadata_path, files[0], predictions_path)
        if scored is not None:
            return scored
    return _score_here(opts, metadata_path, files, predictions_path)


def _score_here(opts: ScoreOptions, metadata_path: Path, files: Sequence[Path], predictions_path: Path) -> ScoredItems:
    metadata_rows, metadata_by_id = load_metadata(files, opts.split)
    if not metadata_rows:
        raise InputError(metadata_path, f"no metadata rows for split {opts.split!r}", fix="check --split")
    lenient = LenientCount()
    prediction_rows, predictions_by_id = load_predictions(predictions_path, lenient=opts.lenient, count=lenient)
    model = infer_model(prediction_rows, opts.model, fallback=predictions_path.stem, source=predictions_path)
    matched, missing, extra = _coverage(set(metadata_by_id), set(predictions_by_id), opts, metadata_path,
                                        predictions_path)
    rows = score_all(matched, predictions_by_id, metadata_by_id, model, opts.near_miss_l1, metadata_path)
    return ScoredItems(
        rows=rows, expected_by_subset=_counts(metadata_rows, "rose_subset"),
        expected_by_template=_counts(metadata_rows, "task_template"), metadata_path=metadata_path,
        predictions_path=predictions_path, model=model, model_name=display_model_name(model, opts.display_name),
        num_expected=len(metadata_by_id), num_prediction_rows=len(prediction_rows), missing=missing, extra=extra,
        warnings=[w for w in (lenient.warning(predictions_path),) if w], inputs=(metadata_rows, prediction_rows),
    )


def _predictions(opts: ScoreOptions, path: Path, lenient: Optional[LenientCount] = None
                 ) -> tuple[list[dict], dict[str, dict], str]:
    """(rows, id index, model name) of the predictions file."""
    rows, by_id = load_predictions(path, lenient=opts.lenient, count=lenient)
    return rows, by_id, infer_model(rows, opts.model, fallback=path.stem, source=path)


def _score_in_halves(opts: ScoreOptions, metadata_path: Path, path: Path, predictions_path: Path) -> Optional[ScoredItems]:
    """The run, with the second half of ``path`` read and scored by a child; None on any problem."""
    middle = line_start_after(path, 1 - CHILD_SHARE)
    if middle is None:
        return None

    def second_half() -> tuple:
        index = load_metadata_range(path, opts.split, middle, None)
        _, by_id, model = _predictions(opts, predictions_path)
        matched = sorted(index.keys() & by_id.keys())
        rows = score_all(matched, by_id, index, model, opts.near_miss_l1, metadata_path)
        return list(index), _counts(index.values(), "rose_subset"), _counts(index.values(), "task_template"), \
            matched, rows

    lenient = LenientCount()
    try:
        with forked(second_half, report=False) as child:
            mine = load_metadata_range(path, opts.split, 0, middle)
            prediction_rows, predictions_by_id, model = _predictions(opts, predictions_path, lenient)
            my_matched = sorted(mine.keys() & predictions_by_id.keys())
            my_rows = score_all(my_matched, predictions_by_id, mine, model, opts.near_miss_l1, metadata_path)
            their_ids, their_subsets, their_templates, their_matched, their_rows = child.result()
    except (InputError, ChildFailed):  # including "cannot fork"
        return None
    expected = mine.keys() | set(their_ids)
    if len(expected) != len(mine) + len(their_ids) or not expected:
        return None  # an id in both halves, or no rows: the one-process path names the problem
    # Both halves and the predictions are valid, so the next check is the one-process path's next one.
    _, missing, extra = _coverage(expected, set(predictions_by_id), opts, metadata_path, predictions_path)
    ids, rows = my_matched + their_matched, my_rows + their_rows
    order = sorted(range(len(ids)), key=ids.__getitem__)
    values = list(mine.values())
    return ScoredItems(
        rows=[rows[i] for i in order],
        expected_by_subset=dict(Counter(_counts(values, "rose_subset")) + Counter(their_subsets)),
        expected_by_template=dict(Counter(_counts(values, "task_template")) + Counter(their_templates)),
        metadata_path=metadata_path, predictions_path=predictions_path, model=model,
        model_name=display_model_name(model, opts.display_name), num_expected=len(expected),
        num_prediction_rows=len(prediction_rows), missing=missing, extra=extra,
        warnings=[w for w in (lenient.warning(predictions_path),) if w], inputs=(values, prediction_rows),
    )
