"""Names and fixed orders of the ROSE v0.1 protocol (spec §2, §4, §8)."""

from __future__ import annotations

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
REFERENCE_SOURCE = "REF_MAJORITY"
SELECTION_PREDICATE = "SELECT_DIFFERENT"
TARGET_RULE = "ODD_FROM_MAJORITY"
