"""The mirror's pages and feeds as exact bytes (docs/formats/mirror-v1.md §5, §6).

``render_site`` maps the facts of ``facts.derive`` to ``{relative path: bytes}``. It is
deterministic (no clock, no locale of the machine): the publisher writes these bytes and
the verifier derives them again and compares. Words come from the project's compiled
catalogues through the standard library's gettext, so no Django is needed.
"""

from __future__ import annotations

import gettext
import html
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from veche.publish.facts import (
    Committee,
    ElectionResult,
    Facts,
    FundReport,
    PublicMotion,
    PublishedAudit,
    Workplace,
    election_record_file,
    fund_report_files,
)
from veche.solidarity.drawing import MapMarker, strike_map
from veche.solidarity.geography import REGION_NAMES
from veche.solidarity.ledger import format_amount
from veche.solidarity.strike import STATUS_LABELS

__all__ = ["GENERATOR", "LANGUAGES", "linked_events", "named_committees", "render_site"]

GENERATOR = "veche-mirror-1"
LANGUAGES = ("be", "ru", "en")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
_GROUPING = {"be": "\u202f", "ru": "\u202f"}


@cache
def _catalog(lang: str) -> gettext.NullTranslations:
    return gettext.translation("django", localedir=LOCALE_DIR, languages=[lang], fallback=True)


class _Words:
    """One language's words and number and date formats."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        catalog = _catalog(lang)
        self.gettext: Callable[[str], str] = catalog.gettext
        self.ngettext: Callable[[str, str, int], str] = catalog.ngettext
        _ = self.gettext
        # Outside the f-strings below, where makemessages finds them.
        self.say = {
            "veche_mirror": _("Veche mirror"),
            "strike_map": _("Strike map"),
            "check_this_copy": _("Check this copy"),
            "signed_events": _("Signed events"),
            "signed_hint": _(
                "Every fact on this page follows from these signed events of the committees named; veche publish verify checks it."
            ),
            "passed": _("Passed"),
            "supports": _("Supports:"),
            "nothing_published_yet": _("Nothing published yet."),
            "day": _("Day"),
            "workplaces_out": _("Workplaces out"),
            "workers_out": _("Workers out"),
            "workplace": _("Workplace"),
            "status": _("Status"),
            "public_decisions": _("Public decisions:"),
            "lead": _(
                "What the committees have published, with the signed events behind every page."
            ),
            "committees": _("Committees"),
            "atom_feed": _("Atom feed"),
            "fund_reports": _("Fund reports"),
            "election_results": _("Election results"),
            "elected": _("elected"),
            "record_file": _("The election record (veche election verify checks it):"),
            "money_in": _("Money in"),
            "money_out": _("Money out"),
            "payout_totals": _("Payout totals"),
            "report_files": _("The report's files (veche fund verify-report checks them):"),
            "published_on": _("Published"),
            "election_audits": _("Election audits"),
            "audit_digest": _("Audit digest"),
            "audit_files": _(
                "The audit's files (veche audit verify and veche publish verify re-run the audit on them):"
            ),
            "audit_plots": _(
                "Plots and report.html are not carried: veche audit run draws them from these files."
            ),
        }

    def number(self, value: int) -> str:
        return f"{value:,}".replace(",", _GROUPING.get(self.lang, ","))

    def money(self, minor: int, currency: str) -> str:
        if self.lang == "en":
            return format_amount(minor, currency, decimal=".", group=",")
        return format_amount(minor, currency, decimal=",", group="\u202f")

    def day(self, value: date) -> str:
        return value.isoformat() if self.lang == "en" else value.strftime("%d.%m.%Y")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _fact(key: str, value: object, text: str) -> str:
    """A figure the in-browser check finds and compares (mirror-v1 §8): its value as
    derived, and its text as this language shows it."""
    return f'<data data-fact="{_e(key)}" value="{_e(value)}">{_e(text)}</data>'


def _page(
    words: _Words,
    *,
    depth: int,
    title: str,
    committees: Iterable[str],
    body: str,
    events: Sequence[str],
) -> bytes:
    _ = words.gettext
    up = "../" * depth
    links = "".join(
        f'<li><a href="{up}events/{_e(event)}.json"><code class="id">{_e(event)}</code></a></li>'
        for event in events
    )
    text = (
        "<!doctype html>\n"
        f'<html lang="{words.lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{GENERATOR}">\n'
        f'<meta name="veche-committees" content="{_e(" ".join(sorted(committees)))}">\n'
        f"<title>{_e(title)}</title>\n"
        f'<link rel="stylesheet" href="{up}veche.css">\n<link rel="stylesheet" href="{up}mirror.css">\n'
        f'<link rel="alternate" type="application/atom+xml" href="{up}feed.atom">\n'
        "</head>\n<body>\n"
        f'<header class="top"><a class="brand" href="{up}{words.lang}/index.html">'
        f"{_e(words.say['veche_mirror'])}</a>"
        f'<nav><a href="{up}{words.lang}/strike.html">{_e(words.say["strike_map"])}</a>'
        f' <a href="{up}verify.html">{_e(words.say["check_this_copy"])}</a></nav></header>\n'
        f"<main>\n<h1>{_e(title)}</h1>\n{body}\n"
        f'<section class="signed"><h2>{_e(words.say["signed_events"])}</h2>\n'
        f'<p class="hint">{_e(words.say["signed_hint"])}</p>\n'
        f'<ul class="events">{links}</ul></section>\n'
        "</main>\n</body>\n</html>\n"
    )
    return text.encode("utf-8")


def _kind_label(words: _Words, kind: str) -> str:
    _ = words.gettext
    labels = {
        "demands": _("Demands letter"),
        "endorsement": _("Endorsement"),
        "ratification": _("Ratification"),
        "appeal": _("Appeal"),
    }
    return labels.get(kind, kind)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{_e(line)}</p>" for line in text.splitlines() if line.strip())


def _result(words: _Words, motion: PublicMotion) -> str:
    _ = words.gettext
    counts = [
        (name, label, motion.result[name])
        for name, label in (("yes", _("yes")), ("no", _("no")), ("abstain", _("abstain")))
        if isinstance(motion.result.get(name), int)
    ]
    if not counts:
        return ""
    shown = ", ".join(
        f"{_e(label)}: {_fact(f'm.{motion.proposal}.{name}', value, words.number(value))}"
        for name, label, value in counts
    )
    return f'<p class="result">{shown}</p>'


def _audience(words: _Words, motion: PublicMotion) -> str:
    _ = words.gettext
    labels = {
        "police_army": _("To police officers and army conscripts"),
        "workers": _("To the workers of a plant not yet on strike"),
        "public": _("To the public"),
    }
    if motion.kind != "appeal" or motion.audience not in labels:
        return ""
    return f'<p class="lead">{_e(labels[str(motion.audience)])}</p>'


def _motion_section(words: _Words, facts: Facts, motion: PublicMotion) -> tuple[str, list[str]]:
    _ = words.gettext
    events = list(motion.events)
    closed = date.fromisoformat(motion.closed_at[:10])
    parts = [
        f'<section class="card" id="m-{_e(motion.proposal)}">',
        f"<h2>{_e(motion.title)}</h2>",
        f'<p><span class="badge passed">{_e(_kind_label(words, motion.kind))}</span> '
        f"{_e(words.say['passed'])} {_e(words.day(closed))}</p>",
        _audience(words, motion),
        _result(words, motion),
        _paragraphs(motion.text),
    ]
    if motion.target_motion and motion.target_space in facts.committees:
        letter = facts.letter(motion.target_motion)
        if letter is not None:
            who = facts.committees[letter.space]
            parts.append(
                f"<p>{_e(words.say['supports'])} "
                f'<a href="{_e(letter.space)}.html#m-{_e(letter.proposal)}">{_e(letter.title)}</a>'
                f" ({_e(who.name)})</p>"
            )
            events.append(letter.close)
    backers = facts.endorsers.get(motion.proposal, [])
    if backers:
        items = "".join(
            f'<li><a href="{_e(b.space)}.html#m-{_e(b.proposal)}">'
            f"{_e(facts.committees[b.space].name)}</a> ({_e(_kind_label(words, b.kind))})</li>"
            for b in backers
        )
        count = len({b.space for b in backers})
        parts.append(
            "<p>"
            + _e(
                words.ngettext(
                    "Supported by %(count)s committee:",
                    "Supported by %(count)s committees:",
                    count,
                )
                % {"count": words.number(count)}
            )
            + f"</p><ul>{items}</ul>"
        )
        events.extend(b.close for b in backers)
    parts.append("</section>")
    return "\n".join(p for p in parts if p), events


def _committee_page(words: _Words, facts: Facts, committee: Committee) -> bytes:
    _ = words.gettext
    sections: list[str] = []
    events: list[str] = [committee.create]
    spaces = {committee.space}
    for motion in facts.motions_of(committee.space):
        section, used = _motion_section(words, facts, motion)
        sections.append(section)
        events.extend(used)
        spaces.update(facts.events_space[e] for e in used)
    elections = facts.elections_of(committee.space)
    if elections:
        items = "".join(
            f'<li><a href="../election/{_e(e.election)}.html">{_e(e.title)}</a></li>'
            for e in elections
        )
        sections.append(f"<h2>{_e(words.say['election_results'])}</h2>\n<ul>{items}</ul>")
    audits = facts.audits_of(committee.space)
    if audits:
        items = "".join(
            f'<li><a href="../audit/{_e(a.digest)}.html">{_e(a.title)}</a></li>' for a in audits
        )
        sections.append(f"<h2>{_e(words.say['election_audits'])}</h2>\n<ul>{items}</ul>")
        events.extend(e for a in audits for e in a.events)
    reports = facts.fund_reports_of(committee.space)
    if reports:
        items = "".join(
            f'<li><a href="../fund/{_e(r.event)}.html">{_e(_report_title(words, r))}</a></li>'
            for r in reports
        )
        sections.append(f"<h2>{_e(words.say['fund_reports'])}</h2>\n<ul>{items}</ul>")
        events.extend(r.event for r in reports)
    places = [w for w in facts.workplaces if w.space == committee.space]
    if places:
        sections.append(
            f'<p><a href="../strike.html">{_e(words.say["strike_map"])}</a>: '
            + ", ".join(_e(w.name) for w in places)
            + "</p>"
        )
    if not sections:
        sections.append(f"<p>{_e(words.say['nothing_published_yet'])}</p>")
    return _page(
        words,
        depth=2,
        title=committee.name,
        committees=spaces,
        body="\n".join(sections),
        events=_unique(events),
    )


def _counts_list(
    words: _Words, options: Sequence[str], counts: Sequence[int], winners: Sequence[str]
) -> str:
    items = "".join(
        f"<li>{_e(option)}: {words.number(count)}"
        + (
            f' <span class="badge passed">{_e(words.say["elected"])}</span>'
            if option in winners
            else ""
        )
        + "</li>"
        for option, count in zip(options, counts, strict=False)
    )
    return f"<ul>{items}</ul>"


def _election_page(words: _Words, facts: Facts, result: ElectionResult) -> bytes:
    _ = words.gettext
    committee = facts.committees[result.space]
    decided = date.fromisoformat(result.decided_at[:10])
    parts = [
        f'<p><a href="../c/{_e(result.space)}.html">{_e(committee.name)}</a></p>',
        '<dl class="facts">'
        f"<dt>{_e(_('Decided'))}</dt><dd>{_e(words.day(decided))}</dd>"
        f"<dt>{_e(_('Voters'))}</dt><dd>{words.number(result.voters)}</dd>"
        f"<dt>{_e(_('Ballots counted'))}</dt><dd>{words.number(result.counted)}</dd>"
        "</dl>",
    ]
    for number, (text, options) in enumerate(result.questions):
        counts = result.counts[number] if number < len(result.counts) else ()
        winners = result.winners[number] if number < len(result.winners) else ()
        parts.append(f"<h2>{_e(text)}</h2>")
        if result.totals:
            # A survey: its one decrypted total, never a count per option.
            parts.append(_counts_list(words, [_("Total")], counts[:1], ()))
            continue
        parts.append(_counts_list(words, options, counts, () if result.seats else winners))
    if result.seats is not None and result.questions:
        allocated = "".join(
            f"<li>{_e(option)}: {words.number(count)}</li>"
            for option, count in zip(result.questions[0][1], result.seats, strict=False)
            if count
        )
        parts.append(f"<h2>{_e(_('Seats'))}</h2><ul>{allocated}</ul>")
    every = [o for _text, opts in result.questions for o in opts]
    for name, seat_count, district in result.constituencies:
        heading = _("%(name)s (%(seats)s seats)") % {
            "name": name,
            "seats": words.number(seat_count),
        }
        parts.append(f"<h3>{_e(heading)}</h3>" + _counts_list(words, every, district, ()))
    record = election_record_file(result.election)
    parts.append(
        f'<p>{_e(words.say["record_file"])} <a href="../../{_e(record)}">'
        f'<code class="id">{_e(record.rsplit("/", 1)[1])}</code></a></p>'
    )
    return _page(
        words,
        depth=2,
        title=result.title,
        committees={result.space},
        body="\n".join(parts),
        events=[committee.create],
    )


def _report_title(words: _Words, report: FundReport) -> str:
    period = str(report.report["period"])
    shown = words.gettext("all time") if period == "all" else period
    return words.gettext("%(fund)s: report for %(period)s") % {
        "fund": report.report["fund"]["name"],
        "period": shown,
    }


def _category(words: _Words, name: str) -> str:
    _ = words.gettext
    labels = {
        "donation": _("Donations"),
        "pledge": _("Pledges received"),
        "other": _("Other income"),
        "payouts": _("Payouts to strikers"),
        "costs": _("Costs"),
    }
    return labels.get(name, name)


def _money_list(words: _Words, side: str, table: Mapping[str, Mapping[str, int]]) -> str:
    items = "".join(
        f"<li>{_e(_category(words, name))}: "
        f"{_fact(f'{side}.{name}.{currency}', amount, words.money(amount, currency))}</li>"
        for name, row in sorted(table.items())
        for currency, amount in sorted(row.items())
    )
    return f"<ul>{items}</ul>" if items else f"<p>{_e(words.gettext('None.'))}</p>"


def _fund_page(words: _Words, facts: Facts, report: FundReport) -> bytes:
    _ = words.gettext
    content = report.report
    committee = facts.committees[report.space]
    json_path, html_path = fund_report_files(report.event)
    period = str(content["period"])
    span = (
        _("all time")
        if period == "all"
        else f"{words.day(date.fromisoformat(content['from']))} – "
        f"{words.day(date.fromisoformat(content['to']))}"
    )
    payouts = content["out"].get("payouts", {})
    totals = "".join(
        "<li>"
        + _e(words.ngettext("%(total)s in %(n)s payout", "%(total)s in %(n)s payouts", count))
        % {
            "total": _fact(f"total.{currency}", amount, words.money(amount, currency)),
            "n": _number(words, f"count.{currency}", count),
        }
        + "</li>"
        for currency, amount in sorted(payouts.items())
        for count in [sum(1 for c in content["commitments"] if c["currency"] == currency)]
    )
    published = date.fromisoformat(report.at[:10])
    body = (
        f'<p><a href="../c/{_e(report.space)}.html">{_e(committee.name)}</a></p>\n'
        '<dl class="facts">'
        f"<dt>{_e(_('Period'))}</dt><dd>{_e(span)}</dd>"
        f"<dt>{_e(_('Payouts'))}</dt><dd>{_number(words, 'payouts', int(content['payouts']))}</dd>"
        f"<dt>{_e(_('Recipients'))}</dt>"
        f"<dd>{_number(words, 'recipients', int(content['recipients']))}</dd>"
        f"<dt>{_e(words.say['published_on'])}</dt><dd>{_e(words.day(published))}</dd>"
        "</dl>\n"
        f"<h2>{_e(words.say['money_in'])}</h2>\n{_money_list(words, 'in', content['in'])}\n"
        f"<h2>{_e(words.say['money_out'])}</h2>\n{_money_list(words, 'out', content['out'])}\n"
        f"<h2>{_e(words.say['payout_totals'])}</h2>\n"
        + (f"<ul>{totals}</ul>" if totals else f"<p>{_e(_('None.'))}</p>")
        + f'\n<p>{_e(words.say["report_files"])} <a href="../../{_e(json_path)}">report.json</a>'
        f' · <a href="../../{_e(html_path)}">report.html</a></p>'
    )
    return _page(
        words,
        depth=2,
        title=_report_title(words, report),
        committees={report.space},
        body=body,
        events=[report.event, report.fund_event, committee.create],
    )


# report.json's method names -> the audit package's labels of them (veche.audit.labels).
_AUDIT_METHODS = {
    "witnesses": "witnesses",
    "observers": "observers",
    "klimek": "fingerprint",
    "integers": "integers",
    "turnout": "anomalous_estimate",
    "regions": "regions",
}


def _audit_page(words: _Words, facts: Facts, audit: PublishedAudit) -> bytes:
    from veche.audit.labels import label

    _ = words.gettext
    report = audit.report
    committee = facts.committees[audit.space]
    lang = words.lang
    parts = [f'<p><a href="../c/{_e(audit.space)}.html">{_e(committee.name)}</a></p>']
    if report.get("simulated") is True:
        parts.append(f"<p><strong>{_e(label('simulated', lang))}</strong></p>")
    votes = report.get("votes") or {}
    leader = str(report.get("leader", ""))
    parts.append(
        f"<h2>{_e(label('summary', lang))}</h2>\n"
        '<dl class="facts">'
        f"<dt>{_e(label('stations', lang))}</dt><dd>{words.number(int(report['stations']))}</dd>"
        f"<dt>{_e(_('Registered voters'))}</dt>"
        f"<dd>{words.number(int(report['registered']))}</dd>"
        f"<dt>{_e(_('Ballots cast'))}</dt><dd>{words.number(int(report['ballots']))}</dd>"
        f"<dt>{_e(_('Leader'))}</dt>"
        f"<dd>{_e(leader)}: {words.number(int(votes.get(leader, 0)))}</dd>"
        f"<dt>{_e(words.say['published_on'])}</dt>"
        f"<dd>{_e(words.day(date.fromisoformat(audit.closed_at[:10])))}</dd>"
        "</dl>"
    )
    proven = report.get("proven_falsified_stations")
    if isinstance(proven, int) and proven > 0:
        least = int(report.get("proven_min_falsified_votes") or 0)
        parts.append(
            "<p><strong>"
            + _e(
                label(
                    "proven_summary",
                    lang,
                    stations=words.number(proven),
                    votes=words.number(least),
                )
            )
            + "</strong></p>"
        )
    signals = report.get("signals") or {}
    items = "".join(
        f"<li>{_e(label(_AUDIT_METHODS[name], lang))}: "
        + (
            f'<span class="badge failed">{_e(label("signal", lang))}</span>'
            if found
            else _e(label("no_signal", lang))
        )
        + "</li>"
        for name, found in sorted(signals.items())
        if name in _AUDIT_METHODS
    )
    if items:
        parts.append(f"<h2>{_e(label('methods', lang))}</h2>\n<ul>{items}</ul>")
    links = " · ".join(
        f'<a href="../../audit/{_e(audit.digest)}/{_e(name)}">{_e(name)}</a>'
        for name in audit.files
    )
    parts.append(
        f"<p>{_e(words.say['audit_files'])} {links}</p>\n"
        f'<p class="hint">{_e(words.say["audit_plots"])}</p>\n'
        f'<p class="hint">{_e(words.say["audit_digest"])}: <code class="id">{_e(audit.digest)}</code></p>'
    )
    return _page(
        words,
        depth=2,
        title=audit.title,
        committees={audit.space},
        body="\n".join(parts),
        events=[*audit.events, committee.create],
    )


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _status(words: _Words, status: str) -> str:
    return words.gettext(STATUS_LABELS.get(status, status))


def _strike_page(words: _Words, facts: Facts) -> bytes:
    _ = words.gettext
    markers = [
        MapMarker(
            id=w.id,
            name=w.name,
            city=w.city,
            region=w.region,
            status=w.status,
            workers_out=w.workers_out,
        )
        for w in facts.workplaces
    ]
    svg = strike_map(
        markers,
        title=_("Strike map of Belarus"),
        status_labels={k: words.gettext(v) for k, v in STATUS_LABELS.items()},
        region_names={k: words.gettext(v) for k, v in REGION_NAMES.items()},
        totals_text=lambda plants, workers: (
            words.ngettext(
                "%(plants)s out, %(workers)s workers", "%(plants)s out, %(workers)s workers", plants
            )
            % {"plants": plants, "workers": words.number(workers)}
        ),
        number=words.number,
    )
    today = facts.totals.today
    parts: list[str] = [f'<div class="map">{svg}</div>']
    if today is not None:
        parts.append(
            '<dl class="facts">'
            f"<dt>{_e(words.say['day'])}</dt>"
            f"<dd>{_fact('day', today.day.isoformat(), words.day(today.day))}</dd>"
            f"<dt>{_e(words.say['workplaces_out'])}</dt>"
            f"<dd>{_number(words, 'plants_out', today.plants_out)}</dd>"
            f"<dt>{_e(words.say['workers_out'])}</dt>"
            f"<dd>{_number(words, 'workers_out', today.workers_out)}</dd>"
            "</dl>"
        )
    rows = "".join(_workplace_row(words, facts, w) for w in facts.workplaces)
    # A list, not a table: a table's columns do not fit a 360 px phone.
    parts.append(f'<h2>{_e(words.say["workplace"])}</h2>\n<ul class="workplaces">{rows}</ul>')
    events = [e for w in facts.workplaces for e in w.events]
    spaces = {w.space for w in facts.workplaces}
    for space in sorted(spaces):
        events.append(facts.committees[space].create)
    return _page(
        words,
        depth=1,
        title=_("Strike map"),
        committees=spaces,
        body="\n".join(parts),
        events=_unique(events),
    )


def _workplace_row(words: _Words, facts: Facts, place: Workplace) -> str:
    committee = facts.committees[place.space]
    key = f"w.{place.id}"
    return (
        f'<li><a href="c/{_e(place.space)}.html">{_e(place.name)}</a>, {_e(place.city)}'
        f" <small>{_e(committee.name)}</small><br>"
        f"{_e(words.say['status'])}: "
        f"{_fact(f'{key}.status', place.status, _status(words, place.status))}"
        f" ({_fact(f'{key}.day', place.day.isoformat(), words.day(place.day))})<br>"
        f"{_e(words.say['workers_out'])}: {_number(words, f'{key}.out', place.workers_out)}"
        f" / {_number(words, f'{key}.workforce', place.workforce)}{_ballot(words, place)}</li>"
    )


def _ballot(words: _Words, place: Workplace) -> str:
    if place.ballot is None:
        return ""
    yes, no = place.ballot
    said = _e(words.gettext("Set by a secret strike ballot: %(yes)s yes, %(no)s no")) % {
        "yes": _number(words, f"w.{place.id}.yes", yes),
        "no": _number(words, f"w.{place.id}.no", no),
    }
    return f"<br>{said}"


def _number(words: _Words, key: str, value: int) -> str:
    return _fact(key, value, words.number(value))


def _index_page(words: _Words, facts: Facts) -> bytes:
    _ = words.gettext
    items = []
    for committee in facts.publishing():
        count = len(facts.motions_of(committee.space))
        items.append(
            f'<li><a href="c/{_e(committee.space)}.html">{_e(committee.name)}</a>'
            f" <small>{_e(words.say['public_decisions'])} {words.number(count)}</small></li>"
        )
    body = (
        f'<p class="lead">{_e(words.say["lead"])}</p>\n'
        f'<p><a class="button" href="strike.html">{_e(words.say["strike_map"])}</a></p>\n'
        f'<h2>{_e(words.say["committees"])}</h2>\n<ul class="cards">{"".join(items)}</ul>\n'
        + _index_list(
            words.say["election_results"],
            [(f"election/{e.election}.html", e.title) for e in facts.elections],
        )
        + _index_list(
            words.say["election_audits"],
            [(f"audit/{a.digest}.html", a.title) for a in facts.audits],
        )
        + _index_list(
            words.say["fund_reports"],
            [(f"fund/{r.event}.html", _report_title(words, r)) for r in facts.fund_reports],
        )
        + f'<p><a href="../feed.atom">{_e(words.say["atom_feed"])}</a></p>'
    )
    return _page(
        words,
        depth=1,
        title=_("Veche mirror"),
        committees=(),
        body=body,
        events=(),
    )


def _index_list(heading: str, links: Sequence[tuple[str, str]]) -> str:
    if not links:
        return ""
    items = "".join(f'<li><a href="{_e(href)}">{_e(text)}</a></li>' for href, text in links)
    return f"<h2>{_e(heading)}</h2>\n<ul>{items}</ul>\n"


def _root_index() -> bytes:
    links = " · ".join(
        f'<a href="{lang}/index.html" lang="{lang}">{name}</a>'
        for lang, name in (("be", "Беларуская"), ("ru", "Русский"), ("en", "English"))
    )
    return (
        '<!doctype html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{GENERATOR}">\n'
        "<title>Veche</title>\n"
        '<link rel="stylesheet" href="veche.css">\n</head>\n<body>\n<main>\n'
        f"<h1>Veche</h1>\n<p>{links}</p>\n</main>\n</body>\n</html>\n"
    ).encode()


@dataclass(frozen=True)
class _Entry:
    updated: str
    id: str  # the event the entry is about
    title: str
    author: str  # the committee's name
    link: str  # from the mirror's root
    content: str


def _entries(facts: Facts, space: str | None = None) -> list[_Entry]:
    """A feed's entries: public decisions and fund reports (of one committee, or all)."""
    english = _Words("en")
    entries = [
        _Entry(
            m.closed_at,
            m.close,
            m.title,
            facts.committees[m.space].name,
            f"en/c/{m.space}.html#m-{m.proposal}",
            m.text,
        )
        for m in facts.motions
        if space in (None, m.space)
    ]
    for result in facts.elections:
        if space not in (None, result.space):
            continue
        entries.append(
            _Entry(
                result.decided_at,
                result.election,
                result.title,
                facts.committees[result.space].name,
                f"en/election/{result.election}.html",
                f"{result.counted} ballots counted of {result.voters} voters",
            )
        )
    for audit in facts.audits:
        if space not in (None, audit.space):
            continue
        entries.append(
            _Entry(
                audit.closed_at,
                audit.close,
                audit.title,
                facts.committees[audit.space].name,
                f"en/audit/{audit.digest}.html",
                f"Election audit of {audit.report['stations']} polling stations, "
                f"digest {audit.digest}",
            )
        )
    for report in facts.fund_reports:
        if space not in (None, report.space):
            continue
        content = report.report
        entries.append(
            _Entry(
                report.at,
                report.event,
                _report_title(english, report),
                facts.committees[report.space].name,
                f"en/fund/{report.event}.html",
                f"{content['payouts']} payouts to {content['recipients']} recipients",
            )
        )
    return entries


def _feed(title: str, up: str, feed_id: str, entries: Sequence[_Entry]) -> bytes:
    """An Atom feed; ``up`` leads from the feed's folder to the mirror's root."""
    updated = max((e.updated for e in entries), default="2020-01-01T00:00:00Z")
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n',
        f"<title>{_e(title)}</title>\n<id>{_e(feed_id)}</id>\n<updated>{updated}</updated>\n",
        f"<generator>{GENERATOR}</generator>\n",
        f'<link href="{up}en/index.html"/>\n',
    ]
    for entry in sorted(entries, key=lambda e: (e.updated, e.id), reverse=True):
        parts.append(
            "<entry>\n"
            f"<title>{_e(entry.title)}</title>\n"
            f"<id>urn:veche:event:{_e(entry.id)}</id>\n"
            f"<updated>{entry.updated}</updated>\n"
            f"<author><name>{_e(entry.author)}</name></author>\n"
            f'<link href="{up}{_e(entry.link)}"/>\n'
            f'<content type="text">{_e(entry.content)}</content>\n'
            "</entry>\n"
        )
    parts.append("</feed>\n")
    return "".join(parts).encode("utf-8")


_ID = r"[A-Za-z0-9_-]{43}"
LINK = re.compile(rf'href="(?:\.\./)*events/({_ID})\.json"'.encode())
COMMITTEES = re.compile(rb'<meta name="veche-committees" content="([^"]*)">')


def linked_events(page: bytes) -> list[str]:
    """The events a page links, in its order, once each."""
    return list(dict.fromkeys(raw.decode("ascii") for raw in LINK.findall(page)))


def named_committees(page: bytes) -> set[str]:
    named = COMMITTEES.search(page)
    return set(named.group(1).decode("ascii", "replace").split()) if named else set()


def _browser_data(files: Mapping[str, bytes], facts: Facts) -> bytes:
    """``mirror-data.js``: the events and each page's links and key facts, for the
    in-browser check (a browser may not read the folder's files from file://)."""
    pages: dict[str, dict[str, Any]] = {}
    today = facts.totals.today
    for path, content in sorted(files.items()):
        if not path.endswith(".html") or path == "index.html":
            continue
        entry: dict[str, Any] = {
            "committees": sorted(named_committees(content)),
            "events": linked_events(content),
        }
        if path.endswith("/strike.html"):
            entry["strike"] = {
                "day": today.day.isoformat() if today else None,
                "plants_out": today.plants_out if today else 0,
                "workers_out": today.workers_out if today else 0,
            }
        elif "/fund/" in path:
            event = path.rsplit("/", 1)[1][: -len(".html")]
            report = next(r for r in facts.fund_reports if r.event == event)
            entry["fund"] = _fund_facts(report)
        elif "/c/" in path:
            space = path.rsplit("/", 1)[1][: -len(".html")]
            entry["decisions"] = [m.title for m in facts.motions_of(space)]
        pages[path] = entry
    document = {
        "generator": GENERATOR,
        "events": {eid: raw.decode("utf-8") for eid, raw in sorted(facts.raw.items())},
        "pages": pages,
    }
    text = json.dumps(document, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return ("window.VECHE_MIRROR = " + text + ";\n").encode("ascii")


def _fund_facts(report: FundReport) -> dict[str, Any]:
    """A fund page's figures for the browser check, which recomputes their digest and
    sums (it cannot read report.json from file://)."""
    return {"digest": report.document["digest"], "report": report.report}


def render_site(facts: Facts) -> dict[str, bytes]:
    """Every checked file of the mirror: relative path -> bytes (mirror-v1 §1)."""
    files: dict[str, bytes] = {"index.html": _root_index()}
    for lang in LANGUAGES:
        words = _Words(lang)
        files[f"{lang}/index.html"] = _index_page(words, facts)
        files[f"{lang}/strike.html"] = _strike_page(words, facts)
        for committee in facts.publishing():
            files[f"{lang}/c/{committee.space}.html"] = _committee_page(words, facts, committee)
        for report in facts.fund_reports:
            files[f"{lang}/fund/{report.event}.html"] = _fund_page(words, facts, report)
        for result in facts.elections:
            files[f"{lang}/election/{result.election}.html"] = _election_page(words, facts, result)
        for audit in facts.audits:
            files[f"{lang}/audit/{audit.digest}.html"] = _audit_page(words, facts, audit)
    files["feed.atom"] = _feed("Veche mirror", "", "urn:veche:mirror", _entries(facts))
    for committee in facts.publishing():
        files[f"c/{committee.space}.atom"] = _feed(
            committee.name,
            "../",
            f"urn:veche:space:{committee.space}",
            _entries(facts, committee.space),
        )
    files["mirror-data.js"] = _browser_data(files, facts)
    return files
