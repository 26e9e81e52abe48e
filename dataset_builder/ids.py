"""Identifiers and seeds of ROSE v0.1 (spec §2.2), plus the one seed-derivation function.

Ids are numbered per subset over dev and test together: scene ``s`` owns the
items ``5(s-1)+t`` (t = template index 1..5) and the images ``2(s-1)+1``
(base) and ``2s`` (cued).  ``item_seed`` is the published label
``Y*10^8 + 10*s + t``; it identifies an item but drives no RNG here --
randomness comes from ``derive_seed(master_seed, ...)`` so that a different
master seed gives a different dataset with the same ids.
"""

from __future__ import annotations

import hashlib

__all__ = [
    "derive_seed",
    "scene_id",
    "item_number",
    "item_id",
    "image_number",
    "image_id",
    "image_path",
    "item_seed",
    "scene_seed",
    "global_click_item_id",
    "matched_local_count_item_id",
]

_TEMPLATES_PER_SCENE = 5
_IMAGES_PER_SCENE = 2


def derive_seed(master_seed: int, *keys: str | int) -> int:
    """A 64-bit seed from ``master_seed`` and a path of keys, via sha256.

    Each key is tagged with its type so ``("1",)`` and ``(1,)`` differ, and
    keys are length-prefixed so ``("ab", "c")`` and ``("a", "bc")`` differ.
    """
    if isinstance(master_seed, bool) or not isinstance(master_seed, int):
        raise TypeError(f"master_seed must be an int, got {type(master_seed).__name__}")
    parts = [f"int:{master_seed}"]
    for key in keys:
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise TypeError(f"seed keys must be str or int, got {key!r} ({type(key).__name__})")
        parts.append(f"{type(key).__name__}:{key}")
    payload = "".join(f"{len(p)}|{p}" for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.sha256(payload).digest()[:8], "big")


def _check_scene(scene: int) -> None:
    if isinstance(scene, bool) or not isinstance(scene, int) or scene < 1:
        raise ValueError(f"scene numbers start at 1, got {scene!r}")


def _check_template(template_index: int) -> None:
    if not 1 <= template_index <= _TEMPLATES_PER_SCENE:
        raise ValueError(f"template index must be 1..{_TEMPLATES_PER_SCENE}, got {template_index!r}")


def scene_id(prefix: str, scene: int) -> str:
    _check_scene(scene)
    return f"{prefix}SCENE_{scene:06d}"


def item_number(scene: int, template_index: int) -> int:
    _check_scene(scene)
    _check_template(template_index)
    return _TEMPLATES_PER_SCENE * (scene - 1) + template_index


def item_id(prefix: str, scene: int, template_index: int) -> str:
    return f"{prefix}ITEM_{item_number(scene, template_index):06d}"


def image_number(scene: int, *, cued: bool) -> int:
    _check_scene(scene)
    return _IMAGES_PER_SCENE * scene if cued else _IMAGES_PER_SCENE * (scene - 1) + 1


def image_id(prefix: str, scene: int, *, cued: bool) -> str:
    return f"{prefix}IMG_{image_number(scene, cued=cued):06d}"


def image_path(subset: str, image_id_: str) -> str:
    """Relative path of an image inside a build (``images/<subset>/<id>.png``)."""
    return f"images/{subset}/{image_id_}.png"


def item_seed(seed_year: int, scene: int, template_index: int) -> int:
    _check_scene(scene)
    _check_template(template_index)
    return seed_year * 10**8 + 10 * scene + template_index


def scene_seed(seed_year: int, scene: int) -> int:
    """The per-scene label ``Y*10^8 + 10*s`` (inferred in §2.2); kept for provenance only."""
    _check_scene(scene)
    return seed_year * 10**8 + 10 * scene


def global_click_item_id(t1_item_id: str) -> str:
    return f"{t1_item_id}__GCLK"


def matched_local_count_item_id(t3_item_id: str) -> str:
    return f"MLCNT_{t3_item_id}"
