"""Test helpers shared by every test folder: ``from tests.support import ...``.

Importable because pytest puts the repository root on ``sys.path``
(``pythonpath = ["."]`` in pyproject.toml) and ``tests`` is a package.
"""
