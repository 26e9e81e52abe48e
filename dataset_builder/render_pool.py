"""Rendering scenes (and certifying their rows) in worker processes, results in job order.

A ``RenderJob`` says everything a worker needs about one scene; the worker
holds the sources (sent once, when the pool starts) and returns a
``RenderedScene``.  Results come back in the order the jobs were given, so the
output does not depend on the number of workers.
"""

from __future__ import annotations

import signal
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any, Iterable, Iterator, Mapping

import numpy as np
from PIL import Image

from rose_bench.scoring.grid import Region
from rose_bench.solver.certify import RowCheck

from . import render
from .certification import check_scene
from .scene import Scene
from .sources.base import Source

__all__ = ["RenderJob", "RenderedScene", "scene_pixels", "render_scene", "run_job", "RenderPool", "IN_FLIGHT_PER_WORKER"]


@dataclass(frozen=True)
class RenderJob:
    """One scene to render: its cue region, the path its cued image will have, and the rows to certify."""

    scene: Scene
    cue_region: Region
    cued_path: str  # row path of the cued image: rows naming it are answered from the cued PNG
    rows: tuple[Mapping[str, Any], ...] | None  # None: do not certify

    @property
    def subset(self) -> str:
        return self.scene.subset


@dataclass(frozen=True)
class RenderedScene:
    base_png: bytes
    cued_png: bytes
    checks: tuple[RowCheck, ...] | None  # None when the job had no rows to certify


def scene_pixels(source: Source, scene: Scene, region: Region) -> tuple[np.ndarray, np.ndarray]:
    """The base image and the cued image (base + highlight of ``region``) as uint8 RGB arrays."""
    pair = scene.pair
    majority = source.render_tile(pair.majority, pair, scene.cell_size)
    target = source.render_tile(pair.target, pair, scene.cell_size)
    base = render.grid_pixels(majority, target, scene.rows, scene.cols, scene.cell_size, scene.targets)
    return base, render.cued_pixels(base, region, scene.cell_size)


def _png(pixels: np.ndarray) -> bytes:
    return render.png_bytes(Image.fromarray(pixels, mode="RGB"))  # shares the array's memory: no copy


def render_scene(source: Source, scene: Scene, region: Region) -> tuple[bytes, bytes]:
    """PNG bytes of the base image and of the cued image (base + highlight of ``region``)."""
    base, cued = scene_pixels(source, scene, region)
    return _png(base), _png(cued)


def run_job(source: Source, job: RenderJob) -> RenderedScene:
    """Render one scene and, if asked, answer its rows from its images (pure: same job, same result).

    The solver reads the very arrays the PNGs were encoded from (lossless, so
    the same pixels a decoder returns; see ``certification.check_scene``).
    """
    base, cued = scene_pixels(source, job.scene, job.cue_region)
    base_png, cued_png = _png(base), _png(cued)
    checks = None
    if job.rows is not None:
        label = f"{job.subset} scene {job.scene.number}"
        checks = check_scene(label, job.rows, base_png, cued_png, job.cued_path, pixels=(base, cued))
    return RenderedScene(base_png, cued_png, checks)


_WORKER_SOURCES: dict[str, Source] = {}


def _init_worker(sources: Mapping[str, Source]) -> None:
    # Ctrl-C is handled once, by the parent (abort + cleanup); workers just stop when the pool shuts down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_SOURCES.clear()
    _WORKER_SOURCES.update(sources)


def _run_in_worker(job: RenderJob) -> RenderedScene:
    return run_job(_WORKER_SOURCES[job.subset], job)


IN_FLIGHT_PER_WORKER = 4  # jobs queued or running per worker: enough to never starve one, few enough to bound memory


class RenderPool:
    """``map`` jobs over ``workers`` processes (1: in this process), results in job order.

    Jobs are taken from the iterable only as results are consumed, at most
    ``IN_FLIGHT_PER_WORKER`` per worker ahead: memory stays bounded for any
    build size, and a lazy job iterator (the planner) runs in this process while
    the workers render the jobs already queued.  Use as a context manager:
    leaving it normally waits for the workers; leaving it by an exception
    cancels what is still queued.
    """

    def __init__(self, sources: Mapping[str, Source], workers: int) -> None:
        self._sources = dict(sources)
        self._executor: ProcessPoolExecutor | None = None
        self._in_flight = IN_FLIGHT_PER_WORKER * workers
        if workers > 1:
            self._executor = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(self._sources,))

    def map(self, jobs: Iterable[RenderJob]) -> Iterator[RenderedScene]:
        if self._executor is None:
            return (run_job(self._sources[job.subset], job) for job in jobs)
        return self._stream(iter(jobs), self._executor)

    def _stream(self, jobs: Iterator[RenderJob], executor: ProcessPoolExecutor) -> Iterator[RenderedScene]:
        pending: deque[Future] = deque(executor.submit(_run_in_worker, job) for job in islice(jobs, self._in_flight))
        while pending:
            done = pending.popleft().result()
            for job in islice(jobs, 1):  # refill before handing the result on: the workers never wait for us
                pending.append(executor.submit(_run_in_worker, job))
            yield done

    def __enter__(self) -> "RenderPool":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._executor is not None:
            if exc_type is None:
                self._executor.shutdown()
            else:
                self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
