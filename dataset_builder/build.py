"""``rose build``: scenes -> images + rows -> DatasetWriter, for each requested subset.

Pure steps (planning scenes, tasks, rows) run in the parent; only rendering
fans out to worker processes.  Every random choice comes from
``derive_seed(master_seed, subset, ...)`` and results are consumed in scene
order, so the output is byte-identical for any ``--workers``.  Scene ``s`` of a
subset depends only on (seed, subset, s, the source's pair list): a smaller
``--scale`` gives a prefix of the same scenes (only the dev/test split moves).

Solvability (on unless ``certify=False`` / ``--no-certify``): the worker that
renders a scene also answers that scene's rows with the reference solver
(``solver.certify.check_row``: the PNG bytes and prompts only, scored by
``score_item``), so certification runs in parallel with rendering and needs no
second pass over the Parquet files.  Any failing row aborts the build before
the writer's atomic rename; the certificate (counts only, no timings) goes to
the manifest and the dataset card.
"""

from __future__ import annotations

import os
import random
import signal
import sys
from collections import Counter
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import yaml
from tqdm import tqdm

from rose_bench.scoring.contract import SUBSET_ORDER, TEMPLATE_ORDER

from rose_bench.scoring.contract import image_id, image_path

from .ids import derive_seed
from .rows import subset_fields, to_row
from .scene import Scene, sample_scene
from .sources.base import ElementPair, Source
from .specs import CONFIG_DIR, SubsetSpec, TemplateConfig, config_hash, load_subsets, load_templates
from .split import assign_splits, scaled_counts
from .tasks import TaskInstance, build_scene_tasks

__all__ = [
    "DEFAULT_SEED",
    "BuildError",
    "CertificationFailed",
    "BuildOptions",
    "SubsetPlan",
    "plan_subset",
    "render_scene",
    "run_build",
]

# 2026-06-19: the v0.1 release month (arXiv 2606.19965); any int works, this one is the documented default.
DEFAULT_SEED = 20260619


class BuildError(ValueError):
    """Bad build options or inputs; the message says what to change."""


class CertificationFailed(BuildError):
    """Some built rows cannot be solved from their image and prompts; nothing was written."""

    def __init__(self, message: str, certificate: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.certificate = certificate


CERTIFY_POLICY = "solver"  # the reference solver of rose_bench.solver
MAX_LISTED_FAILURES = 20


@dataclass(frozen=True)
class BuildOptions:
    out: Path
    seed: int = DEFAULT_SEED
    scale: float = 1.0
    scenes_per_subset: int | None = None
    subsets: tuple[str, ...] = SUBSET_ORDER
    workers: int = 1
    overwrite: bool = False
    progress: bool = True
    certify: bool = True  # answer every row with the reference solver before committing (False: quick builds)
    source_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class SubsetPlan:
    """Everything about one subset except pixels."""

    spec: SubsetSpec
    scenes: tuple[Scene, ...]
    tasks: tuple[tuple[TaskInstance, ...], ...]  # per scene: T1..T5, T1B, T2B
    rows: tuple[dict[str, Any], ...]
    pairs_available: int


def parse_subsets(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """Subset names from a comma list (short names like "ChineseGlyph" accepted), in official order."""
    if text is None:
        return SUBSET_ORDER
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    if not names:
        raise BuildError("--subsets is empty (fix: e.g. --subsets ROSE-ChineseGlyph,ROSE-PixelEdit)")
    wanted = set()
    for name in names:
        full = name if name.startswith("ROSE-") else f"ROSE-{name}"
        if full not in SUBSET_ORDER:
            raise BuildError(f"unknown subset {name!r} (fix: one of {', '.join(SUBSET_ORDER)})")
        wanted.add(full)
    return tuple(s for s in SUBSET_ORDER if s in wanted)


def choose_pairs(pairs: Sequence[ElementPair], subset: str, master_seed: int, count: int) -> list[ElementPair]:
    """``count`` distinct pairs: a seeded shuffle of the whole list, first ``count`` taken (one pair <-> one scene)."""
    keys = [p.pair_key for p in pairs]
    dupes = sorted(k for k, n in Counter(keys).items() if n > 1)
    if dupes:
        raise BuildError(f"{subset}: the source lists duplicate pair_key values {dupes[:5]} (fix the source's pairs())")
    if len(pairs) < count:
        raise BuildError(
            f"{subset}: the source offers {len(pairs)} pairs but the build needs {count} scenes, one pair each "
            f"(fix: lower --scale / --scenes-per-subset or install more assets)"
        )
    order = list(pairs)
    random.Random(derive_seed(master_seed, subset, "pairs")).shuffle(order)
    return order[:count]


def plan_subset(
    spec: SubsetSpec,
    config: TemplateConfig,
    source: Source,
    master_seed: int,
    *,
    scale: float = 1.0,
    scenes: int | None = None,
) -> SubsetPlan:
    """Scenes, tasks and rows of one subset (no rendering, no disk)."""
    total, dev = scaled_counts(spec, scale=scale, scenes=scenes)
    pairs = list(source.pairs())
    chosen = choose_pairs(pairs, spec.name, master_seed, total)
    splits = assign_splits(spec, master_seed, total, dev)
    scene_list, task_list, rows = [], [], []
    for number in range(1, total + 1):
        rng = random.Random(derive_seed(master_seed, spec.name, number, "scene"))
        scene = sample_scene(rng, spec, chosen[number - 1], number=number, split=splits[number - 1])
        tasks = build_scene_tasks(scene, spec, config, master_seed)
        fields = subset_fields(scene.pair.fields, source.scene_fields(scene.pair, scene.cell_size))
        scene_list.append(scene)
        task_list.append(tasks)
        rows.extend(to_row(t, fields, spec.row_fields) for t in tasks)
    return SubsetPlan(spec, tuple(scene_list), tuple(task_list), tuple(rows), len(pairs))


def cue_region(tasks: Sequence[TaskInstance]):
    """The region highlighted on the scene's cued image (the T4 task's region)."""
    cued = [t for t in tasks if t.image_region.region_type != "GLOBAL"]
    regions = {t.image_region for t in cued}
    if len(regions) != 1:
        raise BuildError(f"expected exactly one cued region per scene, got {regions}")
    return regions.pop()


def render_scene(source: Source, scene: Scene, region) -> tuple[bytes, bytes]:
    """PNG bytes of the base image and of the cued image (base + highlight of ``region``)."""
    from . import render  # PIL-heavy; imported only when pixels are needed

    pair = scene.pair
    majority = source.render_tile(pair.majority, pair, scene.cell_size)
    target = source.render_tile(pair.target, pair, scene.cell_size)
    base = render.render_grid(majority, target, scene.rows, scene.cols, scene.cell_size, scene.targets)
    cued = render.add_cue(base, region, scene.cell_size)
    return render.png_bytes(base), render.png_bytes(cued)


# -- worker processes ----------------------------------------------------------------------------

_WORKER_SOURCES: dict[str, Source] = {}

# (subset, scene, cue region, rows to certify or None, path of the cued image)
RenderJob = tuple[str, Scene, Any, "tuple[dict[str, Any], ...] | None", str]


def _init_worker(sources: Mapping[str, Source]) -> None:
    # Ctrl-C is handled once, by the parent (abort + cleanup); workers just stop when the pool shuts down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_SOURCES.clear()
    _WORKER_SOURCES.update(sources)


def check_scene(subset: str, scene: Scene, rows: Sequence[Mapping[str, Any]], base_png: bytes, cued_png: bytes, cued_path: str) -> tuple:
    """Solver checks of one scene's rows, each answered from the PNG bytes it will ship with."""
    from rose_bench.solver.certify import BuildRow, check_rows

    return tuple(
        check_rows(
            (
                BuildRow(dict(row), cued_png if row["image"] == cued_path else base_png, f"{subset} scene {scene.number}, {row['image']}")
                for row in rows
            ),
            CERTIFY_POLICY,
        )
    )


def _process(source: Source, job: RenderJob) -> tuple[bytes, bytes, tuple | None]:
    subset, scene, region, rows, cued_path = job
    base_png, cued_png = render_scene(source, scene, region)
    checks = None if rows is None else check_scene(subset, scene, rows, base_png, cued_png, cued_path)
    return base_png, cued_png, checks


def _render_job(job: RenderJob) -> tuple[bytes, bytes, tuple | None]:
    return _process(_WORKER_SOURCES[job[0]], job)


def _render_all(executor: Executor | None, sources: Mapping[str, Source], jobs: Iterable[RenderJob]) -> Iterator[tuple[bytes, bytes, tuple | None]]:
    if executor is None:
        for job in jobs:
            yield _process(sources[job[0]], job)
    else:
        yield from executor.map(_render_job, jobs, chunksize=2)


def _scene_rows(plan: "SubsetPlan") -> Iterator[tuple[dict[str, Any], ...]]:
    """``plan.rows`` cut back into per-scene groups (rows were emitted scene by scene, one per task)."""
    start = 0
    for tasks in plan.tasks:
        yield plan.rows[start : start + len(tasks)]
        start += len(tasks)


# -- solvability certificate ---------------------------------------------------------------------

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


def failure_message(cert: Mapping[str, Any], out: Path, limit: int = MAX_LISTED_FAILURES) -> str:
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


# -- statistics ----------------------------------------------------------------------------------

def plan_statistics(plan: SubsetPlan) -> dict[str, Any]:
    """Per-subset figures recorded in build_info (independent of the writer's own summary)."""
    by_template: dict[str, Counter] = {t: Counter() for t in TEMPLATE_ORDER}
    difficulty: dict[str, Counter] = {t: Counter() for t in TEMPLATE_ORDER}
    for tasks in plan.tasks:
        for t in tasks:
            if t.task_template in by_template:
                by_template[t.task_template][t.region_case] += 1
                difficulty[t.task_template][t.difficulty] += 1
    scenes = plan.scenes
    return {
        "scenes": len(scenes),
        "dev_scenes": sum(s.split == "dev" for s in scenes),
        "test_scenes": sum(s.split == "test" for s in scenes),
        "pairs_available": plan.pairs_available,
        "rows": len(plan.rows),
        "grid_size_profile": dict(sorted(Counter(s.profile for s in scenes).items())),
        "global_target_count": {str(k): v for k, v in sorted(Counter(len(s.targets) for s in scenes).items())},
        "cell_size": [min(s.cell_size for s in scenes), max(s.cell_size for s in scenes)],
        "region_case": {t: dict(sorted(c.items())) for t, c in by_template.items()},
        "difficulty": {t: dict(sorted(c.items())) for t, c in difficulty.items()},
    }


def _choices() -> list[str]:
    data = yaml.safe_load((CONFIG_DIR / "choices.yaml").read_text(encoding="utf-8"))
    return [str(c) for c in data.get("choices", [])]


# -- orchestration -------------------------------------------------------------------------------

def _check_options(options: BuildOptions) -> None:
    if options.scenes_per_subset is None:
        scale = options.scale
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0 or scale != scale:
            raise BuildError(f"--scale must be a number > 0, got {scale!r}")
    elif isinstance(options.scenes_per_subset, bool) or not isinstance(options.scenes_per_subset, int) or options.scenes_per_subset < 2:
        raise BuildError(f"--scenes-per-subset must be an integer >= 2 (one dev + one test scene), got {options.scenes_per_subset!r}")
    if options.workers < 1:
        raise BuildError(f"--workers must be >= 1, got {options.workers}")
    if isinstance(options.seed, bool) or not isinstance(options.seed, int) or options.seed < 0:
        raise BuildError(f"--seed must be a non-negative integer, got {options.seed!r}")
    parse_subsets(list(options.subsets))
    out = Path(options.out)
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out}: exists and is not a directory (fix: choose another --out)")
    if out.is_dir() and any(out.iterdir()) and not options.overwrite:
        raise BuildError(f"{out}: exists and is not empty (fix: pass --overwrite or choose another --out)")


def run_build(options: BuildOptions, sources: Mapping[str, Source] | None = None) -> Path:
    """Build the dataset described by ``options`` into ``options.out``; returns the output path.

    ``sources`` overrides the registry (subset -> Source), e.g. for tests.
    Nothing is left at ``out`` (or next to it) if anything fails or is interrupted.
    """
    from .sources.registry import get_source
    from .writer import DatasetWriter

    _check_options(options)
    subsets = parse_subsets(list(options.subsets))
    specs = load_subsets()
    config = load_templates()
    resolved: dict[str, Source] = {}
    for subset in subsets:
        if sources is not None and subset in sources:
            resolved[subset] = sources[subset]
        else:
            try:
                resolved[subset] = get_source(
                    subset, seed=derive_seed(options.seed, subset, "source"), **dict(options.source_options.get(subset, {}))
                )
            except LookupError as exc:
                raise BuildError(str(exc)) from exc

    plans = [
        plan_subset(specs[s], config, resolved[s], options.seed, scale=options.scale, scenes=options.scenes_per_subset)
        for s in subsets
    ]

    writer = DatasetWriter(Path(options.out), overwrite=options.overwrite)
    executor: ProcessPoolExecutor | None = None
    try:
        if options.workers > 1:
            executor = ProcessPoolExecutor(max_workers=options.workers, initializer=_init_worker, initargs=(resolved,))
        checks: list = []
        for plan in plans:
            subset = plan.spec.name
            prefix = plan.spec.id_prefix
            jobs = (
                (
                    subset,
                    scene,
                    cue_region(tasks),
                    rows if options.certify else None,
                    image_path(subset, image_id(prefix, scene.number, cued=True)),
                )
                for scene, tasks, rows in zip(plan.scenes, plan.tasks, _scene_rows(plan))
            )
            desc = f"{subset} render" + (" + certify" if options.certify else "")
            bar = tqdm(total=len(plan.scenes), desc=desc, unit="scene", disable=not options.progress, file=sys.stderr)
            with bar:
                for scene, (base_png, cued_png, scene_checks) in zip(plan.scenes, _render_all(executor, resolved, jobs)):
                    if scene_checks is not None:
                        checks.extend(scene_checks)
                    for cued, png in ((False, base_png), (True, cued_png)):
                        iid = image_id(prefix, scene.number, cued=cued)
                        stored = writer.add_image(subset, iid, png)
                        if stored != image_path(subset, iid):
                            raise BuildError(f"writer stored {iid} at {stored}, rows expect {image_path(subset, iid)}")
                    bar.update(1)
            writer.add_rows(plan.rows)
        cert = None
        if options.certify:
            from rose_bench.solver.certify import certificate

            cert = certificate(checks, policy=CERTIFY_POLICY)
            if not cert["ok"]:
                raise CertificationFailed(failure_message(cert, Path(options.out)), cert)
        info = {
            "seed": options.seed,
            "scale": options.scale,
            "scenes_per_subset": options.scenes_per_subset,
            "subsets": list(subsets),
            "config_hash": config_hash(),
            "protocol_version": specs[subsets[0]].protocol_version,
            "versions": {s: specs[s].dataset_version for s in subsets},
            "provenance": {s: resolved[s].provenance() for s in subsets},
            "generator": {
                "default_seed": DEFAULT_SEED,
                "statistics": {plan.spec.name: plan_statistics(plan) for plan in plans},
            },
            "choices": _choices(),
            "solvability": solvability_record(cert),
        }
        return writer.commit(info)
    except BaseException:
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
            executor = None
        writer.abort()
        raise
    finally:
        if executor is not None:
            executor.shutdown()


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))
