"""rose-bench: the ROSE benchmark as a reproducible generator, a strict scorer and lmms-eval tasks.

The top-level folders ``scoring``, ``dataset_builder`` and ``lmms_tasks`` are
installed as ``rose_bench.scoring``, ``rose_bench.dataset_builder`` and
``rose_bench.lmms_tasks`` (see pyproject.toml).
"""

__version__ = "0.1.0"
