"""Adversarial events signed with real keys, an honest history to aim them at, and
what must not change when they arrive (event-v1 §8 and §14).

Everything here signs with ``veche.events.build_event`` and a real ``Identity``: an
equivocation is a second, different, correctly signed event at an (space, author,
seq) its author already used; a late event is a correctly signed event of a key that
had not seen the rest of the log; an outsider's event is correctly signed by a key that
is no member. Nothing is forged below the signature (``tampered`` is the one
exception, for bytes that must never become an event).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.apps import apps as django_apps
from django.db import transaction
from tests.factories import World

from veche.apps.committees import actions
from veche.apps.committees.models import (
    Committee,
    FederationLink,
    Mandate,
    Member,
    Motion,
    Seat,
)
from veche.apps.store.log import ingest, rebuild, record, state_digest
from veche.apps.store.models import EquivocationRecord, StoredEvent
from veche.events import Event, Identity, build_event, parse_event
from veche.events.encoding import b64e

# Adversarial events claim a time after the honest history (the claim is never used
# for ordering: it only has to be well formed). It is drawn from what the event says,
# so the same attack is the same bytes in every run and in any order of the tests.
ATTACK_TIME = datetime(2020, 8, 25, 3, 0, tzinfo=UTC)


def _at(at: datetime | None, *parts: object) -> datetime:
    if at is not None:
        return at
    text = json.dumps([str(p) for p in parts], ensure_ascii=False).encode()
    offset = int.from_bytes(hashlib.blake2b(text, digest_size=4).digest(), "big") % 86400
    return ATTACK_TIME + timedelta(seconds=offset)


def made_up_id(label: str) -> str:
    """A well-formed event id of no event anyone holds (a made-up mandate, a fake space)."""
    return b64e(hashlib.blake2b(label.encode(), digest_size=32).digest())


def stranger(label: str = "stranger") -> Identity:
    """A key that is no member of anything (an infiltrator, the police)."""
    return Identity(hashlib.blake2b(f"adversary:{label}".encode(), digest_size=32).digest())


# -- reading the store ---------------------------------------------------------------------


def stored(event_id: str) -> Event:
    """A stored event, parsed from the bytes the store holds."""
    return parse_event(bytes(StoredEvent.objects.get(id=event_id).raw), verify=False)


def status_of(event_id: str) -> str:
    return str(StoredEvent.objects.get(id=event_id).status)


def reason_of(event_id: str) -> str:
    return str(StoredEvent.objects.get(id=event_id).reason)


def statuses() -> dict[str, str]:
    """Every stored event's status, by id."""
    return {i: str(s) for i, s in StoredEvent.objects.values_list("id", "status")}


def chain(space: str, author: Identity | str) -> list[Event]:
    """The author's stored events in the space, by seq (one per seq unless they forked)."""
    key = author.public if isinstance(author, Identity) else author
    rows = StoredEvent.objects.filter(space=space, author=key).order_by("seq", "id")
    return [parse_event(bytes(raw), verify=False) for raw in rows.values_list("raw", flat=True)]


def last(space: str, author: Identity | str) -> Event:
    found = chain(space, author)
    assert found, f"{author} has no event in {space}"
    return found[-1]


def at_seq(space: str, author: Identity | str, seq: int) -> Event:
    found = [e for e in chain(space, author) if e.seq == seq]
    assert len(found) == 1, f"{len(found)} events at seq {seq}"
    return found[0]


def all_raws() -> list[bytes]:
    """Every stored event's bytes, placed ones in the order, then waiting ones."""
    placed = StoredEvent.objects.filter(height__isnull=False).order_by("height", "id")
    waiting = StoredEvent.objects.filter(height__isnull=True).order_by("id")
    return [bytes(r) for q in (placed, waiting) for r in q.values_list("raw", flat=True)]


def says_equivocation(reason: str) -> bool:
    """Does a stored reason say the event is held because its author equivocated?"""
    text = reason.lower()
    return any(word in text for word in ("equivocat", "two events with one seq", "forked"))


def says_revoked(reason: str) -> bool:
    """Does a stored reason say the event is held because its key was revoked?"""
    return "revok" in reason.lower()


def is_flagged(space: str, author: Identity | str, seq: int | None = None) -> bool:
    """Does the store record an equivocation of this author in this space?"""
    key = author.public if isinstance(author, Identity) else author
    found = EquivocationRecord.objects.filter(space=space, author=key)
    if seq is not None:
        found = found.filter(seq=seq)
    return found.exists()


# -- adversarial events --------------------------------------------------------------------


def equivocate(
    identity: Identity,
    original: Event | str,
    *,
    kind: str = "space.post",
    body: dict[str, Any] | None = None,
    deps: Sequence[str] | None = None,
    at: datetime | None = None,
) -> Event:
    """A second event at ``original``'s (space, author, seq): same ``prev`` (so the
    fork hangs where the real event hangs), its deps unless others are given, a
    different kind or body. For a founder's ``space.create`` this is a non-create
    event with ``space`` = the committee's id, seq 1, prev null."""
    if isinstance(original, str):
        original = stored(original)
    assert original.author == identity.public, "an equivocation is signed by the same key"
    fork = build_event(
        identity,
        space=original.space_id,
        seq=original.seq,
        prev=original.prev,
        kind=kind,
        body=body if body is not None else {"text": f"the other story of {original.id[:10]}"},
        deps=list(original.deps if deps is None else deps),
        at=_at(at, original.id, kind, body, deps),
    )
    assert fork.id != original.id and (fork.space_id, fork.seq) == (
        original.space_id,
        original.seq,
    )
    return fork


def fork_first(
    identity: Identity,
    space: str,
    *,
    kind: str = "member.leave",
    body: dict[str, Any] | None = None,
    deps: Sequence[str] = (),
    at: datetime | None = None,
) -> Event:
    """An event at seq 1, prev null, in ``space``: an equivocation with whatever the
    author's seq 1 there is (a member's join; the founder's ``space.create``)."""
    return build_event(
        identity,
        space=space,
        seq=1,
        prev=None,
        kind=kind,
        body={} if body is None and kind == "member.leave" else (body or {"text": "seq one"}),
        deps=list(deps),
        at=_at(at, identity.public, space, kind, body, deps),
    )


def after(
    identity: Identity,
    previous: Event,
    *,
    kind: str = "space.post",
    body: dict[str, Any] | None = None,
    deps: Sequence[str] = (),
    at: datetime | None = None,
) -> Event:
    """The author's event right after ``previous`` (their own event) naming only
    ``deps``: signed where nothing newer was seen (a seized phone, a partitioned node)."""
    assert previous.author == identity.public
    return build_event(
        identity,
        space=previous.space_id,
        seq=previous.seq + 1,
        prev=previous.id,
        kind=kind,
        body=body if body is not None else {"text": f"after {previous.id[:10]}"},
        deps=[d for d in deps if d != previous.id],
        at=_at(at, previous.id, kind, body, deps),
    )


def late(
    identity: Identity,
    space: str,
    *,
    kind: str = "space.post",
    body: dict[str, Any] | None = None,
    deps: Sequence[str] = (),
    at: datetime | None = None,
) -> Event:
    """The author's next event in ``space`` after their last stored one, naming only
    ``deps`` (an old head): it arrives late, from a node that saw little."""
    return after(identity, last(space, identity), kind=kind, body=body, deps=deps, at=at)


def outsider_post(
    space: str, text: str = "Bring weapons tomorrow", *, who: str = "police"
) -> Event:
    """A correctly signed post by a key that is no member of the committee."""
    return build_event(
        stranger(who),
        space=space,
        seq=1,
        prev=None,
        kind="space.post",
        body={"text": text},
        deps=[space],
        at=_at(None, space, text, who),
    )


def forged_seat(
    identity: Identity,
    council: str,
    *,
    mandate: str | None = None,
    child: str | None = None,
    represented: int = 5000,
    elected: int = 1,
    seq: int = 1,
    prev: str | None = None,
) -> Event:
    """A ``delegate.seat`` citing a mandate nobody decided (made up unless given) of a
    committee that may not exist (made up unless given)."""
    cited = mandate or made_up_id(f"mandate of {identity.public}")
    return build_event(
        identity,
        space=council,
        seq=seq,
        prev=prev,
        kind="delegate.seat",
        body={
            "mandate": cited,
            "child": child or made_up_id(f"committee of {identity.public}"),
            "represented": represented,
            "elected": elected,
        },
        deps=[cited, council],
        at=_at(None, identity.public, council, cited, child, represented, elected, seq, prev),
    )


def tampered(event: Event) -> bytes:
    """The event's bytes with one character of the body changed: the signature fails."""
    raw = bytearray(event.raw)
    index = raw.index(b'"body":{') + len(b'"body":{') + 2
    raw[index] = ord("X") if raw[index] != ord("X") else ord("Y")
    return bytes(raw)


# -- delivering ----------------------------------------------------------------------------


def raws_of(events: Iterable[Event | bytes]) -> list[bytes]:
    return [e if isinstance(e, bytes) else e.raw for e in events]


def space_flags(events: Iterable[Event | bytes]) -> list[str]:
    """``--space=ID`` for every space of these events: what the operator names so that
    ``veche log import`` takes committees new to the node (docs/sync.md)."""
    spaces = {parse_event(raw, verify=False).space_id for raw in raws_of(events)}
    return [f"--space={space}" for space in sorted(spaces)]


def write_lines(path: Path, events: Iterable[Event | bytes]) -> Path:
    """A file for ``veche log import``: one canonical event per line."""
    path.write_bytes(b"".join(raw + b"\n" for raw in raws_of(events)))
    return path


def bundle_of(
    events: Iterable[Event | bytes],
    *,
    to: Sequence[str] = (),
    spaces: Sequence[str] | None = None,
    node: Identity | None = None,
) -> bytes:
    """A bundle file of exactly these events, as the adversary's own node writes one:
    sealed to the keys ``to`` (public when none)."""
    from veche.sync.bundle import write_bundle

    raws = raws_of(events)
    chosen = spaces or sorted({parse_event(r, verify=False).space_id for r in raws})
    return write_bundle(
        node or stranger("the adversary's node"),
        raws,
        spaces=chosen,
        recipients=list(to),
        public=not to,
        created=ATTACK_TIME,
    )


def deliver(raws: Sequence[bytes], *, seed: int, batches: int, source: str = "shuffled") -> None:
    """Ingest ``raws`` shuffled by ``seed``, cut into ``batches`` batches."""
    order = list(raws)
    random.Random(seed).shuffle(order)
    batches = max(1, min(batches, len(order)))
    cuts = sorted(random.Random(seed ^ 0x5EED).sample(range(1, len(order)), batches - 1))
    for start, end in zip([0, *cuts], [*cuts, len(order)], strict=True):
        ingest(order[start:end], source=source)


def wipe_store() -> None:
    """Forget every event, as a fresh node would: every store table is emptied (this
    finds tables the store adds later too) and the projections are rebuilt (empty)."""
    for model in django_apps.get_app_config("store").get_models():
        model.objects.all().delete()
    rebuild()


# -- what must not change ------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def decisions() -> dict[str, Any]:
    """Every committee and its members, every closed motion with its result, every
    mandate and seat, every federation link and every election's stage and result:
    what an equivocation, a revoked key or a forged event must never change."""
    from veche.apps.elections.models import Election

    return {
        "committees": sorted(
            (c.space, c.name, c.founder, c.kind, c.level, _json(c.rules), c.parent, c.parent_join)
            for c in Committee.objects.all()
        ),
        "members": sorted(
            Member.objects.values_list("space", "key", "person", "pseudonym", "status")
        ),
        "motions": sorted(
            (m.space, m.event, m.kind, m.status, _json(m.result), m.close_event)
            for m in Motion.objects.exclude(status=Motion.Status.OPEN)
        ),
        "mandates": sorted(
            Mandate.objects.values_list(
                "space", "event", "key", "parent", "represented", "seats", "recalled_by"
            )
        ),
        "seats": sorted(Seat.objects.values_list("space", "key", "mandate", "child", "weight")),
        "links": sorted(FederationLink.objects.values_list("space", "child", "accepted_by")),
        "elections": sorted(
            (e.space, e.stage, _json(e.counts), _json(e.seats), e.result_event, e.counted)
            for e in Election.objects.all()
        ),
    }


def members_of(space: str) -> list[tuple[str, str, str]]:
    """(pseudonym, key, status) of every member row of a committee."""
    return sorted(Member.objects.filter(space=space).values_list("pseudonym", "key", "status"))


def rebuild_agrees() -> tuple[str, str]:
    """(digest now, digest after a fresh ``rebuild()``) with the statuses compared too."""
    before, kept = state_digest(), statuses()
    rebuild()
    assert statuses() == kept, {i: (kept[i], s) for i, s in statuses().items() if kept.get(i) != s}
    return before, state_digest()


# -- the honest history ----------------------------------------------------------------------

PEOPLE = ("Sokol", "Zubr", "Rusalka", "Lis", "Busel")


@dataclass
class Federation:
    """A city council and the MTZ strike committee that joined it, after a passed strike
    call, an elected and seated delegate, a council decision, a key revoked by a
    committee motion, a device key revoked by its owner, and (optionally) a decided
    secret-ballot election; every event of it applied.

    MTZ: Sokol (founder), Zubr (delegate to the council), Rusalka (with a second
    device, ``phone``, revoked with ``key.revoke``), Lis (main key revoked by a
    ``revocation`` motion), Busel. The council: Chair (founder) and Zubr's seat.
    """

    world: World
    council: str = ""
    mtz: str = ""
    strike: str = ""  # the passed strike call (its propose event)
    strike_close: str = ""
    mandate: str = ""  # the close of the delegate election
    seat: str = ""
    council_close: str = ""  # the council's decision, counted with Zubr's vote
    revocation: str = ""  # the close of the motion revoking Lis's key
    revoked_after: int = 0  # its after_seq
    device_revocation: str = ""  # Rusalka's key.revoke of her phone
    device_after: int = 0
    election: str = ""  # a decided secret-ballot election of MTZ ("" if none)
    election_result: str = ""
    trustees: list[Any] = field(default_factory=list)
    raws: list[bytes] = field(default_factory=list)  # the whole log, in the order

    def person(self, name: str) -> Identity:
        return self.world.person(name)

    @property
    def phone(self) -> Identity:
        return self.world.person("Rusalka-phone")

    @property
    def closes(self) -> list[str]:
        return [self.strike_close, self.mandate, self.council_close, self.revocation]

    def persons(self) -> dict[str, str]:
        """key -> person (the phone is Rusalka's)."""
        found = {self.person(n).public: self.person(n).public for n in (*PEOPLE, "Chair")}
        found[self.phone.public] = self.person("Rusalka").public
        for keys in self.trustees:
            found[keys.identity.public] = keys.identity.public
        return found


class _Clock:
    """The honest history's claimed times: one minute apart from 17 August 2020, so that
    the history (without an election, whose trustees' keys are random) is the same
    bytes in every run and a failing example can be replayed."""

    def __init__(self) -> None:
        self.now = datetime(2020, 8, 17, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def _committee(
    f: Federation, at: _Clock, founder: str, members: Sequence[str], **kwargs: Any
) -> str:
    """A committee with fixed invitation codes (``World.committee`` draws random ones)."""
    from veche.apps.committees.kinds import invitation_hash

    space = actions.create_committee(
        f.person(founder), pseudonym=founder, level=kwargs.pop("level", "local"),
        kind=kwargs.pop("kind", "workplace"), at=at(), **kwargs,
    ).id  # fmt: skip
    for name in members:
        code = hashlib.blake2b(f"{space}:{name}".encode(), digest_size=10).hexdigest().upper()
        body = {"code_hash": invitation_hash(space, code)}
        record(f.person(founder), space=space, kind="member.invite", body=body, at=at())
        actions.join(f.person(name), space, code, name, at=at())
    return space


def _vote_all(f: Federation, at: _Clock, space: str, motion: str, votes: dict[str, Any]) -> None:
    for name, choice in votes.items():
        if isinstance(choice, list):
            actions.vote(f.person(name), space, motion, ranking=[[i] for i in choice], at=at())
        else:
            actions.vote(f.person(name), space, motion, choice=choice, at=at())


def build_federation(
    world: World | None = None, *, election: bool = False, early_revocation: bool = False
) -> Federation:
    """Build the history through the real actions (every event applied).

    Lis's key is revoked from her last event on; with ``early_revocation`` from her
    strike vote on, so that two of her events (a post and her ballot in the delegate
    election) lie above ``after_seq`` although others built on them before the
    revocation: they stay applied (event-v1 §14.3, §14.7).
    """
    f = Federation(world or World())
    p, at = f.person, _Clock()
    f.council = _committee(f, at, "Chair", (), name="Minsk city council", kind="council",
                           level="city")  # fmt: skip
    f.mtz = _committee(f, at, "Sokol", PEOPLE[1:], name="MTZ strike committee")
    # MTZ joins the council.
    join = actions.propose(
        p("Sokol"), f.mtz, kind="federation_join", title="Join the city", text="Link up.",
        target={"parent": f.council}, at=at(),
    ).id  # fmt: skip
    _vote_all(f, at, f.mtz, join, dict.fromkeys(PEOPLE, "yes"))
    join_close = actions.close(p("Sokol"), f.mtz, join, at=at()).id
    accept = actions.propose(
        p("Chair"), f.council, kind="federation_accept", title="Accept MTZ", text="Welcome.",
        target={"child": f.mtz, "join": join_close}, at=at(),
    ).id  # fmt: skip
    _vote_all(f, at, f.council, accept, {"Chair": "yes"})
    actions.close(p("Chair"), f.council, accept, at=at())
    # A strike call, passed with Lis against.
    f.strike = actions.propose(
        p("Sokol"), f.mtz, kind="strike_call", title="Strike from Monday", text="Down tools.",
        at=at(),
    ).id  # fmt: skip
    _vote_all(
        f, at, f.mtz, f.strike, {"Sokol": "yes", "Zubr": "yes", "Rusalka": "yes", "Lis": "no",
                                 "Busel": "yes"},
    )  # fmt: skip
    f.strike_close = actions.close(p("Sokol"), f.mtz, f.strike, at=at()).id
    strike_vote = last(f.mtz, p("Lis")).seq
    actions.post(p("Lis"), f.mtz, "My phone may be taken at the gate tomorrow.", at=at())
    # A delegate election: Zubr is elected and takes his seat.
    options = [p("Zubr").public, p("Rusalka").public]
    elect = actions.propose(
        p("Sokol"), f.mtz, kind="delegate_election", title="Delegate to the city",
        text="STV", method="stv", options=options, seats=1, at=at(),
    ).id  # fmt: skip
    _vote_all(
        f, at, f.mtz, elect, {"Sokol": [0, 1], "Zubr": [0, 1], "Rusalka": [1, 0],
                              "Lis": [0, 1], "Busel": [0, 1]},
    )  # fmt: skip
    f.mandate = actions.close(p("Sokol"), f.mtz, elect, at=at()).id
    f.seat = actions.take_seat(p("Zubr"), f.council, f.mandate, at=at()).id
    # The council decides, counting Zubr's vote.
    city = actions.propose(
        p("Chair"), f.council, kind="strike_call", title="City-wide strike", text="Monday.",
        at=at(),
    ).id  # fmt: skip
    _vote_all(f, at, f.council, city, {"Zubr": "yes", "Chair": "yes"})
    f.council_close = actions.close(p("Chair"), f.council, city, at=at()).id
    # Lis's phone was seized: the committee revokes her key.
    f.revoked_after = strike_vote if early_revocation else last(f.mtz, p("Lis")).seq
    revoke = actions.propose(
        p("Sokol"), f.mtz, kind="revocation", title="Revoke Lis's seized key", text="Seized.",
        target={"key": p("Lis").public, "after_seq": f.revoked_after}, at=at(),
    ).id  # fmt: skip
    _vote_all(f, at, f.mtz, revoke, dict.fromkeys(("Sokol", "Zubr", "Rusalka", "Busel"), "yes"))
    f.revocation = actions.close(p("Sokol"), f.mtz, revoke, at=at()).id
    # Rusalka's second device, revoked from her main (older) key.
    actions.add_device(p("Rusalka"), f.mtz, f.phone.public, at=at())
    actions.post(f.phone, f.mtz, "Written on my phone.", at=at())
    f.device_after = last(f.mtz, f.phone).seq
    f.device_revocation = actions.revoke_own_key(
        p("Rusalka"), f.mtz, f.phone.public, f.device_after, at=at()
    ).id
    if election:
        _decided_election(f, at)
    # Witnesses: later events of other people build on everything above.
    actions.post(p("Busel"), f.mtz, "Minutes.", at=at())
    actions.post(p("Rusalka"), f.mtz, "Seen and agreed.", at=at())
    nxt = actions.propose(
        p("Chair"), f.council, kind="general", title="Next city assembly", text="Thursday?",
        at=at(),
    ).id  # fmt: skip
    actions.vote(p("Zubr"), f.council, nxt, choice="yes", at=at())
    f.raws = all_raws()
    return f


def _decided_election(f: Federation, at: _Clock) -> None:
    """A secret-ballot election called by MTZ's motion, decided; a trustee publishes
    the result."""
    from veche.apps.elections import actions as elections
    from veche.apps.elections.kinds import state_of
    from veche.apps.store.context import Context
    from veche.crypto.ballot import encrypt_ballot
    from veche.election import offline
    from veche.election.offline import TrusteeKeys

    # The committee calls the election by a motion; who closed it creates it.
    call = actions.propose(
        f.person("Sokol"), f.mtz, kind="election", title="Elect a chair", text="By ballot.",
        at=at(),
    ).id  # fmt: skip
    _vote_all(f, at, f.mtz, call, dict.fromkeys(("Sokol", "Zubr", "Rusalka", "Busel"), "yes"))
    actions.close(f.person("Sokol"), f.mtz, call, at=at())
    f.trustees = [TrusteeKeys.generate() for _ in range(3)]
    f.election = elections.create_election(
        f.person("Sokol"),
        committee=f.mtz,
        motion=call,
        title="Chair of the strike committee",
        questions=[{"text": "Who chairs?", "options": ["Ales", "Maria"], "min": 1, "max": 1}],
        method="plurality",
        seats=1,
        trustees=[(t.identity.public, t.box_public) for t in f.trustees],
        threshold=2,
    ).id

    def take(event: Event) -> None:
        report = elections.ingest_file(f.election, event.raw + b"\n", source="trustee")
        assert [o.status for o in report.outcomes] == ["applied"], report.outcomes

    def lines() -> list[bytes]:
        return elections.export_record(f.election)[:-1].split(b"\n")

    for keys in f.trustees:
        take(offline.dealing_event(lines(), keys))
    elections.open_election(f.person("Sokol"), f.election)
    for name, choice in (("Sokol", 0), ("Zubr", 1), ("Rusalka", 1), ("Busel", 1)):
        crypto = state_of(Context(), f.election).crypto_election()
        ballot, _ = encrypt_ballot(crypto, [[1 - choice, choice]])
        elections.cast_ballot(f.person(name), f.election, ballot.to_json())
    elections.close_election(f.person("Sokol"), f.election)
    for keys in f.trustees[:2]:
        take(offline.partial_decryption_event(lines(), keys))
    f.election_result = elections.publish_result(f.trustees[2].identity, f.election).id


_BUILT: dict[tuple[bool, bool], Federation] = {}


def federation_log(*, election: bool = False, early_revocation: bool = False) -> Federation:
    """The Federation history, built once per test session (in a transaction that is
    rolled back: the store is left as it was). Its ``raws`` are the log."""
    key = (election, early_revocation)
    if key not in _BUILT:
        with transaction.atomic():
            _BUILT[key] = build_federation(election=election, early_revocation=early_revocation)
            transaction.set_rollback(True)
    return _BUILT[key]


def honest_federation(*, election: bool = False, early_revocation: bool = False) -> Federation:
    """The Federation history loaded into this test's store by ``ingest``, as a node
    that receives it would; every event of it is applied."""
    f = federation_log(election=election, early_revocation=early_revocation)
    report = ingest(f.raws, source="honest history")
    summary = {str(k): v for k, v in report.summary().items()}
    assert summary == {"applied": len(f.raws)}, summary
    return f


def honest_ids(f: Federation) -> list[str]:
    return [parse_event(r, verify=False).id for r in f.raws]
