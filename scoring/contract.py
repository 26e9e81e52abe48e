"""The data contract: names, orders, layout and id formats of ROSE (protocol §2, §4, §5, §8).

Every other module imports these facts; none spells them again.  Changing one
here changes the format everywhere (builder, scorer, solver, lmms-eval tasks).
"""

from __future__ import annotations

import re
from pathlib import Path

SUBSET_ORDER: tuple[str, ...] = (
    "ROSE-ChineseGlyph",
    "ROSE-EmojiStyle",
    "ROSE-EmojiContent",
    "ROSE-PixelEdit",
    "ROSE-PixelContent",
)

SUBSET_SHORT: dict[str, str] = {s: s.removeprefix("ROSE-") for s in SUBSET_ORDER}

# subset -> (id prefix, primitive_type, seed year Y)
SUBSET_IDS: dict[str, tuple[str, str, int]] = {
    "ROSE-ChineseGlyph": ("CH", "CHINESE_GLYPH", 2026),
    "ROSE-EmojiStyle": ("ESTY", "EMOJI_STYLE", 2026),
    "ROSE-EmojiContent": ("ECON", "EMOJI_CONTENT", 2026),
    "ROSE-PixelEdit": ("PEDIT", "PIXEL_EDIT", 2027),
    "ROSE-PixelContent": ("PCONT", "PIXEL_CONTENT", 2027),
}

T1 = "T1_COUNT_GLOBAL"
T2 = "T2_COUNT_LOCAL_NUMERIC"
T3 = "T3_CLICK_LOCAL_NUMERIC"
T4 = "T4_CLICK_VISUAL_REGION"
T5 = "T5_CLICK_COUNT_EXCLUSION"
T1B = "T1B_CLICK_GLOBAL"
T2B = "T2B_COUNT_LOCAL_MATCHED"

TEMPLATE_ORDER: tuple[str, ...] = (T1, T2, T3, T4, T5)
BRIDGE_TEMPLATES: tuple[str, ...] = (T1B, T2B)
COUNT_TEMPLATES: tuple[str, ...] = (T1, T2)
ACTION_TEMPLATES: tuple[str, ...] = (T3, T4, T5)

# short names as written by the official evaluator (tables use "Excl-CS" in the paper)
TEMPLATE_SHORT: dict[str, str] = {
    T1: "G-Cnt",
    T2: "L-Cnt",
    T3: "L-Clk",
    T4: "V-Clk",
    T5: "Excl. C+S",
}
TEMPLATE_INDEX: dict[str, int] = {t: i + 1 for i, t in enumerate(TEMPLATE_ORDER)}

MODEL_DISPLAY: dict[str, str] = {
    "qwen3-vl-flash": "Qwen3-VL-Flash",
    "qwen3-vl-plus": "Qwen3-VL-Plus",
    "qwen3.6-plus": "Qwen3.6-Plus",
    "claude46sonnet": "Claude-Sonnet-4.6",
    "claude-sonnet-4.6": "Claude-Sonnet-4.6",
    "claude48opus": "Claude-Opus-4.8",
    "claude-opus-4.8": "Claude-Opus-4.8",
    "glm-4.6v": "GLM-4.6V",
    "glm46v": "GLM-4.6V",
    "glm-5v-turbo": "GLM-5V-Turbo",
    "glm5vturbo": "GLM-5V-Turbo",
    "gemini31pro": "Gemini-3.1-Pro",
    "gemini-3.1-pro": "Gemini-3.1-Pro",
    "gpt55none": "GPT-5.5",
    "gpt-5.5": "GPT-5.5",
    "human": "Human",
}

# constant fields of every row
PROMPT_GLOBAL = 'You are given a grid image. Rows are counted from top to bottom, and columns from left to right, both starting from 1. Output only the formal answer in the required format. Do not output any explanation.\n\nAllowed answer formats:\n1) COUNT(n)\n2) CLICK(Rr,Cc); CLICK(Rr,Cc); ...; DONE\n3) CLICK(Rr,Cc); CLICK(Rr,Cc); ...; SUBMIT(n)\n\nExamples:\nCOUNT(3)\nCLICK(R2,C5); CLICK(R4,C7); DONE\nCLICK(R2,C5); CLICK(R4,C7); SUBMIT(2)\n'  # verbatim, protocol §4.3
REFERENCE_SOURCE = "REF_MAJORITY"
SELECTION_PREDICATE = "SELECT_DIFFERENT"
TARGET_RULE = "ODD_FROM_MAJORITY"

# region_case: how many of the scene's targets the task region holds; a region drawn for another
# ("wanted") case because none fitted is labelled fallback_<achieved>_wanted_<wanted> (protocol §3.4)
REGION_CASES: tuple[str, ...] = ("zero", "partial", "all")
REGION_CASE_PATTERN = r"^(zero|partial|all|fallback_(zero|partial|all)_wanted_(zero|partial|all))$"


def region_case_of(inside: int, targets: int) -> str:
    """zero / partial / all for a region holding ``inside`` of the scene's ``targets`` targets."""
    return "zero" if inside == 0 else ("all" if inside == targets else "partial")


def region_case_label(achieved: str, wanted: str) -> str:
    """The ``region_case`` value of a region that achieved ``achieved`` when ``wanted`` was drawn."""
    return achieved if achieved == wanted else f"fallback_{achieved}_wanted_{wanted}"


def achieved_case(label: str) -> str:
    """The case a ``region_case`` label achieved: ``fallback_<achieved>_wanted_<wanted>`` -> ``<achieved>``."""
    if re.fullmatch(REGION_CASE_PATTERN, label) is None:
        raise ValueError(f"malformed region_case {label!r}")
    return label.split("_")[1] if label.startswith("fallback_") else label

# --------------------------------------------------------------------------- size limits of any input
# Every size read from text, metadata or pixels is checked against these before any work
# proportional to it.  They sit far above ROSE v0.1 (grids of at most 18x18 cells, images of at most
# 2368 px per side; protocol §3.1), so they only refuse inputs that are not ROSE items.
MAX_GRID_ROWS = 100  # rows of a grid (metadata ``rows``, region rows, grids seen in an image)
MAX_GRID_COLS = 100  # columns likewise
MAX_IMAGE_SIDE = 8192  # pixels per image side
MAX_IMAGE_PIXELS = 4096 * 4096  # pixels per image (width x height), checked from the header before decoding


# --------------------------------------------------------------------------- splits and build layout
# A build is a Hugging Face dataset directory:
#   <build>/data/<config folder>/<split>-NNNNN-of-NNNNN.parquet, README.md (card), manifest.json
SPLITS: tuple[str, ...] = ("dev", "test")
DATASET_NAME = "rose-bench"
# a Hugging Face Hub dataset id: owner/name, each part starting with a letter or digit
HUB_REPO_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
BUILD_DATA_DIR = "data"
MANIFEST_NAME = "manifest.json"
CARD_NAME = "README.md"

# one Parquet folder (and config) per template, in template order
TEMPLATE_CONFIGS: dict[str, str] = {T1: "t1", T2: "t2", T3: "t3", T4: "t4", T5: "t5", T1B: "t1b", T2B: "t2b"}
MAIN_CONFIGS: tuple[str, ...] = tuple(TEMPLATE_CONFIGS[t] for t in TEMPLATE_ORDER)
BRIDGE_CONFIGS: dict[str, str] = {TEMPLATE_CONFIGS[t]: t for t in BRIDGE_TEMPLATES}
CONFIG_TEMPLATES: dict[str, str] = {folder: template for template, folder in TEMPLATE_CONFIGS.items()}

# composite configs: name -> template folders (the first one is the default config)
COMPOSITE_CONFIGS: dict[str, tuple[str, ...]] = {
    "all": MAIN_CONFIGS,
    "count": tuple(TEMPLATE_CONFIGS[t] for t in COUNT_TEMPLATES),
    "action": tuple(TEMPLATE_CONFIGS[t] for t in ACTION_TEMPLATES),
    "global_click": (TEMPLATE_CONFIGS[T1B],),
    "matched_local_count": (TEMPLATE_CONFIGS[T2B],),
}
DEFAULT_CONFIG = "all"

# official release layout (protocol §2.2, §13) written by `rose export-official`
OFFICIAL_BRIDGE_DIRS: dict[str, str] = {
    TEMPLATE_CONFIGS[T1B]: "analysis/data/global_click",
    TEMPLATE_CONFIGS[T2B]: "analysis/data/matched_local_count",
}
OFFICIAL_METADATA_NAME = "metadata_{split}.jsonl"
OFFICIAL_BRIDGE_METADATA_NAME = "{kind}_metadata_{split}.jsonl"

SHARD_RE = re.compile(r"^(?P<split>[A-Za-z]+)-(?P<index>\d{5})-of-(?P<total>\d{5})\.parquet$")


def is_hub_repo_id(value: str) -> bool:
    return bool(HUB_REPO_ID_RE.match(value or ""))


def all_configs() -> dict[str, tuple[str, ...]]:
    """Every config of a build: composites first (default first), then one per template."""
    configs = dict(COMPOSITE_CONFIGS)
    configs.update({name: (name,) for name in TEMPLATE_CONFIGS.values()})
    return configs


def shard_name(split: str, index: int, total: int) -> str:
    return f"{split}-{index:05d}-of-{total:05d}.parquet"


def shard_glob(folder: str, split: str) -> str:
    return f"{BUILD_DATA_DIR}/{folder}/{split}-*.parquet"


def build_shards(build_dir: Path, folder: str, split: str) -> list[Path]:
    """The Parquet shards of one config folder and split of a build, in shard order."""
    base = Path(build_dir) / BUILD_DATA_DIR / folder
    return [
        path for path in sorted(base.glob(f"{split}-*.parquet"))
        if (match := SHARD_RE.match(path.name)) and match["split"] == split
    ]


# --------------------------------------------------------------------------- ids (protocol §2.2)
# Ids are numbered per subset over dev and test together: scene ``s`` owns the
# items ``5(s-1)+t`` (t = template index 1..5) and the images ``2(s-1)+1``
# (base) and ``2s`` (cued).  ``item_seed`` is the published label
# ``Y*10^8 + 10*s + t``; it identifies an item but drives no RNG.
TEMPLATES_PER_SCENE = len(TEMPLATE_ORDER)
IMAGES_PER_SCENE = 2
GLOBAL_CLICK_SUFFIX = "__GCLK"
MATCHED_LOCAL_COUNT_PREFIX = "MLCNT_"


def _check_scene(scene: int) -> None:
    if isinstance(scene, bool) or not isinstance(scene, int) or scene < 1:
        raise ValueError(f"scene numbers start at 1, got {scene!r}")


def _check_template(template_index: int) -> None:
    if not 1 <= template_index <= TEMPLATES_PER_SCENE:
        raise ValueError(f"template index must be 1..{TEMPLATES_PER_SCENE}, got {template_index!r}")


def scene_id(prefix: str, scene: int) -> str:
    _check_scene(scene)
    return f"{prefix}SCENE_{scene:06d}"


def item_number(scene: int, template_index: int) -> int:
    _check_scene(scene)
    _check_template(template_index)
    return TEMPLATES_PER_SCENE * (scene - 1) + template_index


def item_id(prefix: str, scene: int, template_index: int) -> str:
    return f"{prefix}ITEM_{item_number(scene, template_index):06d}"


def image_number(scene: int, *, cued: bool) -> int:
    _check_scene(scene)
    return IMAGES_PER_SCENE * scene if cued else IMAGES_PER_SCENE * (scene - 1) + 1


def image_id(prefix: str, scene: int, *, cued: bool) -> str:
    return f"{prefix}IMG_{image_number(scene, cued=cued):06d}"


def image_path(subset: str, image_id_: str) -> str:
    """Relative path of an image inside a build or an official export: ``images/<subset>/<id>.png``."""
    return f"images/{subset}/{image_id_}.png"


IMAGE_PATH_PATTERN = image_path("<rose_subset>", "<image_id>")


def item_seed(seed_year: int, scene: int, template_index: int) -> int:
    _check_scene(scene)
    _check_template(template_index)
    return seed_year * 10**8 + 10 * scene + template_index


def scene_seed(seed_year: int, scene: int) -> int:
    """The per-scene label ``Y*10^8 + 10*s`` (inferred in protocol §2.2); kept for provenance only."""
    _check_scene(scene)
    return seed_year * 10**8 + 10 * scene


def global_click_item_id(t1_item_id: str) -> str:
    return f"{t1_item_id}{GLOBAL_CLICK_SUFFIX}"


def matched_local_count_item_id(t3_item_id: str) -> str:
    return f"{MATCHED_LOCAL_COUNT_PREFIX}{t3_item_id}"
