"""The command line's exit codes, defined once, and the exceptions that carry one.

- ``OK`` (0): done; a validation may still have printed warnings.
- ``PROBLEMS`` (1): the command ran and found something wrong: errors in the input, a damaged store,
  a refused publish or copy.
- ``USAGE`` (2): the command could not run: bad arguments, unreadable input, the store unavailable.

A command stops by raising ``CommandFailed`` (or ``Refused``); ``sez_metrics.cli.main`` prints its
message and each of its ``details`` as one line on stderr, exactly as given, and exits with its code.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    PROBLEMS = 1
    USAGE = 2


class CommandFailed(Exception):
    """A command's failure: the line to print (``"error: …"``), further lines, and the exit code."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, exit_code: ExitCode | None = None, details: Sequence[str] = ()):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code
        self.details = list(details)

    @property
    def lines(self) -> list[str]:
        """What is printed on stderr, one line each."""
        return [str(self), *self.details]


class Refused(CommandFailed):
    """The command ran and refused: a publish or copy that would lose or contradict data (exit 1)."""

    exit_code = ExitCode.PROBLEMS
