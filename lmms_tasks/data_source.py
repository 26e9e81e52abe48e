"""Which ROSE dataset the lmms-eval tasks load, chosen at run time by environment variables.

* ``ROSE_BENCH_DATA``: a local build directory (what ``rose build --out DIR``
  writes) or a Hugging Face Hub dataset id (``owner/name``).  Default:
  ``./rose-bench`` in the current working directory.
* ``ROSE_BENCH_REVISION``: branch, tag or commit of a Hub dataset (recommended:
  pin a commit).  Not allowed with a local directory (a build has no revisions).

The task YAMLs read ``dataset_path`` and ``dataset_kwargs`` from this module
through lmms-eval's ``!function`` tag, which imports a module attribute; the
module-level ``__getattr__`` computes the value each time a task config is
loaded, so no installed file needs editing.  The config name (``count``,
``action``, ...) and the split come from the task YAML; every build and every
published revision carries the same configs.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Mapping

from rose_bench.scoring.contract import is_hub_repo_id
from rose_bench.scoring.completeness import check_complete
from rose_bench.scoring.contract import CARD_NAME, DATASET_NAME, SPLITS, TEMPLATE_CONFIGS
from rose_bench.scoring.io import InputError

DATA_ENV = "ROSE_BENCH_DATA"
REVISION_ENV = "ROSE_BENCH_REVISION"
DEFAULT_DATA = DATASET_NAME



class DataSourceError(ValueError):
    """ROSE_BENCH_DATA / ROSE_BENCH_REVISION do not name a usable dataset."""


def resolve(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> tuple[str, dict[str, Any]]:
    """(dataset_path, dataset_kwargs) for ``datasets.load_dataset``."""
    env = os.environ if environ is None else environ
    base = Path.cwd() if cwd is None else Path(cwd)
    raw = (env.get(DATA_ENV) or "").strip()
    revision = (env.get(REVISION_ENV) or "").strip()
    value = raw or DEFAULT_DATA
    local = (base / Path(value).expanduser()).resolve()
    if local.is_dir():
        if revision:
            raise DataSourceError(
                f"{REVISION_ENV}={revision!r} is set but {DATA_ENV} is the local build {local}, which has no revisions "
                f"(fix: unset {REVISION_ENV}, or set {DATA_ENV} to a Hub dataset id)"
            )
        if not (local / CARD_NAME).is_file():
            raise DataSourceError(
                f"{local} is not a rose-bench build (no README.md with dataset configs) "
                f"(fix: point {DATA_ENV} at a directory written by 'rose build --out DIR')"
            )
        try:  # a build that lost a shard or rows would load silently smaller
            check_complete(local, TEMPLATE_CONFIGS.values(), SPLITS)
        except InputError as exc:
            raise DataSourceError(str(exc)) from None
        return str(local), {}
    if not (raw and is_hub_repo_id(value)):
        where = f"{DATA_ENV}={raw!r}" if raw else f"{DATA_ENV} is unset, so the default ./{DEFAULT_DATA}"
        raise DataSourceError(
            f"no ROSE dataset: {where} is not a directory (looked in {local}) nor a Hub id 'owner/name' "
            f"(fix: run 'rose build --out {DEFAULT_DATA}' in the working directory, or set {DATA_ENV} to a build "
            f"directory or a Hub dataset id, with {REVISION_ENV} for a pinned revision)"
        )
    return value, ({"revision": revision} if revision else {})


def __getattr__(name: str) -> Any:
    if name == "dataset_path":
        try:
            return resolve()[0]
        except DataSourceError as exc:
            # lmms-eval reports only "Failed to import function 'dataset_path'"; say why on stderr.
            logging.getLogger(__name__).error("%s", exc)
            raise
    if name == "dataset_kwargs":
        return resolve()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
