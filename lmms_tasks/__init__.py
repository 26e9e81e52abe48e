"""lmms-eval tasks for ROSE: YAML configs plus thin hooks into rose_bench.scoring.

* ``rose/``: the task YAMLs (``_default_template_yaml`` + one thin file per task):
  ``rose`` (T1-T5), ``rose_count`` (T1, T2), ``rose_action`` (T3-T5), the bridges
  ``rose_global_click`` (T1B) and ``rose_matched_local_count`` (T2B), each on the
  test split, plus ``<task>_dev`` on the dev split.
* ``autoload``: registers ``rose/`` with every lmms-eval TaskManager (installed
  .pth; no flag needed).  ``data_source``: which dataset the tasks read
  (``ROSE_BENCH_DATA`` / ``ROSE_BENCH_REVISION``, default ``./rose-bench``).
* ``prompting``: the reference runner's prompt (prompt_global, image, prompt_local).
* ``metrics``: ``process_results`` -> ``scoring.item.score_item``; one aggregation hook
  per figure of ``scoring.figures`` (macro over subsets).  ``task_yaml``: the YAMLs'
  ``metric_list`` blocks, rendered from the same table.  ``convert``: samples ->
  predictions (``rose lmms-to-predictions``).
"""
