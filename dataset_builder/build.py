"""``rose build``: options -> plans -> rendered (and certified) scenes -> ``DatasetWriter``, per subset.

Planning (``plan``: scenes, tasks, rows) is pure and runs in this process, a
window of scenes at a time; only rendering and the solver check fan out to
worker processes (``render_pool``), and their results are consumed in scene
order, so the output is byte-identical for any ``--workers``.  Every random choice comes from ``seeds.derive_seed``.
With ``certify`` (the default) every row is answered by the reference solver
from its image and prompts (``certification``); a failing row aborts the build
before the writer's atomic rename.  Figures describing the build are computed
once, from the rows, by the writer (``summary``).
"""

from __future__ import annotations

import sys
from collections import deque
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml
from tqdm import tqdm

from rose_bench.scoring.contract import image_id, image_path

from .certification import certify_checks, solvability_record
from .options import DEFAULT_SEED, BuildError, BuildOptions
from .plan import ScenePlan, SubsetSchedule, iter_scene_plans, schedule_subset
from .render_pool import RenderJob, RenderPool
from .sources.base import Source
from .config_files import CONFIG_DIR, config_hash
from .subset_specs import load_subsets
from .template_specs import load_templates
from .writer import DatasetWriter

__all__ = ["run_build", "resolve_sources", "load_choices"]

CHOICES_FILE = CONFIG_DIR / "choices.yaml"


def load_choices() -> list[str]:
    """The generator choices (markdown lines) recorded in the manifest and shown on the dataset card."""
    data = yaml.safe_load(CHOICES_FILE.read_text(encoding="utf-8"))
    return [str(c) for c in data.get("choices", [])]


def resolve_sources(subsets: tuple[str, ...], given: Mapping[str, Source] | None) -> dict[str, Source]:
    """``given`` sources (e.g. test sources) where present, the registered one for every other subset."""
    from .sources.registry import get_source

    resolved: dict[str, Source] = {}
    for subset in subsets:
        if given is not None and subset in given:
            resolved[subset] = given[subset]
            continue
        try:
            resolved[subset] = get_source(subset)
        except LookupError as exc:
            raise BuildError(str(exc)) from exc
    return resolved


def _job(scene_plan: ScenePlan, prefix: str, certify: bool) -> RenderJob:
    return RenderJob(
        scene=scene_plan.scene,
        cue_region=scene_plan.cue_region,
        cued_path=scene_plan.image_path(prefix, cued=True),
        rows=scene_plan.rows if certify else None,
    )


def _write_subset(
    writer: DatasetWriter, pool: RenderPool, scene_plans: Iterator[ScenePlan], schedule: SubsetSchedule,
    options: BuildOptions, checks: list,
) -> None:
    """Render (and check) every scene in scene order and hand its images and rows to the writer.

    Scenes are planned lazily, as the pool asks for jobs: planning runs while the
    workers render the scenes already queued, and the pool keeps only a few jobs
    per worker in flight, so memory does not grow with the build.
    """
    subset, prefix = schedule.spec.name, schedule.spec.id_prefix
    desc = f"{subset} render" + (" + certify" if options.certify else "")
    planned: deque[ScenePlan] = deque()

    def jobs() -> Iterator[RenderJob]:
        for scene_plan in scene_plans:
            planned.append(scene_plan)
            yield _job(scene_plan, prefix, options.certify)

    with tqdm(total=len(schedule), desc=desc, unit="scene", disable=not options.progress, file=sys.stderr) as bar:
        for done in pool.map(jobs()):
            scene_plan = planned.popleft()
            if done.checks is not None:
                checks.extend(done.checks)
            for cued, png in ((False, done.base_png), (True, done.cued_png)):
                iid = image_id(prefix, scene_plan.scene.number, cued=cued)
                stored = writer.add_image(subset, iid, png)
                if stored != image_path(subset, iid):
                    raise BuildError(f"writer stored {iid} at {stored}, rows expect {image_path(subset, iid)}")
            writer.add_rows(scene_plan.rows)
            bar.update(1)


def run_build(options: BuildOptions, sources: Mapping[str, Source] | None = None) -> Path:
    """Build the dataset described by ``options`` into ``options.out``; returns the output path.

    ``sources`` overrides the registry (subset -> Source), e.g. for tests.
    Nothing is left at ``out`` (or next to it) if anything fails or is interrupted.
    """
    specs = load_subsets()
    config = load_templates()
    subsets = options.subsets
    writer = DatasetWriter(options.out, overwrite=options.overwrite)  # refuses a bad --out before any work
    try:
        resolved = resolve_sources(subsets, sources)
        schedules = [  # all pair scheduling first: a subset that cannot be built fails before any rendering
            schedule_subset(specs[s], resolved[s], options.seed, scale=options.scale, scenes=options.scenes_per_subset,
                            disjoint_pairs=options.disjoint_pairs)
            for s in subsets
        ]
        checks: list = []
        with RenderPool(resolved, options.workers) as pool:
            for schedule in schedules:
                plans = iter_scene_plans(schedule, config, resolved[schedule.spec.name], options.seed)
                _write_subset(writer, pool, plans, schedule, options, checks)
        cert = certify_checks(checks, options.out) if options.certify else None
        info: dict[str, Any] = {
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
                "pairs_available": {sc.spec.name: sc.reuse.pairs_available for sc in schedules},
                "disjoint_pairs": options.disjoint_pairs,
                "pair_reuse": {sc.spec.name: sc.reuse.as_dict() for sc in schedules},
            },
            "choices": load_choices(),
            "solvability": solvability_record(cert),
        }
        return writer.commit(info)
    except BaseException:
        writer.abort()
        raise
