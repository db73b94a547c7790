"""The readers' fast path (np.loadtxt) against the slow path (csv.reader): same results,
same errors, on valid files, broken files and everything between."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veche.audit import (
    AuditInputError,
    ObserverReports,
    OfficialProtocol,
    WitnessReports,
    read_observers,
    read_official,
    read_witnesses,
    reading,
    simulate,
    write_simulation,
)
from veche.audit.reading import (
    _read_observers_slow,
    _read_official_slow,
    _read_witnesses_slow,
)

CANDIDATES = ["Лукашенко", "Тихановская", "Против всех"]
HEADER = ["station", "region", "registered", "ballots", "invalid", *CANDIDATES]
ROWS = [
    ["01-001", "Брестская область", "1000", "700", "10", "400", "250", "40"],
    ["01-002", "Брестская область", "800", "500", "5", "200", "250", "45"],
    ["07-001", "г. Минск", "1500", "1000", "20", "300", "600", "80"],
]
# Python's whitespace: what int() and str.strip() take off both ends of a cell.
WHITESPACE = [chr(c) for c in range(0x3001) if chr(c).isspace()]
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def csv_text(rows: list[list[str]], *, delimiter: str = ",", newline: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return out.getvalue()


def official_file(tmp_path: Path) -> OfficialProtocol:
    path = tmp_path / "base.csv"
    path.write_text(csv_text([HEADER, *ROWS]), encoding="utf-8")
    return read_official(path)


def plain(value: Any) -> Any:
    """A value as comparable data: arrays with their dtype and shape."""
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tolist())
    if isinstance(value, OfficialProtocol | WitnessReports | ObserverReports):
        # Private slots (the protocol's cache of derived values) are not data.
        return {
            name: plain(getattr(value, name))
            for name in type(value).__slots__
            if not name.startswith("_")
        }
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    return value


def outcome(read: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """What a reader returns, or the error it raises, as comparable data."""
    try:
        return ("result", plain(read(*args, **kwargs)))
    except AuditInputError as error:
        return ("error", str(error), error.problems)


READERS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "official": (read_official, _read_official_slow),
    "witness": (read_witnesses, _read_witnesses_slow),
    "observer": (read_observers, _read_observers_slow),
}


def same_as_slow(path: Path, official: OfficialProtocol | None = None) -> None:
    """Read a file (named for its kind) both ways, with and without skipping bad rows."""
    read, read_slowly = READERS[path.stem]
    args = (path,) if path.stem == "official" else (path, official)
    for skip in (False, True):
        assert outcome(read, *args, skip_bad_rows=skip) == outcome(
            read_slowly, *args, skip_bad_rows=skip
        )


def takes_fast_path(path: Path, official: OfficialProtocol | None = None) -> bool:
    """Whether the fast path reads the file (else the public reader reads it the slow way)."""
    kind = path.stem
    if kind == "official":
        return reading._read_official_fast(path) is not None
    assert official is not None
    if kind == "witness":
        return reading._read_witnesses_fast(path, official) is not None
    return reading._read_observers_fast(path, official) is not None


# --- The fast path is taken, and reads what the slow path reads ------------------


def test_simulated_files_take_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = write_simulation(simulate(2000, seed=11, stuffing=0.1, rewrite=0.02), tmp_path)
    official_slow = _read_official_slow(paths["official"])
    witness_slow = _read_witnesses_slow(paths["witness"], official_slow)
    observer_slow = _read_observers_slow(paths["observer"], official_slow)

    def no_slow_path(*args: object, **kwargs: object) -> None:
        raise AssertionError("the slow path was taken")

    for name in ("_read_official_slow", "_read_witnesses_slow", "_read_observers_slow"):
        monkeypatch.setattr(reading, name, no_slow_path)
    official = read_official(paths["official"])
    assert plain(official) == plain(official_slow)
    assert plain(read_witnesses(paths["witness"], official)) == plain(witness_slow)
    assert plain(read_observers(paths["observer"], official)) == plain(observer_slow)
    assert plain(read_official(paths["official"], skip_bad_rows=True)) == plain(official_slow)


@pytest.mark.parametrize(
    "variant",
    [
        "plain",
        "crlf",
        "no final newline",
        "bom",
        "semicolons",
        "quoted",
        "spaces",
        "quoted spaces",
        "signs",
    ],
)
def test_valid_variants_take_the_fast_path(tmp_path: Path, variant: str) -> None:
    rows = [list(row) for row in ROWS]
    delimiter, newline, prefix, quoting = ",", "\n", "", csv.QUOTE_MINIMAL
    if variant == "crlf":
        newline = "\r\n"
    elif variant == "semicolons":
        delimiter = ";"
        rows[0][1] = "Брестская область; округ 1"
    elif variant == "quoted":
        quoting = csv.QUOTE_ALL
        rows[1][1] = "Брестская, область"
    elif variant == "spaces":
        rows = [[f" {cell}\t" for cell in row] for row in rows]
    elif variant == "quoted spaces":
        quoting = csv.QUOTE_NONNUMERIC
        rows = [[f" {cell} " for cell in row] for row in rows]
    elif variant == "signs":
        rows[0][2:5] = ["+1000", " -0", "\t10\x0b\x0c"]
    elif variant == "bom":
        prefix = "\ufeff"
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=quoting).writerows(
        [HEADER, *rows]
    )
    text = prefix + out.getvalue()
    if variant == "no final newline":
        text = text.rstrip("\n")
    path = tmp_path / "official.csv"
    path.write_bytes(text.encode("utf-8"))
    assert takes_fast_path(path)
    same_as_slow(path)
    official = read_official(path)
    assert official.station_count == 3
    assert official.lines is not None and official.lines.tolist() == [2, 3, 4]


def test_witness_and_observer_variants_take_the_fast_path(tmp_path: Path) -> None:
    official = official_file(tmp_path)
    witness = tmp_path / "witness.csv"
    witness.write_text(
        "station,candidate,evidence,note\n"
        "01-001, тихановская ,aa11,\n01-001,Тихановская,bb22,x\n01-001,ТИХАНОВСКАЯ, aa11 ,\n"
        '07-001,"Против всех",,"a, b"\n07-001,Против всех,\n',
        encoding="utf-8",
    )
    # The last row lacks the note column: the slow path is taken for that.
    assert not takes_fast_path(witness, official)
    witness.write_text(
        "station,candidate,evidence,note\n"
        "01-001, тихановская ,aa11,\n01-001,Тихановская,bb22,x\n01-001,ТИХАНОВСКАЯ, aa11 ,\n"
        '07-001,"Против всех",,"a, b"\n 07-001 ,Против всех,,\n',
        encoding="utf-8",
    )
    assert takes_fast_path(witness, official)
    same_as_slow(witness, official)
    reports = read_witnesses(witness, official)
    assert reports.duplicate_evidence == 1
    assert reports.counts.tolist() == [[0, 2, 0], [0, 0, 0], [0, 0, 2]]
    aggregated = tmp_path / "witness.csv"
    aggregated.write_text(
        "station,candidate,count\r\n01-002,Лукашенко,3\r\n01-002,Лукашенко,4\r\n", encoding="utf-8"
    )
    assert takes_fast_path(aggregated, official)
    same_as_slow(aggregated, official)
    observer = tmp_path / "observer.csv"
    observer.write_text(
        "station;observed_turnout;who\n07-001;650;Анна\n01-001;+7;\n", encoding="utf-8"
    )
    assert takes_fast_path(observer, official)
    same_as_slow(observer, official)
    assert read_observers(observer, official).observed.tolist() == [7, -1, 650]


@pytest.mark.parametrize(
    "body",
    [
        "01-001,r,1,1,0,1,0,0\n\n",  # a blank line
        "01-001,r,1,1,0,1,0,0\n \n",  # a line of spaces
        '01-001,"r\nr",1,1,0,1,0,0\n',  # a field spanning lines
        "01-001,r,1,1,0,1,0,0\r01-002,r,1,1,0,1,0,0\n",  # a lone carriage return
        '01-001,"r\rr",1,1,0,1,0,0\n',
        "01-001,r,1,1,0,1,0,0\r",  # ... and one at the end
        '01-001,"r""r",1,1,0,1,0,0\n',  # a doubled quote
        '01-001,r"r,1,1,0,1,0,0\n',  # a quote inside a field
        '01-001,"r"r,1,1,0,1,0,0\n',  # text after a closing quote
        '01-001,"r" ,1,1,0,1,0,0\n',
        '01-001, "r",1,1,0,1,0,0\n',  # a space before an opening quote
        "01-001,r,1,1,0,1,0,0,\n",  # a trailing empty field
        "01-001,r,1_000,1,0,1,0,0\n",  # int() reads 1_000, loadtxt does not
        "01-001,r,١,1,0,1,0,0\n",  # nor Arabic-Indic digits
        "01-001,r,1,1,0,1,0,\xa05\n",  # non-ASCII in a number (int() reads this one)
        "01-001,r,1,1,0,1,0,ӿ5\n",  # loadtxt would read 12315 here
        "01-001,r,1,1,0,1,0,5\x1c\n",  # loadtxt reads 5, int() does not
        "01-001,r\x00,1,1,0,1,0,0\n",
        "01-001,r,1,1,0,1,0,0\n01-001,r,1,1,0,1,0,0\n",  # a duplicate station
        "01-001,r,-1,1,0,1,0,0\n",
        "01-001,,1,1,0,1,0,0\n",
        "01-001,r,1,1,0,1,0,1000000000001\n",
        "\n01-001,r,1,1,0,1,0,0\n",
        "01-001," + "r" * 200_000 + ",1,1,0,1,0,0\n",  # over csv's field size limit
        "01-001,r," + "0" * 5000 + "10,1,0,1,0,0\n",  # over int()'s 4,300 digits
        "01-001," + "r" * 4300 + ",1,1,0,1,0,0\n",  # a line over 4,300 bytes
    ],
)
def test_files_the_fast_path_leaves_to_the_slow_one(tmp_path: Path, body: str) -> None:
    path = tmp_path / "official.csv"
    path.write_text(",".join(HEADER) + "\n" + body, encoding="utf-8", newline="")
    assert not takes_fast_path(path)
    same_as_slow(path)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("official", "01-001,Брест\udcff,1,1,0,1,0,0"),
        ("official", "01-001,Брест,1,1,0,1,0,\udcd05"),  # a lone lead byte in a number
        ("official", "01-001,Брест,1,1,0,1,0,5\udca0"),  # latin-1 would call it a space
        ("witness", "station,candidate,count,note\n01-001,Лукашенко,5,\udcd0"),
        ("witness", "station,candidate,count\n01-001,Лукашенко\udc85,5"),
        ("observer", "station,observed_turnout\n01-001\udcc3,5"),
    ],
)
def test_bytes_that_are_not_utf8_go_the_slow_way(tmp_path: Path, name: str, data: str) -> None:
    """The fast path reads bytes as latin-1 (a character each) and decodes the text
    cells itself: a stray byte anywhere, numbers included, leaves it to the slow path."""
    official = official_file(tmp_path)
    path = tmp_path / f"{name}.csv"
    if name == "official":
        data = ",".join(HEADER) + "\n" + data
    path.write_bytes((data + "\n").encode("utf-8", errors="surrogateescape"))
    assert not takes_fast_path(path, official)
    same_as_slow(path, official)
    read = READERS[name][0]
    with pytest.raises(AuditInputError, match="is not UTF-8"):
        read(path) if name == "official" else read(path, official)


@pytest.mark.parametrize("space", WHITESPACE)
def test_numbers_with_any_whitespace_read_alike(tmp_path: Path, space: str) -> None:
    rows = [list(row) for row in ROWS]
    rows[0][2] = f"{space}+1000{space}"
    rows[1][3] = f"{space}{space}-0"
    rows[2][1] = f"{space}г. Минск{space}"
    path = tmp_path / "official.csv"
    path.write_text(csv_text([HEADER, *rows]), encoding="utf-8", newline="")
    same_as_slow(path)


def test_str_strip_strips_what_numpy_strips() -> None:
    """The fast path looks names up after str.strip; the slow one after np.strings.strip."""
    cells = [f"{c}a{c}" for c in map(chr, range(1, 0x3001)) if not 0xD800 <= ord(c) < 0xE000]
    assert np.strings.strip(np.array(cells)).tolist() == [cell.strip() for cell in cells]


# --- Differential tests: any text, the same outcome --------------------------------

ALPHABET = '",;\n\r \t0123456789-+abcжЖ\xa0\x0b_'
cells_text = st.text(alphabet=ALPHABET, max_size=6)
# What int() reads, and what np.loadtxt reads the same way (spaces, signs, zeros).
good_numbers = st.builds(
    lambda space, sign, digits, after: f"{space}{sign}{digits}{after}",
    st.sampled_from(["", "", " ", "\t", "\x0b"]),
    st.sampled_from(["", "", "+"]),
    st.sampled_from(["0", "7", "00", "012", "1000", "999999999999", "1000000000000"]),
    st.sampled_from(["", "", " ", "\t\x0c"]),
)
bad_numbers = st.one_of(
    st.integers(min_value=-3, max_value=10**13).map(str),
    st.sampled_from(["-0", "-5", "\xa01", "1_0", "١", "ӿ5", "5ж", "", " ", "1e3", "1.0"]),
    cells_text,
)
good_texts = st.sampled_from(
    ["Минск", "г. Минск", "a, b", "x; y", " x ", "\xa0Брест\u3000", "Гродно 5", "q\tq"]
)


def cell(draw: st.DrawFn, good: st.SearchStrategy[str], bad: st.SearchStrategy[str]) -> str:
    """Mostly a good cell, sometimes a bad one."""
    return draw(bad) if draw(st.integers(min_value=0, max_value=29)) == 0 else draw(good)


def perturb(draw: st.DrawFn, text: str) -> str:
    """The text of a file, sometimes changed here and there by a few characters."""
    if draw(st.integers(min_value=0, max_value=3)):
        return text
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        where = draw(st.integers(min_value=0, max_value=len(text)))
        what = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=3))
        if what == "insert":
            text = text[:where] + piece + text[where:]
        elif what == "delete":
            text = text[:where] + text[where + len(piece) :]
        else:
            text = text[:where] + piece + text[where + len(piece) :]
    return text


def write_rows(draw: st.DrawFn, rows: list[list[str]], *, quote_all: bool = True) -> str:
    quoting = [csv.QUOTE_MINIMAL, csv.QUOTE_MINIMAL]
    if quote_all:
        quoting += [csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]
    out = io.StringIO()
    csv.writer(
        out,
        delimiter=draw(st.sampled_from([",", ",", ";"])),
        lineterminator=draw(st.sampled_from(["\n", "\r\n"])),
        quoting=draw(st.sampled_from(quoting)),
    ).writerows(rows)
    text = out.getvalue()
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        text = text.rstrip("\r\n")
    return perturb(draw, text)


@st.composite
def official_texts(draw: st.DrawFn) -> str:
    header = list(HEADER)
    if draw(st.booleans()):
        header.insert(2, "district")
    if draw(st.booleans()):
        header.append(header.pop(1))  # the region last, after the numbers
    rows = []
    for i in range(draw(st.integers(min_value=0, max_value=5))):
        row = []
        for name in header:
            if name == "station":
                row.append(cell(draw, st.just(f"S{i}"), st.sampled_from([" S0", "S1 ", ""])))
            elif name in ("region", "district"):
                row.append(cell(draw, good_texts, cells_text))
            else:
                row.append(cell(draw, good_numbers, bad_numbers))
        rows.append(row)
    return write_rows(draw, [header, *rows])


def write_text(tmp_path: Path, name: str, text: str, bom: bool) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


@SETTINGS
@given(text=official_texts(), bom=st.booleans())
def test_official_reads_as_the_slow_path_does(tmp_path: Path, text: str, bom: bool) -> None:
    same_as_slow(write_text(tmp_path, "official.csv", text, bom))


@SETTINGS
@given(
    body=st.text(alphabet=ALPHABET, max_size=80),
    header=st.sampled_from([",".join(HEADER), ";".join(HEADER), ",".join(HEADER[:3]), ""]),
)
def test_official_reads_any_text_as_the_slow_path_does(
    tmp_path: Path, body: str, header: str
) -> None:
    same_as_slow(write_text(tmp_path, "official.csv", header + "\n" + body, False))


@st.composite
def witness_texts(draw: st.DrawFn) -> str:
    header = draw(
        st.sampled_from(
            [
                ["station", "candidate", "count"],
                ["station", "candidate"],
                ["station", "candidate", "evidence"],
                ["candidate", "evidence", "station", "note"],
                ["count", "candidate", "station"],
            ]
        )
    )
    stations = st.sampled_from([r[0] for r in ROWS] + [" 01-001", "01-002\xa0"])
    names = st.sampled_from([*CANDIDATES, "тихановская", " Лукашенко", "ПРОТИВ ВСЕХ\t"])
    evidence = st.sampled_from(["e1", "e2", " e1", "", "ё1", "a,b"])
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        row = []
        for name in header:
            if name == "station":
                row.append(cell(draw, stations, st.sampled_from(["99", "", "01-0O1"])))
            elif name == "candidate":
                row.append(cell(draw, names, st.sampled_from(["Иванов", "", "Лукашенко2"])))
            elif name == "count":
                row.append(cell(draw, good_numbers, bad_numbers))
            else:
                row.append(cell(draw, evidence, cells_text))
        rows.append(row)
    return write_rows(draw, [header, *rows])


@SETTINGS
@given(text=witness_texts(), bom=st.booleans())
def test_witnesses_read_as_the_slow_path_does(tmp_path: Path, text: str, bom: bool) -> None:
    official = official_file(tmp_path)
    same_as_slow(write_text(tmp_path, "witness.csv", text, bom), official)


@st.composite
def observer_texts(draw: st.DrawFn) -> str:
    header = draw(
        st.sampled_from([["station", "observed_turnout"], ["note", "observed_turnout", "station"]])
    )
    rows = []
    stations = draw(st.permutations([r[0] for r in ROWS]))
    for i in range(draw(st.integers(min_value=0, max_value=3))):
        row = []
        for name in header:
            if name == "station":
                row.append(cell(draw, st.just(stations[i]), st.sampled_from(["99", "", "01-001"])))
            elif name == "observed_turnout":
                row.append(cell(draw, good_numbers, bad_numbers))
            else:
                row.append(cell(draw, good_texts, cells_text))
        rows.append(row)
    return write_rows(draw, [header, *rows])


@SETTINGS
@given(text=observer_texts())
def test_observers_read_as_the_slow_path_does(tmp_path: Path, text: str) -> None:
    official = official_file(tmp_path)
    same_as_slow(write_text(tmp_path, "observer.csv", text, False), official)


BYTES = [b"0", b"7", b",", b";", b'"', b"\n", b"\r", b" ", b"\t", b"-", b"+", b"a"]
BYTES += [b"\xd0", b"\xb6", b"\xd0\xb6", b"\xc2\xa0", b"\xa0", b"\x85", b"\xc3", b"\xe2\x80"]


@SETTINGS
@given(
    rows=st.integers(min_value=0, max_value=3),
    junk=st.lists(st.sampled_from(BYTES), max_size=30).map(b"".join),
    where=st.integers(min_value=0),
)
def test_official_reads_any_bytes_as_the_slow_path_does(
    tmp_path: Path, rows: int, junk: bytes, where: int
) -> None:
    """Stray bytes (UTF-8 or not) in a valid file: the fast path reads latin-1 and
    decodes UTF-8 itself, so it must refuse just what the slow path refuses."""
    data = csv_text([HEADER, *ROWS[:rows]]).encode("utf-8")
    where = where % (len(data) + 1)
    path = tmp_path / "official.csv"
    path.write_bytes(data[:where] + junk + data[where:])
    same_as_slow(path)
