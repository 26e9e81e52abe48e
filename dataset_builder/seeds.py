"""Every random generator of a build is made here, from the master seed.

``derive_seed(master_seed, *keys)`` turns the master seed and a path of keys
(subset, scene, purpose ...) into an independent 64-bit seed, so one purpose's
draws never shift another's and ``rose build --seed`` changes all of them.
Ids such as ``item_seed`` are published labels that drive no generator.

A source gets its seed through the ``Source`` protocol (``pairs(seed)``, the
seed being ``derive_seed(master_seed, subset, "source")``) and draws per pair
from ``keyed_rng(seed, pair_key)``, which depends on that seed and the pair
alone, so a pair's draws do not move when the list around it changes.
No other module constructs a generator (``tests/dataset_builder/test_seeds.py``
scans the builder for it).
"""

from __future__ import annotations

import hashlib
import random

__all__ = ["derive_seed", "derive_rng", "keyed_rng"]


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


def derive_rng(master_seed: int, *keys: str | int) -> random.Random:
    """The private generator of one purpose: ``Random(derive_seed(master_seed, *keys))``."""
    return random.Random(derive_seed(master_seed, *keys))


def keyed_rng(seed: int | str, key: str) -> random.Random:
    """The generator of one keyed item (a source's pair) under ``seed``: ``Random(f"{seed}:{key}")``.

    ``seed`` is a source seed from ``derive_seed``; the text is seeded by Python's
    documented string seeding (sha512 of the text), identical on every platform.
    A *name* instead of a seed makes a draw that is the same in every build: an
    asset property, such as the edit that turns a PixelEdit sprite into its target.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, str)):
        raise TypeError(f"keyed_rng seed must be an int or a name, got {seed!r}")
    if not isinstance(key, str) or not key:
        raise TypeError(f"keyed_rng key must be a non-empty string, got {key!r}")
    return random.Random(f"{seed}:{key}")


def numpy_rng(seed: int):
    """A NumPy generator for one seeded statistical purpose (``rose stats`` permutations): ``default_rng(seed)``."""
    import numpy

    return numpy.random.default_rng(seed)
