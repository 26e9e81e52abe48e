"""Where the generator configs live, how they are read, and their one error type.

``config/subsets.yaml`` (``subset_specs``) and ``config/templates.yaml``
(``template_specs``) are the data; errors name the file, the field and the fix.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from rose_bench.scoring.errors import UsageError

__all__ = ["CONFIG_DIR", "SUBSETS_FILE", "TEMPLATES_FILE", "ConfigError", "read_yaml", "require", "config_hash"]

CONFIG_DIR = Path(__file__).resolve().parent / "config"
SUBSETS_FILE = CONFIG_DIR / "subsets.yaml"
TEMPLATES_FILE = CONFIG_DIR / "templates.yaml"


class ConfigError(UsageError):
    """A generator config file is malformed; the message names file, field and fix."""

    def __init__(self, path: Path, field: str, message: str) -> None:
        super().__init__(f"{path}: {field}: {message}")


def read_yaml(path: Path) -> dict[str, Any]:
    """The mapping at the top of a YAML config."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(path, "<file>", f"cannot read YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(path, "<file>", "top level must be a mapping")
    return data


def require(path: Path, mapping: Mapping[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    """``mapping[key]``, which must exist and be a ``kind`` (a boolean is never a number)."""
    if key not in mapping:
        raise ConfigError(path, f"{where}.{key}", "missing; add it")
    value = mapping[key]
    if isinstance(value, bool) and kind is not bool:
        raise ConfigError(path, f"{where}.{key}", f"expected {kind}, got a boolean")
    if not isinstance(value, kind):
        raise ConfigError(path, f"{where}.{key}", f"expected {kind}, got {type(value).__name__} {value!r}")
    return value


def config_hash(paths: Sequence[Path] = (SUBSETS_FILE, TEMPLATES_FILE)) -> str:
    """sha256 of the parsed configs as canonical JSON: comments and layout do not count, values do."""
    canonical = [json.loads(json.dumps(read_yaml(p), sort_keys=True, default=str)) for p in paths]
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
