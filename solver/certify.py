"""Certify a build: answer every row from its image and prompts alone, then score it.

A row is answered by a policy (the reference solver by default) that sees only
the PNG bytes, ``prompt_global`` and ``prompt_local`` -- never the metadata --
and is scored with ``rose_bench.scoring.item.score_item`` like any model.  PASS
1.0 on every row of every template and bridge is the proof that each item is
solvable as posed.  The certificate is plain data (no timings) so the builder
can store it in the manifest.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence

import numpy as np
from PIL import Image

from rose_bench.scoring.errors import UsageError
from rose_bench.scoring.contract import SUBSET_ORDER, TEMPLATE_ORDER, BRIDGE_TEMPLATES
from rose_bench.scoring.item import score_item

from rose_bench.scoring.completeness import check_complete
from rose_bench.scoring.io import parquet_rows
from rose_bench.scoring.contract import SPLITS, TEMPLATE_CONFIGS, build_shards
from .grid_detect import GridNotFound, ImageTooLarge, detect_grid, open_image, to_pixels
from .policies import get_policy
from .prompt_region import PromptNotUnderstood
from .solve import solve, solver_for

__all__ = ["CertifyError", "BuildRow", "RowCheck", "iter_build_rows", "check_row", "check_rows", "certificate", "certify", "CONFIG_TEMPLATES"]

CONFIG_TEMPLATES: dict[str, str] = {config: template for template, config in TEMPLATE_CONFIGS.items()}
_BATCH_ROWS = 32


class CertifyError(UsageError):
    """The build directory cannot be read; the message names the path and the fix."""


@dataclass(frozen=True)
class BuildRow:
    meta: dict[str, Any]  # metadata row, ``image`` holding the image's path string
    png: bytes
    source: str  # "<parquet file>:<row index>" (or the build's scene) for error messages


@dataclass(frozen=True)
class RowCheck:
    """The outcome of one row: small and picklable, so build workers can return it."""

    rose_subset: str
    task_template: str
    passed: bool
    failure: dict[str, Any] | None  # item id, answer, expected, reason, source -- None when passed


def _config_of(name: str) -> str:
    """Accept a config folder ("t4") or a template name ("T4_CLICK_VISUAL_REGION")."""
    if name in CONFIG_TEMPLATES:
        return name
    if name in TEMPLATE_CONFIGS:
        return TEMPLATE_CONFIGS[name]
    known = ", ".join(list(CONFIG_TEMPLATES) + list(TEMPLATE_CONFIGS))
    raise CertifyError(f"unknown template {name!r} (fix: one of {known})")


def _image_bytes(build_dir: Path, value: Any, source: str) -> tuple[bytes, Any]:
    if isinstance(value, Mapping):
        data, path = value.get("bytes"), value.get("path")
        if data:
            return bytes(data), path
        if path and (build_dir / path).is_file():
            return (build_dir / path).read_bytes(), path
    raise CertifyError(f"{source}: image: no PNG bytes (fix: rebuild; images are stored in the 'image' column)")


def iter_build_rows(build_dir: Path, configs: Sequence[str], splits: Sequence[str]) -> Iterator[BuildRow]:
    """Rows of the requested template configs and splits, in config, split, shard and row order."""
    build_dir = Path(build_dir)
    if not (build_dir / "data").is_dir():
        raise CertifyError(f"{build_dir}: no data/ folder (fix: point at a directory written by 'rose build --out')")
    check_complete(build_dir, configs, splits)  # a build that lost a shard or rows is refused, not certified
    for config in configs:
        for split in splits:
            for shard in build_shards(build_dir, config, split):
                for index, row in enumerate(parquet_rows(shard, batch_size=_BATCH_ROWS, fix="rebuild with 'rose build'")):
                    source = f"{shard}:{index}"
                    if "image" not in row:
                        raise CertifyError(f"{shard}: no 'image' column (fix: rebuild with the current writer)")
                    png, path = _image_bytes(build_dir, row["image"], source)
                    meta = dict(row)
                    meta["image"] = path
                    yield BuildRow(meta, png, source)


def _decode(png: bytes, source: str) -> Image.Image:
    """The row's image, its size checked from the header before decoding (a bad image is bad input: exit 2)."""
    try:
        return open_image(png)
    except ImageTooLarge as exc:
        raise CertifyError(f"{source}: image: {exc}") from None
    except Exception as exc:  # PIL raises many types for corrupt data
        raise CertifyError(f"{source}: image: not a decodable PNG ({type(exc).__name__}: {exc}) (fix: rebuild)") from None


Answerer = Callable[[Mapping[str, Any]], tuple[Optional[str], Optional[str]]]


def _caught(answer: Callable[[], str]) -> tuple[str | None, str | None]:
    """(answer, None), or (None, error) when the solver cannot read the grid or the prompt."""
    try:
        return answer(), None
    except (GridNotFound, PromptNotUnderstood) as exc:
        return None, f"{type(exc).__name__}: {exc}"


def _answerer(policy: str, image: Image.Image | np.ndarray) -> Answerer:
    """Answers for the rows of one image -- a policy sees the image and the two prompts only.

    The reference solver reads the image once for all its rows (``solve.solver_for``); other policies see it per row.
    """
    chosen = get_policy(policy)
    if chosen is solve:
        solve_prompt = solver_for(image if isinstance(image, np.ndarray) else to_pixels(image))
        return lambda meta: _caught(lambda: solve_prompt(str(meta.get("prompt_local") or "")))
    pil = Image.fromarray(image, mode="RGB") if isinstance(image, np.ndarray) else image
    return lambda meta: _caught(lambda: chosen(pil, str(meta.get("prompt_global") or ""),
                                               str(meta.get("prompt_local") or "")))


def _diagnosis(png: bytes, meta: Mapping[str, Any]) -> str:
    """Why a row failed, in terms a builder can act on (metadata used only here, after answering)."""
    try:
        with Image.open(io.BytesIO(png)) as img:
            geometry = detect_grid(to_pixels(img))
    except GridNotFound as exc:
        return f"grid not found: {exc}"
    seen = (geometry.rows, geometry.cols, geometry.cell_size)
    stored = (meta.get("rows"), meta.get("cols"), meta.get("cell_size"))
    if seen != stored:
        return f"grid read as {seen[0]}x{seen[1]} @ {seen[2]} px, metadata says {stored[0]}x{stored[1]} @ {stored[2]} px"
    return "grid read correctly; odd cells or region differ"


def _scored(row: BuildRow, answered: tuple[str | None, str | None], policy: str) -> RowCheck:
    """Score one answer like any model's and, if it fails, record why."""
    meta = row.meta
    answer, error = answered
    scored = score_item(meta, answer, model=f"rose-{policy}")
    ok = bool(scored["pass"])
    subset, template = str(meta.get("rose_subset")), str(meta.get("task_template"))
    failure = None
    if not ok:
        reason = error or (
            f"answered {answer!r}, expected {meta.get('ground_truth_formal_answer')!r}"
            + (f" (parse_error {scored.get('parse_error')})" if scored.get("parse_error") else "")
            + f"; {_diagnosis(row.png, meta)}"
        )
        failure = {
            "item_id": meta.get("item_id"),
            "rose_subset": subset,
            "split": meta.get("split"),
            "task_template": template,
            "answer": answer,
            "expected": meta.get("ground_truth_formal_answer"),
            "reason": reason,
            "source": row.source,
        }
    return RowCheck(subset, template, ok, failure)


def check_row(row: BuildRow, policy: str = "solver", *, image: Image.Image | None = None) -> RowCheck:
    """Answer one row from its PNG and prompts, score it, and say why if it fails (pure; safe in workers).

    ``image`` is ``row.png`` already decoded (policies only read it), so rows sharing an image decode it once.
    """
    img = image if image is not None else _decode(row.png, row.source)
    return _scored(row, _answerer(policy, img)(row.meta), policy)


def check_rows(
    rows: Iterable[BuildRow], policy: str = "solver", *, pixels: Mapping[bytes, np.ndarray] | None = None
) -> Iterator[RowCheck]:
    """``check_row`` over rows in order, each distinct image decoded once (and read once by the solver).

    ``pixels`` maps PNG bytes to the exact uint8 RGB array they encode (a
    builder's own render): such images are not decoded again.  PNG is lossless,
    so decoding would give back that very array; tests pin the equality.
    Readings are kept until the iteration ends: meant for one scene's rows (they share two images).
    """
    known = pixels or {}
    answerers: dict[bytes, Answerer] = {}
    for row in rows:
        if row.png not in answerers:
            array = known.get(row.png)
            answerers[row.png] = _answerer(policy, array if array is not None else _decode(row.png, row.source))
        yield _scored(row, answerers[row.png](row.meta), policy)


def _tally() -> dict[str, int]:
    return {"items": 0, "passed": 0}


def _rates(counts: Mapping[str, Mapping[str, int]], order: Iterable[str]) -> dict[str, dict[str, Any]]:
    ranked = [k for k in order if k in counts] + sorted(k for k in counts if k not in set(order))
    return {
        k: {"items": counts[k]["items"], "passed": counts[k]["passed"], "pass_rate": counts[k]["passed"] / counts[k]["items"]}
        for k in ranked
    }


def certificate(
    checks: Iterable[RowCheck],
    *,
    policy: str = "solver",
    splits: Sequence[str] = SPLITS,
    templates: Sequence[str] = tuple(CONFIG_TEMPLATES.values()),
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Fold per-row checks (in row order) into the certificate; ``ok`` is True iff every row passed."""
    by_subset: dict[str, dict[str, int]] = defaultdict(_tally)
    by_template: dict[str, dict[str, int]] = defaultdict(_tally)
    by_pair: dict[tuple[str, str], dict[str, int]] = defaultdict(_tally)
    failures: list[dict[str, Any]] = []
    total = passed = 0
    for check in checks:
        for counts in (by_subset[check.rose_subset], by_template[check.task_template], by_pair[(check.rose_subset, check.task_template)]):
            counts["items"] += 1
            counts["passed"] += check.passed
        total += 1
        passed += check.passed
        if check.failure is not None:
            failures.append(check.failure)
        if progress:
            progress(1)
    template_order = TEMPLATE_ORDER + BRIDGE_TEMPLATES
    subset_templates: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for (subset, template), counts in by_pair.items():
        subset_templates[subset][template] = counts
    return {
        "policy": policy,
        "splits": list(splits),
        "templates": list(templates),
        "items": total,
        "passed": passed,
        "pass_rate": passed / total if total else None,
        "ok": total > 0 and passed == total,
        "by_subset": _rates(by_subset, SUBSET_ORDER),
        "by_template": _rates(by_template, template_order),
        "by_subset_template": {
            s: _rates(subset_templates[s], template_order)
            for s in [s for s in SUBSET_ORDER if s in subset_templates] + sorted(set(subset_templates) - set(SUBSET_ORDER))
        },
        "failures": failures,
    }


def certify(
    build_dir: Path,
    *,
    policy: str = "solver",
    splits: Sequence[str] = SPLITS,
    templates: Sequence[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Answer and score every selected row of a build directory; returns the certificate."""
    configs = [_config_of(t) for t in templates] if templates else list(CONFIG_TEMPLATES)
    for split in splits:
        if split not in SPLITS:
            raise CertifyError(f"unknown split {split!r} (fix: one of {', '.join(SPLITS)})")
    get_policy(policy)  # unknown names fail before any row is read
    checks = (check_row(row, policy) for row in iter_build_rows(build_dir, configs, splits))
    cert = certificate(checks, policy=policy, splits=splits, templates=[CONFIG_TEMPLATES[c] for c in configs], progress=progress)
    if cert["items"] == 0:
        raise CertifyError(
            f"{build_dir}: no rows for templates {configs} and splits {list(splits)} (fix: check --split/--templates)"
        )
    return cert
