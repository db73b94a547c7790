"""The slow path of the readers: the stdlib ``csv`` module (or openpyxl for ``.xlsx``),
then every column validated and converted at once with numpy. It reads every file
the readers accept, and it alone words problems: file, line and column, all of
them (up to a limit), or the rows it skipped."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import numpy as np

from veche.audit.errors import AuditInputError, RowProblem
from veche.audit.protocol import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    IntArray,
    ObserverReports,
    OfficialProtocol,
    StrArray,
    WitnessReports,
)

# A polling station never has a trillion voters; bigger numbers are typos (and
# would overflow sums).
_MAX_VALUE = 10**12
_MAX_PROBLEMS = 1000


@dataclass(frozen=True, slots=True)
class InputFile:
    """An input file already in memory (a node opens its sealed uploads so): its
    name, which problems quote and whose ending tells ``.xlsx`` from CSV, and its bytes."""

    name: str
    data: bytes = field(repr=False)


# What the readers take: a file's path, or the file in memory.
Source = Path | str | InputFile


def _shown(cell: str, limit: int = 60) -> str:
    """A cell as an error message quotes it: whole if short, else its start."""
    return cell if len(cell) <= limit else cell[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class _Table:
    """A file read as text cells: its header, its rows, each row's first line."""

    name: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    excel: bool

    def column_label(self, index: int) -> str:
        name = self.header[index] if index < len(self.header) else ""
        if self.excel:
            return f"{_excel_column(index)} ({name})"
        return f"{index + 1} ({name})"


def _excel_column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _read_csv(path: Path, data: bytes) -> _Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise AuditInputError(
            RowProblem(
                path.name,
                line,
                "",
                f"byte 0x{data[error.start]:02x} is not UTF-8",
                "not-utf8",
                (("byte", f"0x{data[error.start]:02x}"),),
            ),
            hint="Save the file as UTF-8 (in Excel: 'CSV UTF-8')",
        ) from None
    first_line = text.split("\n", 1)[0]
    # Excel in Russian and Belarusian locales writes ';' between fields.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        records = list(reader)
        if reader.line_num == len(records):
            # Every physical line was one record (blank lines give []), so line
            # numbers follow from positions and parsing stays in C.
            kept = [i for i, row in enumerate(records) if row and (row[0] or any(row))]
            rows = [records[i] for i in kept]
            lines = [i + 1 for i in kept]
        else:
            # A quoted field spans lines: parse again, noting where each record starts.
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
            previous = 0
            for row in reader:
                start = previous + 1
                previous = reader.line_num
                if not row or not any(row):
                    continue
                rows.append(row)
                lines.append(start)
    except csv.Error as error:
        raise AuditInputError(
            RowProblem(path.name, reader.line_num, "", f"not valid CSV ({error})", "csv")
        ) from None
    if not rows:
        raise AuditInputError(
            RowProblem(path.name, 1, "", "the file is empty; a header is required", "empty-file")
        )
    header = [cell.strip() for cell in rows[0]]
    return _Table(path.name, header, rows[1:], lines[1:], excel=False)


def _excel_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, data: bytes | None = None) -> _Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(
            path if data is None else io.BytesIO(data), read_only=True, data_only=True
        )
    except Exception as error:  # openpyxl raises many types for a broken file
        raise AuditInputError(
            RowProblem(path.name, 1, "", f"not a readable .xlsx workbook ({error})", "xlsx")
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        lines: list[int] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            row = [_excel_cell(v) for v in values]
            while row and row[-1] == "":
                row.pop()
            if not row:
                continue
            rows.append(row)
            lines.append(number)
    finally:
        workbook.close()
    if not rows:
        raise AuditInputError(
            RowProblem(path.name, 1, "", "the sheet is empty; a header is required", "empty-file")
        )
    header = [cell.strip() for cell in rows[0]]
    return _Table(path.name, header, rows[1:], lines[1:], excel=True)


def _read_table(source: Source) -> _Table:
    if isinstance(source, InputFile):
        named = Path(source.name)
        if named.suffix.lower() == ".xlsx":
            return _read_xlsx(named, source.data)
        return _read_csv(named, source.data)
    path = Path(source)
    if not path.is_file():
        raise AuditInputError(RowProblem(path.name, 0, "", f"no such file: {path}", "no-file"))
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    return _read_csv(path, path.read_bytes())


class _Columns:
    """Column access with per-cell problems collected, not raised."""

    def __init__(self, table: _Table, required: Sequence[str], known: Sequence[str] = ()) -> None:
        self.table = table
        self.problems: list[RowProblem] = []
        header = table.header
        seen: dict[str, int] = {}
        header_problems: list[RowProblem] = []
        header_line = table.lines[0] - 1 if table.lines else 1
        for index, name in enumerate(header):
            if not name:
                header_problems.append(
                    RowProblem(
                        table.name,
                        header_line,
                        table.column_label(index),
                        "empty column name",
                        "empty-column-name",
                    )
                )
            elif name in seen:
                header_problems.append(
                    RowProblem(
                        table.name,
                        header_line,
                        table.column_label(index),
                        f"column '{name}' appears twice",
                        "column-twice",
                        (("name", name),),
                    )
                )
            seen.setdefault(name, index)
        missing = [name for name in required if name not in seen]
        if missing:
            header_problems.append(
                RowProblem(
                    table.name,
                    max(header_line, 1),
                    "",
                    f"the header lacks column(s) {', '.join(missing)}; "
                    f"it has {', '.join(header) or 'nothing'}",
                    "missing-columns",
                    (("missing", ", ".join(missing)), ("header", ", ".join(header))),
                )
            )
        if header_problems:
            raise AuditInputError(header_problems, hint=f"Required columns: {', '.join(required)}")
        self.index = seen
        self.width = len(header)
        self.known = known
        # Rows with the wrong number of fields are bad as a whole.
        self.row_ok = np.ones(len(table.rows), dtype=bool)
        lengths = np.fromiter(map(len, table.rows), dtype=np.int64, count=len(table.rows))
        for i in np.flatnonzero(lengths != self.width).tolist():
            row = table.rows[i]
            if len(row) > self.width and not any(cell.strip() for cell in row[self.width :]):
                table.rows[i] = row[: self.width]
                continue
            self.row_ok[i] = False
            self.problems.append(
                RowProblem(
                    table.name,
                    table.lines[i],
                    "",
                    f"has {len(row)} fields, the header has {self.width}",
                    "field-count",
                    (("fields", str(len(row))), ("width", str(self.width))),
                )
            )
        width = self.width
        rows = table.rows
        if not self.row_ok.all():
            rows = [row if len(row) == width else (row + [""] * width)[:width] for row in rows]
        self._rows = rows
        self._columns: dict[int, list[str]] = {}

    def _raw(self, name: str) -> Sequence[str]:
        """One column's cells; map(itemgetter) keeps the loop in C."""
        j = self.index[name]
        if j not in self._columns:
            self._columns[j] = list(map(itemgetter(j), self._rows))
        return self._columns[j]

    def _bad(
        self,
        rows: np.ndarray,
        name: str,
        message: Callable[[str], str],
        code: Callable[[str], tuple[str, tuple[tuple[str, str], ...]]],
    ) -> None:
        j = self.index[name]
        for i in rows.tolist():
            if not self.row_ok[i] and len(self.table.rows[i]) <= j:
                continue
            if len(self.problems) < _MAX_PROBLEMS:
                cell = self.table.rows[i][j]
                self.problems.append(
                    RowProblem(
                        self.table.name,
                        self.table.lines[i],
                        self.table.column_label(j),
                        message(cell),
                        *code(cell),
                    )
                )
            self.row_ok[i] = False

    def text(self, name: str, *, required: bool = True) -> StrArray:
        cells = np.strings.strip(np.array(self._raw(name), dtype=np.str_))
        if required and cells.size:
            self._bad(
                np.flatnonzero(cells == ""), name, lambda _: "is empty", lambda _: ("empty", ())
            )
        return cells

    def integers(self, name: str) -> IntArray:
        """Whole numbers ≥ 0 (what Python's int() reads: spaces around are fine)."""
        raw = self._raw(name)
        if not raw:
            return np.zeros(0, dtype=np.int64)
        try:
            values = np.array(raw, dtype=np.int64)
        except (ValueError, OverflowError):
            pass
        else:
            if not ((values < 0) | (values > _MAX_VALUE)).any():
                return values
        # Some cell is bad: find each one (a Python loop, only on this error path).
        values = np.zeros(len(raw), dtype=np.int64)
        bad: list[int] = []
        for i, cell in enumerate(raw):
            try:
                value = int(cell)
            except ValueError:
                bad.append(i)
                continue
            if 0 <= value <= _MAX_VALUE:
                values[i] = value
            else:
                bad.append(i)
        self._bad(
            np.asarray(bad, dtype=np.int64),
            name,
            lambda cell: (
                f"'{_shown(cell)}' is not a whole number ≥ 0"
                if cell.strip()
                else "is empty; write 0 for none"
            ),
            lambda cell: (
                ("not-whole", (("cell", _shown(cell)),)) if cell.strip() else ("empty-number", ())
            ),
        )
        return values

    def finish(self, skip_bad_rows: bool) -> tuple[np.ndarray, tuple[RowProblem, ...]]:
        """Return the indices of rows to keep and the problems found, or raise."""
        problems = sorted(self.problems, key=lambda p: p.line)
        if problems and not skip_bad_rows:
            raise AuditInputError(
                problems, hint="Fix the file, or pass --skip-bad-rows to leave bad rows out"
            )
        return np.flatnonzero(self.row_ok), tuple(problems)


def _drop_duplicates(
    table: _Table, keys: StrArray, keep: np.ndarray, column: str, skip_bad_rows: bool
) -> tuple[np.ndarray, list[RowProblem]]:
    """Reject (or skip) rows whose key already appeared on an earlier row."""
    subset = keys[keep]
    _, first, inverse = np.unique(subset, return_index=True, return_inverse=True)
    duplicate = first[inverse] != np.arange(subset.size)
    if not duplicate.any():
        return keep, []
    label = table.column_label(table.header.index(column))
    problems = [
        RowProblem(
            table.name,
            table.lines[keep[i]],
            label,
            f"{column} '{_shown(str(subset[i]))}' already appears on line "
            f"{table.lines[keep[first[inverse[i]]]]}",
            "duplicate",
            (
                ("column", column),
                ("value", _shown(str(subset[i]))),
                ("line", str(table.lines[keep[first[inverse[i]]]])),
            ),
        )
        for i in np.flatnonzero(duplicate).tolist()[:_MAX_PROBLEMS]
    ]
    if not skip_bad_rows:
        raise AuditInputError(problems, hint="Each station may appear only once")
    return keep[~duplicate], problems


def _read_official_slow(path: Source, *, skip_bad_rows: bool = False) -> OfficialProtocol:
    """``read_official`` the slow way: any file, every problem worded."""
    table = _read_table(path)
    columns = _Columns(table, REQUIRED_COLUMNS)
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    candidates = tuple(name for name in table.header if name not in known)
    if not candidates:
        raise AuditInputError(
            RowProblem(table.name, 1, "", "the header names no candidate column", "no-candidates"),
            hint="Add one column of votes per candidate after the required columns",
        )
    stations = columns.text("station")
    regions = columns.text("region")
    districts = columns.text("district", required=False) if "district" in columns.index else None
    numbers = {name: columns.integers(name) for name in ("registered", "ballots", "invalid")}
    optional = {
        name: columns.integers(name)
        for name in ("issued", "early", "at_home")
        if name in columns.index
    }
    votes = (
        np.column_stack([columns.integers(name) for name in candidates])
        if table.rows
        else np.zeros((0, len(candidates)), dtype=np.int64)
    )
    keep, problems = columns.finish(skip_bad_rows)
    keep, duplicates = _drop_duplicates(table, stations, keep, "station", skip_bad_rows)
    if keep.size == 0:
        raise AuditInputError(
            list(problems) + duplicates
            or [RowProblem(table.name, 2, "", "no stations", "no-stations")],
            hint="The file has no usable station rows",
        )
    lines = np.asarray(table.lines, dtype=np.int64)[keep]
    return OfficialProtocol(
        source=table.name,
        stations=stations[keep],
        regions=regions[keep],
        registered=numbers["registered"][keep],
        ballots=numbers["ballots"][keep],
        invalid=numbers["invalid"][keep],
        candidates=candidates,
        votes=np.ascontiguousarray(votes[keep]),
        issued=optional["issued"][keep] if "issued" in optional else None,
        early=optional["early"][keep] if "early" in optional else None,
        at_home=optional["at_home"][keep] if "at_home" in optional else None,
        districts=districts[keep] if districts is not None else None,
        lines=lines,
        skipped=tuple(sorted((*problems, *duplicates), key=lambda p: p.line)),
    )


def _station_indices(columns: _Columns, official: OfficialProtocol) -> IntArray:
    names = columns.text("station")
    lookup = official.index_of_station()
    index = np.fromiter(
        (lookup.get(name, -1) for name in names.tolist()), dtype=np.int64, count=names.size
    )
    columns._bad(
        np.flatnonzero((index < 0) & (names != "")),
        "station",
        lambda cell: (
            f"station '{_shown(cell.strip())}' is not in the official protocol {official.source}"
        ),
        lambda cell: (
            "unknown-station",
            (("station", _shown(cell.strip())), ("source", official.source)),
        ),
    )
    return index


def _read_witnesses_slow(
    path: Source, official: OfficialProtocol, *, skip_bad_rows: bool = False
) -> WitnessReports:
    """``read_witnesses`` the slow way: any file, every problem worded."""
    table = _read_table(path)
    columns = _Columns(table, ("station", "candidate"))
    aggregated = "count" in columns.index
    station = _station_indices(columns, official)
    names = columns.text("candidate")
    lookup = official.index_of_candidate()
    candidate = np.fromiter(
        (lookup.get(name.casefold(), -1) for name in names.tolist()),
        dtype=np.int64,
        count=names.size,
    )
    shown = ", ".join(official.candidates[:12])
    columns._bad(
        np.flatnonzero((candidate < 0) & (names != "")),
        "candidate",
        lambda cell: f"'{_shown(cell.strip())}' is not a candidate of {official.source} ({shown})",
        lambda cell: (
            "unknown-candidate",
            (("candidate", _shown(cell.strip())), ("source", official.source), ("known", shown)),
        ),
    )
    count = columns.integers("count") if aggregated else np.ones(len(table.rows), dtype=np.int64)
    keep, problems = columns.finish(skip_bad_rows)
    evidence = (
        columns.text("evidence", required=False)
        if not aggregated and "evidence" in columns.index
        else None
    )
    return _witness_reports(
        table.name, official, station, candidate, count, keep, evidence, aggregated, problems
    )


def _witness_reports(
    source: str,
    official: OfficialProtocol,
    station: IntArray,
    candidate: IntArray,
    count: IntArray,
    keep: np.ndarray,
    evidence: StrArray | None,
    aggregated: bool,
    problems: tuple[RowProblem, ...],
) -> WitnessReports:
    """Sum the kept rows per station and candidate, counting each piece of evidence once."""
    duplicates = 0
    if evidence is not None:
        evidence = evidence[keep]
        has = evidence != ""
        _, first = np.unique(evidence[has], return_index=True)
        unique = np.zeros(keep.size, dtype=bool)
        unique[~has] = True
        unique[np.flatnonzero(has)[first]] = True
        duplicates = int(keep.size - unique.sum())
        keep = keep[unique]
    k = len(official.candidates)
    flat = np.bincount(
        station[keep] * k + candidate[keep],
        weights=count[keep],
        minlength=official.station_count * k,
    )
    counts = np.rint(flat).astype(np.int64).reshape(official.station_count, k)
    return WitnessReports(
        source=source,
        counts=counts,
        rows=int(keep.size),
        aggregated=aggregated,
        duplicate_evidence=duplicates,
        skipped=problems,
    )


def _read_observers_slow(
    path: Source, official: OfficialProtocol, *, skip_bad_rows: bool = False
) -> ObserverReports:
    """``read_observers`` the slow way: any file, every problem worded."""
    table = _read_table(path)
    columns = _Columns(table, ("station", "observed_turnout"))
    station = _station_indices(columns, official)
    observed = columns.integers("observed_turnout")
    keep, problems = columns.finish(skip_bad_rows)
    keep, duplicates = _drop_duplicates(
        table, columns.text("station"), keep, "station", skip_bad_rows
    )
    out = np.full(official.station_count, -1, dtype=np.int64)
    out[station[keep]] = observed[keep]
    return ObserverReports(
        source=table.name,
        observed=out,
        skipped=tuple(sorted((*problems, *duplicates), key=lambda p: p.line)),
    )
