"""The render pool: typed jobs, results in job order, the same bytes in one process or several."""

from __future__ import annotations

import pickle

import pytest

from rose_bench.dataset_builder.plan import plan_subset
from rose_bench.dataset_builder.render_pool import RenderJob, RenderPool, run_job
from rose_bench.dataset_builder.subset_specs import load_subsets
from rose_bench.dataset_builder.template_specs import load_templates

from tests.support.sources import IdenticalTilesSource, ShapeSource

SUBSET = "ROSE-PixelEdit"
SPEC = load_subsets()[SUBSET]


def _jobs(source, certify: bool) -> list[RenderJob]:
    plan = plan_subset(SPEC, load_templates(), source, 6, scenes=3)
    return [
        RenderJob(p.scene, p.cue_region, p.image_path(SPEC.id_prefix, cued=True), p.rows if certify else None)
        for p in plan.scene_plans
    ]


@pytest.fixture(scope="module")
def source():
    return ShapeSource(SUBSET, n_pairs=6)


def test_jobs_are_frozen_and_picklable(source) -> None:
    job = _jobs(source, certify=True)[0]
    assert pickle.loads(pickle.dumps(job)) == job
    with pytest.raises(AttributeError):
        job.rows = None  # type: ignore[misc]


def test_one_or_two_workers_give_the_same_results_in_job_order(source) -> None:
    jobs = _jobs(source, certify=True)
    results = []
    for workers in (1, 2):
        with RenderPool({SUBSET: source}, workers) as pool:
            results.append(list(pool.map(jobs)))
    assert results[0] == results[1]
    assert [r.base_png for r in results[0]] == [run_job(source, j).base_png for j in jobs]
    assert len({r.base_png for r in results[0]}) == len(jobs)


@pytest.mark.parametrize(
    "source_cls, certify, passed",
    [(ShapeSource, False, None), (ShapeSource, True, True), (IdenticalTilesSource, True, False)],
    ids=["not_certified", "solvable", "unsolvable"],
)
def test_rows_are_checked_from_the_rendered_pngs(source_cls, certify, passed) -> None:
    src = source_cls(SUBSET, n_pairs=6)
    job = _jobs(src, certify)[0]
    done = run_job(src, job)
    if passed is None:
        assert done.checks is None
    else:
        assert len(done.checks) == len(job.rows)
        assert all(c.passed for c in done.checks) if passed else not all(c.passed for c in done.checks)


def test_jobs_are_taken_lazily_and_at_most_the_in_flight_bound_ahead(source) -> None:
    """A lazy job iterator (the planner) is only drawn as results are consumed, so memory stays bounded."""
    from rose_bench.dataset_builder.render_pool import IN_FLIGHT_PER_WORKER

    plan = plan_subset(SPEC, load_templates(), source, 6, scenes=5)
    jobs = [RenderJob(p.scene, p.cue_region, p.image_path(SPEC.id_prefix, cued=True), None) for p in plan.scene_plans]
    workers = 2
    drawn: list[int] = []

    def lazy():
        for i, job in enumerate(jobs * 4):
            drawn.append(i)
            yield job

    with RenderPool({SUBSET: source}, workers) as pool:
        results = pool.map(lazy())
        assert drawn == []  # nothing is planned before the first result is asked for
        first = next(results)
        assert len(drawn) <= IN_FLIGHT_PER_WORKER * workers + 1
        rest = list(results)
    assert len(drawn) == len(jobs) * 4
    assert [first, *rest] == [run_job(source, j) for j in jobs * 4]
