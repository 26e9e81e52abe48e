"""The build's solver check reads the rendered arrays; decoding the shipped PNGs gives the same pixels and checks.

The render workers certify on the exact uint8 arrays the PNGs are encoded from
(no second decode).  That is honest only because PNG is lossless: these tests
decode the PNG bytes and require the very same pixels and the very same row
checks, for real asset sources and for a source whose rows cannot be solved.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from rose_bench.dataset_builder.certification import check_scene
from rose_bench.dataset_builder.plan import plan_subset
from rose_bench.dataset_builder.render_pool import RenderJob, run_job, scene_pixels
from rose_bench.dataset_builder.sources.registry import get_source
from rose_bench.dataset_builder.subset_specs import load_subsets
from rose_bench.dataset_builder.template_specs import load_templates

from tests.support.sources import IdenticalTilesSource

SUBSETS = ("ROSE-ChineseGlyph", "ROSE-EmojiStyle", "ROSE-EmojiContent", "ROSE-PixelEdit", "ROSE-PixelContent")


def _scene_plans(subset: str, source, scenes: int = 2):
    spec = load_subsets()[subset]
    return spec, plan_subset(spec, load_templates(), source, 11, scenes=scenes).scene_plans


def _label(plan) -> str:
    return f"{plan.scene.subset} scene {plan.scene.number}"  # as the render worker labels a scene's rows


def _decoded(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as img:
        assert img.mode == "RGB"
        return np.asarray(img)


@pytest.mark.parametrize("subset", SUBSETS, ids=[s.removeprefix("ROSE-") for s in SUBSETS])
def test_certifying_the_arrays_equals_certifying_the_decoded_pngs(subset: str) -> None:
    source = get_source(subset)
    spec, plans = _scene_plans(subset, source)
    for plan in plans:
        cued_path = plan.image_path(spec.id_prefix, cued=True)
        done = run_job(source, RenderJob(plan.scene, plan.cue_region, cued_path, plan.rows))
        base, cued = scene_pixels(source, plan.scene, plan.cue_region)
        # lossless: the shipped bytes decode to exactly the arrays the solver read
        assert np.array_equal(_decoded(done.base_png), base) and np.array_equal(_decoded(done.cued_png), cued)
        from_pngs = check_scene(_label(plan), plan.rows, done.base_png, done.cued_png, cued_path)  # decodes the PNGs
        assert done.checks == from_pngs
        assert len(from_pngs) == len(plan.rows) and all(c.passed for c in from_pngs)


def test_unsolvable_rows_fail_alike_from_arrays_and_from_pngs() -> None:
    subset = "ROSE-PixelEdit"
    source = IdenticalTilesSource(subset, n_pairs=4)
    spec, plans = _scene_plans(subset, source, scenes=3)
    plan = plans[0]
    cued_path = plan.image_path(spec.id_prefix, cued=True)
    done = run_job(source, RenderJob(plan.scene, plan.cue_region, cued_path, plan.rows))
    from_pngs = check_scene(_label(plan), plan.rows, done.base_png, done.cued_png, cued_path)
    assert done.checks == from_pngs
    assert not all(c.passed for c in from_pngs)
    assert all(c.failure["reason"] for c in from_pngs if not c.passed)


def test_arrays_that_differ_from_the_pngs_would_change_the_verdict() -> None:
    """The arrays really are what is checked: blanking them makes the solver fail rows the PNGs pass."""
    subset = "ROSE-ChineseGlyph"
    source = get_source(subset)
    spec, plans = _scene_plans(subset, source)
    plan = plans[0]
    cued_path = plan.image_path(spec.id_prefix, cued=True)
    done = run_job(source, RenderJob(plan.scene, plan.cue_region, cued_path, plan.rows))
    blank = np.full_like(_decoded(done.base_png), 255)
    checks = check_scene("scene", plan.rows, done.base_png, done.cued_png, cued_path, pixels=(blank, blank))
    assert not any(c.passed for c in checks)
    assert all("GridNotFound" in c.failure["reason"] for c in checks)
