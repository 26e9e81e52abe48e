"""Typed, validated view of ``config/templates.yaml``: the five task templates, the two bridges, the prompts.

The YAML file is the data (prompt strings and region phrases verbatim from the
protocol); this module checks it once and freezes it into dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from rose_bench.scoring import contract
from rose_bench.scoring.grammar import EXPECTED_OUTPUT_FORMAT, TASK_MODES

from .config_files import TEMPLATES_FILE, ConfigError, read_yaml, require

__all__ = ["TemplateSpec", "BridgeSpec", "TemplateConfig", "load_templates", "REGION_SAMPLERS"]

REGION_SAMPLERS: tuple[str, ...] = ("global", "numeric", "visual", "exclusion")


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


def _phrases(path: Path, phrase_sets: Mapping[str, Any], name: str, where: str) -> tuple[tuple[str, str], ...]:
    if name not in phrase_sets or not isinstance(phrase_sets[name], dict):
        raise ConfigError(path, f"{where}.phrases", f"unknown phrase set {name!r}; expected one of {list(phrase_sets)}")
    return tuple((k, str(v)) for k, v in phrase_sets[name].items())


def _mode_and_format(path: Path, raw: Mapping[str, Any], where: str) -> tuple[str, str]:
    mode = require(path, raw, "task_mode", where, str)
    if mode not in TASK_MODES:
        raise ConfigError(path, f"{where}.task_mode", f"expected one of {list(TASK_MODES)}")
    fmt = require(path, raw, "expected_output_format", where, str)
    if fmt != EXPECTED_OUTPUT_FORMAT[mode]:
        raise ConfigError(path, f"{where}.expected_output_format", f"must be {EXPECTED_OUTPUT_FORMAT[mode]!r} for {mode}")
    return mode, fmt


@lru_cache(maxsize=4)
def load_templates(path: Path = TEMPLATES_FILE) -> TemplateConfig:
    data = read_yaml(path)
    prompt_global = contract.PROMPT_GLOBAL
    phrase_sets = require(path, data, "region_phrases", "<top>", dict)
    raw_templates = require(path, data, "templates", "<top>", dict)
    templates = []
    for name in contract.TEMPLATE_ORDER:
        where = f"templates.{name}"
        raw = require(path, raw_templates, name, "templates", dict)
        mode, fmt = _mode_and_format(path, raw, where)
        sampler = require(path, raw, "region_sampler", where, str)
        if sampler not in REGION_SAMPLERS:
            raise ConfigError(path, f"{where}.region_sampler", f"expected one of {list(REGION_SAMPLERS)}")
        image = require(path, raw, "image", where, str)
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
                phrases=_phrases(path, phrase_sets, require(path, raw, "phrases", where, str), where),
                prompt_local=require(path, raw, "prompt_local", where, str),
                cue=tuple((k, str(v)) for k, v in cue.items()),
            )
        )
    raw_bridges = require(path, data, "bridges", "<top>", dict)
    bridges = []
    for name in contract.BRIDGE_TEMPLATES:
        where = f"bridges.{name}"
        raw = require(path, raw_bridges, name, "bridges", dict)
        mode, fmt = _mode_and_format(path, raw, where)
        source = require(path, raw, "source_template", where, str)
        if source not in contract.TEMPLATE_ORDER:
            raise ConfigError(path, f"{where}.source_template", f"expected one of {list(contract.TEMPLATE_ORDER)}")
        bridges.append(
            BridgeSpec(
                name=name,
                source_template=source,
                task_mode=mode,
                expected_output_format=fmt,
                phrases=_phrases(path, phrase_sets, require(path, raw, "phrases", where, str), where),
                prompt_local=require(path, raw, "prompt_local", where, str),
                overrides=tuple((raw.get("overrides") or {}).items()),
                extra_fields=tuple(require(path, raw, "extra_fields", where, dict).items()),
            )
        )
    base = require(path, data, "base_image", "<top>", dict)
    return TemplateConfig(
        prompt_global=prompt_global,
        base_image=tuple((k, str(v)) for k, v in base.items()),
        templates=tuple(templates),
        bridges=tuple(bridges),
    )
