"""The two error families every ``rose`` command maps to an exit code.

Each layer raises its own typed errors (``io.InputError``, the builder's
``BuildError``, the solver's ``GridNotFound`` ...); they derive from one of these
bases so that the command-line dispatcher can map them without importing the
layer that raised them:

* ``UsageError``: bad input the user can fix (an argument, a file, an option);
  ``str()`` is the whole message, ending in ``(fix: ...)`` when the fix is known.
  Exit code 2.
* ``CheckFailed``: the command ran and the check it performs failed (a build
  that is not solvable, a file with validation problems). Exit code 1.

Anything else escaping a command is a bug: traceback and exit code 1.
"""

from __future__ import annotations

__all__ = ["UsageError", "CheckFailed"]


class UsageError(ValueError):
    """Bad input the user can fix; the message names what is wrong and the fix."""


class CheckFailed(Exception):
    """A check that ran to the end and failed; the message says what failed."""
