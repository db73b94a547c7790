"""Errors the audit raises on bad input, each naming the file, line and column to fix."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One bad cell or row: where it is and what is wrong with it. ``message`` is the
    English sentence (the command line's); ``code`` and ``params`` let a page or a
    report say it in its reader's language (``veche.audit.report_words.ROW_PROBLEMS``)."""

    file: str
    line: int
    column: str
    message: str
    code: str = field(default="", compare=False)
    params: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class AuditError(Exception):
    """Base class of every error the audit package raises."""


class AuditInputError(AuditError):
    """An input file cannot be used; the message says where and what to fix.

    ``problems`` lists every bad row found (the first one is in the message), so
    that a user can fix a file in one pass instead of one error at a time.
    """

    def __init__(self, problems: list[RowProblem] | RowProblem, hint: str = "") -> None:
        self.problems: tuple[RowProblem, ...] = (
            (problems,) if isinstance(problems, RowProblem) else tuple(problems)
        )
        first = self.problems[0]
        message = str(first)
        if len(self.problems) > 1:
            message += f" (and {len(self.problems) - 1} more bad rows)"
        if hint:
            message += f". {hint}"
        super().__init__(message)

    @property
    def file(self) -> str:
        return self.problems[0].file

    @property
    def line(self) -> int:
        return self.problems[0].line

    @property
    def column(self) -> str:
        return self.problems[0].column


class AuditMethodError(AuditError):
    """A method cannot run on this data (too few stations, no votes...)."""
