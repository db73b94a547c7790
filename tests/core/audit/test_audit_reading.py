"""Readers: round trips, Cyrillic, Excel, and bad files rejected with file, line and column."""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veche.audit import (
    AuditInputError,
    read_observers,
    read_official,
    read_witnesses,
    simulate,
    write_simulation,
)

HEADER = "station,region,registered,ballots,invalid,Лукашенко,Тихановская,Против всех\n"
ROWS = [
    "01-001,Брестская область,1000,700,10,400,250,40",
    "01-002,Брестская область,800,500,5,200,250,45",
    "07-001,г. Минск,1500,1000,20,300,600,80",
]


def write(tmp_path: Path, text: str, name: str = "official.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_simulated_files_read_back_identically(tmp_path: Path) -> None:
    election = simulate(300, seed=3, stuffing=0.1)
    paths = write_simulation(election, tmp_path)
    official = read_official(paths["official"])
    assert official.candidates == election.official.candidates
    assert official.candidates[0] == "Лукашенко" and "Против всех" in official.candidates
    assert np.array_equal(official.votes, election.official.votes)
    assert np.array_equal(official.stations, election.official.stations)
    assert official.issued is not None and election.official.issued is not None
    assert np.array_equal(official.issued, election.official.issued)
    assert official.districts is not None and election.official.districts is not None
    assert np.array_equal(official.districts, election.official.districts)
    witnesses = read_witnesses(paths["witness"], official)
    assert np.array_equal(witnesses.counts, election.witnesses.counts)
    assert witnesses.aggregated
    observers = read_observers(paths["observer"], official)
    assert np.array_equal(observers.observed, election.observers.observed)


def test_cyrillic_bom_and_semicolons_are_read(tmp_path: Path) -> None:
    text = "\ufeff" + (HEADER + "\n".join(ROWS) + "\n").replace(",", ";")
    official = read_official(write(tmp_path, text))
    assert official.candidates == ("Лукашенко", "Тихановская", "Против всех")
    assert official.regions.tolist() == ["Брестская область", "Брестская область", "г. Минск"]
    assert official.votes[2].tolist() == [300, 600, 80]
    assert official.leader_name == "Тихановская"
    assert official.lines is not None and official.lines.tolist() == [2, 3, 4]


def test_line_numbers_count_quoted_fields_that_span_lines(tmp_path: Path) -> None:
    text = (
        HEADER
        + ROWS[0]
        + '\n"01-002","Брестская\nобласть",800,500,5,200,250,45\n'
        + ROWS[2]
        + ",x\n"
    )
    with pytest.raises(AuditInputError) as caught:
        read_official(write(tmp_path, text))
    assert caught.value.line == 5  # the header, row 1, a two-line row, then the bad row
    official = read_official(write(tmp_path, text), skip_bad_rows=True)
    assert official.regions.tolist()[1] == "Брестская\nобласть"
    assert official.lines is not None and official.lines.tolist() == [2, 3]


def test_blank_lines_and_surrounding_spaces_are_tolerated(tmp_path: Path) -> None:
    text = HEADER + "\n" + ROWS[0].replace(",1000,", ", 1000 ,") + "\n\n" + ROWS[1] + "\n"
    official = read_official(write(tmp_path, text))
    assert official.registered.tolist() == [1000, 800]
    assert official.lines is not None and official.lines.tolist() == [3, 5]


@pytest.mark.parametrize(
    ("row", "line", "column", "words"),
    [
        (
            "01-003,Брестская область,abc,1,0,1,0,0",
            5,
            "3 (registered)",
            "'abc' is not a whole number",
        ),
        ("01-003,Брестская область,100,-4,0,1,0,0", 5, "4 (ballots)", "'-4'"),
        ("01-003,Брестская область,100,1.5,0,1,0,0", 5, "4 (ballots)", "'1.5'"),
        ("01-003,Брестская область,100,4,0,1,0,", 5, "8 (Против всех)", "is empty"),
        ("01-003,,100,4,0,1,0,0", 5, "2 (region)", "is empty"),
        ("01-003,Брестская область,100,4,0,1,0", 5, "", "has 7 fields, the header has 8"),
        ("01-001,Брестская область,100,4,0,1,0,0", 5, "1 (station)", "already appears on line 2"),
    ],
)
def test_bad_rows_are_named_by_file_line_and_column(
    tmp_path: Path, row: str, line: int, column: str, words: str
) -> None:
    path = write(tmp_path, HEADER + "\n".join([*ROWS, row]) + "\n")
    with pytest.raises(AuditInputError) as caught:
        read_official(path)
    error = caught.value
    assert (error.file, error.line, error.column) == ("official.csv", line, column)
    assert words in str(error)
    assert str(error).startswith(f"official.csv, line {line}")
    # With skip_bad_rows the good rows are kept and the bad one is reported.
    official = read_official(path, skip_bad_rows=True)
    assert official.station_count == 3
    assert [p.line for p in official.skipped] == [line]


def test_missing_columns_and_no_candidates_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(AuditInputError, match="lacks column\\(s\\) invalid"):
        read_official(write(tmp_path, "station,region,registered,ballots,Лукашенко\n1,r,1,1,1\n"))
    with pytest.raises(AuditInputError, match="no candidate column"):
        read_official(write(tmp_path, "station,region,registered,ballots,invalid\n1,r,1,1,1\n"))
    with pytest.raises(AuditInputError, match="appears twice"):
        read_official(write(tmp_path, HEADER.strip() + ",Лукашенко\n"))
    with pytest.raises(AuditInputError, match="empty"):
        read_official(write(tmp_path, ""))


def test_non_utf8_file_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "official.csv"
    path.write_bytes((HEADER + ROWS[0] + "\n").encode("utf-8") + ROWS[1].encode("cp1251"))
    with pytest.raises(AuditInputError) as caught:
        read_official(path)
    assert caught.value.line == 3
    assert "UTF-8" in str(caught.value)


def test_every_bad_row_is_listed_when_skipping(tmp_path: Path) -> None:
    rows = [*ROWS, "x1,r,zz,1,0,1,0,0", "x2,r,1,1,0,1,0,0", "x3,r,1,1,0,1,0,?"]
    official = read_official(write(tmp_path, HEADER + "\n".join(rows)), skip_bad_rows=True)
    assert official.stations.tolist() == ["01-001", "01-002", "07-001", "x2"]
    assert [(p.line, p.column) for p in official.skipped] == [
        (5, "3 (registered)"),
        (7, "8 (Против всех)"),
    ]


NUMERIC_COLUMNS = ["registered", "ballots", "invalid", "Лукашенко", "Тихановская", "Против всех"]


def _readable(cell: str) -> bool:
    try:
        return 0 <= int(cell) <= 10**12
    except ValueError:
        return False


bad_cells = st.one_of(
    st.text(alphabet=string.ascii_letters + "-.,+e ", min_size=1, max_size=6).filter(
        lambda s: not s.strip().isdecimal()
    ),
    st.integers(max_value=-1).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr).filter(lambda s: not s.isdecimal()),
    st.just("1" * 20),
    st.sampled_from(["", " ", "٣٣x", "½", "²", "NULL", "1 000", "1" * 14]),
).filter(lambda cell: not _readable(cell))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    stations=st.integers(min_value=1, max_value=30),
    data=st.data(),
    bad=bad_cells,
)
def test_any_bad_numeric_cell_is_reported_where_it_is(
    tmp_path: Path, stations: int, data: st.DataObject, bad: str
) -> None:
    rows = [
        [f"S{i}", "Гомельская область", "900", "600", "6", "300", "250", "44"]
        for i in range(stations)
    ]
    target = data.draw(st.integers(min_value=0, max_value=stations - 1))
    column = data.draw(st.sampled_from(NUMERIC_COLUMNS))
    index = HEADER.strip().split(",").index(column)
    rows[target][index] = bad
    path = tmp_path / "official.csv"
    import csv

    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER.strip().split(","))
        writer.writerows(rows)
    with pytest.raises(AuditInputError) as caught:
        read_official(path)
    assert caught.value.file == "official.csv"
    assert caught.value.line == target + 2
    assert caught.value.column == f"{index + 1} ({column})"
    kept = read_official(path, skip_bad_rows=True) if stations > 1 else None
    if kept is not None:
        assert f"S{target}" not in kept.stations.tolist()
        assert kept.station_count == stations - 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(junk=st.binary(min_size=1, max_size=300))
def test_arbitrary_bytes_never_crash_the_reader(tmp_path: Path, junk: bytes) -> None:
    path = tmp_path / "official.csv"
    path.write_bytes(HEADER.encode("utf-8") + junk)
    try:
        official = read_official(path)
    except AuditInputError as error:
        assert error.file == "official.csv"
        assert error.line >= 1
    else:
        assert official.station_count >= 1


def test_witness_files_per_vote_with_duplicate_evidence(tmp_path: Path) -> None:
    official = read_official(write(tmp_path, HEADER + "\n".join(ROWS)))
    witness = write(
        tmp_path,
        "station,candidate,evidence\n"
        "01-001,Тихановская,aa11\n01-001,тихановская,bb22\n01-001,Тихановская,aa11\n"
        "07-001,Против всех,\n07-001,Против всех,\n",
        "witness.csv",
    )
    reports = read_witnesses(witness, official)
    assert not reports.aggregated
    assert reports.duplicate_evidence == 1
    assert reports.counts[0].tolist() == [0, 2, 0]
    assert reports.counts[2].tolist() == [0, 0, 2]


def test_witness_rows_naming_unknown_stations_or_candidates_are_rejected(tmp_path: Path) -> None:
    official = read_official(write(tmp_path, HEADER + "\n".join(ROWS)))
    bad_station = write(tmp_path, "station,candidate,count\n99-999,Тихановская,3\n", "w1.csv")
    with pytest.raises(AuditInputError) as caught:
        read_witnesses(bad_station, official)
    assert (caught.value.file, caught.value.line, caught.value.column) == (
        "w1.csv",
        2,
        "1 (station)",
    )
    bad_name = write(
        tmp_path, "station,candidate,count\n01-001,Иванов,3\n01-002,Тихановская,x\n", "w2.csv"
    )
    with pytest.raises(AuditInputError) as caught:
        read_witnesses(bad_name, official)
    assert [(p.line, p.column) for p in caught.value.problems] == [
        (2, "2 (candidate)"),
        (3, "3 (count)"),
    ]
    assert "not a candidate" in str(caught.value)
    skipped = read_witnesses(bad_name, official, skip_bad_rows=True)
    assert skipped.counts.sum() == 0 and len(skipped.skipped) == 2


def test_observer_file(tmp_path: Path) -> None:
    official = read_official(write(tmp_path, HEADER + "\n".join(ROWS)))
    observers = read_observers(
        write(tmp_path, "station,observed_turnout\n07-001,650\n", "observer.csv"), official
    )
    assert observers.observed.tolist() == [-1, -1, 650]
    with pytest.raises(AuditInputError, match="already appears on line 2"):
        read_observers(
            write(tmp_path, "station,observed_turnout\n07-001,650\n07-001,1\n", "o2.csv"), official
        )


def test_xlsx_official_protocol(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    for row in ROWS:
        cells = row.split(",")
        sheet.append([cells[0], cells[1], *[int(c) for c in cells[2:]]])
    sheet.append(["07-002", "г. Минск", 1200.0, 800, 8, 100, 600, 92])  # Excel stores floats
    path = tmp_path / "official.xlsx"
    workbook.save(path)
    official = read_official(path)
    assert official.station_count == 4
    assert official.registered.tolist() == [1000, 800, 1500, 1200]
    assert official.candidates[-1] == "Против всех"

    sheet.append(["07-003", "г. Минск", 1200.5, 800, 8, 100, 600, 92])
    workbook.save(path)
    with pytest.raises(AuditInputError) as caught:
        read_official(path)
    assert (caught.value.file, caught.value.line, caught.value.column) == (
        "official.xlsx",
        6,
        "C (registered)",
    )


def test_broken_xlsx_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "official.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(AuditInputError, match=r"not a readable \.xlsx"):
        read_official(path)
