"""Where things live in a build directory (the Hugging Face Parquet layout, README "Building the dataset").

Shared by the writer (which creates the layout), the manifest check, the
official-layout exporter and the publisher, so the folder and config names are
spelled in exactly one place.
"""

from __future__ import annotations

from rose_bench.scoring import io as scoring_io
from rose_bench.scoring.constants import T1, T1B, T2, T2B, T3, T4, T5

# One definition of the shard layout, shared with the readers in rose_bench.scoring.
DATA_DIR = scoring_io.BUILD_DATA_DIR
shard_files = scoring_io.build_shards  # (build_dir, folder, split) -> shards in order

DATASET_NAME = "rose-bench"
SPLITS: tuple[str, ...] = ("dev", "test")
MANIFEST_NAME = "manifest.json"
CARD_NAME = "README.md"

# one Parquet folder (and config) per template, in template order
TEMPLATE_CONFIGS: dict[str, str] = {
    T1: "t1",
    T2: "t2",
    T3: "t3",
    T4: "t4",
    T5: "t5",
    T1B: "t1b",
    T2B: "t2b",
}
MAIN_CONFIGS: tuple[str, ...] = ("t1", "t2", "t3", "t4", "t5")
BRIDGE_CONFIGS: dict[str, str] = {"t1b": T1B, "t2b": T2B}

# composite configs: name -> template folders (the first one is the default config)
COMPOSITE_CONFIGS: dict[str, tuple[str, ...]] = {
    "all": MAIN_CONFIGS,
    "count": ("t1", "t2"),
    "action": ("t3", "t4", "t5"),
    "global_click": ("t1b",),
    "matched_local_count": ("t2b",),
}
DEFAULT_CONFIG = "all"

# official release layout (spec §2.2, §13) written by `rose export-official`
OFFICIAL_BRIDGE_DIRS: dict[str, str] = {
    "t1b": "analysis/data/global_click",
    "t2b": "analysis/data/matched_local_count",
}

def all_configs() -> dict[str, tuple[str, ...]]:
    """Every config declared in the README: composites first (default first), then one per template."""
    configs = dict(COMPOSITE_CONFIGS)
    configs.update({name: (name,) for name in TEMPLATE_CONFIGS.values()})
    return configs


def shard_name(split: str, index: int, total: int) -> str:
    return f"{split}-{index:05d}-of-{total:05d}.parquet"


def shard_glob(folder: str, split: str) -> str:
    return f"{DATA_DIR}/{folder}/{split}-*.parquet"
