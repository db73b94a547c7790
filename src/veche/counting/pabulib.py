"""Read and write Pabulib files (.pb), the format of the public library of real budgets.

A file (https://pabulib.org/format) has three sections, in this order, each
a line with its name and then ';'-separated CSV with a header line:

* ``META``: ``key;value`` rows; ``budget`` and ``vote_type`` are required
  (``num_projects`` and ``num_votes``, if given, must match the file);
* ``PROJECTS``: a header with at least ``project_id`` and ``cost`` (``name``
  and any other columns are kept as they are);
* ``VOTES``: a header with at least ``voter_id`` and ``vote`` (the project
  ids, ','-separated), and ``points`` for cumulative ballots.

Vote types counted: ``approval`` and ``choose-1`` (one approval), and
``cumulative`` (points; greedy and Equal Shares). ``ordinal`` and ``scoring``
files are refused with the line naming the vote type. Numbers may use ',' or
'.' as the decimal mark. Every error names its line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from veche.counting.budget import BudgetElection, BudgetError, Project, VoteType, make_election

__all__ = ["PabulibError", "PabulibFile", "parse_pabulib", "read_pabulib", "write_pabulib"]

SECTIONS = ("meta", "projects", "votes")
VOTE_TYPES: dict[str, VoteType] = {
    "approval": "approval",
    "choose-1": "approval",
    "cumulative": "cumulative",
}
_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)?")


class PabulibError(ValueError):
    """A malformed Pabulib file; ``line`` is the 1-based line number, if known."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(frozen=True, slots=True)
class PabulibFile:
    """A parsed file: the election to count and the file's META values."""

    election: BudgetElection
    meta: dict[str, str] = field(default_factory=dict)
    vote_type: str = "approval"
    voter_ids: tuple[str, ...] = ()

    @property
    def rule(self) -> str:
        """The rule the file says was used (``meta["rule"]``), or ""."""
        return self.meta.get("rule", "")


def _number(text: str, line: int, what: str) -> Fraction:
    value = text.strip()
    if not value.isascii() or _NUMBER.fullmatch(value) is None:
        raise PabulibError(line, f"{what} must be a number, found {text!r}")
    return Fraction(value.replace(",", "."))


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    # A Pabulib row is one line, so each line is read on its own: a stray quote
    # is reported on its own line instead of swallowing the rest of the file.
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = next(csv.reader((raw,), delimiter=";", strict=True))
        except csv.Error as error:
            raise PabulibError(line, f"not valid ';'-separated CSV: {error}") from error
        if any(cell.strip() for cell in row):
            yield line, row


def _header(row: list[str], line: int, section: str, required: Sequence[str]) -> dict[str, int]:
    names = [cell.strip() for cell in row]
    columns: dict[str, int] = {}
    for i, name in enumerate(names):
        if not name:
            raise PabulibError(line, f"the {section.upper()} header has an empty column name")
        if name in columns:
            raise PabulibError(line, f"the {section.upper()} header names column {name!r} twice")
        columns[name] = i
    missing = [c for c in required if c not in columns]
    if missing:
        raise PabulibError(
            line,
            f"the {section.upper()} header must have the column(s) {', '.join(missing)}, "
            f"found {';'.join(names)!r}",
        )
    return columns


def _cell(row: list[str], columns: Mapping[str, int], name: str) -> str:
    return row[columns[name]].strip()


def parse_pabulib(text: str) -> PabulibFile:
    """Parse the text of a .pb file; raise :class:`PabulibError` with a line number."""
    if text.startswith("\ufeff"):
        text = text[1:]
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    projects: list[tuple[int, Project]] = []
    votes: list[tuple[int, list[str], list[str] | None]] = []
    section = ""
    columns: dict[str, int] = {}
    expect_header = False
    seen_sections: list[str] = []
    last_line = 0
    project_ids: dict[str, int] = {}
    voter_ids: dict[str, int] = {}
    vote_type = ""
    budget: Fraction | None = None
    for line, row in _rows(text):
        last_line = line
        first = row[0].strip().lower()
        if len(row) == 1 and first in SECTIONS:
            wanted = SECTIONS[len(seen_sections)] if len(seen_sections) < 3 else None
            if first in seen_sections:
                raise PabulibError(line, f"section {first.upper()} appears twice")
            if first != wanted:
                raise PabulibError(
                    line,
                    f"section {first.upper()} found where {str(wanted).upper()} was expected "
                    "(the sections are META, PROJECTS, VOTES, in this order)",
                )
            seen_sections.append(first)
            section = first
            expect_header = True
            continue
        if not section:
            raise PabulibError(
                line, f"a Pabulib file starts with the line META, found {';'.join(row)!r}"
            )
        if expect_header:
            expect_header = False
            if section == "meta":
                columns = _header(row, line, section, ("key", "value"))
            elif section == "projects":
                vote_type, budget = _check_meta(meta, meta_lines, line)
                columns = _header(row, line, section, ("project_id", "cost"))
            else:
                required = (
                    ("voter_id", "vote", "points")
                    if vote_type == "cumulative"
                    else (
                        "voter_id",
                        "vote",
                    )
                )
                columns = _header(row, line, section, required)
            continue
        if len(row) == 1 and len(columns) > 1 and row[0].strip().isalpha():
            raise PabulibError(
                line,
                f"unknown section {row[0].strip()!r} (the sections are META, PROJECTS, VOTES)",
            )
        if len(row) != len(columns):
            raise PabulibError(
                line,
                f"this {section.upper()} row has {len(row)} column(s), the header has "
                f"{len(columns)}",
            )
        if section == "meta":
            key = _cell(row, columns, "key")
            if key in meta:
                raise PabulibError(line, f"META key {key!r} is given twice")
            meta[key] = _cell(row, columns, "value")
            meta_lines[key] = line
        elif section == "projects":
            assert budget is not None
            pid = _cell(row, columns, "project_id")
            if not pid:
                raise PabulibError(line, "the project id is empty")
            if "," in pid:
                raise PabulibError(line, f"project id {pid!r} must not contain ','")
            if pid in project_ids:
                raise PabulibError(
                    line, f"project id {pid!r} is already used on line {project_ids[pid]}"
                )
            cost = _number(_cell(row, columns, "cost"), line, f"the cost of project {pid}")
            if cost <= 0:
                raise PabulibError(line, f"project {pid} must cost more than 0")
            if cost > budget:
                raise PabulibError(
                    line,
                    f"project {pid} costs {_cell(row, columns, 'cost')}, more than the budget "
                    f"{meta['budget']}",
                )
            name = _cell(row, columns, "name") if "name" in columns else ""
            project_ids[pid] = line
            projects.append((line, Project(pid, cost, name)))
        else:
            voter = _cell(row, columns, "voter_id")
            if voter in voter_ids:
                raise PabulibError(
                    line, f"voter id {voter!r} is already used on line {voter_ids[voter]}"
                )
            voter_ids[voter] = line
            chosen = [v.strip() for v in _cell(row, columns, "vote").split(",") if v.strip()]
            for pid in chosen:
                if pid not in project_ids:
                    raise PabulibError(line, f"vote for unknown project {pid!r}")
            if len(set(chosen)) != len(chosen):
                raise PabulibError(line, "a project appears twice in this vote")
            if vote_type == "approval" and meta["vote_type"] == "choose-1" and len(chosen) > 1:
                raise PabulibError(line, "a choose-1 vote names more than one project")
            points: list[str] | None = None
            if vote_type == "cumulative":
                points = [p.strip() for p in _cell(row, columns, "points").split(",") if p.strip()]
                if len(points) != len(chosen):
                    raise PabulibError(
                        line, f"{len(chosen)} project(s) voted for but {len(points)} points given"
                    )
                for p in points:
                    if _number(p, line, "points") <= 0:
                        raise PabulibError(line, f"points must be more than 0, found {p!r}")
            votes.append((line, chosen, points))
    for name in SECTIONS:
        if name not in seen_sections:
            raise PabulibError(last_line or None, f"the file has no {name.upper()} section")
    if expect_header:
        raise PabulibError(last_line, f"the {section.upper()} section has no header line")
    for key, count in (("num_projects", len(projects)), ("num_votes", len(votes))):
        if key in meta and meta[key].strip() != str(count):
            raise PabulibError(
                meta_lines[key], f"META says {key} is {meta[key]}, the file has {count}"
            )
    assert budget is not None
    try:
        if vote_type == "cumulative":
            ballots: list[dict[str, Fraction]] | list[list[str]] = [
                {pid: Fraction(p.replace(",", ".")) for pid, p in zip(c, pts or [], strict=True)}
                for _, c, pts in votes
            ]
        else:
            ballots = [c for _, c, _ in votes]
        election = make_election(budget, [p for _, p in projects], ballots, vote_type)  # type: ignore[arg-type]
    except BudgetError as error:  # pragma: no cover - every case is caught above with its line
        raise PabulibError(None, str(error)) from error
    return PabulibFile(election, meta, meta["vote_type"], tuple(voter_ids))


def _check_meta(
    meta: Mapping[str, str], meta_lines: Mapping[str, int], line: int
) -> tuple[VoteType, Fraction]:
    for key in ("budget", "vote_type"):
        if key not in meta:
            raise PabulibError(line, f"the META section has no {key!r} (needed to count)")
    raw = meta["vote_type"].strip()
    if raw not in VOTE_TYPES:
        raise PabulibError(
            meta_lines["vote_type"],
            f"vote type {raw!r} cannot be counted: Veche counts approval, choose-1 and "
            "cumulative ballots",
        )
    budget = _number(meta["budget"], meta_lines["budget"], "the budget")
    if budget <= 0:
        raise PabulibError(meta_lines["budget"], "the budget must be more than 0")
    return VOTE_TYPES[raw], budget


def read_pabulib(path: str | Path) -> PabulibFile:
    """Read a .pb file (UTF-8)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise PabulibError(None, f"not UTF-8 text: {error}") from error
    return parse_pabulib(text)


def _format(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    # Exact only for decimal fractions; others are written to 6 places.
    return f"{float(value):.6f}".rstrip("0").rstrip(".")


def write_pabulib(election: BudgetElection, meta: Mapping[str, str] | None = None) -> str:
    """The election as the text of a .pb file (``meta`` adds or overrides META keys)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    values: dict[str, str] = {
        "description": "",
        "num_projects": str(len(election.projects)),
        "num_votes": str(len(election.ballots)),
        "budget": _format(election.budget),
        "vote_type": election.vote_type,
    }
    values.update(meta or {})
    values["num_projects"] = str(len(election.projects))
    values["num_votes"] = str(len(election.ballots))
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in values.items():
        writer.writerow([key, value])
    votes = election.votes()
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", "votes", "name"])
    for p in election.projects:
        writer.writerow([p.id, _format(p.cost), _format(votes[p.id]), p.name])
    writer.writerow(["VOTES"])
    cumulative = election.vote_type == "cumulative"
    writer.writerow(["voter_id", "vote", "points"] if cumulative else ["voter_id", "vote"])
    for number, ballot in enumerate(election.ballots, start=1):
        row = [str(number), ",".join(pid for pid, _ in ballot)]
        if cumulative:
            row.append(",".join(_format(points) for _, points in ballot))
        writer.writerow(row)
    return out.getvalue()
