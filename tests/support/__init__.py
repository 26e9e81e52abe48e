"""Test helpers shared by every test folder: ``from tests.support.<module> import ...``.

Importable because pytest puts the repository root on ``sys.path``
(``pythonpath = ["."]`` in pyproject.toml) and ``tests`` is a package;
benchmarks that reuse them run as ``python -m benchmarks.<name>`` from the root.

- ``fixtures``: paths of the committed official v0.1 rows and a cached reader
  (the session fixtures built on it are in ``tests/conftest.py``).
- ``sources``: test visual sources for the builder (``ShapeSource``, an unsolvable one).
- ``writer``: official-format T1..T5 rows and small PNGs for writer/export/publish tests.
- ``solver_images``: rendered scenes for the solver tests; ``chat_requests``: chat
  requests for ``rose serve``.
- ``answer_server``: a local OpenAI-compatible server answering from a build's answer key.
- ``lmms``: the real lmms-eval CLI and ``rose serve`` as subprocesses, figures via ``rose score``.
- ``cli``: run ``rose`` in-process or as a process, a small real build, fingerprint folders;
  ``files``: edit test inputs.
- ``leaderboard``: submission bundles written through the real code, rows made worse on purpose;
  ``human``: the human page's runs, a served run, `rose human` as a process.
- ``browser``: headless Chromium (Selenium) for the page tests.
"""
