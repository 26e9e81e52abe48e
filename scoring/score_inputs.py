"""Reading the inputs of ``rose score``: where the metadata is, its rows, the prediction rows.

Metadata may come from
* the official layout ``<dataset_root>/metadata_<split>.jsonl``;
* a rose-bench build directory (``<dir>/data/<main config>/<split>-*.parquet``);
* a single ``.jsonl`` or ``.parquet`` file (``--metadata``);
* a withheld public build (``rose withhold``) with its answer key
  (``--answer-key``): the key must be bound to that build; its rows are read
  and the public build's path is the one recorded, so the outputs equal those
  of scoring the original build at that path.

Coverage rules are the official evaluator's (protocol §8.6): metadata rows of
other splits are dropped (rows without ``split`` are kept), item ids must be
unique, every prediction names one item once.  Every problem is an
``InputError`` naming file, line and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

from .answer_key import bind_key, is_withheld
from .completeness import check_complete
from .contract import BUILD_DATA_DIR, MAIN_CONFIGS, OFFICIAL_METADATA_NAME, build_shards
from .io import InputError, iter_jsonl, parquet_rows
from .predictions import LenientCount, read_predictions

__all__ = ["read_parquet_metadata", "resolve_metadata", "load_metadata", "load_metadata_range", "load_predictions"]


def read_parquet_metadata(path: Path) -> list[dict]:
    """The metadata rows of a build's Parquet shard (the embedded image column is not read)."""
    return list(parquet_rows(path, skip=("image",), fix="pass a Parquet file written by `rose build`"))


def _metadata_file(path: Path) -> tuple[Path, list[Path]]:
    if not path.is_file():
        raise InputError(path, "metadata file not found", fix="pass an existing .jsonl or .parquet file")
    if path.suffix not in (".jsonl", ".parquet"):
        raise InputError(path, "unsupported metadata file type", fix="pass a .jsonl or .parquet file")
    return path, [path]


def _dataset_root(root: Path, split: str) -> tuple[Path, list[Path]]:
    if not root.is_dir():
        raise InputError(root, "dataset root is not a directory", fix="pass the dataset directory")
    official = root / OFFICIAL_METADATA_NAME.format(split=split)
    if official.is_file():
        return official, [official]
    if (root / BUILD_DATA_DIR).is_dir():
        check_complete(root, MAIN_CONFIGS, [split])  # a build that lost a shard or rows is refused
        shards = [shard for folder in MAIN_CONFIGS for shard in build_shards(root, folder, split)]
        if not shards:
            raise InputError(
                root / BUILD_DATA_DIR, f"no {split}-*.parquet shards under {MAIN_CONFIGS[0]}..{MAIN_CONFIGS[-1]}",
                fix=f"build the dataset with a {split} split or choose --split accordingly",
            )
        return root, shards
    raise InputError(
        root, f"neither {official.name} nor a {BUILD_DATA_DIR}/ folder of Parquet shards",
        fix="pass the official dataset root, a `rose build` output directory, or --metadata FILE",
    )


def _withheld_build(root: Path, key_dir: Path, split: str) -> tuple[Path, list[Path]]:
    if not root.is_dir():
        raise InputError(root, "dataset root is not a directory", fix="pass the public build made by `rose withhold`")
    key = bind_key(key_dir, root, split)
    check_complete(root, MAIN_CONFIGS, [split])  # the public build as written (its manifest is what the key binds)
    shards = key.shards(MAIN_CONFIGS)
    if not shards:
        raise InputError(key.root, f"no {split} shards of {MAIN_CONFIGS[0]}..{MAIN_CONFIGS[-1]}",
                         fix="pass the key folder written by `rose withhold`")
    return root, shards


def resolve_metadata(
    *, dataset_root: Optional[Path], metadata: Optional[Path], split: str, answer_key: Optional[Path] = None,
) -> tuple[Path, list[Path]]:
    """(path recorded in the summary, files to read) for the chosen metadata source."""
    if answer_key is not None:
        if metadata is not None or dataset_root is None:
            raise InputError("--answer-key", "an answer key scores a withheld public build given with --dataset-root",
                             fix="pass --dataset-root PUBLIC_BUILD --answer-key KEY (both from `rose withhold`)")
        return _withheld_build(Path(dataset_root).expanduser().resolve(), Path(answer_key), split)
    if metadata is not None and dataset_root is not None:
        raise InputError("--metadata", "both --metadata and --dataset_root given", fix="pass only one of them")
    if metadata is not None:
        path = Path(metadata).expanduser().resolve()
        return _dataset_root(path, split) if path.is_dir() else _metadata_file(path)
    if dataset_root is None:
        raise InputError(
            "--dataset_root", "no metadata source given",
            fix="pass --dataset_root (official layout or a `rose build` directory) or --metadata FILE",
        )
    return _dataset_root(Path(dataset_root).expanduser().resolve(), split)


Origin = tuple[str, Optional[int]]  # (source, line) of a row: formatted only when a message needs it


def _where(origin: Origin) -> str:
    source, line = origin
    return source if line is None else f"{source}:{line}"


def _claim_id(row: dict, seen: dict[str, Origin], source: str, line: Optional[int], *, what: str,
              missing_fix: str, duplicate_fix: str) -> str:
    """The row's item id, recorded in ``seen`` with where it came; a missing or repeated id is an error."""
    item_id = row.get("item_id")
    if item_id is None:
        raise InputError(source, f"{what} row has no item_id", line=line, field="item_id", fix=missing_fix)
    key = item_id if type(item_id) is str else str(item_id)
    if key in seen:
        raise InputError(source, f"duplicate item_id {key!r} (first at {_where(seen[key])})", line=line,
                         field="item_id", fix=duplicate_fix)
    seen[key] = (source, line)
    return key


def _located_rows(path: Path) -> Iterator[tuple[str, Optional[int], dict]]:
    """(source, line, row) of a metadata file; a Parquet row's source names its row number, its line is None."""
    if path.suffix == ".parquet":
        for i, row in enumerate(read_parquet_metadata(path), start=1):
            yield f"{path} (row {i})", None, row
    else:
        source = str(path)
        for line, row in iter_jsonl(path):
            yield source, line, row


def _take_rows(located: Iterable[tuple[str, Optional[int], dict]], split: str, index: dict[str, dict],
               where: dict[str, Origin]) -> None:
    """Add the rows of ``split`` (rows without ``split`` kept, as officially) to ``index`` by item id."""
    for source, line, row in located:
        if "split" in row and str(row["split"]) != split:
            continue
        if is_withheld(row):
            raise InputError(source, f"the {split} rows are withheld (no answer columns)", line=line,
                             fix="score with the answer key: --dataset-root PUBLIC_BUILD --answer-key KEY "
                             "(written by `rose withhold`)")
        key = _claim_id(row, where, source, line, what="metadata",
                        missing_fix="every metadata row needs a unique item_id",
                        duplicate_fix="item_id must be unique within a split")
        index[key] = row


def load_metadata(files: Sequence[Path], split: str) -> tuple[list[dict], dict[str, dict]]:
    """Rows of ``split`` (rows without ``split`` kept, as officially) and the id index."""
    index: dict[str, dict] = {}
    where: dict[str, Origin] = {}
    for path in files:
        _take_rows(_located_rows(path), split, index, where)
    return list(index.values()), index


def load_metadata_range(path: Path, split: str, start: int, stop: Optional[int]) -> dict[str, dict]:
    """The id index of the rows of ``split`` in one byte range of a JSONL file (``io.jsonl_lines``);
    its line numbers count from the range."""
    source = str(path)
    index: dict[str, dict] = {}
    _take_rows(((source, line, row) for line, row in iter_jsonl(path, start=start, stop=stop)), split, index, {})
    return index


def load_predictions(path: Path, *, lenient: bool = False,
                     count: Optional[LenientCount] = None) -> tuple[list[dict], dict[str, dict]]:
    """All prediction rows and the id index; invalid rows (``scoring.predictions``) and duplicate ids are errors."""
    index: dict[str, dict] = {}
    where: dict[str, Origin] = {}
    source = str(path)
    for line, row in read_predictions(path, lenient=lenient, count=count):
        key = _claim_id(row, where, source, line, what="prediction",
                        missing_fix='write {"item_id": ..., "raw_text": ...} per line',
                        duplicate_fix="keep exactly one prediction per item")
        index[key] = row
    return list(index.values()), index
