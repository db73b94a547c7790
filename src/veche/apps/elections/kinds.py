"""The ``election`` space type and its event kinds, judged by the pure rules.

Every rule here is ``veche.election.rules`` run against a ``StoredElectionState``:
the same ``ElectionState`` the offline verifier uses, loaded from this space's
projection rows once per store batch (``ctx.cached``) and kept true by the
projectors as they write. Why rebuild from rows rather than keep one serialized
state per election: a serialized state would be rewritten whole on every cast
(quadratic in the ballots), while rows let a cast touch only its own ballot and
ciphertexts, and the copy check is one indexed query. The rows are ordinary
projections, so ``veche log rebuild`` re-derives them from the events and the
state digest covers them: the state stays a function of the events.

Every event but the create follows the create through events the rules judged
(``rules.judge_parents``), so an exported record, which holds only this space,
orders every event that counts exactly as the node did. The create cites one
event of another space: the committee's close that called the election, checked
here when this node holds the committee's log (``calls``).
"""

from __future__ import annotations

from collections.abc import Iterator

from veche.apps.elections.calls import check_call, check_roll, foreign_of_create
from veche.apps.elections.models import (
    Ballot,
    BallotCiphertext,
    Complaint,
    Election,
    PartialDecryption,
    Pledge,
    Trustee,
    Voter,
)
from veche.apps.store.citations import FOREIGN, Foreign
from veche.apps.store.context import Context
from veche.apps.store.kinds import projection, register, register_space_type
from veche.apps.store.models import Status, StoredEvent
from veche.crypto.ballot import Ballot as CryptoBallot
from veche.crypto.elgamal import Ciphertext
from veche.crypto.threshold import Dealing
from veche.crypto.threshold import PartialDecryption as CryptoPartial
from veche.election import rules
from veche.election.rules import CastBallot, ElectionState
from veche.election.spec import CREATE_BODY, parse_spec
from veche.election.spec import Voter as SpecVoter
from veche.events import Event
from veche.events.encoding import b64e

#: A crossed-only pledge's trustee steps (pledge-v1 §7): parents like the election kinds.
_PLEDGE_STEPS = ("pledge.blind", "pledge.decrypt")


class StoredElectionState(ElectionState):
    """An ElectionState whose ballot box and electorate live in projection rows."""

    def __init__(self, ctx: Context, space: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.space = space
        self._voter_cache: dict[str, SpecVoter | None] = {}
        self._count_cache: int | None = None
        self.applying_at = ""  # the ``at`` of the event being applied, for the ballot row
        self.call_checked = False  # the committee's call was checked on this node
        # Verdicts of ``rules.judge_parents`` on the events this context judged.
        self._parents: dict[str, bool] = ctx.cached(("elections", "parents", space), dict)

    def has_passed(self, event_id: str) -> bool:
        return self._parents.get(event_id, False)

    def note_parents(self, event: Event, passed: bool) -> None:
        self._parents[event.id] = passed

    def parent_passed(self, event: Event, parent: str) -> bool:
        """Judged by this context: its verdict. Else (ingest) its stored outcome: applied,
        or refused by an election rule after the parents check. A replay judges the whole
        space again, so an event it did not judge by the rules did not pass."""
        if parent in self._parents:
            return self._parents[parent]
        cited = self.ctx.cited(event, parent, "deps")
        if (
            cited.event.space_id != self.space
            or (cited.event.kind not in KINDS and cited.event.kind not in _PLEDGE_STEPS)
            or self.ctx.batch_keys is None
        ):
            return False
        if cited.status == Status.APPLIED:
            return True
        if cited.status != Status.REJECTED:
            return False
        reason = StoredEvent.objects.filter(id=parent).values_list("reason", flat=True).first()
        rule = (reason or "").partition("|")[0]
        return (
            bool(rule)
            and rule not in ("parents", "known-kind")
            and not rule.startswith(("schema:", "chain-"))
        )

    def voter_of(self, key: str) -> SpecVoter | None:
        # The rules need the voter's number and constituency; ``keys`` holds just this key.
        if key not in self._voter_cache:
            row = (
                self.ctx.rows(Voter)
                .filter(space=self.space, key=key)
                .values_list("index", "constituency")
                .first()
            )
            self._voter_cache[key] = None if row is None else SpecVoter(row[0], (key,), row[1])
        return self._voter_cache[key]

    def voter_count(self) -> int:
        if self._count_cache is None:
            last = (
                self.ctx.rows(Voter)
                .filter(space=self.space)
                .order_by("-index")
                .values_list("index", flat=True)
                .first()
            )
            self._count_cache = 0 if last is None else last + 1
        return self._count_cache

    def add_voter(self, voter: SpecVoter) -> None:
        for key in voter.keys:
            self.ctx.insert(
                Voter(space=self.space, key=key, index=voter.index, constituency=voter.constituency)
            )
            self._voter_cache[key] = voter
        self._count_cache = max(self.voter_count(), voter.index + 1)

    def ciphertext_owners(self, alphas: list[bytes]) -> dict[bytes, int]:
        texts = {b64e(alpha): alpha for alpha in alphas}
        rows = (
            self.ctx.rows(BallotCiphertext)
            .filter(space=self.space, alpha__in=list(texts))
            .values_list("alpha", "voter")
        )
        return {texts[alpha]: voter for alpha, voter in rows}

    def store_ballot(self, cast: CastBallot) -> None:
        self.ctx.rows(Ballot).filter(space=self.space, voter=cast.voter, counted=True).update(
            counted=False
        )
        self.ctx.insert(
            Ballot(
                space=self.space,
                event=cast.event_id,
                voter=cast.voter,
                author=cast.author,
                tracker=cast.tracker,
                counted=True,
                ballot=cast.ballot.to_json(),
                at=self.applying_at,
            )
        )
        seen = set(
            self.ctx.rows(BallotCiphertext)
            .filter(space=self.space, voter=cast.voter)
            .values_list("alpha", flat=True)
        )
        for answer in cast.ballot.answers:
            for ct in answer.choices:
                alpha = ct.alpha.encode()
                if alpha not in seen:  # a voter may resend their own ballot
                    seen.add(alpha)
                    self.ctx.insert(
                        BallotCiphertext(space=self.space, alpha=alpha, voter=cast.voter)
                    )

    def current_ballots(self) -> Iterator[CastBallot]:
        rows = (
            self.ctx.rows(Ballot)
            .filter(space=self.space, counted=True)
            .order_by("voter")
            .values_list("voter", "event", "author", "tracker", "ballot")
        )
        for voter, event, author, tracker, ballot in rows.iterator(chunk_size=2000):
            yield CastBallot(voter, event, author, tracker, CryptoBallot.from_json(ballot))


def _load(ctx: Context, space: str) -> StoredElectionState:
    state = StoredElectionState(ctx, space)
    election = ctx.rows(Election).filter(space=space).first()
    if election is None:
        return state
    state.spec = parse_spec(space, election.creator, election.body)
    state.stage = election.stage
    state.call_checked = election.call_checked
    for trustee in ctx.rows(Trustee).filter(space=space, dealing__isnull=False).order_by("index"):
        state.dealings[trustee.index] = Dealing.from_json(trustee.dealing)
    state.complaints = [
        (c.trustee, c.dealer, c.reason)
        for c in ctx.rows(Complaint).filter(space=space).order_by("event")
    ]
    if state.stage in ("open", "closed", "decided"):
        state.key = rules.election_key(state)
    state.tally = tuple(Ciphertext.from_json(ct) for ct in election.tally)
    state.counted = election.counted
    state.casts = election.casts
    for partial in ctx.rows(PartialDecryption).filter(space=space).order_by("trustee"):
        state.partials[partial.trustee] = CryptoPartial.from_json(partial.partial)
    state.counts = tuple(election.counts) if election.counts is not None else None
    state.seats = tuple(election.seats) if election.seats is not None else None
    return state


def state_of(ctx: Context, space: str) -> StoredElectionState:
    return ctx.cached(("election-state", space), lambda: _load(ctx, space))


def judge(ctx: Context, event: Event) -> None:
    if event.kind != "space.create" and _pledge(ctx, event):
        from veche.apps.elections import pledges

        pledges.judge(ctx, event)
        return
    state = state_of(ctx, event.space_id)
    rules.judge_event(state, event)
    if event.kind == "space.create":
        ctx.memo[("elections", "call-checked", event.id)] = check_call(ctx, event)
    elif event.kind == "election.roll" and state.call_checked:
        spec = state.require_spec()
        assert spec.committee is not None and spec.call is not None  # a checked call
        check_roll(ctx, spec.committee, spec.call, event.body["voters"], "body.voters")


def _save(ctx: Context, state: StoredElectionState, event: Event) -> None:
    fields = {
        "stage": state.stage,
        "public_key": state.key.public_key.encode() if state.key else "",
        "casts": state.casts,
        "counted": state.counted,
        "tally": [ct.to_json() for ct in state.tally],
        "counts": list(state.counts) if state.counts is not None else None,
        "seats": list(state.seats) if state.seats is not None else None,
    }
    if event.kind == "election.result":
        fields["result_event"] = event.id
    ctx.rows(Election).filter(space=state.space).update(**fields)


def _pledge(ctx: Context, event: Event) -> bool:
    """Is the event's space a pledge (format pledge-v1)? Pledges run through these kinds."""
    from veche.apps.elections.pledges import is_pledge

    return is_pledge(ctx, event.space_id)


def apply(ctx: Context, event: Event) -> None:
    if event.kind != "space.create" and _pledge(ctx, event):
        from veche.apps.elections import pledges

        pledges.apply(ctx, event)
        return
    space = event.space_id
    state = state_of(ctx, space)
    if event.kind == "space.create":
        body = event.body
        checked = bool(ctx.memo.pop(("elections", "call-checked", event.id), False))
        Election.objects.create(
            space=space,
            title=body["title"],
            creator=event.author,
            committee=body.get("committee", ""),
            body=body,
            created_at=event.at,
            stage="created",
            public_board=bool(body.get("public_board", False)),
            call_checked=checked,
        )
        state.call_checked = checked
        for trustee in parse_spec(space, event.author, body).trustees:
            Trustee.objects.create(
                space=space, index=trustee.index, key=trustee.key, box=b64e(trustee.box)
            )
    state.applying_at = event.at
    rules.apply_event(state, event)
    if event.kind == "trustee.deal":
        ctx.rows(Trustee).filter(space=space, index=event.body["dealing"]["dealer"]).update(
            dealing=event.body["dealing"], dealing_event=event.id
        )
    elif event.kind == "trustee.complain":
        complaint = state.complaints[-1]
        Complaint.objects.create(
            space=space,
            event=event.id,
            trustee=complaint[0],
            dealer=complaint[1],
            reason=complaint[2],
        )
    elif event.kind == "trustee.decrypt":
        PartialDecryption.objects.create(
            space=space,
            trustee=event.body["partial"]["trustee"],
            event=event.id,
            partial=event.body["partial"],
        )
    if event.kind not in {"election.roll", "trustee.deal"}:
        _save(ctx, state, event)


KINDS = {
    "election.roll": "the creator adds voters to the electorate before the election opens",
    "trustee.deal": "a trustee's dealing in the key ceremony (commitments, proofs, sealed shares)",
    "trustee.complain": "a trustee names a dealer whose share does not match its commitments",
    "election.open": "the creator opens the election under the key the dealings give",
    "ballot.cast": "an eligible voter's encrypted ballot with its proofs",
    "election.close": "the creator closes the election, stating the encrypted tally",
    "trustee.decrypt": "a trustee's partial decryption of the tally, with proofs",
    "election.result": "the counts the partial decryptions give, and the seats",
}


def _foreign_of(previous: Foreign | None) -> Foreign:
    """``space.create``'s citations of other spaces: an election's committee close, and
    whatever another space type declared."""

    def foreign(event: Event) -> dict[str, str]:
        if event.body.get("type") == "election":
            return foreign_of_create(event)
        return previous(event) if previous is not None else {}

    return foreign


def register_all() -> None:
    from veche.apps.elections import pledge_general, pledges
    from veche.pledge import rules as pledge_rules
    from veche.pledge.spec import CREATE_BODY as PLEDGE_BODY

    register_space_type("election", body=CREATE_BODY, rule=judge, apply=apply)
    register_space_type("pledge", body=PLEDGE_BODY, rule=pledges.judge, apply=pledges.apply)
    register(
        pledge_rules.RESULT_KIND,
        body=pledge_rules.KIND_BODIES[pledge_rules.RESULT_KIND],
        rule=pledges.judge,
        apply=pledges.apply,
        summary="the total of a strike pledge and whether it reached its target",
    )
    register(
        pledge_rules.BLIND_KIND,
        body=pledge_rules.KIND_BODIES[pledge_rules.BLIND_KIND],
        rule=pledges.judge,
        apply=pledges.apply,
        summary="a trustee's blinding round of a pledge that reveals only whether it crossed",
    )
    register(
        pledge_rules.DECRYPT_KIND,
        body=pledge_rules.KIND_BODIES[pledge_rules.DECRYPT_KIND],
        rule=pledges.judge,
        apply=pledges.apply,
        summary="a trustee's partial decryption of a crossed-only pledge's blinded list",
    )
    pledges.register_strike()
    pledge_general.register_general()
    # The store registers space.create once for every space type and takes no foreign
    # finder there; the election's one citation of another space is declared here.
    FOREIGN["space.create"] = _foreign_of(FOREIGN.get("space.create"))
    for name, summary in KINDS.items():
        register(name, body=rules.KIND_BODIES[name], rule=judge, apply=apply, summary=summary)
    projection(
        Election,
        digest=(
            "space",
            "title",
            "creator",
            "committee",
            "body",
            "created_at",
            "stage",
            "public_board",
            "call_checked",
            "public_key",
            "casts",
            "counted",
            "tally",
            "counts",
            "seats",
            "result_event",
        ),
    )
    projection(Voter, digest=("space", "key", "index", "constituency"), order=("key",))
    projection(
        Trustee,
        digest=("space", "index", "key", "box", "dealing", "dealing_event"),
        order=("index",),
    )
    projection(
        Complaint, digest=("space", "event", "trustee", "dealer", "reason"), order=("event",)
    )
    projection(
        Ballot,
        digest=("space", "event", "voter", "author", "tracker", "counted", "ballot", "at"),
        order=("event",),
    )
    projection(BallotCiphertext, digest=("space", "alpha", "voter"), order=("alpha",))
    projection(
        PartialDecryption, digest=("space", "trustee", "event", "partial"), order=("trustee",)
    )
    projection(
        Pledge,
        digest=(
            "space",
            "title",
            "creator",
            "committee",
            "strike_call",
            "workplace",
            "shop",
            "strike_date",
            "deadline",
            "needed",
            "body",
            "created_at",
            "stage",
            "public_key",
            "casts",
            "counted",
            "tally",
            "total",
            "crossed",
            "result_event",
        ),
    )
