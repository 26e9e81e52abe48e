"""Task instances: one scene queried under T1..T5 plus the bridges T1B and T2B (protocol §4, §5).

Every gold/derived field is computed here from the scene and the task region
through ``scoring.grid`` and ``scoring.grammar.format_answer`` -- never
sampled.  Regions come from ``regions.sample_region`` with a per-(scene,
template) rng, so one template's draw never shifts another's.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from typing import Any

from rose_bench.scoring import contract
from rose_bench.scoring.grammar import format_answer
from rose_bench.scoring.grid import GlobalRegion, Region, keys_numeric

from .seeds import derive_rng
from .prompts import fill_prompt_local
from .regions import RegionDraw, sample_region
from .scene import Scene
from .subset_specs import DifficultyRule, SubsetSpec
from .template_specs import BridgeSpec, TemplateConfig, TemplateSpec

__all__ = ["TaskInstance", "difficulty_of", "build_task", "build_bridge", "build_scene_tasks", "region_rng"]


@dataclass(frozen=True)
class TaskInstance:
    """One row's worth of task, before flattening (``rows.to_row``)."""

    scene: Scene
    item_id: str
    scene_id: str
    image_id: str
    dataset_version: str
    protocol_version: str
    item_seed: int
    primitive_type: str
    task_template: str
    task_mode: str
    region: Region
    region_case: str
    cue_type: str
    prompt_global: str
    prompt_local: str
    expected_output_format: str
    ground_truth_count: int
    ground_truth_clicks: tuple[str, ...]
    ground_truth_formal_answer: str
    region_target_cells: tuple[str, ...]
    region_non_target_count: int
    num_out_region_targets: int
    region_target_count: int
    region_cell_count: int
    region_ratio: float
    difficulty: str
    image: str
    image_split: str
    image_cue_type: str
    image_region: Region
    image_note: str
    bridge_fields: tuple[tuple[str, Any], ...] = ()

    @property
    def prompt(self) -> str:
        return self.prompt_global + "\n" + self.prompt_local

    @property
    def split(self) -> str:
        return self.scene.split

    @property
    def rose_subset(self) -> str:
        return self.scene.subset

    @property
    def all_target_cells(self) -> list[str]:
        return self.scene.target_keys

    @property
    def global_target_count(self) -> int:
        return len(self.scene.targets)


def difficulty_of(rule: DifficultyRule, scene: Scene, achieved_case: str) -> str:
    """medium / hard by the subset's rule (subsets.yaml; reconstructed from the v0.1 labels, §3.7)."""
    return rule.label(scene.profile, len(scene.targets), achieved_case, scene.pair.fields)


def region_rng(master_seed: int, scene: Scene, template: str) -> random.Random:
    return derive_rng(master_seed, scene.subset, scene.number, "region", template)


def build_task(scene: Scene, spec: SubsetSpec, config: TemplateConfig, template: TemplateSpec, draw: RegionDraw) -> TaskInstance:
    """The main-template instance for ``scene`` with the region ``draw``."""
    grid = scene.grid
    region = draw.region
    region.check_within(grid)
    cells = region.cells(grid)
    inside = scene.target_set & cells
    gt_keys = tuple(keys_numeric(inside))
    k = len(inside)
    base = dict(config.base_image)
    cue = dict(template.cue)
    cued = template.image == "cued"
    if cued and cue.get("image_region_type") != region.region_type:
        raise ValueError(f"{template.name}: cue image_region_type {cue.get('image_region_type')!r} != region {region.region_type}")
    image_id = contract.image_id(spec.id_prefix, scene.number, cued=cued)
    return TaskInstance(
        scene=scene,
        item_id=contract.item_id(spec.id_prefix, scene.number, template.index),
        scene_id=contract.scene_id(spec.id_prefix, scene.number),
        image_id=image_id,
        dataset_version=spec.dataset_version,
        protocol_version=spec.protocol_version,
        item_seed=contract.item_seed(spec.seed_year, scene.number, template.index),
        primitive_type=spec.primitive_type,
        task_template=template.name,
        task_mode=template.task_mode,
        region=region,
        region_case=draw.label,
        cue_type=cue["cue_type"] if cued else base["cue_type"],
        prompt_global=config.prompt_global,
        prompt_local=fill_prompt_local(template.prompt_local, dict(template.phrases), region),
        expected_output_format=template.expected_output_format,
        ground_truth_count=k,
        ground_truth_clicks=gt_keys,
        ground_truth_formal_answer=format_answer(template.task_mode, inside, count=k),
        region_target_cells=gt_keys,
        region_non_target_count=len(cells) - k,
        num_out_region_targets=len(scene.targets) - k,
        region_target_count=k,
        region_cell_count=len(cells),
        region_ratio=round(len(cells) / grid.size, 6),
        difficulty=difficulty_of(spec.difficulty, scene, draw.achieved),
        image=contract.image_path(scene.subset, image_id),
        image_split=spec.image_split,
        image_cue_type=cue["image_cue_type"] if cued else base["image_cue_type"],
        image_region=region if cued else GlobalRegion(),
        image_note=cue["image_note"] if cued else base["image_note"],
    )


_BRIDGE_IDS = {
    contract.T1B: contract.global_click_item_id,
    contract.T2B: contract.matched_local_count_item_id,
}


def build_bridge(source: TaskInstance, bridge: BridgeSpec) -> TaskInstance:
    """A bridge copy of ``source`` (§4.5): new mode/prompt/answer, overrides, appended bridge keys."""
    if source.task_template != bridge.source_template:
        raise ValueError(f"{bridge.name} is built from {bridge.source_template}, not {source.task_template}")
    slots = {
        "source_item_id": source.item_id,
        "source_task_template": source.task_template,
        "source_task_mode": source.task_mode,
    }
    extra = tuple((k, v.format(**slots) if isinstance(v, str) else v) for k, v in bridge.extra_fields)
    fields = {f.name for f in dataclasses.fields(TaskInstance)}
    unknown = [k for k, _ in bridge.overrides if k not in fields]
    if unknown:
        raise ValueError(f"{bridge.name}: overrides name unknown fields {unknown}")
    clicks = source.scene.target_set & source.region.cells(source.scene.grid)
    return dataclasses.replace(
        source,
        item_id=_BRIDGE_IDS[bridge.name](source.item_id),
        task_template=bridge.name,
        task_mode=bridge.task_mode,
        prompt_local=fill_prompt_local(bridge.prompt_local, dict(bridge.phrases), source.region),
        expected_output_format=bridge.expected_output_format,
        ground_truth_formal_answer=format_answer(bridge.task_mode, clicks, count=len(clicks)),
        bridge_fields=extra,
        **dict(bridge.overrides),
    )


def build_scene_tasks(
    scene: Scene, spec: SubsetSpec, config: TemplateConfig, master_seed: int
) -> tuple[TaskInstance, ...]:
    """T1..T5 then T1B, T2B for one scene."""
    main: dict[str, TaskInstance] = {}
    for template in config.templates:
        draw = sample_region(
            region_rng(master_seed, scene, template.name), spec, scene.grid, scene.targets, template.region_sampler,
            profile=scene.profile,
        )
        main[template.name] = build_task(scene, spec, config, template, draw)
    bridges = tuple(build_bridge(main[b.source_template], b) for b in config.bridges)
    return tuple(main[t] for t in contract.TEMPLATE_ORDER) + bridges

