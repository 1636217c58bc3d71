"""The command line's exit codes, defined once, and the exception that carries one.

- ``OK`` (0): done; a validation may still have printed warnings.
- ``PROBLEMS`` (1): the command ran and found something wrong: errors in the input, a damaged store,
  a refused publish or copy.
- ``USAGE`` (2): the command could not run: bad arguments, unreadable input, the store unavailable.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    PROBLEMS = 1
    USAGE = 2


class CommandFailed(Exception):
    """A command's one-line failure; ``exit_code`` is what the process exits with."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.USAGE):
        super().__init__(message)
        self.exit_code = exit_code
