"""The fund's public transparency report: build, write, verify, and find one's payout.

A report covers a period (a month ``2020-08`` or ``all``). It gives the money
in by category and currency, the money out (payouts, costs), the number of
recipients and payouts, and one salted commitment per payout with its amount
and currency, so anyone can check that the list sums to the published total
and each recipient, holding their salt, can check that their payout is
counted. No recipient id, salt or donor appears. ``report.json`` carries the
report, its digest, the signed ``fund.report`` event that published that
digest and the signed ``fund.create`` event naming the treasurers;
``report.html`` is a rendering of exactly that JSON. ``verify_report`` checks
all of it with no database; any changed byte in either file fails.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from veche.events import EventError, parse_event
from veche.events.encoding import b64e, is_b64_of_length
from veche.solidarity.commitment import CommitmentError, payout_commitment
from veche.solidarity.ledger import CURRENCIES, Entry, format_amount

__all__ = [
    "FORMAT",
    "PeriodError",
    "ReportPayout",
    "VerifyResult",
    "build_report",
    "canonical",
    "document_bytes",
    "find_payout",
    "in_period",
    "overlaps",
    "parse_period",
    "render_html",
    "report_digest",
    "verify_report",
    "verify_report_files",
    "write_report",
]

FORMAT = "veche-fund-report-v1"
INFLOW_CATEGORIES = ("donation", "pledge")


class PeriodError(ValueError):
    """A period that is not one: ``code`` (``format`` or ``month``) says why, for a page
    to say it in its reader's language; the English message is for the command line."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def parse_period(period: str) -> tuple[date | None, date | None]:
    """``2020-08`` -> (2020-08-01, 2020-08-31); ``all`` -> (None, None)."""
    if period == "all":
        return None, None
    parts = period.split("-")
    if (
        len(parts) != 2
        or len(parts[0]) != 4
        or len(parts[1]) != 2
        or not (parts[0] + parts[1]).isascii()
        or not (parts[0] + parts[1]).isdigit()
    ):
        raise PeriodError("format", f"period {period!r}: use a month like 2020-08, or 'all'")
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12 or year < 1900:
        raise PeriodError("month", f"period {period!r}: no such month")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def overlaps(a: str, b: str) -> bool:
    start_a, end_a = parse_period(a)
    start_b, end_b = parse_period(b)
    if start_a is None or start_b is None or end_a is None or end_b is None:
        return True
    return start_a <= end_b and start_b <= end_a


def in_period(day: str, period: str) -> bool:
    start, end = parse_period(period)
    if start is None or end is None:
        return True
    return start.isoformat() <= day <= end.isoformat()


@dataclass(frozen=True, slots=True)
class ReportPayout:
    ref: str
    day: str
    recipient: str  # used only to count distinct recipients; never written out
    commitment: str
    amount: int
    currency: str


def build_report(
    *,
    fund: dict[str, Any],
    period: str,
    entries: Iterable[Entry],
    payouts: Iterable[ReportPayout],
) -> dict[str, Any]:
    """The report of ``period`` from effective entries and effective payouts."""
    start, end = parse_period(period)
    money_in: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    money_out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry in entries:
        if not in_period(entry.day, period):
            continue
        for posting in entry.postings:
            if posting.account == "donations":
                category = entry.category if entry.category in INFLOW_CATEGORIES else "other"
                money_in[category][posting.currency] -= posting.signed
            elif posting.account in ("payouts", "costs"):
                money_out[posting.account][posting.currency] += posting.signed
    chosen = [p for p in payouts if in_period(p.day, period)]
    commitments = sorted(
        (
            {
                "payout": p.ref,
                "commitment": p.commitment,
                "amount": p.amount,
                "currency": p.currency,
            }
            for p in chosen
        ),
        key=lambda c: (c["commitment"], c["payout"]),
    )
    return {
        "fund": {
            "space": fund["space"],
            "name": fund["name"],
            "treasurers": sorted(fund["treasurers"]),
            "k": fund["k"],
        },
        "period": period,
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "in": _plain(money_in),
        "out": _plain(money_out),
        "payouts": len(chosen),
        "recipients": len({p.recipient for p in chosen}),
        "commitments": commitments,
    }


def _plain(table: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {
        name: {cur: amount for cur, amount in sorted(row.items()) if amount}
        for name, row in sorted(table.items())
        if any(row.values())
    }


def _dumps(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def report_digest(report: dict[str, Any]) -> str:
    """BLAKE2b-256 of the report's compact sorted-key JSON (UTF-8), base64url."""
    return b64e(hashlib.blake2b(_dumps(report), digest_size=32, person=b"veche-report-v1").digest())


def document_bytes(document: dict[str, Any]) -> bytes:
    """The one byte layout of report.json, so that any change to the file is detected."""
    return (json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def canonical(value: Any) -> Any:
    """A copy of a JSON value whose objects hold their keys in sorted order.

    A report read back from a database comes in that database's key order
    (PostgreSQL's jsonb sorts keys by length first); everything written or rendered
    from it starts from this copy, so it is byte-identical on SQLite and PostgreSQL.
    """
    return json.loads(_dumps(value))


def make_document(report: dict[str, Any], publication: bytes, fund_event: bytes) -> dict[str, Any]:
    report = canonical(report)
    return {
        "format": FORMAT,
        "report": report,
        "digest": report_digest(report),
        "publication": publication.decode("utf-8"),
        "fund_event": fund_event.decode("utf-8"),
    }


def write_report(directory: Path, document: dict[str, Any]) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / "report.json"
    html_path = directory / "report.html"
    json_path.write_bytes(document_bytes(document))
    html_path.write_bytes(render_html(document).encode("utf-8"))
    return json_path, html_path


# -- the HTML rendering ---------------------------------------------------------------

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:1rem auto;padding:0 1rem;"
    "line-height:1.45;color:#1b1b1b}table{border-collapse:collapse;width:100%;margin:.5rem 0}"
    "th,td{border-bottom:1px solid #ccc;padding:.3rem .4rem;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "code{font-size:.8rem;word-break:break-all}.hint{color:#555;font-size:.9rem}"
)


def _money_table(title: str, table: dict[str, dict[str, int]]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{cur}</td>"
        f"<td class=n>{html.escape(format_amount(amount))}</td></tr>"
        for name, row in sorted(table.items())
        for cur, amount in sorted(row.items())
    )
    body = rows or "<tr><td colspan=3>none</td></tr>"
    return (
        f"<h2>{html.escape(title)}</h2><table><tr><th>category</th><th>currency</th>"
        f"<th>amount</th></tr>{body}</table>"
    )


def render_html(document: dict[str, Any]) -> str:
    """A self-contained page (no scripts, no external files) showing ``document``.

    Tables come in sorted order, never in the order of the dictionaries given.
    """
    report = document["report"]
    fund = report["fund"]
    period = report["period"]
    span = "all time" if period == "all" else f"{report['from']} to {report['to']}"
    commitments = "".join(
        f"<tr><td><code>{html.escape(c['commitment'])}</code></td>"
        f"<td><code>{html.escape(c['payout'])}</code></td>"
        f"<td class=n>{html.escape(format_amount(c['amount']))}</td>"
        f"<td>{html.escape(c['currency'])}</td></tr>"
        for c in report["commitments"]
    )
    totals = "".join(
        f"<li>{cur}: {html.escape(format_amount(amount))} in "
        f"{sum(1 for c in report['commitments'] if c['currency'] == cur)} payouts</li>"
        for cur, amount in sorted(report["out"].get("payouts", {}).items())
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(fund['name'])}: report {html.escape(period)}</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(fund['name'])}</h1>"
        f"<p>Solidarity fund report for <strong>{html.escape(period)}</strong> ({span}).</p>"
        f"<p>{report['payouts']} payouts to {report['recipients']} recipients.</p>"
        + _money_table("Money in", report["in"])
        + _money_table("Money out", report["out"])
        + f"<h2>Payout totals</h2><ul>{totals or '<li>no payouts</li>'}</ul>"
        "<h2>Payout commitments</h2>"
        "<p class=hint>One line per payout. A recipient who holds their salt can check "
        "their line with <code>veche fund check-payout</code>; anyone can check that the "
        "amounts add up to the totals with <code>veche fund verify-report</code>. "
        "No recipient is named.</p>"
        "<table><tr><th>commitment</th><th>payout</th><th>amount</th><th>currency</th></tr>"
        f"{commitments}</table>"
        "<h2>Signature</h2>"
        f"<p>Report digest <code>{html.escape(document['digest'])}</code>, published by a "
        f"signed event of the fund's committee <code>{html.escape(fund['space'])}</code>; "
        f"{fund['k']} of {len(fund['treasurers'])} treasurers approve each payout.</p>"
        "</body></html>\n"
    )


# -- verification -------------------------------------------------------------------


@dataclass
class VerifyResult:
    problems: list[str] = field(default_factory=list)
    document: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _parse(data: bytes) -> tuple[dict[str, Any] | None, list[str]]:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, [f"report.json is not JSON: {error}"]
    if not isinstance(document, dict):
        return None, ["report.json must hold an object"]
    problems = []
    if document_bytes(document) != data:
        problems.append("report.json was changed: its bytes are not the layout the node wrote")
    return document, problems


def verify_report(directory: Path) -> VerifyResult:
    """Check a written report; every problem found is listed, none is fatal to the others."""
    try:
        data = (directory / "report.json").read_bytes()
    except OSError as error:
        return VerifyResult([f"cannot read report.json: {error.strerror or error}"])
    try:
        page: bytes | None = (directory / "report.html").read_bytes()
    except OSError as error:
        page, unread = None, f"cannot read report.html: {error.strerror or error}"
    result = verify_report_files(data, page)
    if page is None:
        result.problems.append(unread)
    return result


def verify_report_files(data: bytes, page: bytes | None) -> VerifyResult:
    """``verify_report`` on the bytes of report.json and report.html (None: not checked),
    for a copy carried elsewhere (the signed static mirror, mirror-v1)."""
    try:
        return _verify_report_files(data, page)
    except RecursionError:
        # Crafted JSON of 100,000 brackets: named, never a crash of the verifier.
        return VerifyResult(["report.json is not JSON: it is nested too deeply"])


def _verify_report_files(data: bytes, page: bytes | None) -> VerifyResult:
    document, problems = _parse(data)
    result = VerifyResult(problems, document)
    if document is None:
        return result
    if document.get("format") != FORMAT:
        problems.append(f"format must be {FORMAT}")
        return result
    try:
        report = document["report"]
        _check_shape(report)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        problems.append(f"the report is malformed: {error}")
        return result
    if report_digest(report) != document.get("digest"):
        problems.append("the report's digest does not match its content")
    try:
        problems.extend(_check_signatures(document, report))
        problems.extend(_check_sums(report))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        problems.append(f"the report is malformed: {error!r}")
    if page is not None:
        try:
            expected = render_html(document).encode("utf-8")
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            problems.append(f"report.json cannot be rendered: {error!r}")
        else:
            if page != expected:
                problems.append("report.html was changed: it is not the rendering of report.json")
    return result


def _check_shape(report: dict[str, Any]) -> None:
    fund = report["fund"]
    if not isinstance(fund["space"], str) or not isinstance(fund["name"], str):
        raise ValueError("the fund's space and name must be text")
    if not isinstance(fund["treasurers"], list) or not all(
        isinstance(key, str) for key in fund["treasurers"]
    ):
        raise ValueError("the fund's treasurers must be a list of keys")
    if not isinstance(report["in"], dict) or not isinstance(report["out"], dict):
        raise ValueError("money in and out must be tables")
    if not isinstance(report["commitments"], list):
        raise ValueError("the commitments must be a list")
    parse_period(report["period"])
    for key in ("payouts", "recipients", "k"):
        value = report[key] if key != "k" else report["fund"]["k"]
        if type(value) is not int or value < 0:
            raise ValueError(f"{key} must be a whole number")
    for table in (report["in"], report["out"]):
        for row in table.values():
            for cur, amount in row.items():
                if cur not in CURRENCIES or type(amount) is not int:
                    raise ValueError("amounts must be whole numbers in BYN, EUR or USD")
    for item in report["commitments"]:
        if not is_b64_of_length(item["commitment"], 32):
            raise ValueError("each commitment must be 32 bytes in base64url")
        if type(item["amount"]) is not int or item["amount"] <= 0:
            raise ValueError("each payout amount must be a positive whole number")
        if item["currency"] not in CURRENCIES:
            raise ValueError("each payout currency must be BYN, EUR or USD")
        if not isinstance(item["payout"], str):
            raise ValueError("each payout reference must be text")


def _check_signatures(document: dict[str, Any], report: dict[str, Any]) -> list[str]:
    problems = []
    try:
        publication = parse_event(str(document["publication"]).encode("utf-8"))
        fund_event = parse_event(str(document["fund_event"]).encode("utf-8"))
    except (EventError, KeyError) as error:
        return [f"the signed events do not verify: {error}"]
    fund = report["fund"]
    if publication.kind != "fund.report":
        problems.append("the publication event is not a fund.report event")
    if fund_event.kind != "fund.create":
        problems.append("the fund event is not a fund.create event")
    if publication.space_id != fund["space"] or fund_event.space_id != fund["space"]:
        problems.append("the signed events belong to another committee than the report's")
    if fund_event.id not in publication.deps:
        problems.append("the publication does not cite the fund's rules")
    if (
        sorted(fund_event.body.get("treasurers", [])) != fund["treasurers"]
        or fund_event.body.get("k") != fund["k"]
    ):
        problems.append("the report's treasurers and k differ from the signed fund rules")
    if fund_event.body.get("name") != fund["name"]:
        problems.append("the report's fund name differs from the signed fund rules")
    if publication.author not in fund["treasurers"]:
        problems.append("the publication is not signed by one of the fund's treasurers")
    body = publication.body
    if body.get("digest") != document.get("digest"):
        problems.append("the signed publication names another digest")
    if body.get("period") != report["period"]:
        problems.append("the signed publication is for another period")
    return problems


def _check_sums(report: dict[str, Any]) -> list[str]:
    problems = []
    sums: dict[str, int] = defaultdict(int)
    seen: set[str] = set()
    for item in report["commitments"]:
        sums[item["currency"]] += item["amount"]
        if item["commitment"] in seen:
            problems.append(f"commitment {item['commitment']} is listed twice")
        seen.add(item["commitment"])
    totals = report["out"].get("payouts", {})
    for cur in sorted(set(sums) | set(totals)):
        if sums.get(cur, 0) != totals.get(cur, 0):
            problems.append(
                f"the commitments sum to {format_amount(sums.get(cur, 0), cur)} but the "
                f"payouts total is {format_amount(totals.get(cur, 0), cur)}"
            )
    if len(report["commitments"]) != report["payouts"]:
        problems.append(
            f"{len(report['commitments'])} commitments listed for {report['payouts']} payouts"
        )
    if report["recipients"] > report["payouts"] or (report["payouts"] and not report["recipients"]):
        problems.append("the number of recipients does not fit the number of payouts")
    return problems


def find_payout(
    document: dict[str, Any], *, salt: str, recipient: str, amount: int, currency: str | None
) -> list[dict[str, Any]]:
    """The report lines that commit to this recipient's payout (empty if none)."""
    found = []
    for item in document["report"]["commitments"]:
        if item["amount"] != amount or (currency and item["currency"] != currency):
            continue
        try:
            value = payout_commitment(salt, recipient, amount, item["currency"], item["payout"])
        except CommitmentError:
            raise
        if value == item["commitment"]:
            found.append(item)
    return found


def total_by_currency(items: Sequence[dict[str, Any]]) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for item in items:
        sums[item["currency"]] += item["amount"]
    return dict(sums)
