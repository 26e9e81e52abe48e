"""DatasetWriter: built rows + PNG images -> a Hugging Face Parquet build directory.

Layout: ``data/<template config>/<split>-NNNNN-of-NNNNN.parquet``,
``README.md`` (YAML configs + dataset card) and ``manifest.json``.

Why it is written the way it is:
* Parquet is written with pyarrow directly (same options ``datasets`` 5.x uses:
  uncompressed PLAIN image bytes, snappy + dictionary elsewhere, page index,
  content-defined chunking) and the ``datasets`` feature types in the schema
  metadata, so types survive and the same inputs give byte-identical files.
* Images and rows are spooled to a temporary directory as they arrive (rows
  pickled, ``row_spool``) and read back one row group at a time: the writer's
  memory does not grow with the build (the figures of the card are accumulated
  in one pass over the rows, ``summary.BuildSummary``).
* Everything is written into a temporary directory that replaces ``out_dir``
  only on success; an exception or ``abort()`` leaves no output behind.

``build_info`` given to :meth:`DatasetWriter.commit` (all JSON-serialisable):
  ``seed`` (int, required), ``scale`` (required), ``subsets`` (list, required),
  ``config_hash`` (generator config hash), ``provenance`` ({subset: source.provenance()}),
  ``generator`` (any extra description, e.g. the resolved config), ``choices``
  (list of markdown strings: inferred/unknown protocol choices for the card), ``solvability``
  (the builder's solver certificate record, see ``certification.solvability_record``; absent -> null),
  ``license`` (card licence, default cc-by-4.0).  ``code_version`` is filled in when absent; any
  other key is kept verbatim in the manifest under ``build_options``.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import config as ds_config

from rose_bench.scoring.errors import UsageError
from rose_bench.scoring.contract import (
    BRIDGE_CONFIGS,
    BUILD_DATA_DIR,
    CARD_NAME,
    CONFIG_TEMPLATES,
    DATASET_NAME,
    IMAGE_PATH_PATTERN,
    MAIN_CONFIGS,
    SPLITS,
    SUBSET_ORDER,
    TEMPLATE_CONFIGS,
    TEMPLATE_ORDER,
    image_path,
    shard_name,
)
from rose_bench.scoring.io import atomic_dir

from . import card, fidelity_data, summary
from .fidelity import Tally
from .manifest import code_version, write_manifest
from .parquet_schema import Column, SchemaCollector, SchemaError, encode_value, features_for, parquet_write_options
from .row_spool import RowSpool

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_REQUIRED_INFO = ("seed", "scale", "subsets")
_DESCRIBED_INFO = {"seed", "scale", "subsets", "config_hash", "license", "provenance", "generator", "choices", "code_version", "solvability"}

DEFAULT_MAX_SHARD_BYTES = 500 * 1000 * 1000  # the Hub's usual shard size
DEFAULT_MAX_SHARD_ROWS = 100_000
ROW_GROUP_ROWS = 100  # small row groups keep image pages cheap to read for the dataset viewer


class WriterError(UsageError):
    """Bad rows/images or a bad output location; the message names the item and the fix."""


class DatasetWriter:
    def __init__(
        self,
        out_dir: Path,
        *,
        overwrite: bool = False,
        max_shard_bytes: int = DEFAULT_MAX_SHARD_BYTES,
        max_shard_rows: int = DEFAULT_MAX_SHARD_ROWS,
        row_group_rows: int = ROW_GROUP_ROWS,
    ) -> None:
        self.out_dir = Path(out_dir).absolute()
        self.overwrite = overwrite
        self.max_shard_bytes = max_shard_bytes
        self.max_shard_rows = max_shard_rows
        self.row_group_rows = row_group_rows
        self._check_out_dir()
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self._spool: Path | None = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}.spool-", dir=self.out_dir.parent))
        self._images: dict[str, int] = {}  # relative image path -> size in bytes
        self._rows = RowSpool(self._spool / ".rows.pickle")

    # -- input ---------------------------------------------------------------------------------

    def _check_out_dir(self) -> None:
        """Fail before any work is done (atomic_dir checks again when the output is moved in place)."""
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise WriterError(f"{self.out_dir}: exists and is not a directory (fix: choose another --out)")
        if self.out_dir.is_dir() and any(self.out_dir.iterdir()) and not self.overwrite:
            raise WriterError(f"{self.out_dir}: exists and is not empty (fix: pass --overwrite or choose another --out)")

    def _open(self) -> Path:
        if self._spool is None:
            raise WriterError("writer already committed or aborted (fix: create a new DatasetWriter)")
        return self._spool

    def add_image(self, subset: str, image_id: str, png: bytes) -> str:
        """Spool one PNG; returns its row path (``contract.image_path``).

        Adding the same id again is allowed only with identical bytes.
        """
        spool = self._open()
        if subset not in SUBSET_ORDER:
            raise WriterError(f"image {image_id}: unknown subset {subset!r} (fix: one of {', '.join(SUBSET_ORDER)})")
        if not _SAFE_ID.match(image_id):
            raise WriterError(f"image id {image_id!r}: use letters, digits, '_', '-', '.' only")
        if not png.startswith(PNG_SIGNATURE):
            raise WriterError(f"image {image_id}: bytes are not a PNG (fix: encode with render.png_bytes)")
        rel = image_path(subset, image_id)
        target = spool / rel
        if rel in self._images:
            if target.read_bytes() != png:
                raise WriterError(f"image {image_id}: added twice with different bytes")
            return rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png)
        self._images[rel] = len(png)
        return rel

    def add_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self._open()
        for row in rows:
            if not isinstance(row, Mapping):
                raise WriterError(f"row is a {type(row).__name__}, not a dict")
            item_id = row.get("item_id")
            if not isinstance(item_id, str) or not item_id:
                raise WriterError(f"row without a string item_id: {dict(row)!r:.120}")
            if item_id in self._rows:
                raise WriterError(f"row {item_id}: duplicate item_id")
            template = row.get("task_template")
            if template not in TEMPLATE_CONFIGS:
                raise WriterError(f"row {item_id}: task_template: unknown {template!r} (fix: one of {', '.join(TEMPLATE_CONFIGS)})")
            if row.get("split") not in SPLITS:
                raise WriterError(f"row {item_id}: split: {row.get('split')!r} is not one of {SPLITS}")
            if row.get("rose_subset") not in SUBSET_ORDER:
                raise WriterError(f"row {item_id}: rose_subset: unknown {row.get('rose_subset')!r}")
            expected_image = image_path(row["rose_subset"], str(row.get("image_id")))
            if row.get("image") != expected_image:
                raise WriterError(f"row {item_id}: image: {row.get('image')!r} != {expected_image!r} (fix: image = {IMAGE_PATH_PATTERN})")
            self._rows.add(row)

    # -- output --------------------------------------------------------------------------------

    def commit(self, build_info: Mapping[str, Any]) -> Path:
        """Write Parquet configs, README card and manifest, then move them to ``out_dir`` atomically."""
        self._open()
        missing = [k for k in _REQUIRED_INFO if k not in build_info]
        if missing:
            raise WriterError(f"build_info: missing {', '.join(missing)}")
        if not len(self._rows):
            raise WriterError("no rows were added (fix: add_rows() before commit())")
        passed = self._first_pass()
        info = dict(build_info)
        info.setdefault("code_version", code_version())

        self._check_out_dir()
        with atomic_dir(self.out_dir, overwrite=self.overwrite) as stage:
            parquet_rows, config_features = self._write_parquet(stage, passed)
            description = _describe(info, passed, parquet_rows, self._arrow_bytes, self._columns_of)
            (stage / CARD_NAME).write_text(
                card.render_readme(description, config_features, _data_sizes(stage)), encoding="utf-8"
            )
            write_manifest(stage, description)
        self._cleanup()
        return self.out_dir

    def abort(self) -> None:
        """Drop everything added so far; ``out_dir`` is left as it was."""
        self._cleanup()

    def _cleanup(self) -> None:
        if self._spool is not None:
            shutil.rmtree(self._spool, ignore_errors=True)
            self._spool = None
        self._rows.close()
        self._images.clear()

    def __enter__(self) -> "DatasetWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.abort()  # no-op after a successful commit

    # -- Parquet -------------------------------------------------------------------------------

    def _first_pass(self) -> "_Pass":
        """One read of every row in item_id order: checks, the build's figures, schemas and shard cuts."""
        passed = _Pass(summary.BuildSummary(), Tally(), {i: SchemaCollector(t) for i, (_, t) in enumerate(_GROUPS)}, {})
        group_of = {t: i for i, (_, templates) in enumerate(_GROUPS) for t in templates}
        cut: dict[tuple[str, str], tuple[int, int]] = {}  # (template, split) -> rows and bytes of the open shard
        for row in self._rows.rows(self._rows.ids()):
            if row["image"] not in self._images:
                raise WriterError(f"row {row['item_id']}: image {row['image']} was never added (fix: add_image() it)")
            passed.summary.add(row)
            fidelity_data.tally_row(passed.fidelity, row)
            passed.schemas[group_of[row["task_template"]]].add(row)
            key = (row["task_template"], row["split"])
            row_bytes = self._images[row["image"]] + len(json.dumps(row, ensure_ascii=False, default=str).encode())
            shards = passed.shards.setdefault(key, [0])
            n, size = cut.get(key, (0, 0))
            if n and (n >= self.max_shard_rows or size + row_bytes > self.max_shard_bytes):
                shards.append(0)
                n, size = 0, 0
            shards[-1] += 1
            cut[key] = (n + 1, size + row_bytes)
        return passed

    def _write_parquet(self, stage: Path, passed: "_Pass"):
        """One folder per template config; the five main configs share one schema (the composites span them)."""
        parquet_rows: dict[str, dict[str, int]] = {}
        self._arrow_bytes: dict[str, dict[str, int]] = {}
        self._columns_of: dict[str, tuple[Column, ...]] = {}
        config_features: dict[str, Any] = {}
        for index, (folders, templates) in enumerate(_GROUPS):
            try:
                columns = passed.schemas[index].columns()
            except SchemaError as exc:
                raise WriterError(f"templates {', '.join(templates)}: {exc}") from None
            features = features_for(columns)
            for folder in folders:
                config_features[folder] = features
                self._columns_of[folder] = columns
                template = CONFIG_TEMPLATES[folder]
                parquet_rows[folder] = {}
                self._arrow_bytes[folder] = {}
                for split in SPLITS:
                    ids = self._rows.ids(template, split)
                    shards = passed.shards.get((template, split), [])
                    nbytes = self._write_split(stage / BUILD_DATA_DIR / folder, split, ids, shards, columns, features)
                    parquet_rows[folder][split] = len(ids)
                    self._arrow_bytes[folder][split] = nbytes
        return parquet_rows, config_features

    def _write_split(self, folder: Path, split: str, ids: list[int], shards: list[int], columns: tuple[Column, ...],
                     features) -> int:
        """Write the shards of one folder/split (``shards``: rows per shard); returns the in-memory Arrow size."""
        if not ids:
            return 0  # `datasets` cannot load a 0-row split, so an empty split is left out (README too)
        folder.mkdir(parents=True, exist_ok=True)
        nbytes = 0
        schema = features.arrow_schema
        start = 0
        for index, count in enumerate(shards):
            path = folder / shard_name(split, index, len(shards))
            shard_ids = ids[start : start + count]
            start += count
            with pq.ParquetWriter(path, schema, **parquet_write_options(columns)) as writer:
                writer.add_key_value_metadata({"content_defined_chunking": json.dumps(ds_config.DEFAULT_CDC_OPTIONS)})
                for first in range(0, len(shard_ids), self.row_group_rows):
                    chunk = list(self._rows.rows(shard_ids[first : first + self.row_group_rows]))
                    table = pa.Table.from_pydict(self._columns(chunk, columns), schema=schema)
                    writer.write_table(table, row_group_size=len(chunk))
                    nbytes += table.nbytes
        return nbytes

    def _columns(self, rows: list[dict[str, Any]], columns: tuple[Column, ...]) -> dict[str, list[Any]]:
        spool = self._open()
        data: dict[str, list[Any]] = {c.name: [] for c in columns}
        for row in rows:
            for col in columns:
                if col.dtype == "image":
                    data[col.name].append({"bytes": (spool / row["image"]).read_bytes(), "path": row["image"]})
                    continue
                try:
                    data[col.name].append(encode_value(col, row.get(col.name)))
                except SchemaError as exc:
                    raise WriterError(f"row {row['item_id']}: field {col.name}: {exc}") from None
        return data


def _data_sizes(stage: Path) -> dict[str, int]:
    """Bytes of Parquet per template folder (the card's download sizes)."""
    return {
        folder.name: sum(p.stat().st_size for p in folder.glob("*.parquet"))
        for folder in sorted((stage / BUILD_DATA_DIR).iterdir())
        if folder.is_dir()
    }


@dataclass
class _Pass:
    """What the first pass over the rows collects (see ``DatasetWriter._first_pass``)."""

    summary: summary.BuildSummary
    fidelity: Tally  # `rose stats` counters of the test bridge rows
    schemas: dict[int, SchemaCollector]  # per _GROUPS entry
    shards: dict[tuple[str, str], list[int]]  # (template, split) -> rows per shard


# template config groups that share one schema: the five main configs, then each bridge config
_GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (MAIN_CONFIGS, TEMPLATE_ORDER), *(((cfg,), (template,)) for cfg, template in BRIDGE_CONFIGS.items()))


def _describe(info: Mapping[str, Any], passed: _Pass, parquet_rows, arrow_bytes, columns) -> dict[str, Any]:
    """The manifest body (minus files) and the card's input: one description of the build."""
    counts = passed.summary.counts()
    counts["parquet_rows"] = parquet_rows
    counts["arrow_bytes"] = arrow_bytes
    return {
        "dataset_name": DATASET_NAME,
        "code_version": info["code_version"],
        "seed": info["seed"],
        "scale": info["scale"],
        "subsets": list(info["subsets"]),
        "config_hash": info.get("config_hash"),
        "license": info.get("license"),
        "versions": passed.summary.versions(),
        "counts": counts,
        "statistics": passed.summary.statistics(),
        "fidelity": fidelity_data.build_report(passed.fidelity),  # `rose stats` vs v0.1 (fixed seed): the card's table
        "provenance": info.get("provenance") or {},
        "generator": info.get("generator") or {},
        "choices": list(info.get("choices") or []),
        "solvability": info.get("solvability"),
        # anything else the builder recorded (e.g. scenes_per_subset), kept verbatim
        "build_options": {k: v for k, v in info.items() if k not in _DESCRIBED_INFO},
        "row_key_order": passed.summary.row_key_order(),
        "columns": {folder: [[c.name, c.dtype] for c in cols] for folder, cols in columns.items()},
    }
