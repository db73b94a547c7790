"""The transparency report: build, write, verify with no database, fail on any change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veche.events import Identity, build_event
from veche.solidarity.commitment import payout_commitment
from veche.solidarity.ledger import Entry, Posting
from veche.solidarity.report import (
    PeriodError,
    ReportPayout,
    build_report,
    find_payout,
    make_document,
    overlaps,
    parse_period,
    report_digest,
    verify_report,
    write_report,
)

TREASURER = Identity(b"t" * 32)
OTHER = Identity(b"o" * 32)
SPACE = "S" * 42 + "A"
SALT = "AAECAwQFBgcICQoLDA0ODw"


def _events(report: dict[str, Any], signer: Identity = TREASURER) -> tuple[bytes, bytes]:
    fund = build_event(
        TREASURER,
        space=SPACE,
        seq=1,
        prev=None,
        kind="fund.create",
        body={
            "name": report["fund"]["name"],
            "treasurers": report["fund"]["treasurers"],
            "k": report["fund"]["k"],
        },
        deps=[],
        at="2020-08-12T10:00:00Z",
    )
    publication = build_event(
        signer,
        space=SPACE,
        seq=2 if signer is TREASURER else 1,
        prev=fund.id if signer is TREASURER else None,
        kind="fund.report",
        body={"period": report["period"], "digest": report_digest(report)},
        deps=[fund.id],
        at="2020-09-01T10:00:00Z",
    )
    return publication.raw, fund.raw


def sample_report(period: str = "2020-08") -> dict[str, Any]:
    entries = [
        Entry(
            "d1",
            "2020-08-14",
            (
                Posting("bank", "BYN", "debit", 500_00),
                Posting("donations", "BYN", "credit", 500_00),
            ),
            "donation",
        ),
        Entry(
            "d2",
            "2020-08-15",
            (Posting("cash", "EUR", "debit", 80_00), Posting("donations", "EUR", "credit", 80_00)),
            "donation",
        ),
        Entry(
            "c1",
            "2020-08-16",
            (Posting("costs", "BYN", "debit", 10_00), Posting("bank", "BYN", "credit", 10_00)),
            "cost",
        ),
        Entry(
            "d3",
            "2020-09-02",
            (Posting("bank", "BYN", "debit", 7), Posting("donations", "BYN", "credit", 7)),
            "donation",
        ),
    ]
    payouts = []
    for index, (who, amount) in enumerate([("R-1", 200_00), ("R-2", 150_00), ("R-1", 50_00)]):
        ref = f"ref{index:05d}"
        payouts.append(
            ReportPayout(
                ref,
                "2020-08-20",
                who,
                payout_commitment(SALT, who, amount, "BYN", ref),
                amount,
                "BYN",
            )
        )
        entries.append(
            Entry(
                ref,
                "2020-08-20",
                (
                    Posting("payouts", "BYN", "debit", amount),
                    Posting("bank", "BYN", "credit", amount),
                ),
                "payout",
            )
        )
    return build_report(
        fund={"space": SPACE, "name": "Belshina fund", "treasurers": [TREASURER.public], "k": 1},
        period=period,
        entries=entries,
        payouts=payouts,
    )


def write(tmp: Path, report: dict[str, Any] | None = None, signer: Identity = TREASURER) -> Path:
    report = report or sample_report()
    write_report(tmp, make_document(report, *_events(report, signer)))
    return tmp


def test_report_totals_and_count(tmp_path: Path) -> None:
    report = sample_report()
    assert report["in"] == {"donation": {"BYN": 500_00, "EUR": 80_00}}
    assert report["out"] == {"costs": {"BYN": 10_00}, "payouts": {"BYN": 400_00}}
    assert report["payouts"] == 3 and report["recipients"] == 2
    assert "R-1" not in str(report) and SALT not in str(report)
    assert sample_report("all")["in"]["donation"]["BYN"] == 500_07


def test_a_written_report_verifies(tmp_path: Path) -> None:
    result = verify_report(write(tmp_path))
    assert result.ok, result.problems
    page = (tmp_path / "report.html").read_text()
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org", "")
    assert "400.00" in page


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_changed_byte_fails_verification(tmp_path: Path, data: st.DataObject) -> None:
    directory = write(tmp_path / "r")
    name = data.draw(st.sampled_from(["report.json", "report.html"]))
    path = directory / name
    content = bytearray(path.read_bytes())
    index = data.draw(st.integers(0, len(content) - 1))
    content[index] = (content[index] + data.draw(st.integers(1, 255))) % 256
    path.write_bytes(bytes(content))
    assert not verify_report(directory).ok


def _tamper(tmp_path: Path, change: Any) -> list[str]:
    report = sample_report()
    change(report)
    return verify_report(write(tmp_path, report)).problems


def test_sums_that_do_not_add_up_are_reported(tmp_path: Path) -> None:
    def drop_one(report: dict[str, Any]) -> None:
        report["commitments"].pop()

    problems = _tamper(tmp_path / "a", drop_one)
    assert any("but the payouts total is 400.00 BYN" in p for p in problems)
    assert any("2 commitments listed for 3 payouts" in p for p in problems)

    def inflate(report: dict[str, Any]) -> None:
        report["out"]["payouts"]["BYN"] += 1

    assert _tamper(tmp_path / "b", inflate)


def test_a_report_signed_by_a_non_treasurer_fails(tmp_path: Path) -> None:
    problems = verify_report(write(tmp_path, signer=OTHER)).problems
    assert any("not signed by one of the fund's treasurers" in p for p in problems)


def test_missing_files_are_reported(tmp_path: Path) -> None:
    assert "cannot read report.json" in verify_report(tmp_path).problems[0]
    write(tmp_path)
    (tmp_path / "report.html").unlink()
    assert any("cannot read report.html" in p for p in verify_report(tmp_path).problems)


def test_recipient_finds_their_payout_with_their_salt(tmp_path: Path) -> None:
    document = verify_report(write(tmp_path)).document
    assert document is not None
    mine = find_payout(document, salt=SALT, recipient="R-1", amount=200_00, currency=None)
    assert len(mine) == 1 and mine[0]["amount"] == 200_00
    assert not find_payout(document, salt=SALT, recipient="R-2", amount=200_00, currency="BYN")
    other_salt = "AQECAwQFBgcICQoLDA0ODw"
    assert not find_payout(document, salt=other_salt, recipient="R-1", amount=200_00, currency=None)


def test_periods() -> None:
    assert parse_period("2020-08")[1].isoformat() == "2020-08-31"  # type: ignore[union-attr]
    assert parse_period("2020-02")[1].isoformat() == "2020-02-29"  # type: ignore[union-attr]
    assert overlaps("2020-08", "2020-08") and overlaps("all", "2020-09")
    assert not overlaps("2020-08", "2020-09")
    for bad in ("2020-13", "2020-8", "08-2020", "２０２０-08", "", "2020-08-01"):
        with pytest.raises(PeriodError):
            parse_period(bad)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*prefix, key))
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((*prefix, index))
            found.extend(_paths(item, (*prefix, index)))
    return found


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_structurally_changed_report_is_refused_not_crashed(
    tmp_path: Path, data: st.DataObject
) -> None:
    import json

    from veche.solidarity.report import document_bytes

    directory = write(tmp_path / "s")
    document = json.loads((directory / "report.json").read_text())
    path = data.draw(st.sampled_from(_paths(document)))
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    replacement = data.draw(st.sampled_from([None, 0, -1, "x", [], {}, "delete"]))
    if replacement == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    (directory / "report.json").write_bytes(document_bytes(document))
    assert not verify_report(directory).ok
