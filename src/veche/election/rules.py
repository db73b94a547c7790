# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""The election's event kinds and their rules, as pure functions over an ``ElectionState``.

Lifecycle, all in the election's own space: ``space.create`` (type
``election``) → ``election.roll`` (more voters, creator, before opening) →
``trustee.deal`` (each trustee's dealing) and ``trustee.complain`` (a trustee
names a dealer whose share is bad; the election cannot open) →
``election.open`` (the creator states the election key, which must be the one
the dealings give) → ``ballot.cast`` (an eligible voter's encrypted ballot,
every proof checked; a later ballot of the same voter replaces the earlier) →
``election.close`` (the creator states the number of counted ballots and the
encrypted tally, which must be the sum of the last ballots) →
``trustee.decrypt`` (a partial decryption with proofs) → ``election.result``
(the counts, which must be the combination of the partial decryptions, and
for party lists the seats).

Every event but the create must follow the create through events the rules
judged (``judge_parents``): its parents (``prev`` and ``deps``) are the create
or events of the election that passed this same check, refused or not. So every
event with an effect descends from the create alone, and its place in the order
is the same on every node and in the verifier, even though a node that holds the
committee's log places the create higher (after the close it cites) than one
that does not.

``judge_*`` functions only read the state (``judge_parents`` also records that
the event passed it); ``apply_*`` functions change it.
The same functions run in the node's store (through ``veche.apps.elections``)
and in the offline verifier, so both reach the same verdict on every event.
The state's ballot box (who holds which key, which ciphertexts were seen,
the last ballot of each voter) is behind a few methods so that the node can
keep it in database rows instead of memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from veche.crypto.ballot import Ballot, Election
from veche.crypto.elgamal import Ciphertext
from veche.crypto.encoding import canonical_json
from veche.crypto.errors import CryptoError
from veche.crypto.group import GENERATOR, IDENTITY, Point, PointSum, Scalar, parse_point
from veche.crypto.threshold import (
    Dealing,
    ElectionKey,
    PartialDecryption,
    combine_partial_decryptions,
    election_key_from_dealings,
    verify_dealing,
    verify_partial_decryption,
)
from veche.election.outcome import compute_outcome
from veche.election.spec import CREATE_BODY, VOTER, ElectionSpec, Voter, parse_spec
from veche.events.envelope import CREATE_KIND, Event
from veche.events.registry import EventKind, Registry, RuleViolation
from veche.events.schema import Int, List, Obj, Schema, SchemaError, Str

__all__ = [
    "KIND_BODIES",
    "REGISTRY",
    "CastBallot",
    "ElectionState",
    "apply_event",
    "ballot_tracker",
    "judge_event",
    "judge_parents",
]

STAGES = ("none", "created", "open", "closed", "decided")


class JsonObject(Schema):
    """Any JSON object: its inner shape is checked by the crypto core's parsers."""

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise SchemaError(path, "type", "must be an object")


KIND_BODIES: dict[str, Schema] = {
    "election.roll": Obj(required={"voters": List(VOTER, min_length=1, max_length=1000)}),
    "trustee.deal": Obj(required={"dealing": JsonObject()}),
    "trustee.complain": Obj(
        required={"dealer": Int(1, 100), "reason": Str(min_length=1, max_length=500)}
    ),
    "election.open": Obj(required={"public_key": Str(min_length=43, max_length=43)}),
    "ballot.cast": Obj(required={"ballot": JsonObject()}),
    "election.close": Obj(
        required={"ballots": Int(0), "tally": List(JsonObject(), max_length=20000)}
    ),
    "trustee.decrypt": Obj(required={"partial": JsonObject()}),
    "election.result": Obj(
        required={"counts": List(Int(0), max_length=20000)},
        optional={"seats": List(Int(0), max_length=200)},
    ),
}


@dataclass(frozen=True, slots=True)
class CastBallot:
    voter: int
    event_id: str
    author: str
    tracker: str
    ballot: Ballot


def ballot_tracker(ballot_json: dict[str, Any]) -> str:
    """The tracker of a ballot as cast: BLAKE2b-256 of its canonical JSON (format v1 §3)."""
    import hashlib

    from veche.crypto.encoding import b64encode

    return b64encode(hashlib.blake2b(canonical_json(ballot_json), digest_size=32).digest())


@dataclass
class ElectionState:
    """Everything the rules read. Subclasses may keep the ballot box elsewhere."""

    spec: ElectionSpec | None = None
    stage: str = "none"
    dealings: dict[int, Dealing] = field(default_factory=dict)
    complaints: list[tuple[int, int, str]] = field(default_factory=list)  # (by, dealer, why)
    key: ElectionKey | None = None
    tally: tuple[Ciphertext, ...] = ()
    counted: int = 0
    partials: dict[int, PartialDecryption] = field(default_factory=dict)
    counts: tuple[int, ...] | None = None
    seats: tuple[int, ...] | None = None
    casts: int = 0  # ballot.cast events applied (re-votes included)
    _voters: dict[str, Voter] = field(default_factory=dict)
    _voter_count: int = 0
    _owners: dict[bytes, int] = field(default_factory=dict)
    _ballots: dict[int, CastBallot] = field(default_factory=dict)
    # A ballot parsed by its rule, handed to its projector (saves a second parse).
    parsed: dict[str, Ballot] = field(default_factory=dict)
    # Events that passed ``judge_parents`` (whatever their rule said after it).
    _passed: set[str] = field(default_factory=set)

    # -- which events later ones may follow: override to read them from a store ----------
    def has_passed(self, event_id: str) -> bool:
        return event_id in self._passed

    def parent_passed(self, event: Event, parent: str) -> bool:
        """Did ``parent`` (of ``event``, in its election) pass ``judge_parents``?"""
        return self.has_passed(parent)

    def note_parents(self, event: Event, passed: bool) -> None:
        if passed:
            self._passed.add(event.id)

    # -- the ballot box: override to keep it in a database ---------------------------------
    def voter_of(self, key: str) -> Voter | None:
        return self._voters.get(key)

    def voter_count(self) -> int:
        return self._voter_count

    def add_voter(self, voter: Voter) -> None:
        for key in voter.keys:
            self._voters[key] = voter
        self._voter_count = max(self._voter_count, voter.index + 1)

    def ciphertext_owners(self, alphas: list[bytes]) -> dict[bytes, int]:
        """Which voters' ballots already hold these ciphertexts (by their alpha)."""
        return {a: self._owners[a] for a in alphas if a in self._owners}

    def store_ballot(self, cast: CastBallot) -> None:
        for answer in cast.ballot.answers:
            for ct in answer.choices:
                self._owners.setdefault(ct.alpha.data, cast.voter)
        self._ballots[cast.voter] = cast

    def current_ballots(self) -> Iterator[CastBallot]:
        """Each voter's last ballot, in voter order."""
        for voter in sorted(self._ballots):
            yield self._ballots[voter]

    # -- derived -------------------------------------------------------------------------
    def crypto_election(self) -> Election:
        spec, key = self.require_spec(), self.key
        if key is None:
            raise RuleViolation("stage", "the election is not open yet", "space")
        return Election(spec.election_id, key.public_key, tuple(q.crypto() for q in spec.questions))

    def require_spec(self) -> ElectionSpec:
        if self.spec is None:
            raise RuleViolation("election", "this space is not an election", "space")
        return self.spec


def _need_stage(state: ElectionState, *stages: str) -> None:
    if state.stage not in stages:
        names = {
            "none": "not created",
            "created": "not open yet",
            "open": "open",
            "closed": "closed",
            "decided": "decided",
        }
        raise RuleViolation(
            "stage", "the election is %(stage)s" % {"stage": names[state.stage]}, "kind"
        )


def _need_creator(state: ElectionState, event: Event) -> None:
    if event.author != state.require_spec().creator:
        raise RuleViolation("creator", "only the election's creator may do this", "author")


def _trustee_index(state: ElectionState, event: Event) -> int:
    trustee = state.require_spec().trustee_by_key(event.author)
    if trustee is None:
        raise RuleViolation("trustee", "only the election's trustees may do this", "author")
    return trustee.index


def _voters_of(state: ElectionState, raw: list[dict[str, Any]], field: str) -> list[Voter]:
    spec = state.require_spec()
    voters = []
    seen: set[str] = set()
    start = state.voter_count()
    for i, entry in enumerate(raw):
        where = f"{field}[{i}]"
        keys = tuple(entry["keys"])
        for key in keys:
            if key in seen or state.voter_of(key) is not None:
                raise RuleViolation("electorate-unique", "this key already has a vote", where)
            seen.add(key)
        constituency = spec.constituency_index(entry.get("constituency"), f"{where}.constituency")
        voters.append(Voter(start + i, keys, constituency))
    return voters


# -- space.create ------------------------------------------------------------------------------


def judge_create(state: ElectionState, event: Event) -> None:
    spec = parse_spec(event.id, event.author, event.body)
    if event.deps != ((spec.call,) if spec.call else ()):
        raise RuleViolation(
            "election-call",
            "an election's creation cites only the close of the motion that called it",
            "deps",
        )
    # Every entry, with constituencies or without: one naming a constituency in an
    # election that has none is refused here, not left to fail when applied.
    for i, entry in enumerate(event.body["electorate"]):
        spec.constituency_index(entry.get("constituency"), f"body.electorate[{i}].constituency")
    keys = [k for entry in event.body["electorate"] for k in entry["keys"]]
    if len(set(keys)) != len(keys):
        raise RuleViolation("electorate-unique", "a key appears twice in the electorate", "body")


def apply_create(state: ElectionState, event: Event) -> None:
    state.spec = parse_spec(event.id, event.author, event.body)
    state.stage = "created"
    for voter in _voters_of(state, event.body["electorate"], "body.electorate"):
        state.add_voter(voter)


# -- every later event ----------------------------------------------------------------------


def judge_parents(state: ElectionState, event: Event) -> None:
    """The event follows the create through events the rules judged (module doc).

    Its parents are the create or events of this election that passed this check
    (refused afterwards by their rule or not); not events refused by it, by their
    schema or their chain, nor held ones. Records the verdict for later events.
    """
    parents = ((event.prev,) if event.prev else ()) + event.deps
    passed = bool(parents) and all(
        parent == event.space_id or state.parent_passed(event, parent) for parent in parents
    )
    state.note_parents(event, passed)
    if not passed:
        raise RuleViolation(
            "parents",
            "an election event follows its election's creation through events the rules judged",
            "deps",
        )


# -- election.roll -----------------------------------------------------------------------------


def judge_roll(state: ElectionState, event: Event) -> None:
    _need_stage(state, "created")
    _need_creator(state, event)
    _voters_of(state, event.body["voters"], "body.voters")


def apply_roll(state: ElectionState, event: Event) -> None:
    for voter in _voters_of(state, event.body["voters"], "body.voters"):
        state.add_voter(voter)


# -- the trustees' key ceremony ----------------------------------------------------------------


def _dealing(state: ElectionState, event: Event) -> Dealing:
    try:
        return Dealing.from_json(event.body["dealing"], item="body.dealing")
    except CryptoError as exc:
        raise RuleViolation("dealing", exc.reason, exc.item or "body.dealing") from None


def judge_deal(state: ElectionState, event: Event) -> None:
    _need_stage(state, "created")
    spec = state.require_spec()
    index = _trustee_index(state, event)
    dealing = _dealing(state, event)
    if dealing.dealer != index:
        raise RuleViolation(
            "dealer", "you are trustee %(index)s" % {"index": index}, "body.dealing.dealer"
        )
    if index in state.dealings:
        raise RuleViolation("dealing-once", "this trustee has dealt already", "author")
    try:
        verify_dealing(dealing, spec.election_id, len(spec.trustees), spec.threshold)
    except CryptoError as exc:
        raise RuleViolation("dealing", str(exc), "body.dealing") from None


def apply_deal(state: ElectionState, event: Event) -> None:
    dealing = _dealing(state, event)
    state.dealings[dealing.dealer] = dealing


def judge_complain(state: ElectionState, event: Event) -> None:
    _need_stage(state, "created")
    _trustee_index(state, event)
    if event.body["dealer"] not in state.dealings:
        raise RuleViolation("dealer", "that trustee has not dealt", "body.dealer")


def apply_complain(state: ElectionState, event: Event) -> None:
    state.complaints.append(
        (_trustee_index(state, event), event.body["dealer"], event.body["reason"])
    )


# -- open ----------------------------------------------------------------------------------------


def election_key(state: ElectionState) -> ElectionKey:
    """The election key the dealings give (anyone can recompute it)."""
    spec = state.require_spec()
    try:
        return election_key_from_dealings(
            spec.election_id,
            len(spec.trustees),
            spec.threshold,
            [state.dealings[i] for i in sorted(state.dealings)],
        )
    except CryptoError as exc:
        raise RuleViolation("ceremony", str(exc), "space") from None


def judge_open(state: ElectionState, event: Event) -> None:
    _need_stage(state, "created")
    _need_creator(state, event)
    if state.complaints:
        by, dealer, why = state.complaints[0]
        raise RuleViolation(
            "complaint",
            "trustee %(by)s says trustee %(dealer)s dealt a bad share (%(why)s); "
            "create the election again without that trustee"
            % {"by": by, "dealer": dealer, "why": why},
            "space",
        )
    if state.voter_count() == 0:
        raise RuleViolation("electorate", "the electorate is empty", "space")
    key = election_key(state)
    if event.body["public_key"] != key.public_key.encode():
        raise RuleViolation(
            "public-key", "this is not the key the trustees' dealings give", "body.public_key"
        )


def apply_open(state: ElectionState, event: Event) -> None:
    state.key = election_key(state)
    state.stage = "open"


# -- cast ----------------------------------------------------------------------------------------


def _parse_ballot(state: ElectionState, event: Event) -> Ballot:
    cached = state.parsed.get(event.id)
    if cached is not None:
        return cached
    try:
        return Ballot.from_json(event.body["ballot"], item="body.ballot")
    except CryptoError as exc:
        raise RuleViolation("ballot", exc.reason, exc.item or "body.ballot") from None


def judge_cast(state: ElectionState, event: Event, *, proofs_checked: bool = False) -> None:
    """``proofs_checked``: the caller verified this ballot's proofs already (in a batch)."""
    _need_stage(state, "open")
    voter = state.voter_of(event.author)
    if voter is None:
        raise RuleViolation("eligible", "this key is not in the electorate", "author")
    ballot = _parse_ballot(state, event)
    election = state.crypto_election()
    if not proofs_checked:
        from veche.crypto.ballot import verify_ballot

        try:
            verify_ballot(election, ballot)
        except CryptoError as exc:
            item = "body." + exc.item if exc.item else "body.ballot"
            raise RuleViolation("ballot", exc.reason, item) from None
    elif ballot.election_id != election.election_id:
        raise RuleViolation("ballot", "the ballot is for another election", "body.ballot.election")
    owners = state.ciphertext_owners([ct.alpha.data for a in ballot.answers for ct in a.choices])
    for i, answer in enumerate(ballot.answers):
        for k, ct in enumerate(answer.choices):
            owner = owners.get(ct.alpha.data)
            if owner is not None and owner != voter.index:
                raise RuleViolation(
                    "ballot-copied",
                    "this ciphertext is part of another voter's ballot (a copied ballot)",
                    f"body.ballot.answers[{i}].choices[{k}]",
                )
    state.parsed[event.id] = ballot


def apply_cast(state: ElectionState, event: Event) -> None:
    voter = state.voter_of(event.author)
    assert voter is not None  # judged
    ballot = state.parsed.pop(event.id, None) or _parse_ballot(state, event)
    state.store_ballot(
        CastBallot(
            voter.index, event.id, event.author, ballot_tracker(event.body["ballot"]), ballot
        )
    )
    state.casts += 1


# -- close ---------------------------------------------------------------------------------------


def compute_tally(state: ElectionState) -> tuple[tuple[Ciphertext, ...], int]:
    """The encrypted tally of every voter's last ballot, per constituency; and their number."""
    spec = state.require_spec()
    width = spec.width
    alphas = [PointSum() for _ in range(width * spec.districts)]
    betas = [PointSum() for _ in range(width * spec.districts)]
    counted = 0
    for cast in state.current_ballots():
        district = _district_of(state, cast)
        position = district * width
        for answer in cast.ballot.answers:
            for ct in answer.choices:
                alphas[position].add(ct.alpha.data)
                betas[position].add(ct.beta.data)
                position += 1
        counted += 1
    if counted == 0:
        return (), 0
    assert state.key is not None  # ballots were counted, so the election was opened
    if spec.totals:
        return _question_totals(spec, alphas, betas, state.key.public_key), counted
    return (
        tuple(
            _tally_entry(a.value(), b.value(), state.key.public_key)
            for a, b in zip(alphas, betas, strict=True)
        ),
        counted,
    )


def _question_totals(
    spec: ElectionSpec, alphas: list[PointSum], betas: list[PointSum], public_key: Point
) -> tuple[Ciphertext, ...]:
    """A survey's tally (election-v1 "totals"): per question, the sum over its options of
    quantity x the option's summed ciphertext, i.e. an encryption of the question's total.
    The per-option sums never leave this function, so no trustee can be asked for them."""
    entries = []
    position = 0
    for i in range(len(spec.questions)):
        alpha = IDENTITY
        beta = IDENTITY
        for quantity in spec.quantities(i):
            alpha = alpha + alphas[position].value() * Scalar.from_int(quantity)
            beta = beta + betas[position].value() * Scalar.from_int(quantity)
            position += 1
        entries.append(_tally_entry(alpha, beta, public_key))
    return tuple(entries)


def _tally_entry(alpha: Point, beta: Point, public_key: Point) -> Ciphertext:
    """One tally entry: the sum of its ciphertexts, made encodable when its alpha is the identity.

    The identity is no valid point on the wire, yet it is the sum of no ciphertext
    (a constituency no counted ballot names) and of ciphertexts whose randomness
    cancels (voters who chose r and -r). Such an entry gets the public encryption
    of 0 with randomness 1, (B, Y), added: the same plaintext, randomness 1, which
    the trustees decrypt like any other entry.
    """
    if alpha.is_identity():
        return Ciphertext(GENERATOR, beta + public_key)
    return Ciphertext(alpha, beta)


def _district_of(state: ElectionState, cast: CastBallot) -> int:
    voter = state.voter_of(cast.author)
    return voter.constituency if voter is not None else 0


def judge_close(state: ElectionState, event: Event) -> None:
    _need_stage(state, "open")
    _need_creator(state, event)
    tally, counted = compute_tally(state)
    if event.body["ballots"] != counted:
        raise RuleViolation(
            "tally",
            "%(counted)s voters' ballots are counted, not %(given)s"
            % {"counted": counted, "given": event.body["ballots"]},
            "body.ballots",
        )
    if event.body["tally"] != [ct.to_json() for ct in tally]:
        raise RuleViolation(
            "tally", "the encrypted tally is not the sum of the counted ballots", "body.tally"
        )


def apply_close(state: ElectionState, event: Event) -> None:
    tally = tuple(
        Ciphertext(
            parse_point(ct["alpha"], item=f"body.tally[{i}].alpha"),
            parse_point(ct["beta"], item=f"body.tally[{i}].beta"),
        )
        for i, ct in enumerate(event.body["tally"])
    )
    state.tally = tally
    state.counted = event.body["ballots"]
    state.stage = "closed"


# -- partial decryptions and the result ----------------------------------------------------------


def _partial(event: Event) -> PartialDecryption:
    try:
        return PartialDecryption.from_json(event.body["partial"], item="body.partial")
    except CryptoError as exc:
        raise RuleViolation("partial-decryption", exc.reason, exc.item or "body.partial") from None


def judge_decrypt(state: ElectionState, event: Event) -> None:
    _need_stage(state, "closed")
    index = _trustee_index(state, event)
    partial = _partial(event)
    if partial.trustee != index:
        raise RuleViolation(
            "trustee", "you are trustee %(index)s" % {"index": index}, "body.partial.trustee"
        )
    if index in state.partials:
        raise RuleViolation("decrypt-once", "this trustee has decrypted already", "author")
    if state.counted == 0:
        raise RuleViolation("decrypt", "no ballot was counted: there is nothing to decrypt", "kind")
    assert state.key is not None
    try:
        verify_partial_decryption(state.key, state.tally, partial)
    except CryptoError as exc:
        raise RuleViolation("partial-decryption", exc.reason, "body.partial") from None


def apply_decrypt(state: ElectionState, event: Event) -> None:
    partial = _partial(event)
    state.partials[partial.trustee] = partial


def decrypted_counts(state: ElectionState) -> list[int]:
    spec = state.require_spec()
    if state.counted == 0:
        return [0] * (spec.tally_width * spec.districts)
    assert state.key is not None
    if len(state.partials) < spec.threshold:
        raise RuleViolation(
            "threshold",
            "%(have)d of the %(needed)s partial decryptions needed"
            % {"have": len(state.partials), "needed": spec.threshold},
            "space",
        )
    try:
        return combine_partial_decryptions(
            state.key,
            state.tally,
            state.partials,
            state.counted * spec.most if spec.totals else state.counted,
            verify=False,
        )
    except CryptoError as exc:
        raise RuleViolation("combine", str(exc), "space") from None


def judge_result(state: ElectionState, event: Event) -> None:
    _need_stage(state, "closed")
    spec = state.require_spec()
    if event.author != spec.creator and spec.trustee_by_key(event.author) is None:
        raise RuleViolation(
            "creator", "only the creator or a trustee may publish the result", "author"
        )
    counts = decrypted_counts(state)
    if event.body["counts"] != counts:
        raise RuleViolation(
            "counts", "these are not the counts the partial decryptions give", "body.counts"
        )
    outcome = compute_outcome(spec, counts)
    seats = list(outcome.seats) if outcome.seats is not None else None
    if event.body.get("seats") != seats:
        raise RuleViolation("seats", "these are not the seats the counts give", "body.seats")


def apply_result(state: ElectionState, event: Event) -> None:
    state.counts = tuple(event.body["counts"])
    seats = event.body.get("seats")
    state.seats = tuple(seats) if seats is not None else None
    state.stage = "decided"


# -- the registry the verifier judges with ------------------------------------------------------

Rule = Callable[[ElectionState, Event], None]

RULES: dict[str, tuple[Rule, Rule]] = {
    "election.roll": (judge_roll, apply_roll),
    "trustee.deal": (judge_deal, apply_deal),
    "trustee.complain": (judge_complain, apply_complain),
    "election.open": (judge_open, apply_open),
    "ballot.cast": (judge_cast, apply_cast),
    "election.close": (judge_close, apply_close),
    "trustee.decrypt": (judge_decrypt, apply_decrypt),
    "election.result": (judge_result, apply_result),
}


def _build_registry() -> Registry[ElectionState]:
    registry: Registry[ElectionState] = Registry()
    registry.register(EventKind(CREATE_KIND, CREATE_BODY, judge_create))
    for name, (judge, _) in RULES.items():
        registry.register(EventKind(name, KIND_BODIES[name], judge))
    return registry


REGISTRY = _build_registry()


def judge_event(state: ElectionState, event: Event, *, proofs_checked: bool = False) -> None:
    """Schema, then (for every event but the create) its parents, then the rule; raises
    RuleViolation. ``space.create`` only as the first event. ``proofs_checked``: a
    ballot's proofs were verified already (see ``judge_cast``)."""
    if event.kind == CREATE_KIND:
        if state.stage != "none":
            raise RuleViolation("create", "the election exists already", "kind")
        REGISTRY.judge(state, event)
        return
    kind = REGISTRY.get(event.kind)
    kind.check_body(event)
    judge_parents(state, event)
    if state.stage == "none":
        raise RuleViolation("create", "the election's space.create comes first", "kind")
    if event.kind == "ballot.cast":
        judge_cast(state, event, proofs_checked=proofs_checked)
    else:
        kind.rule(state, event)


def apply_event(state: ElectionState, event: Event) -> None:
    if event.kind == CREATE_KIND:
        apply_create(state, event)
    else:
        RULES[event.kind][1](state, event)
