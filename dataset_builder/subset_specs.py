"""Typed, validated view of ``config/subsets.yaml``: one frozen ``SubsetSpec`` per visual subset.

The YAML file is the data; this module only reads it, checks it once (errors
name the file and the field), and freezes it into dataclasses so the sampling
code never indexes raw dicts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

from rose_bench.scoring import contract

from .config_files import SUBSETS_FILE, ConfigError, read_yaml, require

__all__ = ["Weighted", "DifficultyRule", "PairWeights", "SubsetSpec", "load_subsets", "SPAN_KEYS"]

NUMERIC_REGION_TYPES: tuple[str, ...] = ("ROW_RANGE", "COL_RANGE", "RECTANGLE")
SPAN_KEYS: tuple[str, ...] = ("ROW_RANGE", "COL_RANGE", "RECTANGLE_HEIGHT", "RECTANGLE_WIDTH")


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
    large = require(path, raw, "large_profiles", where, list)
    for profile in large:
        if profile not in profiles:
            raise ConfigError(path, f"{where}.large_profiles", f"unknown profile {profile!r}; expected one of {profiles}")
    many = require(path, raw, "many_targets", where, int)
    clauses_raw = require(path, raw, "hard_when", where, list)
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
        field = require(path, similar, "field", f"{where}.similar", str)
        cut = float(require(path, similar, "min", f"{where}.similar", (int, float)))
        reference = float(require(path, similar, "reference_min", f"{where}.similar", (int, float)))
    return DifficultyRule(tuple(large), many, tuple(clauses), field, cut, reference)


def _pair_weights(path: Path, raw: Any, where: str) -> PairWeights | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(path, where, "expected {field, max_uses, weights}")
    field = require(path, raw, "field", where, str)
    max_uses = require(path, raw, "max_uses", where, int)
    if max_uses < 1:
        raise ConfigError(path, f"{where}.max_uses", f"must be >= 1, got {max_uses}")
    weights = _weighted(path, require(path, raw, "weights", where, dict), f"{where}.weights")
    return PairWeights(field, tuple((str(v), w) for v, w in zip(weights.values, weights.weights)), max_uses)


def _subset(path: Path, name: str, raw: Any, protocol_version: str) -> SubsetSpec:
    where = f"subsets.{name}"
    if name not in contract.SUBSET_IDS:
        raise ConfigError(path, where, f"unknown subset; expected one of {list(contract.SUBSET_ORDER)}")
    if not isinstance(raw, dict):
        raise ConfigError(path, where, "expected a mapping")
    prefix = require(path, raw, "id_prefix", where, str)
    ptype = require(path, raw, "primitive_type", where, str)
    year = require(path, raw, "seed_year", where, int)
    if (prefix, ptype, year) != contract.SUBSET_IDS[name]:
        raise ConfigError(path, where, f"id_prefix/primitive_type/seed_year must be {contract.SUBSET_IDS[name]} (protocol §2.2)")
    scenes = require(path, raw, "scenes", where, int)
    dev = require(path, raw, "dev_scenes", where, int)
    if not 1 <= dev < scenes:
        raise ConfigError(path, f"{where}.dev_scenes", f"need 1 <= dev_scenes < scenes ({scenes}), got {dev}")
    ranges_raw = require(path, raw, "grid_size_profiles", where, dict)
    ranges = tuple((p, *_int_range(path, r, f"{where}.grid_size_profiles.{p}")) for p, r in ranges_raw.items())
    profiles = _weighted(path, raw.get("profile_weights"), f"{where}.profile_weights", list(ranges_raw))
    targets = _weighted(path, raw.get("target_count_weights"), f"{where}.target_count_weights")
    min_cells = min(lo for _, lo, _ in ranges) ** 2
    for k in targets.values:
        if not isinstance(k, int) or not 1 <= k < min_cells:
            raise ConfigError(path, f"{where}.target_count_weights.{k}", "target counts must be ints >= 1 that fit the smallest grid")
    spans = _spans(path, require(path, raw, "span_weights", where, dict), f"{where}.span_weights")
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
    difficulty = _difficulty(path, require(path, raw, "difficulty", where, dict), f"{where}.difficulty", list(ranges_raw))
    pair_weights = _pair_weights(path, raw.get("pair_weights"), f"{where}.pair_weights")
    min_ratio = raw.get("rectangle_min_ratio", 0.0)
    if isinstance(min_ratio, bool) or not isinstance(min_ratio, (int, float)) or not 0 <= min_ratio < 1:
        raise ConfigError(path, f"{where}.rectangle_min_ratio", f"expected a number in [0, 1), got {min_ratio!r}")
    return SubsetSpec(
        name=name,
        id_prefix=prefix,
        primitive_type=ptype,
        seed_year=year,
        dataset_version=require(path, raw, "dataset_version", where, str),
        protocol_version=protocol_version,
        image_split=require(path, raw, "image_split", where, str),
        scenes=scenes,
        dev_scenes=dev,
        profile_ranges=ranges,
        profiles=profiles,
        cell_size=_int_range(path, raw.get("cell_size"), f"{where}.cell_size"),
        target_counts=targets,
        region_types=_weighted(path, raw.get("region_type_weights"), f"{where}.region_type_weights", NUMERIC_REGION_TYPES),
        spans=spans,
        profile_spans=tuple(profile_spans),
        wanted_cases=_weighted(path, raw.get("wanted_case_weights"), f"{where}.wanted_case_weights", contract.REGION_CASES),
        difficulty=difficulty,
        row_fields=tuple(require(path, raw, "row_fields", where, list)),
        pair_weights=pair_weights,
        rectangle_min_ratio=float(min_ratio),
    )


@lru_cache(maxsize=4)
def load_subsets(path: Path = SUBSETS_FILE) -> dict[str, SubsetSpec]:
    """All subset specs, in the official subset order."""
    data = read_yaml(path)
    protocol = require(path, data, "protocol_version", "<top>", str)
    raw = require(path, data, "subsets", "<top>", dict)
    missing = [s for s in contract.SUBSET_ORDER if s not in raw]
    if missing:
        raise ConfigError(path, "subsets", f"missing {missing}")
    return {name: _subset(path, name, raw[name], protocol) for name in contract.SUBSET_ORDER}
