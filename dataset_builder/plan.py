"""Planning a subset: which pair each scene uses, the scenes, their tasks and rows -- no pixels, no disk.

Scene ``s`` of a subset depends only on (master seed, subset, s, its pair):
scenes can be rendered in any order or process.  Which pair a scene gets is
``pair_schedule``'s business; while every scene has a pair of its own (no
category weights, enough pairs) a smaller ``--scale`` gives a prefix of the same
scenes (only the dev/test split moves).  The ``u``-th reuse of a pair takes the
pair as the source draws it from another seed (``Source.pairs``), so a reused
glyph pair comes in another font and direction; layout and targets differ anyway.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from rose_bench.scoring.contract import image_id, image_path
from rose_bench.scoring.grid import Region

from .options import BuildError
from .rows import subset_fields, to_row
from .scene import Scene, sample_scene
from .seeds import derive_rng, derive_seed
from .pair_schedule import PairReuse, reuse_summary, schedule_pairs
from .sources.base import ElementPair, Source
from .subset_specs import SubsetSpec
from .template_specs import TemplateConfig
from .split import assign_splits, scaled_counts
from .tasks import TaskInstance, build_scene_tasks

__all__ = [
    "ScenePlan", "SubsetPlan", "SubsetSchedule", "choose_pairs", "schedule_subset", "iter_scene_plans", "plan_subset",
    "variant_seed",
]


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
    reuse: PairReuse  # how the scenes used those pairs (manifest and card)

    @property
    def scenes(self) -> tuple[Scene, ...]:
        return tuple(p.scene for p in self.scene_plans)

    @property
    def tasks(self) -> tuple[tuple[TaskInstance, ...], ...]:
        return tuple(p.tasks for p in self.scene_plans)

    @property
    def rows(self) -> tuple[dict[str, Any], ...]:
        return tuple(row for p in self.scene_plans for row in p.rows)


def variant_seed(master_seed: int, subset: str, use: int) -> int:
    """The source seed of a pair's ``use``-th use (0: the build's source seed, as for one pair per scene)."""
    return derive_seed(master_seed, subset, "source") if use == 0 else derive_seed(master_seed, subset, "source", "reuse", use)


def choose_pairs(
    source: Source, spec: SubsetSpec, master_seed: int, splits: Sequence[str], *, disjoint: bool = False
) -> tuple[list[ElementPair], PairReuse]:
    """The pair of every scene (scene order) and the reuse record; see ``pair_schedule``."""
    subset = spec.name
    pairs = list(source.pairs(variant_seed(master_seed, subset, 0)))
    keys = [p.pair_key for p in pairs]
    dupes = sorted(k for k, n in Counter(keys).items() if n > 1)
    if dupes:
        raise BuildError(f"{subset}: the source lists duplicate pair_key values {dupes[:5]} (fix: the source's pairs())")
    weights = spec.pair_weights
    labels = None
    if weights is not None:
        missing = [p.pair_key for p in pairs if weights.field not in p.fields]
        if missing:
            raise BuildError(f"{subset}: pairs {missing[:3]} have no {weights.field!r} field, which pair_weights needs")
        labels = [str(p.fields[weights.field]) for p in pairs]
    chosen, bound = schedule_pairs(len(pairs), splits, master_seed, subset, labels=labels, weights=weights, disjoint=disjoint)
    variants = {0: pairs}
    seen: Counter = Counter()
    out = []
    for index in chosen:
        use = seen[index]
        seen[index] += 1
        if use not in variants:
            variants[use] = list(source.pairs(variant_seed(master_seed, subset, use)))
            if [p.pair_key for p in variants[use]] != keys:
                raise BuildError(f"{subset}: the source's pair list changes with the seed (fix: pairs(seed) may change "
                                 "how a pair looks, never the list order or the keys)")
        out.append(variants[use][index])
    return out, reuse_summary(chosen, len(pairs), bound, disjoint)


@dataclass(frozen=True)
class SubsetSchedule:
    """The cheap, whole-subset part of planning: each scene's split and pair (scenes are planned from it one by one)."""

    spec: SubsetSpec
    splits: tuple[str, ...]
    pairs: tuple[ElementPair, ...]
    reuse: PairReuse

    def __len__(self) -> int:
        return len(self.splits)


def schedule_subset(
    spec: SubsetSpec, source: Source, master_seed: int, *, scale: float = 1.0, scenes: int | None = None,
    disjoint_pairs: bool = False,
) -> SubsetSchedule:
    """Splits and pairs of every scene of a subset; every pair problem surfaces here, before any rendering."""
    total, dev = scaled_counts(spec, scale=scale, scenes=scenes)
    splits = assign_splits(spec, master_seed, total, dev)
    chosen, reuse = choose_pairs(source, spec, master_seed, splits, disjoint=disjoint_pairs)
    return SubsetSchedule(spec, tuple(splits), tuple(chosen), reuse)


def iter_scene_plans(
    schedule: SubsetSchedule, config: TemplateConfig, source: Source, master_seed: int
) -> Iterator[ScenePlan]:
    """Scene plans in scene order, made one at a time (a build of any size holds only the scenes in flight)."""
    spec = schedule.spec
    for number in range(1, len(schedule) + 1):
        rng = derive_rng(master_seed, spec.name, number, "scene")
        scene = sample_scene(rng, spec, schedule.pairs[number - 1], number=number, split=schedule.splits[number - 1])
        tasks = build_scene_tasks(scene, spec, config, master_seed)
        fields = subset_fields(scene.pair.fields, source.scene_fields(scene.pair, scene.cell_size))
        yield ScenePlan(scene, tasks, tuple(to_row(t, fields, spec.row_fields) for t in tasks))


def plan_subset(
    spec: SubsetSpec,
    config: TemplateConfig,
    source: Source,
    master_seed: int,
    *,
    scale: float = 1.0,
    scenes: int | None = None,
    disjoint_pairs: bool = False,
) -> SubsetPlan:
    """Scenes, tasks and rows of one subset, all at once; the source gets its seed here, through ``Source.pairs``."""
    schedule = schedule_subset(spec, source, master_seed, scale=scale, scenes=scenes, disjoint_pairs=disjoint_pairs)
    planned = tuple(iter_scene_plans(schedule, config, source, master_seed))
    return SubsetPlan(spec, planned, schedule.reuse.pairs_available, schedule.reuse)
