"""Typed, validated views of the generator configs (``config/subsets.yaml``, ``config/templates.yaml``).

The YAML files are the data; this module only reads them, checks them once
(errors name the file and the field), and freezes them into dataclasses so the
sampling code never indexes raw dicts.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from rose_bench.scoring.errors import UsageError
from rose_bench.scoring import contract
from rose_bench.scoring.grammar import EXPECTED_OUTPUT_FORMAT, TASK_MODES

__all__ = [
    "CONFIG_DIR",
    "ConfigError",
    "Weighted",
    "DifficultyRule",
    "PairWeights",
    "SubsetSpec",
    "TemplateSpec",
    "BridgeSpec",
    "TemplateConfig",
    "load_subsets",
    "load_templates",
    "config_hash",
]

CONFIG_DIR = Path(__file__).resolve().parent / "config"
SUBSETS_FILE = CONFIG_DIR / "subsets.yaml"
TEMPLATES_FILE = CONFIG_DIR / "templates.yaml"

CASES: tuple[str, ...] = ("zero", "partial", "all")
NUMERIC_REGION_TYPES: tuple[str, ...] = ("ROW_RANGE", "COL_RANGE", "RECTANGLE")
SPAN_KEYS: tuple[str, ...] = ("ROW_RANGE", "COL_RANGE", "RECTANGLE_HEIGHT", "RECTANGLE_WIDTH")
REGION_SAMPLERS: tuple[str, ...] = ("global", "numeric", "visual", "exclusion")


class ConfigError(UsageError):
    """A generator config file is malformed; the message names file, field and fix."""

    def __init__(self, path: Path, field: str, message: str) -> None:
        super().__init__(f"{path}: {field}: {message}")


@dataclass(frozen=True)
class Weighted:
    """A finite distribution: ``values[i]`` has relative weight ``weights[i]``."""

    values: tuple[Any, ...]
    weights: tuple[float, ...]

    def draw(self, rng: random.Random) -> Any:
        return rng.choices(self.values, weights=self.weights, k=1)[0]


DIFFICULTY_CONDITIONS: tuple[str, ...] = ("zero", "large", "many_targets", "busy", "similar")


@dataclass(frozen=True)
class DifficultyRule:
    """The medium/hard rule (§3.7 gives only labels; reconstructed from them, see subsets.yaml).

    An item is hard when every condition of at least one ``hard_when`` clause holds:
    ``zero`` (the achieved region case is zero), ``large`` (the grid profile is in
    ``large_profiles``), ``many_targets`` (the scene has >= ``many_targets`` targets),
    ``busy`` (large or many_targets) and ``similar`` (the pair's ``similar_field`` is
    >= ``similar_min``).  ``reference_similar_min`` is the same cut on v0.1's own
    similarity values, used to check the rule against the v0.1 labels.
    """

    large_profiles: tuple[str, ...]
    many_targets: int
    hard_when: tuple[tuple[str, ...], ...]
    similar_field: str | None = None
    similar_min: float | None = None
    reference_similar_min: float | None = None

    def conditions(self, profile: str, target_count: int, achieved_case: str, pair_fields: Mapping[str, Any]) -> frozenset[str]:
        """The conditions that hold for one item."""
        held = set()
        if achieved_case == "zero":
            held.add("zero")
        if profile in self.large_profiles:
            held.add("large")
        if target_count >= self.many_targets:
            held.add("many_targets")
        if held & {"large", "many_targets"}:
            held.add("busy")
        if self.similar_field is not None and float(pair_fields[self.similar_field]) >= float(self.similar_min):
            held.add("similar")
        return frozenset(held)

    def label(self, profile: str, target_count: int, achieved_case: str, pair_fields: Mapping[str, Any]) -> str:
        held = self.conditions(profile, target_count, achieved_case, pair_fields)
        return "hard" if any(set(clause) <= held for clause in self.hard_when) else "medium"


@dataclass(frozen=True)
class PairWeights:
    """Category-weighted pair choice: ``weights`` of the values of a pair field (e.g. h2_label).

    A pair is used by at most max(ceil(scenes / usable pairs), ``max_uses``) scenes;
    see ``pair_schedule`` for how quotas and reuse follow from it.
    """

    field: str
    weights: tuple[tuple[str, float], ...]
    max_uses: int


@dataclass(frozen=True)
class SubsetSpec:
    name: str
    id_prefix: str
    primitive_type: str
    seed_year: int
    dataset_version: str
    protocol_version: str
    image_split: str
    scenes: int
    dev_scenes: int
    profile_ranges: tuple[tuple[str, int, int], ...]  # (profile, lo, hi), inclusive
    profiles: Weighted
    cell_size: tuple[int, int]
    target_counts: Weighted
    region_types: Weighted
    spans: tuple[tuple[str, Weighted], ...]  # SPAN_KEYS -> span distribution
    profile_spans: tuple[tuple[str, tuple[tuple[str, Weighted], ...]], ...]  # profile -> spans overriding ``spans``
    wanted_cases: Weighted
    difficulty: DifficultyRule
    row_fields: tuple[str, ...]
    pair_weights: PairWeights | None = None
    rectangle_min_ratio: float = 0.0  # RECTANGLE height x width covers at least this share of the grid (when it can)

    def profile_range(self, profile: str) -> tuple[int, int]:
        for name, lo, hi in self.profile_ranges:
            if name == profile:
                return lo, hi
        raise KeyError(f"{self.name} has no grid profile {profile!r}")

    def span(self, key: str, profile: str | None = None) -> Weighted:
        """The span distribution of ``key``; the profile's own one where ``span_weights_by_profile`` gives it."""
        by_profile = dict(self.profile_spans)
        if profile is not None and profile in by_profile:
            return dict(by_profile[profile])[key]
        return dict(self.spans)[key]


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    index: int
    task_mode: str
    region_sampler: str
    image: str  # "base" | "cued"
    expected_output_format: str
    phrases: tuple[tuple[str, str], ...]
    prompt_local: str
    cue: tuple[tuple[str, str], ...]  # empty unless image == "cued"


@dataclass(frozen=True)
class BridgeSpec:
    name: str
    source_template: str
    task_mode: str
    expected_output_format: str
    phrases: tuple[tuple[str, str], ...]
    prompt_local: str
    overrides: tuple[tuple[str, Any], ...]
    extra_fields: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class TemplateConfig:
    prompt_global: str
    base_image: tuple[tuple[str, str], ...]
    templates: tuple[TemplateSpec, ...]  # TEMPLATE_ORDER
    bridges: tuple[BridgeSpec, ...]  # BRIDGE_TEMPLATES order

    def template(self, name: str) -> TemplateSpec:
        for spec in self.templates:
            if spec.name == name:
                return spec
        raise KeyError(name)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(path, "<file>", f"cannot read YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(path, "<file>", "top level must be a mapping")
    return data


def _get(path: Path, mapping: Mapping[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    if key not in mapping:
        raise ConfigError(path, f"{where}.{key}", "missing; add it")
    value = mapping[key]
    if isinstance(value, bool) and kind is not bool:
        raise ConfigError(path, f"{where}.{key}", f"expected {kind}, got a boolean")
    if not isinstance(value, kind):
        raise ConfigError(path, f"{where}.{key}", f"expected {kind}, got {type(value).__name__} {value!r}")
    return value


def _weighted(path: Path, raw: Any, where: str, allowed: Sequence[Any] | None = None) -> Weighted:
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(path, where, "expected a non-empty mapping value -> weight")
    values, weights = [], []
    for value, weight in raw.items():
        if allowed is not None and value not in allowed:
            raise ConfigError(path, f"{where}.{value}", f"unknown value; expected one of {list(allowed)}")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise ConfigError(path, f"{where}.{value}", f"weight must be a number >= 0, got {weight!r}")
        values.append(value)
        weights.append(float(weight))
    if sum(weights) <= 0:
        raise ConfigError(path, where, "weights sum to zero")
    return Weighted(tuple(values), tuple(weights))


def _int_range(path: Path, raw: Any, where: str) -> tuple[int, int]:
    ok = isinstance(raw, list) and len(raw) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in raw)
    if not ok or not 1 <= raw[0] <= raw[1]:
        raise ConfigError(path, where, f"expected [lo, hi] with 1 <= lo <= hi, got {raw!r}")
    return raw[0], raw[1]


def _spans(path: Path, spans_raw: Mapping[str, Any], where: str) -> tuple[tuple[str, Weighted], ...]:
    spans = []
    for key in SPAN_KEYS:
        dist = _weighted(path, spans_raw.get(key), f"{where}.{key}")
        for span in dist.values:
            if not isinstance(span, int) or span < 1:
                raise ConfigError(path, f"{where}.{key}.{span}", "spans must be ints >= 1")
        spans.append((key, dist))
    unknown = sorted(set(spans_raw) - set(SPAN_KEYS))
    if unknown:
        raise ConfigError(path, f"{where}.{unknown[0]}", f"unknown span key; expected {list(SPAN_KEYS)}")
    return tuple(spans)


def _difficulty(path: Path, raw: Mapping[str, Any], where: str, profiles: list[str]) -> DifficultyRule:
    large = _get(path, raw, "large_profiles", where, list)
    for profile in large:
        if profile not in profiles:
            raise ConfigError(path, f"{where}.large_profiles", f"unknown profile {profile!r}; expected one of {profiles}")
    many = _get(path, raw, "many_targets", where, int)
    clauses_raw = _get(path, raw, "hard_when", where, list)
    clauses = []
    for i, clause in enumerate(clauses_raw):
        if not isinstance(clause, list) or not clause or not all(c in DIFFICULTY_CONDITIONS for c in clause):
            raise ConfigError(path, f"{where}.hard_when[{i}]",
                              f"expected a non-empty list of conditions from {list(DIFFICULTY_CONDITIONS)}, got {clause!r}")
        clauses.append(tuple(clause))
    if not clauses:
        raise ConfigError(path, f"{where}.hard_when", "needs at least one clause")
    similar = raw.get("similar")
    uses_similar = any("similar" in c for c in clauses)
    if uses_similar != (similar is not None):
        raise ConfigError(path, f"{where}.similar", "give a `similar` block exactly when a hard_when clause uses `similar`")
    field = cut = reference = None
    if similar is not None:
        if not isinstance(similar, dict):
            raise ConfigError(path, f"{where}.similar", "expected {field, min, reference_min}")
        field = _get(path, similar, "field", f"{where}.similar", str)
        cut = float(_get(path, similar, "min", f"{where}.similar", (int, float)))
        reference = float(_get(path, similar, "reference_min", f"{where}.similar", (int, float)))
    return DifficultyRule(tuple(large), many, tuple(clauses), field, cut, reference)


def _pair_weights(path: Path, raw: Any, where: str) -> PairWeights | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(path, where, "expected {field, max_uses, weights}")
    field = _get(path, raw, "field", where, str)
    max_uses = _get(path, raw, "max_uses", where, int)
    if max_uses < 1:
        raise ConfigError(path, f"{where}.max_uses", f"must be >= 1, got {max_uses}")
    weights = _weighted(path, _get(path, raw, "weights", where, dict), f"{where}.weights")
    return PairWeights(field, tuple((str(v), w) for v, w in zip(weights.values, weights.weights)), max_uses)


def _subset(path: Path, name: str, raw: Any, protocol_version: str) -> SubsetSpec:
    where = f"subsets.{name}"
    if name not in contract.SUBSET_IDS:
        raise ConfigError(path, where, f"unknown subset; expected one of {list(contract.SUBSET_ORDER)}")
    if not isinstance(raw, dict):
        raise ConfigError(path, where, "expected a mapping")
    prefix = _get(path, raw, "id_prefix", where, str)
    ptype = _get(path, raw, "primitive_type", where, str)
    year = _get(path, raw, "seed_year", where, int)
    if (prefix, ptype, year) != contract.SUBSET_IDS[name]:
        raise ConfigError(path, where, f"id_prefix/primitive_type/seed_year must be {contract.SUBSET_IDS[name]} (protocol §2.2)")
    scenes = _get(path, raw, "scenes", where, int)
    dev = _get(path, raw, "dev_scenes", where, int)
    if not 1 <= dev < scenes:
        raise ConfigError(path, f"{where}.dev_scenes", f"need 1 <= dev_scenes < scenes ({scenes}), got {dev}")
    ranges_raw = _get(path, raw, "grid_size_profiles", where, dict)
    ranges = tuple((p, *_int_range(path, r, f"{where}.grid_size_profiles.{p}")) for p, r in ranges_raw.items())
    profiles = _weighted(path, raw.get("profile_weights"), f"{where}.profile_weights", list(ranges_raw))
    targets = _weighted(path, raw.get("target_count_weights"), f"{where}.target_count_weights")
    min_cells = min(lo for _, lo, _ in ranges) ** 2
    for k in targets.values:
        if not isinstance(k, int) or not 1 <= k < min_cells:
            raise ConfigError(path, f"{where}.target_count_weights.{k}", "target counts must be ints >= 1 that fit the smallest grid")
    spans = _spans(path, _get(path, raw, "span_weights", where, dict), f"{where}.span_weights")
    by_profile_raw = raw.get("span_weights_by_profile") or {}
    if not isinstance(by_profile_raw, dict):
        raise ConfigError(path, f"{where}.span_weights_by_profile", "expected a mapping profile -> span weights")
    profile_spans = []
    for profile, spans_raw in by_profile_raw.items():
        if profile not in ranges_raw:
            raise ConfigError(path, f"{where}.span_weights_by_profile.{profile}", f"unknown profile; expected one of {list(ranges_raw)}")
        if not isinstance(spans_raw, dict):
            raise ConfigError(path, f"{where}.span_weights_by_profile.{profile}", "expected a mapping of span weights")
        profile_spans.append((profile, _spans(path, spans_raw, f"{where}.span_weights_by_profile.{profile}")))
    difficulty = _difficulty(path, _get(path, raw, "difficulty", where, dict), f"{where}.difficulty", list(ranges_raw))
    pair_weights = _pair_weights(path, raw.get("pair_weights"), f"{where}.pair_weights")
    min_ratio = raw.get("rectangle_min_ratio", 0.0)
    if isinstance(min_ratio, bool) or not isinstance(min_ratio, (int, float)) or not 0 <= min_ratio < 1:
        raise ConfigError(path, f"{where}.rectangle_min_ratio", f"expected a number in [0, 1), got {min_ratio!r}")
    return SubsetSpec(
        name=name,
        id_prefix=prefix,
        primitive_type=ptype,
        seed_year=year,
        dataset_version=_get(path, raw, "dataset_version", where, str),
        protocol_version=protocol_version,
        image_split=_get(path, raw, "image_split", where, str),
        scenes=scenes,
        dev_scenes=dev,
        profile_ranges=ranges,
        profiles=profiles,
        cell_size=_int_range(path, raw.get("cell_size"), f"{where}.cell_size"),
        target_counts=targets,
        region_types=_weighted(path, raw.get("region_type_weights"), f"{where}.region_type_weights", NUMERIC_REGION_TYPES),
        spans=spans,
        profile_spans=tuple(profile_spans),
        wanted_cases=_weighted(path, raw.get("wanted_case_weights"), f"{where}.wanted_case_weights", CASES),
        difficulty=difficulty,
        row_fields=tuple(_get(path, raw, "row_fields", where, list)),
        pair_weights=pair_weights,
        rectangle_min_ratio=float(min_ratio),
    )


@lru_cache(maxsize=4)
def load_subsets(path: Path = SUBSETS_FILE) -> dict[str, SubsetSpec]:
    """All subset specs, in the official subset order."""
    data = _read_yaml(path)
    protocol = _get(path, data, "protocol_version", "<top>", str)
    raw = _get(path, data, "subsets", "<top>", dict)
    missing = [s for s in contract.SUBSET_ORDER if s not in raw]
    if missing:
        raise ConfigError(path, "subsets", f"missing {missing}")
    return {name: _subset(path, name, raw[name], protocol) for name in contract.SUBSET_ORDER}


def _phrases(path: Path, phrase_sets: Mapping[str, Any], name: str, where: str) -> tuple[tuple[str, str], ...]:
    if name not in phrase_sets or not isinstance(phrase_sets[name], dict):
        raise ConfigError(path, f"{where}.phrases", f"unknown phrase set {name!r}; expected one of {list(phrase_sets)}")
    return tuple((k, str(v)) for k, v in phrase_sets[name].items())


def _mode_and_format(path: Path, raw: Mapping[str, Any], where: str) -> tuple[str, str]:
    mode = _get(path, raw, "task_mode", where, str)
    if mode not in TASK_MODES:
        raise ConfigError(path, f"{where}.task_mode", f"expected one of {list(TASK_MODES)}")
    fmt = _get(path, raw, "expected_output_format", where, str)
    if fmt != EXPECTED_OUTPUT_FORMAT[mode]:
        raise ConfigError(path, f"{where}.expected_output_format", f"must be {EXPECTED_OUTPUT_FORMAT[mode]!r} for {mode}")
    return mode, fmt


@lru_cache(maxsize=4)
def load_templates(path: Path = TEMPLATES_FILE) -> TemplateConfig:
    data = _read_yaml(path)
    prompt_global = contract.PROMPT_GLOBAL
    phrase_sets = _get(path, data, "region_phrases", "<top>", dict)
    raw_templates = _get(path, data, "templates", "<top>", dict)
    templates = []
    for name in contract.TEMPLATE_ORDER:
        where = f"templates.{name}"
        raw = _get(path, raw_templates, name, "templates", dict)
        mode, fmt = _mode_and_format(path, raw, where)
        sampler = _get(path, raw, "region_sampler", where, str)
        if sampler not in REGION_SAMPLERS:
            raise ConfigError(path, f"{where}.region_sampler", f"expected one of {list(REGION_SAMPLERS)}")
        image = _get(path, raw, "image", where, str)
        if image not in ("base", "cued"):
            raise ConfigError(path, f"{where}.image", "expected base or cued")
        cue = raw.get("cue") or {}
        if (image == "cued") != bool(cue):
            raise ConfigError(path, f"{where}.cue", "a cue block is required exactly when image is cued")
        templates.append(
            TemplateSpec(
                name=name,
                index=contract.TEMPLATE_INDEX[name],
                task_mode=mode,
                region_sampler=sampler,
                image=image,
                expected_output_format=fmt,
                phrases=_phrases(path, phrase_sets, _get(path, raw, "phrases", where, str), where),
                prompt_local=_get(path, raw, "prompt_local", where, str),
                cue=tuple((k, str(v)) for k, v in cue.items()),
            )
        )
    raw_bridges = _get(path, data, "bridges", "<top>", dict)
    bridges = []
    for name in contract.BRIDGE_TEMPLATES:
        where = f"bridges.{name}"
        raw = _get(path, raw_bridges, name, "bridges", dict)
        mode, fmt = _mode_and_format(path, raw, where)
        source = _get(path, raw, "source_template", where, str)
        if source not in contract.TEMPLATE_ORDER:
            raise ConfigError(path, f"{where}.source_template", f"expected one of {list(contract.TEMPLATE_ORDER)}")
        bridges.append(
            BridgeSpec(
                name=name,
                source_template=source,
                task_mode=mode,
                expected_output_format=fmt,
                phrases=_phrases(path, phrase_sets, _get(path, raw, "phrases", where, str), where),
                prompt_local=_get(path, raw, "prompt_local", where, str),
                overrides=tuple((raw.get("overrides") or {}).items()),
                extra_fields=tuple(_get(path, raw, "extra_fields", where, dict).items()),
            )
        )
    base = _get(path, data, "base_image", "<top>", dict)
    return TemplateConfig(
        prompt_global=prompt_global,
        base_image=tuple((k, str(v)) for k, v in base.items()),
        templates=tuple(templates),
        bridges=tuple(bridges),
    )


def config_hash(paths: Sequence[Path] = (SUBSETS_FILE, TEMPLATES_FILE)) -> str:
    """sha256 of the parsed configs as canonical JSON: comments and layout do not count, values do."""
    canonical = [json.loads(json.dumps(_read_yaml(p), sort_keys=True, default=str)) for p in paths]
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
