"""The validation report as data: one ``Problem`` per finding, rendered by the CLI and the UI alike."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Literal

from sez_metrics.core.chars import json_text

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about one place in one file.

    ``line`` is the line a person sees in an editor or spreadsheet (header = line 1; a record
    spanning several lines is reported at the line where it starts); 0 means the whole file.
    ``column`` is the column's name, or "" when the problem is not about one column.
    """

    severity: Severity
    code: str
    table: str
    file: str
    line: int
    column: str
    value: str
    message: str
    fix: str

    def format_line(self, *, with_fix: bool = False) -> str:
        """``FILE:LINE:COLUMN: severity CODE: message`` (the CLI contract); ``with_fix`` ends the
        message with how to fix it, as a steward reading the command's output needs."""
        message = with_fix_text(self.message, self.fix) if with_fix else self.message
        return f"{self.file}:{self.line}:{self.column}: {self.severity} {self.code}: {message}"


def with_fix_text(message: str, fix: str) -> str:
    """A problem's message ending with how to fix it ("… → fix: save with the comma as delimiter"):
    the wording the command line and the Data page share."""
    return f"{message} → fix: {fix}" if fix else message


@dataclass
class Report:
    """Every problem found, in file order; errors block publishing, warnings do not."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def counts(self) -> dict[str, int]:
        c = Counter(p.severity for p in self.problems)
        return {"error": c.get("error", 0), "warning": c.get("warning", 0)}

    def sorted(self) -> list[Problem]:
        order = {"error": 0, "warning": 1}
        return sorted(self.problems, key=lambda p: (p.file, p.line, p.column, order[p.severity], p.code))

    def to_records(self) -> list[dict]:
        return [asdict(p) for p in self.sorted()]

    def to_json(self) -> str:
        """The report as JSON; hidden characters in cells are written as \\uXXXX escapes (same data)."""
        return json_text({"counts": self.counts(), "problems": self.to_records()})
