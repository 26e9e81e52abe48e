"""The answer key of a withheld build: which columns are withheld, the key's format, its reader, its binding.

``rose withhold`` (leaderboard) writes a public build whose rows of one split
carry no answer-revealing column, and a separate key folder that holds those
rows exactly as the original build had them (every column but the image):

    KEY/answer_key.json                     format, split, the public build's fingerprint, every file's size/sha256
    KEY/data/<folder>/<split>-*.parquet     the original rows of that split, image column dropped

The key mirrors a build's ``data/`` layout, so scoring with a key reads the
very rows (same schema, same values) that scoring the original build reads;
the outputs are byte-identical.  A key is bound to one public build by the
sha256 of that build's ``manifest.json``: a key presented with another build is
refused.  The writer lives in the leaderboard (``rose withhold``); the format
and the reader live here, because ``rose score`` needs them and scoring imports
nothing of ours.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .contract import BUILD_DATA_DIR, MANIFEST_NAME, SHARD_RE, SPLITS, TEMPLATE_CONFIGS, build_shards
from .io import InputError, parse_json

__all__ = [
    "WITHHELD_COLUMNS", "ANSWER_COLUMNS", "KEY_FORMAT", "KEY_JSON", "MAX_KEY_JSON_BYTES", "MAX_KEY_FILES",
    "MAX_KEY_FILE_BYTES", "AnswerKey", "KeyFile", "dataset_fingerprint", "file_sha256", "is_withheld", "key_record",
    "read_key", "bind_key",
]

# answer-revealing columns: answers, targets, counts, region case, difficulty, and everything derived from the targets
WITHHELD_COLUMNS: tuple[str, ...] = (
    "answer", "ground_truth_count", "ground_truth_clicks", "ground_truth_formal_answer", "all_target_cells",
    "region_target_cells", "region_non_target_count", "num_out_region_targets", "global_target_count",
    "region_target_count", "region_case", "difficulty", "target_cells",
    # which symbol is the odd one (majority vs target identity) and how hard the pair is
    "background_char", "target_char", "source_pair", "pair_direction", "undirected_pair_key", "pair_key",
    "similarity_level", "similarity", "background_emoji", "target_emoji", "majority_style", "target_style",
    "background_unicode", "target_unicode", "background_name_zh", "target_name_zh", "background_name_en",
    "target_name_en", "background_path", "target_path",
)
# a row without any of these cannot be scored: it comes from a withheld split
ANSWER_COLUMNS: tuple[str, ...] = ("ground_truth_formal_answer", "ground_truth_count", "answer")

KEY_FORMAT = "rose-answer-key/2"
KEY_JSON = "answer_key.json"
MAX_KEY_JSON_BYTES = 4 << 20  # the file list of a key: a few KiB for the full benchmark
MAX_KEY_FILES = 10_000
MAX_KEY_FILE_BYTES = 1 << 30  # one key shard (metadata only, no images): far above the full benchmark's
_FINGERPRINT = re.compile(r"sha256:[0-9a-f]{64}")
_FIX = "pass the key folder written by `rose withhold` together with it, unchanged"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dataset_fingerprint(build_dir: Path) -> str:
    """``sha256:<hex>`` of the build's manifest.json (which lists the sha256 of every file of the build)."""
    path = Path(build_dir) / MANIFEST_NAME
    if not path.is_file():
        raise InputError(build_dir, f"no {MANIFEST_NAME}", fix="pass a `rose build` output directory (or its Hub download)")
    return "sha256:" + file_sha256(path)


def is_withheld(row: Mapping[str, Any]) -> bool:
    """True for a row of a withheld split (no answer column at all): it needs the answer key to be scored."""
    for name in ANSWER_COLUMNS:  # a plain loop: this runs once per metadata row
        if name in row:
            return False
    return True


@dataclass(frozen=True)
class KeyFile:
    path: str  # relative to the key folder, e.g. data/t1/test-00000-of-00001.parquet
    size: int
    sha256: str
    rows: int


@dataclass(frozen=True)
class AnswerKey:
    """A key folder whose files were checked against its ``answer_key.json``."""

    root: Path
    split: str
    public_fingerprint: str
    rows: int
    files: tuple[KeyFile, ...]

    def shards(self, folders: Iterable[str]) -> list[Path]:
        """The key's shards of ``folders`` (config folder names), in folder and shard order."""
        return [shard for folder in folders for shard in build_shards(self.root, folder, self.split)]


def key_record(public_fingerprint: str, split: str, files: Sequence[KeyFile]) -> dict:
    """The content of ``answer_key.json`` (what the writer stores and ``read_key`` checks)."""
    return {"format": KEY_FORMAT, "public_fingerprint": public_fingerprint, "split": split,
            "rows": sum(f.rows for f in files),
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256, "rows": f.rows} for f in files]}


def _info(key_dir: Path) -> dict:
    if not key_dir.is_dir():
        raise InputError(key_dir, "answer key folder not found", fix="pass the folder written by `rose withhold --key`")
    path = key_dir / KEY_JSON
    if not path.is_file():
        raise InputError(key_dir, f"no {KEY_JSON}", fix="pass the key folder written by `rose withhold --key`")
    if path.stat().st_size > MAX_KEY_JSON_BYTES:
        raise InputError(path, f"larger than {MAX_KEY_JSON_BYTES} bytes", fix=_FIX)
    try:
        info, error = parse_json(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        info, error = None, f"not UTF-8 text ({exc.reason})"
    if error is not None:
        raise InputError(path, f"not a JSON document: {error}", fix=_FIX)
    if not isinstance(info, dict) or info.get("format") != KEY_FORMAT:
        got = info.get("format") if isinstance(info, dict) else type(info).__name__
        raise InputError(path, f"format {got!r} is not {KEY_FORMAT}", field="format",
                         fix="re-run `rose withhold` with this rose-bench version")
    for name, ok in (("public_fingerprint", lambda v: isinstance(v, str) and _FINGERPRINT.fullmatch(v)),
                     ("split", lambda v: v in SPLITS),
                     ("rows", lambda v: type(v) is int and v >= 0),
                     ("files", lambda v: isinstance(v, list) and 0 < len(v) <= MAX_KEY_FILES)):
        if not ok(info.get(name)):
            raise InputError(path, f"missing or malformed ({info.get(name)!r:.80})", field=name, fix=_FIX)
    return info


def _key_file(key_dir: Path, entry: Any, split: str, where: str) -> KeyFile:
    fields = ("path", "size", "sha256", "rows")
    if not isinstance(entry, dict) or set(entry) != set(fields):
        raise InputError(where, f"expected an object with {', '.join(fields)}", field="files", fix=_FIX)
    rel = entry["path"]
    parts = rel.split("/") if isinstance(rel, str) else []
    match = SHARD_RE.match(parts[2]) if len(parts) == 3 else None
    if not (match and parts[0] == BUILD_DATA_DIR and parts[1] in TEMPLATE_CONFIGS.values() and match["split"] == split):
        raise InputError(where, f"not a {split} shard path of a key: {rel!r:.120}", field="files.path", fix=_FIX)
    if not (type(entry["size"]) is int and type(entry["rows"]) is int and isinstance(entry["sha256"], str)
            and 0 <= entry["size"] <= MAX_KEY_FILE_BYTES and entry["rows"] >= 0):
        raise InputError(where, f"{rel}: size (0..{MAX_KEY_FILE_BYTES}) and rows must be integers, sha256 a string",
                         field="files", fix=_FIX)
    file = KeyFile(rel, entry["size"], entry["sha256"], entry["rows"])
    path = key_dir / rel
    if not path.is_file():
        raise InputError(path, f"listed in {KEY_JSON} but missing", fix=_FIX)
    if path.stat().st_size != file.size:
        raise InputError(path, f"{path.stat().st_size} bytes, {KEY_JSON} records {file.size}", fix=_FIX)
    if file_sha256(path) != file.sha256:
        raise InputError(path, f"sha256 differs from the one {KEY_JSON} records (the key was altered)", fix=_FIX)
    return file


def read_key(key_dir: Path | str) -> AnswerKey:
    """Read and check a key folder: its record, and every shard's presence, size and sha256 (no stray shard)."""
    key_dir = Path(key_dir).expanduser().absolute()
    info = _info(key_dir)
    where = str(key_dir / KEY_JSON)
    files = tuple(_key_file(key_dir, entry, info["split"], where) for entry in info["files"])
    listed = {f.path for f in files}
    if len(listed) != len(files):
        raise InputError(where, "a shard is listed twice", field="files", fix=_FIX)
    present = {p.relative_to(key_dir).as_posix() for p in (key_dir / BUILD_DATA_DIR).glob("*/*.parquet")}
    stray = sorted(present - listed)
    if stray:
        raise InputError(key_dir / stray[0], f"not listed in {KEY_JSON} (a stray shard)", fix=_FIX)
    if sum(f.rows for f in files) != info["rows"]:
        raise InputError(where, f"rows {info['rows']} is not the sum over its files", field="rows", fix=_FIX)
    return AnswerKey(key_dir, info["split"], info["public_fingerprint"], info["rows"], files)


def bind_key(key_dir: Path | str, public_build: Path | str, split: str) -> AnswerKey:
    """``read_key``, then refuse unless the key was made for exactly ``public_build`` and for ``split``."""
    key = read_key(key_dir)
    fingerprint = dataset_fingerprint(Path(public_build))
    if key.public_fingerprint != fingerprint:
        raise InputError(key.root / KEY_JSON,
                         f"answer key is bound to public build {key.public_fingerprint[:19]}..., not to "
                         f"{Path(public_build)} ({fingerprint[:19]}...)", field="public_fingerprint",
                         fix="pass the public build written by the same `rose withhold` run as the key")
    if key.split != split:
        raise InputError(key.root / KEY_JSON, f"answer key holds the {key.split} split, not {split}", field="split",
                         fix=f"pass --split {key.split}")
    return key
