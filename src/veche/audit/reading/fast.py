"""The fast path of the readers: ``np.loadtxt`` on files that it provably reads as
the slow path does (see the notes below); ``None`` for anything else."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from pathlib import Path

import numpy as np
import numpy.typing as npt

from veche.audit.protocol import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    IntArray,
    ObserverReports,
    OfficialProtocol,
    StrArray,
    WitnessReports,
)
from veche.audit.reading.slow import _MAX_VALUE, InputFile, Source, _witness_reports

# --- The fast path -------------------------------------------------------------
#
# np.loadtxt parses a valid file many times faster than csv.reader plus the
# per-column conversions above. It is used only where it provably reads what the
# slow path reads; anything else (an error to report, a row to skip, a file that
# loadtxt and csv.reader might read differently) returns None, and the caller
# reads the file again the slow way, which alone words every problem.
#
# loadtxt decodes the file as latin-1 (one character per byte), not UTF-8: its
# integer parser (NumPy 1.23 to 2.4 at least) hands each character to C's
# isdigit(), which is undefined above 255. Given UTF-8 text it reads 'ӿ5' as
# 12315 where int() refuses it, and a character far above 255 can crash it. The
# text cells are then decoded as UTF-8 here, and the non-ASCII bytes counted:
# if the text cells hold them all, every number was plain ASCII.

_QUOTE = ord('"')
_NEWLINE = ord("\n")
_RETURN = ord("\r")
_BOM = b"\xef\xbb\xbf"
# The slow path refuses a field longer than csv.field_size_limit() (131,072) and a
# number of more than 4,300 digits (int()'s limit); loadtxt takes both. No real
# protocol row comes near this, so longer lines go the slow way.
_MAX_LINE = 4300


@cache  # probed once, on the first read, not when the module is imported
def _loadtxt_reads_integers_strictly() -> bool:
    """Whether np.loadtxt refuses '1.0' for an integer (NumPy 1.23 read it via
    float, with a DeprecationWarning; int() refuses it, and so must the fast path)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            np.loadtxt(["1.0"], dtype=np.int64)
        except ValueError:
            return True
        except Exception:  # the DeprecationWarning
            return False
    return False


@dataclass(frozen=True, slots=True)
class _FastTable:
    """A CSV file as np.loadtxt read it: row i is on line i + 2."""

    source: str
    header: list[str]
    rows: np.ndarray  # structured: field f{j} is column j, int64 or latin-1 str
    non_ascii: int  # bytes >= 0x80 after the header line

    def cells(self, name: str) -> np.ndarray:
        return self.rows[f"f{self.header.index(name)}"]


def _fast_lines(
    buffer: npt.NDArray[np.uint8], sep: int, *, returns: bool, quoted: bool
) -> int | None:
    """The number of lines after the header if np.loadtxt can be given these bytes
    (a file's, after any BOM; ``returns``, ``quoted``: whether they hold a '\\r', a
    '"'), else None.

    * No line is longer than _MAX_LINE bytes.
    * A '\\r' must be followed by '\\n': csv.reader ends a line at a lone one.
    * The quotes must pair up on one line, each pair enclosing a whole field:
      the 1st, 3rd... '"' starts a field and the next one ends it. Then both
      parsers read a quoted field as the text between its quotes, and no
      unquoted field holds a quote. Any other quote (``ab"c``, ``"a""b"``,
      ``"a"b``, ``"a" ,``, a field spanning lines) may be read differently by
      the two, or is an error to csv.reader.
    """
    size = buffer.size
    last = int(buffer[-1] != _NEWLINE)  # a last line without a line end
    newlines = np.flatnonzero(buffer == _NEWLINE)
    if np.diff(newlines, prepend=-1, append=size).max() > _MAX_LINE + 1:
        return None
    if not returns and not quoted:
        return int(newlines.size) - 1 + last
    if returns:
        before_newline = np.count_nonzero(buffer[newlines[newlines > 0] - 1] == _RETURN)
        if np.count_nonzero(buffer == _RETURN) != before_newline:
            return None
    if quoted:
        quotes = np.flatnonzero(buffer == _QUOTE)
        if quotes.size % 2:
            return None
        opens, closes = quotes[0::2], quotes[1::2]
        before = buffer[np.maximum(opens - 1, 0)]
        after = buffer[np.minimum(closes + 1, size - 1)]
        if not (
            ((opens == 0) | (before == sep) | (before == _NEWLINE)).all()
            and (
                (closes == size - 1) | (after == sep) | (after == _NEWLINE) | (after == _RETURN)
            ).all()
            and np.array_equal(np.searchsorted(newlines, opens), np.searchsorted(newlines, closes))
        ):
            return None
    return int(newlines.size) - 1 + last  # newlines[0] ends the header


def _fast_rows(
    path: Source, required: Sequence[str], is_number: Callable[[str], bool]
) -> _FastTable | None:
    """A CSV file read by np.loadtxt (``is_number(name)`` columns as int64, the
    others as latin-1 str), or None: then read it the slow way.

    Rows come back only if the header is on the first line and is sound, and
    each later line is one row, read whole, so that the row of index i is on
    line i + 2, as the slow path numbers it.
    """
    if isinstance(path, InputFile):
        data: bytes | None = path.data
        path = Path(path.name)
    else:
        path, data = Path(path), None
    if (
        not _loadtxt_reads_integers_strictly()
        or path.suffix.lower() == ".xlsx"
        or (data is None and not path.is_file())
    ):
        return None
    try:
        data = path.read_bytes() if data is None else data
    except OSError:
        return None
    end = data.find(b"\n")
    if (
        end < 0
        or end + 1 == len(data)
        # Blank first rows: the slow path skips them (and loadtxt would warn
        # that it found no data); blank rows further on make fewer rows than lines.
        or data.startswith((b"\n", b"\r\n"), end + 1)
        # NUL: np.str_ drops it at the end of a text. \x1c-\x1f: loadtxt takes
        # them for spaces around a number, int() does not.
        or any(byte in data for byte in (b"\x00", b"\x1c", b"\x1d", b"\x1e", b"\x1f"))
    ):
        return None
    try:
        first = data[:end].decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        cells = next(csv.reader([first.removesuffix("\r")], delimiter=delimiter, strict=True))
    except (csv.Error, StopIteration):
        return None
    header = [cell.strip() for cell in cells]
    if (
        not header
        or not all(header)
        or len(set(header)) != len(header)
        or any(name not in header for name in required)
    ):
        return None
    start = len(_BOM) if data.startswith(_BOM) else 0
    buffer = np.frombuffer(data, dtype=np.uint8, offset=start)
    lines = _fast_lines(buffer, ord(delimiter), returns=b"\r" in data, quoted=b'"' in data)
    if lines is None:
        return None
    dtype = np.dtype(
        [(f"f{j}", np.int64 if is_number(name) else object) for j, name in enumerate(header)]
    )
    try:
        rows = np.loadtxt(
            io.BytesIO(data),
            dtype=dtype,
            delimiter=delimiter,
            comments=None,
            quotechar='"',
            skiprows=1,
            ndmin=1,
            encoding="latin-1",
        )
    except Exception:  # any failure: the slow path says what is wrong, if anything
        return None
    if rows.shape != (lines,):
        return None
    non_ascii = int(np.count_nonzero(buffer[end + 1 - start :] >= 0x80))
    return _FastTable(path.name, header, rows, non_ascii)


def _fast_utf8(cells: list[str]) -> tuple[list[str], IntArray] | None:
    """Cells read as latin-1 decoded as UTF-8, and each one's number of non-ASCII
    bytes; None if one is not UTF-8 (the slow path then says where)."""
    if all(map(str.isascii, cells)):
        return cells, np.zeros(len(cells), dtype=np.int64)
    raw = list(map(str.encode, cells, repeat("latin-1")))
    try:
        texts = list(map(bytes.decode, raw, repeat("utf-8")))
    except UnicodeDecodeError:
        return None
    # A latin-1 character >= 0x80 takes two bytes in UTF-8, an ASCII one one.
    doubled = np.fromiter(map(len, map(str.encode, cells)), dtype=np.int64, count=len(cells))
    return texts, doubled - np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))


def _fast_runs(cells: np.ndarray) -> tuple[list[str], IntArray]:
    """The first cell of each run of equal consecutive cells, and each run's length."""
    starts = np.flatnonzero(cells[1:] != cells[:-1]) + 1
    starts = np.concatenate(([0], starts))
    return cells[starts].tolist(), np.diff(starts, append=cells.size)


def _fast_codes(cells: np.ndarray) -> tuple[IntArray, list[str], IntArray]:
    """Each cell's code (its text's rank of first appearance), the distinct texts
    and how often each appears; the per-row work is ``map`` in C."""
    raw = cells.tolist()
    first: dict[str, int] = {}
    row = np.fromiter(map(first.setdefault, raw, range(len(raw))), dtype=np.int64, count=len(raw))
    rank = np.zeros(len(raw), dtype=np.int64)
    rank[np.fromiter(first.values(), dtype=np.int64, count=len(first))] = np.arange(len(first))
    codes = rank[row]
    return codes, list(first), np.bincount(codes, minlength=len(first))


class _FastColumns:
    """Text columns of a fast read, decoded as the slow path has them.

    Every text column is decoded (the slow path decodes the whole file), and
    ``complete()`` tells whether they hold all the file's non-ASCII bytes.
    """

    def __init__(self, table: _FastTable) -> None:
        self.table = table
        self.non_ascii = 0

    def text(self, name: str, *, repeated: bool = False) -> StrArray | None:
        """Like ``_Columns.text``: np.str_, stripped. With ``repeated`` (few
        distinct values, such as regions) each distinct cell is decoded once."""
        cells = self.table.cells(name)
        if repeated:
            codes, distinct, counts = _fast_codes(cells)
            decoded = _fast_utf8(distinct)
            if decoded is None:
                return None
            self.non_ascii += int(decoded[1] @ counts)
            return np.strings.strip(np.array(decoded[0], dtype=np.str_))[codes]
        decoded = _fast_utf8(cells.tolist())
        if decoded is None:
            return None
        self.non_ascii += int(decoded[1].sum())
        return np.strings.strip(np.array(decoded[0], dtype=np.str_))

    def validate(self, name: str) -> bool:
        """Decode a column the slow path never looks at (it decodes it all the same)."""
        decoded = _fast_utf8(self.table.cells(name).tolist())
        if decoded is not None:
            self.non_ascii += int(decoded[1].sum())
        return decoded is not None

    def station_index(self, official: OfficialProtocol) -> IntArray | None:
        """Each row's station index in the official protocol; None if one is not there.

        Rows of one station tend to follow each other: each run of equal cells is
        looked up once. With no NUL in the file, ``str.strip`` strips what the
        slow path's ``np.strings.strip`` does.
        """
        values, lengths = _fast_runs(self.table.cells("station"))
        decoded = _fast_utf8(values)
        if decoded is None:
            return None
        self.non_ascii += int(decoded[1] @ lengths)
        # Official station names are never empty, so an empty cell is never found.
        index = official.index_of_station()
        found = np.fromiter(
            map(index.get, map(str.strip, decoded[0]), repeat(-1)),
            dtype=np.int64,
            count=len(values),
        )
        if (found < 0).any():
            return None
        return np.repeat(found, lengths)

    def candidate_index(self, official: OfficialProtocol) -> IntArray | None:
        """Each row's candidate index (names compared casefolded); None if one is not one."""
        codes, distinct, counts = _fast_codes(self.table.cells("candidate"))
        decoded = _fast_utf8(distinct)
        if decoded is None:
            return None
        self.non_ascii += int(decoded[1] @ counts)
        lookup = official.index_of_candidate()
        names = [text.strip() for text in decoded[0]]
        found = [lookup.get(name.casefold(), -1) if name else -1 for name in names]
        if min(found) < 0:
            return None
        return np.array(found, dtype=np.int64)[codes]

    def complete(self) -> bool:
        """Whether the text cells hold every non-ASCII byte, so the numbers hold none."""
        return self.non_ascii == self.table.non_ascii


def _fast_numbers_ok(table: _FastTable, names: Sequence[str]) -> bool:
    """Whether every number is in 0..10**12 (as uint64, negatives are above it)."""
    return all(int(table.cells(name).view(np.uint64).max()) <= _MAX_VALUE for name in names)


def _read_official_fast(path: Source) -> OfficialProtocol | None:
    text_columns = ("station", "region", "district")
    table = _fast_rows(path, REQUIRED_COLUMNS, lambda name: name not in text_columns)
    if table is None:
        return None
    header = table.header
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    candidates = tuple(name for name in header if name not in known)
    numbers = [name for name in header if name not in text_columns]
    if not candidates or not _fast_numbers_ok(table, numbers):
        return None
    columns = _FastColumns(table)
    stations = columns.text("station")
    regions = columns.text("region", repeated=True)
    districts = columns.text("district", repeated=True) if "district" in header else None
    if (
        stations is None
        or regions is None
        or ("district" in header and districts is None)
        or not columns.complete()
        or (stations == "").any()
        or (regions == "").any()
        or len(set(stations.tolist())) != stations.size
    ):
        return None

    def column(name: str) -> IntArray:
        return np.ascontiguousarray(table.cells(name))

    def optional(name: str) -> IntArray | None:
        return column(name) if name in header else None

    return OfficialProtocol(
        source=table.source,
        stations=stations,
        regions=regions,
        registered=column("registered"),
        ballots=column("ballots"),
        invalid=column("invalid"),
        candidates=candidates,
        votes=np.column_stack([table.cells(name) for name in candidates]),
        issued=optional("issued"),
        early=optional("early"),
        at_home=optional("at_home"),
        districts=districts,
        lines=np.arange(2, stations.size + 2, dtype=np.int64),
        skipped=(),
    )


def _read_witnesses_fast(path: Source, official: OfficialProtocol) -> WitnessReports | None:
    table = _fast_rows(path, ("station", "candidate"), lambda name: name == "count")
    if table is None:
        return None
    header = table.header
    aggregated = "count" in header
    if aggregated and not _fast_numbers_ok(table, ["count"]):
        return None
    columns = _FastColumns(table)
    station = columns.station_index(official)
    candidate = columns.candidate_index(official) if station is not None else None
    if candidate is None or station is None:
        return None
    evidence = None
    for name in header:
        if name in ("station", "candidate", "count"):
            continue
        if name == "evidence" and not aggregated:
            evidence = columns.text("evidence")
            if evidence is None:
                return None
        elif not columns.validate(name):
            return None
    if not columns.complete():
        return None
    count = (
        np.ascontiguousarray(table.cells("count"))
        if aggregated
        else np.ones(table.rows.size, dtype=np.int64)
    )
    keep = np.arange(table.rows.size)
    return _witness_reports(
        table.source, official, station, candidate, count, keep, evidence, aggregated, ()
    )


def _read_observers_fast(path: Source, official: OfficialProtocol) -> ObserverReports | None:
    table = _fast_rows(
        path, ("station", "observed_turnout"), lambda name: name == "observed_turnout"
    )
    if table is None or not _fast_numbers_ok(table, ["observed_turnout"]):
        return None
    columns = _FastColumns(table)
    station = columns.station_index(official)
    others = [name for name in table.header if name not in ("station", "observed_turnout")]
    if (
        station is None
        or not all(columns.validate(name) for name in others)
        or not columns.complete()
        or np.unique(station).size != station.size
    ):
        return None
    out = np.full(official.station_count, -1, dtype=np.int64)
    out[station] = table.cells("observed_turnout")
    return ObserverReports(source=table.source, observed=out, skipped=())
