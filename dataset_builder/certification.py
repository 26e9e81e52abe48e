"""The build's solvability check: glue between the render workers and ``rose_bench.solver.certify``.

The worker that renders a scene also answers that scene's rows with the
reference solver (the image and prompts only, scored by ``score_item``), so
certification runs in parallel with rendering and needs no second pass over the
Parquet files.  Any failing row aborts the build before the writer's atomic
rename; the certificate (counts only, no timings) goes to the manifest and card.
The builder imports the solver; the solver never imports the builder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from rose_bench.scoring.errors import CheckFailed
from rose_bench.solver.certify import BuildRow, RowCheck, certificate, check_rows

from .options import BuildError

__all__ = ["CERTIFY_POLICY", "CertificationFailed", "check_scene", "certify_checks", "solvability_record"]

CERTIFY_POLICY = "solver"  # the reference solver of rose_bench.solver
MAX_LISTED_FAILURES = 20


class CertificationFailed(BuildError, CheckFailed):
    """Some built rows cannot be solved from their image and prompts; nothing was written (exit code 1)."""

    def __init__(self, message: str, certificate: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.certificate = certificate


def check_scene(label: str, rows: Sequence[Mapping[str, Any]], base_png: bytes, cued_png: bytes, cued_path: str,
                *, pixels: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[RowCheck, ...]:
    """Solver checks of one scene's rows, each answered from the image it will ship with.

    ``pixels`` are the exact (base, cued) arrays that ``base_png`` / ``cued_png``
    encode; given them, the solver reads those arrays instead of decoding the
    PNGs again.  That is the same check: PNG is lossless, so decoding gives back
    these very pixels (tests/dataset_builder/test_certification.py pins it).
    Each image is read once; each row is answered from its own prompts.
    """
    known = {} if pixels is None else {base_png: pixels[0], cued_png: pixels[1]}
    return tuple(
        check_rows(
            (
                BuildRow(dict(row), cued_png if row["image"] == cued_path else base_png, f"{label}, {row['image']}")
                for row in rows
            ),
            CERTIFY_POLICY,
            pixels=known,
        )
    )


def _failure_message(cert: Mapping[str, Any], out: Path, limit: int = MAX_LISTED_FAILURES) -> str:
    failures = cert["failures"]
    lines = [
        f"solvability check failed: {len(failures)} of {cert['items']} rows cannot be solved from their image and "
        f"prompts by the reference solver; nothing was written to {out}"
    ]
    lines += [f"  FAIL {f['item_id']} [{f['task_template']}, {f['split']}]: {f['reason']}" for f in failures[:limit]]
    if len(failures) > limit:
        lines.append(f"  ... and {len(failures) - limit} more failing rows")
    lines.append("(fix: repair the source/renderer for these items; --no-certify skips the check for quick builds)")
    return "\n".join(lines)


def certify_checks(checks: Iterable[RowCheck], out: Path) -> dict[str, Any]:
    """The certificate of all rows' checks; raises ``CertificationFailed`` unless every row passed."""
    cert = certificate(checks, policy=CERTIFY_POLICY)
    if not cert["ok"]:
        raise CertificationFailed(_failure_message(cert, out), cert)
    return cert


def solvability_record(cert: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the manifest and card record: the certificate minus run details, or why there is none."""
    if cert is None:
        return {
            "certified": False,
            "reason": "built with --no-certify (BuildOptions.certify=False)",
            "how_to_certify": "rose certify <build dir>",
        }
    import rose_bench

    return {
        "certified": bool(cert["ok"]),
        "checker": "rose_bench.solver (reference solver: image and prompts only, scored by score_item)",
        "policy": cert["policy"],
        "solver_version": rose_bench.__version__,
        "rows_checked": cert["items"],
        "rows_passed": cert["passed"],
        "pass_rate": cert["pass_rate"],
        "by_subset": cert["by_subset"],
        "by_template": cert["by_template"],
        "by_subset_template": cert["by_subset_template"],
        "failures": list(cert["failures"]),
    }
