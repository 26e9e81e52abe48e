"""Planning a subset: which pair each scene uses, the scenes, their tasks and rows -- no pixels, no disk.

Scene ``s`` of a subset depends only on (master seed, subset, s, the source's
pair list): a smaller ``--scale`` gives a prefix of the same scenes (only the
dev/test split moves), and scenes can be rendered in any order or process.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

from rose_bench.scoring.contract import image_id, image_path
from rose_bench.scoring.grid import Region

from .options import BuildError
from .rows import subset_fields, to_row
from .scene import Scene, sample_scene
from .seeds import derive_rng, derive_seed
from .sources.base import ElementPair, Source
from .specs import SubsetSpec, TemplateConfig
from .split import assign_splits, scaled_counts
from .tasks import TaskInstance, build_scene_tasks

__all__ = ["ScenePlan", "SubsetPlan", "choose_pairs", "plan_subset"]


@dataclass(frozen=True)
class ScenePlan:
    """One scene with its tasks (T1..T5, T1B, T2B) and their rows, in the same order."""

    scene: Scene
    tasks: tuple[TaskInstance, ...]
    rows: tuple[dict[str, Any], ...]

    @property
    def cue_region(self) -> Region:
        """The region highlighted on the scene's cued image (the T4 task's region)."""
        regions = {t.image_region for t in self.tasks if t.image_region.region_type != "GLOBAL"}
        if len(regions) != 1:
            raise BuildError(f"scene {self.scene.number}: expected exactly one cued region, got {regions}")
        return next(iter(regions))

    def image_path(self, prefix: str, *, cued: bool) -> str:
        """Row path of the scene's base or cued image."""
        return image_path(self.scene.subset, image_id(prefix, self.scene.number, cued=cued))


@dataclass(frozen=True)
class SubsetPlan:
    """Everything about one subset except pixels."""

    spec: SubsetSpec
    scene_plans: tuple[ScenePlan, ...]
    pairs_available: int  # pairs the source offered (recorded in the manifest)

    @property
    def scenes(self) -> tuple[Scene, ...]:
        return tuple(p.scene for p in self.scene_plans)

    @property
    def tasks(self) -> tuple[tuple[TaskInstance, ...], ...]:
        return tuple(p.tasks for p in self.scene_plans)

    @property
    def rows(self) -> tuple[dict[str, Any], ...]:
        return tuple(row for p in self.scene_plans for row in p.rows)


def choose_pairs(pairs: Sequence[ElementPair], subset: str, master_seed: int, count: int) -> list[ElementPair]:
    """``count`` distinct pairs: a seeded shuffle of the whole list, first ``count`` taken (one pair <-> one scene)."""
    dupes = sorted(k for k, n in Counter(p.pair_key for p in pairs).items() if n > 1)
    if dupes:
        raise BuildError(f"{subset}: the source lists duplicate pair_key values {dupes[:5]} (fix the source's pairs())")
    if len(pairs) < count:
        raise BuildError(
            f"{subset}: the source offers {len(pairs)} pairs but the build needs {count} scenes, one pair each "
            f"(fix: lower --scale / --scenes-per-subset or install more assets)"
        )
    order = list(pairs)
    derive_rng(master_seed, subset, "pairs").shuffle(order)
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
    """Scenes, tasks and rows of one subset; the source gets its seed here, through ``Source.pairs``."""
    total, dev = scaled_counts(spec, scale=scale, scenes=scenes)
    pairs = list(source.pairs(derive_seed(master_seed, spec.name, "source")))
    chosen = choose_pairs(pairs, spec.name, master_seed, total)
    splits = assign_splits(spec, master_seed, total, dev)
    planned = []
    for number in range(1, total + 1):
        rng = derive_rng(master_seed, spec.name, number, "scene")
        scene = sample_scene(rng, spec, chosen[number - 1], number=number, split=splits[number - 1])
        tasks = build_scene_tasks(scene, spec, config, master_seed)
        fields = subset_fields(scene.pair.fields, source.scene_fields(scene.pair, scene.cell_size))
        planned.append(ScenePlan(scene, tasks, tuple(to_row(t, fields, spec.row_fields) for t in tasks)))
    return SubsetPlan(spec, tuple(planned), len(pairs))
