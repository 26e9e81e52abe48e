"""The human baseline: a local page where a person answers ROSE items by clicking cells.

``rose human`` samples items of a build, serves them on 127.0.0.1 and appends
every answer to the run's ``predictions.jsonl`` in the format ``rose score``
reads; ``rose human report`` scores runs and writes a leaderboard submission.
Depends on ``rose_bench.scoring`` (and on ``rose_bench.solver`` for review mode).
"""
