"""What a mirror's events say (docs/formats/mirror-v1.md §3, §4), as pure functions.

``read_events`` checks each event's signature; ``Folder`` works out, from those events
alone, who was a member of each committee, and ``derive`` turns the members' events into
the facts the pages show: committees, public motions and the strike registry. The same
functions run when a node publishes and when anyone verifies a copy, so a page is
exactly what its events say.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from veche.events import CREATE_KIND, Event, EventError, parse_event
from veche.events.encoding import EncodingError, b64d, b64e
from veche.solidarity.strike import (
    OUT_STATUSES,
    STATUSES,
    FederationTotals,
    StatusChange,
    StrikeError,
    WorkplaceInfo,
    federation_totals,
    latest,
    parse_day,
    workers_out,
)

__all__ = [
    "AUDIT_FILE",
    "ELECTION_RECORD_FILE",
    "FUND_KINDS",
    "FUND_REPORT_FILE",
    "MEMBERSHIP_KINDS",
    "PUBLIC_MOTION_KINDS",
    "STRIKE_KINDS",
    "Committee",
    "ElectionResult",
    "Facts",
    "Folder",
    "FundReport",
    "PublicMotion",
    "PublishedAudit",
    "Workplace",
    "audit_digest_of",
    "derive",
    "election_record_file",
    "fund_report_files",
    "invitation_hash",
    "read_events",
    "select_public",
]

# Motion kinds a committee publishes by passing them (their kind's own rule).
PUBLIC_MOTION_KINDS = ("demands", "endorsement", "ratification", "appeal")
MEMBERSHIP_KINDS = (CREATE_KIND, "member.invite", "member.join", "member.device")
STRIKE_KINDS = ("workplace.register", "workplace.update", "strike.status", "strike.ballot_result")
# A secret strike ballot's verified yes is a published full strike from its day (pledge-v1 §10).
BALLOT_RESULT = "strike.ballot_result"


def _is_status(event: Event) -> bool:
    """A strike status the committee published: a ``strike.status`` marked published, or
    a strike ballot's result (always public: its apply records a published status)."""
    return (event.kind == "strike.status" and event.body.get("published") is True) or (
        event.kind == BALLOT_RESULT
    )


def _status_of(event: Event) -> tuple[str, int]:
    if event.kind == BALLOT_RESULT:
        return "full_strike", 1000
    return str(event.body["status"]), int(event.body["out_per_mille"])


MOTION_EVENT_KINDS = ("motion.propose", "motion.amend", "motion.close")
# A treasurer's fund.report publishes a transparency report by the kind's own rule; the
# fund.create it cites names the treasurers.
FUND_KINDS = ("fund.report", "fund.create")
_ID = r"[A-Za-z0-9_-]{43}"
FUND_REPORT_FILE = re.compile(rf"\Afund/({_ID})/report\.(json|html)\Z")


ELECTION_RECORD_FILE = re.compile(rf"\Aelections/({_ID})\.jsonl\Z")
# A published audit's bundle (audit-bundle-v1), under the digest its motion names.
# The endings of the inputs the mirror carries: the files the audit reads, which a host
# serves as data, never as a page.
INPUT_ENDINGS = (".csv", ".xlsx")
AUDIT_FILE = re.compile(rf"\Aaudit/({_ID})/(params\.json|report\.json|inputs/[^/\\]+)\Z")


def election_record_file(election: str) -> str:
    """The carried record of a published election (``veche election export``)."""
    return f"elections/{election}.jsonl"


def fund_report_files(event: str) -> tuple[str, str]:
    """The carried report.json and report.html of the report published by ``event``."""
    return f"fund/{event}/report.json", f"fund/{event}/report.html"


def invitation_hash(space: str, code: str) -> str:
    """The hash a ``member.invite`` publishes of its code, bound to the space (the same
    formula as ``apps.committees.rules.invitations``; a test keeps them equal)."""
    normalized = code.replace("-", "").replace(" ", "").upper()
    digest = hashlib.blake2b(
        normalized.encode("ascii", "replace"), digest_size=32, person=b"veche-invite-v1"
    )
    digest.update(b64d(space, 32))
    return b64e(digest.digest())


def read_events(files: Mapping[str, bytes]) -> tuple[dict[str, Event], dict[str, str]]:
    """file stem (the claimed id) -> parsed, signature-checked event; and the stems that
    failed, with the reason in words."""
    events: dict[str, Event] = {}
    bad: dict[str, str] = {}
    for name, data in files.items():
        try:
            event = parse_event(data)
        except (EventError, EncodingError, ValueError) as error:
            bad[name] = f"event {name} is not a valid signed event ({error})"
            continue
        if event.id != name:
            bad[name] = f"event file {name} holds another event ({event.id})"
            continue
        events[name] = event
    return events, bad


def _order(event: Event) -> tuple[str, str]:
    return (event.at, event.id)


def _whole(value: object, low: int = 0, high: int | None = None) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= low
        and (high is None or value <= high)
    )


# The body fields the facts read, by kind: text fields always present, text fields
# that may be absent, and whole numbers (low, high). A node's schemas hold far more;
# these are what a crafted event signed by a member must not break in a verifier.
_TEXTS: dict[str, tuple[str, ...]] = {
    "motion.propose": ("kind", "title", "text"),
    "motion.amend": ("motion",),
    "motion.close": ("motion",),
    "workplace.register": ("name", "city", "region", "sector"),
    "workplace.update": ("workplace",),
    "strike.status": ("workplace", "day", "status"),
    BALLOT_RESULT: ("workplace", "day"),
}
_OPTIONAL_TEXTS: dict[str, tuple[str, ...]] = {
    "motion.amend": ("title", "text"),
    "workplace.update": ("name", "city", "region", "sector"),
    "member.invite": ("code_hash",),
    "member.join": ("code",),
    "member.device": ("key",),
}
_NUMBERS: dict[str, dict[str, tuple[int, int | None]]] = {
    "workplace.register": {"workforce": (0, None)},
    "strike.status": {"out_per_mille": (0, 1000)},
    BALLOT_RESULT: {"yes": (0, None), "no": (0, None)},
}


def shape_problem(event: Event) -> str | None:
    """Why the facts cannot read an event's body (None when they can): a mirror checks
    signatures, not a node's schemas, so a member's key can sign anything."""
    body = event.body
    kind = event.kind
    for name in _TEXTS.get(kind, ()):
        if not isinstance(body.get(name), str):
            return f"its {name} is not text"
    for name in _OPTIONAL_TEXTS.get(kind, ()):
        if name in body and not isinstance(body[name], str):
            return f"its {name} is not text"
    numbers = dict(_NUMBERS.get(kind, {}))
    if kind == "workplace.update" and "workforce" in body:
        numbers["workforce"] = (0, None)
    for name, (low, high) in numbers.items():
        if not _whole(body.get(name), low, high):
            return f"its {name} is not a whole number in range"
    if kind in ("strike.status", BALLOT_RESULT):
        try:
            parse_day(body["day"])
        except StrikeError:
            return "its day is not a day"
    if kind == "strike.status" and body["status"] not in STATUSES:
        return "its status is not a strike status"
    target = body.get("target")
    if kind == "motion.propose" and target is not None:
        if not isinstance(target, dict):
            return "its target is not an object"
        if any(not isinstance(target.get(n, ""), str) for n in ("motion", "space", "audience")):
            return "its target is not text"
    return None


@dataclass
class Folder:
    """The valid events of a mirror, by space, with each committee's members per §4."""

    events: dict[str, Event]
    by_space: dict[str, list[Event]] = field(init=False)
    members: dict[str, set[str]] = field(init=False)

    def __post_init__(self) -> None:
        by_space: dict[str, list[Event]] = defaultdict(list)
        self.malformed: dict[str, str] = {}
        for event in self.events.values():
            shape = shape_problem(event)
            if shape is not None:
                # Counted nowhere (not even for membership); a page linking it fails.
                self.malformed[event.id] = shape
                continue
            by_space[event.space_id].append(event)
        for items in by_space.values():
            items.sort(key=_order)
        self.by_space = dict(by_space)
        self.members = {space: self._members_of(space) for space in self.by_space}

    def create_of(self, space: str) -> Event | None:
        event = self.events.get(space)
        return event if event is not None and event.kind == CREATE_KIND else None

    def _members_of(self, space: str) -> set[str]:
        create = self.create_of(space)
        if create is None:
            return set()
        members = {create.author}
        items = self.by_space[space]
        changed = True
        while changed:  # to a fixed point: an admission may rest on a later-listed one
            changed = False
            invites = {
                e.body.get("code_hash")
                for e in items
                if e.kind == "member.invite" and e.author in members
            }
            for event in items:
                key: str | None = None
                if event.kind == "member.join" and event.author not in members:
                    code = event.body.get("code")
                    if isinstance(code, str) and invitation_hash(space, code) in invites:
                        key = event.author
                elif event.kind == "member.device" and event.author in members:
                    named = event.body.get("key")
                    key = named if isinstance(named, str) and named not in members else None
                if key is not None:
                    members.add(key)
                    changed = True
        return members

    def is_member(self, event: Event) -> bool:
        return event.author in self.members.get(event.space_id, set())

    def problem(self, event: Event) -> str | None:
        """Why an event may not count (None when it may)."""
        if event.id in self.malformed:
            return f"event {event.id} cannot be read: {self.malformed[event.id]}"
        if event.kind != CREATE_KIND and self.create_of(event.space_id) is None:
            return f"event {event.id} belongs to a committee whose founding event is missing"
        if not self.is_member(event):
            return f"event {event.id} is signed by a non-member of its committee"
        return None


@dataclass(frozen=True)
class Committee:
    space: str
    name: str
    level: str
    kind: str
    create: str  # the space.create event id


@dataclass(frozen=True)
class PublicMotion:
    space: str
    proposal: str
    close: str
    amends: tuple[str, ...]
    kind: str
    title: str
    text: str
    closed_at: str
    result: Mapping[str, Any]
    target_motion: str | None
    target_space: str | None
    audience: str | None = None  # an appeal's (veche.appeals.AUDIENCES)

    @property
    def events(self) -> tuple[str, ...]:
        return (self.proposal, *self.amends, self.close)


@dataclass(frozen=True)
class Workplace:
    id: str
    space: str
    name: str
    city: str
    region: str
    sector: str
    workforce: int
    status: str
    day: date
    out_per_mille: int
    workers_out: int
    events: tuple[str, ...]  # register, updates, the status that holds
    ballot: tuple[int, int] | None = None  # (yes, no) when a strike ballot set the status


@dataclass(frozen=True)
class FundReport:
    """A fund's published transparency report, checked as ``veche fund verify-report``
    checks it, from the carried report.json and report.html."""

    event: str  # the fund.report that published it
    fund_event: str  # the fund.create naming the treasurers
    space: str
    at: str  # the publication's time
    document: Mapping[str, Any]

    @property
    def report(self) -> Mapping[str, Any]:
        return self.document["report"]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ElectionResult:
    """A decided election a committee called and whose board it published, as
    ``veche election verify`` finds it from the carried record."""

    election: str
    space: str  # the committee that called it
    title: str
    decided_at: str  # the latest event of the record
    method: str
    voters: int
    counted: int
    questions: tuple[tuple[str, tuple[str, ...]], ...]  # (text, options)
    counts: tuple[tuple[int, ...], ...]  # per question
    winners: tuple[tuple[str, ...], ...]
    seats: tuple[int, ...] | None  # party lists: per party (option of the one question)
    constituencies: tuple[tuple[str, int, tuple[int, ...]], ...]  # (name, seats, counts)
    # A needs survey (election-v1 ``totals``): one decrypted total per question, no
    # per-option count and no winner.
    totals: bool = False


@dataclass(frozen=True)
class PublishedAudit:
    """An audit a committee published by a passed general motion naming its bundle's
    digest (``target.audit``), re-run from the carried bundle and found to hold."""

    digest: str
    space: str
    proposal: str
    close: str
    amends: tuple[str, ...]
    title: str  # the motion's
    closed_at: str
    result: Mapping[str, Any]
    report: Mapping[str, Any]  # the carried (and recomputed) report.json
    files: tuple[str, ...]  # the bundle's paths inside audit/DIGEST/, sorted

    @property
    def events(self) -> tuple[str, ...]:
        return (self.proposal, *self.amends, self.close)


@dataclass
class Facts:
    committees: dict[str, Committee]
    motions: list[PublicMotion]  # by (closed_at, close id)
    workplaces: list[Workplace]  # by (region, name, id)
    totals: FederationTotals
    endorsers: dict[str, list[PublicMotion]]  # letter proposal id -> endorsements/ratifications

    def letter(self, named: str | None) -> PublicMotion | None:
        """The demands letter an endorsement or a ratification names (close or proposal)."""
        return next(
            (m for m in self.motions if m.kind == "demands" and named in (m.close, m.proposal)),
            None,
        )

    events_space: dict[str, str]  # event id -> its space, for every valid event
    raw: dict[str, bytes]  # event id -> its canonical bytes, for every valid event
    fund_reports: list[FundReport] = field(default_factory=list)  # by (at, event)
    elections: list[ElectionResult] = field(default_factory=list)  # by (decided_at, id)
    audits: list[PublishedAudit] = field(default_factory=list)  # by (closed_at, close)
    documents: dict[str, bytes] = field(default_factory=dict)  # carried files that hold
    # carried-file path -> why it does not hold (a report that fails its own check, ...)
    document_problems: dict[str, str] = field(default_factory=dict)

    def elections_of(self, space: str) -> list[ElectionResult]:
        return [e for e in self.elections if e.space == space]

    def audits_of(self, space: str) -> list[PublishedAudit]:
        return [a for a in self.audits if a.space == space]

    def fund_reports_of(self, space: str) -> list[FundReport]:
        return [r for r in self.fund_reports if r.space == space]

    def motions_of(self, space: str) -> list[PublicMotion]:
        return [m for m in self.motions if m.space == space]

    def publishing(self) -> list[Committee]:
        """Committees with a public motion or a workplace on the map, by name."""
        spaces = (
            {m.space for m in self.motions}
            | {w.space for w in self.workplaces}
            | {r.space for r in self.fund_reports}
            | {e.space for e in self.elections}
            | {a.space for a in self.audits}
        )
        return sorted((self.committees[s] for s in spaces), key=lambda c: (c.name, c.space))


def _committees(folder: Folder) -> dict[str, Committee]:
    found: dict[str, Committee] = {}
    for space in folder.by_space:
        create = folder.create_of(space)
        if create is None or create.body.get("type") != "committee":
            continue
        body = create.body
        found[space] = Committee(
            space=space,
            name=str(body.get("name", "")),
            level=str(body.get("level", "")),
            kind=str(body.get("kind", "")),
            create=create.id,
        )
    return found


def _counted(folder: Folder, kinds: Iterable[str]) -> dict[str, list[Event]]:
    wanted = set(kinds)
    return {
        space: [e for e in items if e.kind in wanted and folder.problem(e) is None]
        for space, items in folder.by_space.items()
    }


def _motions(folder: Folder, committees: Mapping[str, Committee]) -> list[PublicMotion]:
    found: list[PublicMotion] = []
    for space, items in _counted(folder, MOTION_EVENT_KINDS).items():
        if space not in committees:
            continue
        proposals = {
            e.id: e
            for e in items
            if e.kind == "motion.propose" and e.body.get("kind") in PUBLIC_MOTION_KINDS
        }
        closed: dict[str, Event] = {}
        for event in items:
            if event.kind != "motion.close":
                continue
            motion = event.body.get("motion")
            result = event.body.get("result")
            if motion in proposals and motion not in closed and isinstance(result, dict):
                closed[motion] = event
        for motion, close in closed.items():
            if close.body["result"].get("passed") is not True:
                continue
            proposal = proposals[motion]
            title, text = str(proposal.body["title"]), str(proposal.body["text"])
            amends: list[str] = []
            for event in items:
                if (
                    event.kind == "motion.amend"
                    and event.body.get("motion") == motion
                    and event.author == proposal.author
                    and _order(event) < _order(close)
                ):
                    title = str(event.body.get("title", title))
                    text = str(event.body.get("text", text))
                    amends.append(event.id)
            target = proposal.body.get("target")
            target = target if isinstance(target, dict) else {}
            found.append(
                PublicMotion(
                    space=space,
                    proposal=proposal.id,
                    close=close.id,
                    amends=tuple(amends),
                    kind=str(proposal.body["kind"]),
                    title=title,
                    text=text,
                    closed_at=close.at,
                    result=close.body["result"],
                    target_motion=target.get("motion"),
                    target_space=target.get("space"),
                    audience=target.get("audience"),
                )
            )
    found.sort(key=lambda m: (m.closed_at, m.close))
    return found


def audit_digest_of(proposal: Event) -> str | None:
    """The audit a general motion's proposal publishes (its ``target.audit``), if any."""
    target = proposal.body.get("target")
    if (
        proposal.kind != "motion.propose"
        or proposal.body.get("kind") != "general"
        or not isinstance(target, dict)
    ):
        return None
    digest = target.get("audit")
    return digest if isinstance(digest, str) and re.fullmatch(_ID, digest) else None


def _audit_motions(
    folder: Folder, committees: Mapping[str, Committee]
) -> dict[str, tuple[Event, Event, tuple[str, ...], str]]:
    """digest -> (proposal, close, amends, title) of the first passed motion (by its close's
    time, then id) of a committee publishing that audit."""
    found: dict[str, tuple[Event, Event, tuple[str, ...], str]] = {}
    candidates: list[tuple[Event, Event, tuple[str, ...], str]] = []
    for space, items in _counted(folder, MOTION_EVENT_KINDS).items():
        if space not in committees:
            continue
        proposals = {
            e.id: e
            for e in items
            if e.kind == "motion.propose"
            and e.body.get("method") == "yes_no"
            and audit_digest_of(e) is not None
        }
        closed: dict[str, Event] = {}
        for event in items:
            motion, result = event.body.get("motion"), event.body.get("result")
            if (
                event.kind == "motion.close"
                and motion in proposals
                and motion not in closed
                and isinstance(result, dict)
            ):
                closed[motion] = event
        for motion, close in closed.items():
            if close.body["result"].get("passed") is not True:
                continue
            proposal = proposals[motion]
            title = str(proposal.body.get("title", ""))
            amends: list[str] = []
            for event in items:
                if (
                    event.kind == "motion.amend"
                    and event.body.get("motion") == motion
                    and event.author == proposal.author
                    and _order(event) < _order(close)
                ):
                    title = str(event.body.get("title", title))
                    amends.append(event.id)
            candidates.append((proposal, close, tuple(amends), title))
    for candidate in sorted(candidates, key=lambda c: _order(c[1])):
        found.setdefault(str(audit_digest_of(candidate[0])), candidate)
    return found


def _audits(
    folder: Folder, committees: Mapping[str, Committee], documents: Mapping[str, bytes]
) -> tuple[list[PublishedAudit], dict[str, bytes], dict[str, str]]:
    """The published audits whose carried bundles hold (mirror-v1 §3): each bundle's
    digest is the one its passed motion names, and re-running the audit on the carried
    inputs gives the carried report.json byte for byte (audit-bundle-v1 §4)."""
    from veche.audit.bundle import REPORT, bundle_digest, check_bundle

    motions = _audit_motions(folder, committees)
    bundles: dict[str, dict[str, bytes]] = defaultdict(dict)
    for path, data in documents.items():
        matched = AUDIT_FILE.match(path)
        if matched:
            bundles[matched.group(1)][matched.group(2)] = data
    found: list[PublishedAudit] = []
    kept: dict[str, bytes] = {}
    problems: dict[str, str] = {}
    # A passed motion whose bundle is not carried (a node that synced the motion but does
    # not hold the audit's files) shows no page: there is nothing to check it against.
    for digest, files in sorted(bundles.items()):
        paths = [f"audit/{digest}/{name}" for name in sorted(files)]
        why: str | None = None
        if REPORT not in files:
            problems[f"audit/{digest}/{REPORT}"] = "this file is missing from the folder"
            why = "the audit's report.json is missing from the folder"
        elif any(
            name.startswith("inputs/") and not name.lower().endswith(INPUT_ENDINGS)
            for name in files
        ):
            # A host serves a file by its name's ending: an input named .html or .svg
            # would be a page (script and all) at the mirror's address.
            why = "an input's name does not end in .csv or .xlsx: " + ", ".join(
                name for name in sorted(files) if name.startswith("inputs/")
            )
        elif digest not in motions:
            why = (
                "no passed motion of a committee in the folder publishes this audit "
                "(names its digest as target.audit), or its events are not signed by members"
            )
        elif bundle_digest(files) != digest:
            why = "the audit's files are not those the passed motion names (their digest differs)"
        else:
            failed = check_bundle(files)
            if failed:
                why = "the audit does not re-run to its report: " + "; ".join(
                    f"{p.file}: {p.message}" for p in failed
                )
        if why is not None:
            for path in paths:
                problems[path] = why
            continue
        proposal, close, amends, title = motions[digest]
        found.append(
            PublishedAudit(
                digest=digest,
                space=proposal.space_id,
                proposal=proposal.id,
                close=close.id,
                amends=amends,
                title=title,
                closed_at=close.at,
                result=close.body["result"],
                report=json.loads(files[REPORT]),
                files=tuple(sorted(files)),
            )
        )
        kept.update({path: files[path.split("/", 2)[2]] for path in paths})
    found.sort(key=lambda a: (a.closed_at, a.close))
    return found, kept, problems


def _workplaces(
    folder: Folder, committees: Mapping[str, Committee]
) -> tuple[list[Workplace], FederationTotals]:
    infos: dict[str, WorkplaceInfo] = {}
    history: dict[str, list[str]] = defaultdict(list)
    changes: list[StatusChange] = []
    by_change: dict[tuple[str, int], str] = {}
    ballots: dict[str, tuple[int, int]] = {}
    order = 0
    for space, items in _counted(folder, STRIKE_KINDS).items():
        if space not in committees:
            continue
        fields: dict[str, dict[str, Any]] = {}
        for event in items:
            body = event.body
            if event.kind == "workplace.register":
                fields[event.id] = dict(body)
                history[event.id].append(event.id)
            elif event.kind == "workplace.update" and body.get("workplace") in fields:
                fields[body["workplace"]].update(
                    {k: v for k, v in body.items() if k != "workplace"}
                )
                history[body["workplace"]].append(event.id)
        for wid, body in fields.items():
            infos[wid] = WorkplaceInfo(
                id=wid,
                committee=space,
                name=str(body["name"]),
                city=str(body["city"]),
                region=str(body["region"]),
                sector=str(body["sector"]),
                workforce=int(body["workforce"]),
            )
        statuses = [e for e in items if _is_status(e) and e.body.get("workplace") in fields]
        statuses.sort(key=lambda e: (str(e.body["day"]), e.at, e.id))
        for event in statuses:
            order += 1
            status, per_mille = _status_of(event)
            changes.append(
                StatusChange(
                    workplace=event.body["workplace"],
                    day=parse_day(event.body["day"]),
                    status=status,
                    out_per_mille=per_mille,
                    order=order,
                )
            )
            by_change[(event.body["workplace"], order)] = event.id
            if event.kind == BALLOT_RESULT:
                ballots[event.id] = (int(event.body["yes"]), int(event.body["no"]))
    now = latest(changes)
    shown = [infos[w] for w in now]
    totals = federation_totals(shown, [c for c in changes if c.workplace in now])
    places = [
        Workplace(
            id=info.id,
            space=info.committee,
            name=info.name,
            city=info.city,
            region=info.region,
            sector=info.sector,
            workforce=info.workforce,
            status=now[info.id].status,
            day=now[info.id].day,
            out_per_mille=now[info.id].out_per_mille,
            workers_out=workers_out(info.workforce, now[info.id].out_per_mille)
            if now[info.id].status in OUT_STATUSES
            else 0,
            events=(*history[info.id], by_change[(info.id, now[info.id].order)]),
            ballot=ballots.get(by_change[(info.id, now[info.id].order)]),
        )
        for info in shown
    ]
    places.sort(key=lambda w: (w.region, w.name, w.id))
    return places, totals


def _fund_reports(
    folder: Folder, committees: Mapping[str, Committee], documents: Mapping[str, bytes]
) -> tuple[list[FundReport], dict[str, bytes], dict[str, str]]:
    from veche.solidarity.report import verify_report_files

    found: list[FundReport] = []
    kept: dict[str, bytes] = {}
    problems: dict[str, str] = {}
    publications = {
        e.id: e
        for items in _counted(folder, ("fund.report",)).values()
        for e in items
        if e.space_id in committees
    }
    named = {m.group(1) for path in documents if (m := FUND_REPORT_FILE.match(path))}
    for event in sorted(named | set(publications)):
        json_path, html_path = fund_report_files(event)
        data, page = documents.get(json_path), documents.get(html_path)
        if data is None or page is None:
            missing = json_path if data is None else html_path
            problems[missing] = "this file is missing from the folder"
            continue
        result = verify_report_files(data, page)
        document = result.document
        why: str | None = None
        if result.problems or document is None:
            why = "the fund report does not verify: " + "; ".join(result.problems)
        elif _span(document["report"]) is None:
            why = "the fund report's first and last days are not those of its period"
        elif event not in publications:
            why = (
                f"event {event}, the fund.report that published this report, is missing from "
                "the folder or not signed by a member of its committee"
            )
        else:
            publication = publications[event]
            fund_event = parse_event_or_none(str(document["fund_event"]))
            if publication.raw != str(document["publication"]).encode("utf-8"):
                why = f"the report's publication is not event {event}"
            elif (
                fund_event is None
                or fund_event.id not in folder.events
                or folder.problem(fund_event) is not None
            ):
                why = "the fund's rules (its fund.create) are missing from the folder"
            else:
                found.append(
                    FundReport(
                        event=event,
                        fund_event=fund_event.id,
                        space=publication.space_id,
                        at=publication.at,
                        document=document,
                    )
                )
                kept[json_path], kept[html_path] = data, page
                continue
        # Both files are named: each is checked against the other and the events.
        problems[json_path] = problems[html_path] = why or "the fund report does not verify"
    found.sort(key=lambda r: (r.at, r.event))
    return found, kept, problems


def _election(
    folder: Folder, committees: Mapping[str, Committee], election: str, data: bytes
) -> ElectionResult | str:
    """The result a record proves, or why it proves none (mirror-v1 §3)."""
    from veche.election.record import RecordError, split_record, verified_state

    try:
        lines = split_record(data)
    except RecordError as error:
        return f"the election record does not verify: {error}"
    state, report, ordered = verified_state(lines)
    spec = state.spec
    if not report.ok or spec is None:
        return f"the election record does not verify: {report.failure}"
    if report.election != election:
        return f"the record is of another election ({report.election})"
    if report.stage != "decided" or report.counts_by_question is None:
        return "the election record holds no decided result"
    create = next((e for e in ordered if e.kind == CREATE_KIND), None)
    if create is None or create.body.get("public_board") is not True:
        return "the committee did not publish this election's board (public_board)"
    committee = spec.committee
    if committee is None or committee not in committees:
        return "the committee that called this election is not in the folder"
    if spec.creator not in folder.members.get(committee, set()):
        return "the election was created by a non-member of the committee that called it"
    names = [name for name, _seats in spec.constituencies]
    return ElectionResult(
        election=election,
        space=committee,
        title=spec.title,
        decided_at=max(e.at for e in ordered),
        method=spec.method,
        voters=report.voters,
        counted=report.ballots_counted,
        questions=tuple((q.text, q.options) for q in spec.questions),
        counts=report.counts_by_question,
        winners=report.winners or (),
        seats=report.seats,
        constituencies=tuple(
            (name, seats, counts)
            for (name, seats), counts in zip(
                spec.constituencies, report.counts_by_constituency or (), strict=False
            )
        )
        if names
        else (),
        totals=bool(spec.totals),
    )


def _elections(
    folder: Folder, committees: Mapping[str, Committee], documents: Mapping[str, bytes]
) -> tuple[list[ElectionResult], dict[str, bytes], dict[str, str]]:
    found: list[ElectionResult] = []
    kept: dict[str, bytes] = {}
    problems: dict[str, str] = {}
    for path, data in sorted(documents.items()):
        matched = ELECTION_RECORD_FILE.match(path)
        if not matched:
            continue
        result = _election(folder, committees, matched.group(1), data)
        if isinstance(result, str):
            problems[path] = result
        else:
            found.append(result)
            kept[path] = data
    found.sort(key=lambda e: (e.decided_at, e.election))
    return found, kept, problems


def _span(report: Mapping[str, Any]) -> tuple[str | None, str | None] | None:
    """The report's (from, to) when they are its period's days (None when not)."""
    from veche.solidarity.report import parse_period

    start, end = parse_period(str(report["period"]))
    span = (start.isoformat() if start else None, end.isoformat() if end else None)
    return span if (report.get("from"), report.get("to")) == span else None


def parse_event_or_none(text: str) -> Event | None:
    try:
        return parse_event(text.encode("utf-8"))
    except (EventError, EncodingError, ValueError):
        return None


def derive(folder: Folder, documents: Mapping[str, bytes] | None = None) -> Facts:
    """The facts of every page, from the folder's events and carried documents alone
    (mirror-v1 §3)."""
    committees = _committees(folder)
    reports, kept, problems = _fund_reports(folder, committees, documents or {})
    elections, records, refused = _elections(folder, committees, documents or {})
    kept.update(records)
    problems.update(refused)
    audits, bundles, unheld = _audits(folder, committees, documents or {})
    kept.update(bundles)
    problems.update(unheld)
    motions = _motions(folder, committees)
    workplaces, totals = _workplaces(folder, committees)
    # An endorsement or a ratification names the letter's decision (its close) or, in
    # older events, its proposal.
    letters = {m.close: m for m in motions if m.kind == "demands"}
    letters.update({m.proposal: m for m in motions if m.kind == "demands"})
    endorsers: dict[str, list[PublicMotion]] = defaultdict(list)
    for motion in motions:
        letter = letters.get(str(motion.target_motion))
        if motion.kind in ("endorsement", "ratification") and letter is not None:
            endorsers[letter.proposal].append(motion)
    return Facts(
        committees=committees,
        motions=motions,
        workplaces=workplaces,
        totals=totals,
        endorsers=dict(endorsers),
        events_space={e.id: e.space_id for e in folder.events.values()},
        raw={e.id: e.raw for e in folder.events.values()},
        fund_reports=reports,
        elections=elections,
        audits=audits,
        documents=kept,
        document_problems=problems,
    )


def select_public(
    events: Iterable[Event], authors: Mapping[str, Iterable[str]] | None = None
) -> list[Event]:
    """Which of a node's applied events a mirror carries (mirror-v1 §2): the events of
    passed public motions and published strike statuses, the registry of the workplaces
    those name, and the membership events that show their authors were members, and
    those of ``authors`` (space -> keys: the creators of published elections)."""
    authors = authors or {}
    by_space: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_space[event.space_id].append(event)
    chosen: dict[str, Event] = {}
    for space, items in by_space.items():
        items.sort(key=_order)
        picked: list[Event] = []
        proposals = {
            e.id: e
            for e in items
            if e.kind == "motion.propose"
            and (e.body.get("kind") in PUBLIC_MOTION_KINDS or audit_digest_of(e) is not None)
        }
        passed: set[str] = set()
        for event in items:
            result = event.body.get("result")
            motion = event.body.get("motion")
            if (
                event.kind == "motion.close"
                and motion in proposals
                and motion not in passed
                and isinstance(result, dict)
                and result.get("passed") is True
            ):
                passed.add(str(motion))
                picked.append(event)
        reports = [e for e in items if e.kind == "fund.report"]
        picked.extend(reports)
        cited = {d for e in reports for d in e.deps}
        statuses = [e for e in items if _is_status(e)]
        shown = {e.body.get("workplace") for e in statuses}
        picked.extend(statuses)
        for event in items:
            if (
                (event.kind == "motion.propose" and event.id in passed)
                or (event.kind == "motion.amend" and event.body.get("motion") in passed)
                or (event.kind == "workplace.register" and event.id in shown)
                or (event.kind == "workplace.update" and event.body.get("workplace") in shown)
                or (event.kind == "fund.create" and event.id in cited)
            ):
                picked.append(event)
        extra = set(authors.get(space, ()))
        if not picked and not extra:
            continue
        for event in picked:
            chosen[event.id] = event
        for event in _membership_of(space, items, {e.author for e in picked} | extra):
            chosen[event.id] = event
    return sorted(chosen.values(), key=lambda e: (e.space_id, e.at, e.id))


def _membership_of(space: str, items: list[Event], authors: set[str]) -> list[Event]:
    """The space's founding event and the admissions of ``authors``, back to the founder."""
    create = next((e for e in items if e.kind == CREATE_KIND), None)
    if create is None:
        return []
    joins = {e.author: e for e in items if e.kind == "member.join"}
    devices = {str(e.body.get("key")): e for e in reversed(items) if e.kind == "member.device"}
    invites = {
        str(e.body.get("code_hash")): e for e in reversed(items) if e.kind == "member.invite"
    }
    found: list[Event] = [create]
    todo = list(authors)
    seen: set[str] = set()
    while todo:
        key = todo.pop()
        if key in seen or key == create.author:
            continue
        seen.add(key)
        join = joins.get(key)
        code = join.body.get("code") if join is not None else None
        invite = invites.get(invitation_hash(space, code)) if isinstance(code, str) else None
        if join is not None and invite is not None:
            found.extend((join, invite))
            todo.append(invite.author)
        elif key in devices:
            found.append(devices[key])
            todo.append(devices[key].author)
    return found
