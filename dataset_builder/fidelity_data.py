"""Rows for ``rose stats``: the bridge rows of a build, of an official-layout folder, or the packaged v0.1 reference."""

from __future__ import annotations

import gzip
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rose_bench.scoring.contract import BRIDGE_CONFIGS, T1B, T2B, TEMPLATE_CONFIGS, build_shards
from rose_bench.scoring.io import InputError, parquet_rows, parse_jsonl

REFERENCE_DIR = Path(__file__).resolve().parent / "reference" / "rose-v0.1"
LEVEL_OF_TEMPLATE = {T1B: "scene", T2B: "region"}
MAX_REFERENCE_BYTES = 512 * 1024 * 1024  # bound on any one reference file read into memory
COLUMNS = (
    "task_template", "rose_subset", "split", "grid_size_profile", "rows", "cols", "cell_size", "image_width",
    "image_height", "global_target_count", "target_cells", "region_type", "region_case", "region_ratio",
    "region_cell_count", "difficulty", "h2_label", "similarity_level",
)

Grouped = dict[str, dict[str, list[Mapping[str, Any]]]]


def level_of(row: Mapping[str, Any], split: str | None) -> str | None:
    """"scene" (T1B) or "region" (T2B) for a bridge row of ``split`` -- None: every split; a row without a
    ``split`` field counts, as in ``rose score`` -- else None (the one row filter of ``group`` and ``tally_row``)."""
    level = LEVEL_OF_TEMPLATE.get(str(row.get("task_template")))
    return level if level and (split is None or row.get("split", split) == split) else None


def group(rows: Iterable[Mapping[str, Any]], split: str | None) -> Grouped:
    """``{level: {subset: rows}}`` of the bridge rows of ``split`` (None: every split)."""
    out: Grouped = defaultdict(lambda: defaultdict(list))
    for row in rows:
        level = level_of(row, split)
        if level:
            out[level][str(row.get("rose_subset"))].append(row)  # read only: compare never changes a row
    return {level: dict(by_subset) for level, by_subset in out.items()}


def build_rows(build: Path, split: str) -> list[dict[str, Any]]:
    """The T1B and T2B rows of one split of a ``rose build`` directory (images not read)."""
    rows: list[dict[str, Any]] = []
    for folder in BRIDGE_CONFIGS:
        shards = build_shards(build, folder, split)
        if not shards:
            raise InputError(build, f"no {folder}/{split}-*.parquet shards",
                             fix=f"pass a `rose build` directory with bridge rows in split {split!r}")
        for shard in shards:
            rows += parquet_rows(shard, COLUMNS, require=False)
    return rows


def jsonl_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a .jsonl or .jsonl.gz file (a leading UTF-8 BOM is accepted)."""
    try:
        if path.stat().st_size > MAX_REFERENCE_BYTES:
            raise InputError(path, f"larger than {MAX_REFERENCE_BYTES} bytes", fix="pass the bridge metadata files only")
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(path, f"cannot read ({exc})", fix="pass a readable .jsonl or .jsonl.gz file") from None
    if len(raw) > MAX_REFERENCE_BYTES:
        raise InputError(path, f"decompresses to more than {MAX_REFERENCE_BYTES} bytes", fix="pass the bridge metadata files only")
    rows = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 ({exc.reason} at byte {exc.start})", fix="save the file as UTF-8") from None
    for number, row, error in parse_jsonl(text):  # the one JSONL policy (a leading BOM is stripped)
        if error is not None:
            raise InputError(path, error, line=number, fix="one JSON object per line")
        if not isinstance(row, dict):
            raise InputError(path, "not a JSON object", line=number, fix="one JSON object per line")
        rows.append(row)
    return rows


def reference_rows(sources: Sequence[Path] | None) -> list[dict[str, Any]]:
    """Rows of the reference: the packaged v0.1 bridge rows by default, else files, folders or a build."""
    if not sources:
        return [r for p in sorted(REFERENCE_DIR.glob("*.jsonl.gz")) for r in jsonl_rows(p)]
    rows: list[dict[str, Any]] = []
    for source in sources:
        if source.is_dir():
            if (source / "data").is_dir():
                rows += build_rows(source, "test")
                continue
            files = sorted([*source.rglob("*metadata_test.jsonl"), *source.rglob("*metadata_test.jsonl.gz")])
            if not files:
                raise InputError(source, "no *metadata_test.jsonl(.gz) files and no data/ folder",
                                 fix="pass the official release root, its analysis/data folder, or a build")
            rows += [r for f in files for r in jsonl_rows(f)]
        elif source.is_file():
            rows += jsonl_rows(source)
        else:
            raise InputError(source, "not found", fix="pass existing files or folders to --reference")
    return rows


def template_folders() -> dict[str, str]:
    """Bridge template -> build folder (for messages)."""
    return {t: TEMPLATE_CONFIGS[t] for t in LEVEL_OF_TEMPLATE}


def tally_row(tally: Any, row: Mapping[str, Any], split: str = "test") -> None:
    """Add ``row`` to a ``fidelity.Tally`` if it is a bridge row of ``split`` (the writer's one-pass path)."""
    level = level_of(row, split)
    if level is not None:
        tally.add(level, str(row.get("rose_subset")), row)


def build_report(tally: Any, split: str = "test") -> dict[str, Any]:
    """``rose stats`` of a build's ``fidelity.Tally`` (rows of ``split``, ``tally_row``) against the packaged
    v0.1 reference, as JSON (fixed seed and permutations).

    The writer records it in manifest.json and the dataset card renders it; it is a pure
    function of the rows, so it never breaks the byte-identity of a rebuild.
    """
    from . import fidelity

    verdict = fidelity.compare(tally, group(reference_rows(None), None))
    report = fidelity.to_json(verdict, permutations=fidelity.DEFAULT_PERMUTATIONS, seed=fidelity.DEFAULT_SEED)
    return {"reference": "ROSE v0.1 test bridge rows (packaged)", "split": split, **report}
