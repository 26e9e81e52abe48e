"""The one seed-derivation function of the builder; id formats live in ``rose_bench.scoring.contract``.

Ids such as ``item_seed`` are published labels that drive no RNG: randomness
comes from ``derive_seed(master_seed, ...)`` so that a different master seed
gives a different dataset with the same ids.
"""

from __future__ import annotations

import hashlib

__all__ = ["derive_seed"]


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
