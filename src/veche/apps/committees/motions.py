"""Motions and votes, delegates and federation, as event kinds.

A motion is proposed, may be amended by its proposer while open (votes cast on
an earlier text no longer count: the voter must vote again), is voted on
openly (yes/no/abstain, approval, ranked by Schulze, or STV for several
seats), and is closed. The close event carries the result, and every node
recomputes it from the votes it holds before accepting the close: a forged
result is rejected. Passing a motion has effects in its own committee
(rules, admission, expulsion, key revocation, delegates, recall, joining a
parent body, ratification, endorsement).

Across committees, rules read only cited events: a delegate takes a seat in
the parent body by citing the child's close event that elected them; a
closing event in a parent body cites the recalls it takes into account. The
pages show recalls at once, as soon as this node holds them.

Nothing counts on a claim (event-v1 §14.6): a seat whose mandate this node
cannot check (it holds nothing of the electing committee's log) is
*unverified*, and so is everything that depends on it: the delegate's
proposals and votes, and a close whose result differs from the votes this node
holds only by such votes or by recalls it cannot check. Unverified events have
no effect and count nowhere; the store judges them again when the cited log
arrives.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Set
from fractions import Fraction
from typing import Any

from veche.apps.committees.kinds import (
    ACTIVE,
    DEFAULT_RULES,
    RULES_SCHEMA,
    active_persons,
    committee_of,
    revoke_key,
    roster,
    set_person_status,
)
from veche.apps.committees.models import (
    AcceptedBranch,
    Endorsement,
    FederationLink,
    Mandate,
    Member,
    Motion,
    Ratification,
    Seat,
    Vote,
)
from veche.apps.store.context import Cited, Context
from veche.apps.store.kinds import BRANCH_PROVIDERS, projection, register
from veche.apps.store.models import EquivocationRecord, Status, StoredEvent
from veche.counting.ballots import RankedBallots
from veche.counting.schulze import schulze
from veche.counting.simple import approval, decide_motion
from veche.counting.stv import count_stv
from veche.events import Event, RuleViolation, Unverified, parse_event
from veche.events.schema import Enum, EventId, Int, List, Obj, PublicKey, Str, Timestamp

MOTION_KINDS = (
    "general",
    "demands",
    "strike_call",
    "delegate_election",
    "recall",
    "ratification",
    "rule_change",
    "admission",
    "expulsion",
    "revocation",
    "federation_join",
    "federation_accept",
    "endorsement",
    "election",
    "equivocation",
)
METHODS = ("yes_no", "approval", "ranked", "stv")
CHOICES = ("yes", "no", "abstain")
_OPTION = Str(min_length=1, max_length=200)

TARGET_SCHEMA = Obj(
    optional={
        "key": PublicKey(),
        "after_seq": Int(0),
        "rules": RULES_SCHEMA,
        "parent": EventId(),
        "child": EventId(),
        "space": EventId(),
        "join": EventId(),
        "mandate": EventId(),
        "motion": EventId(),
        "event": EventId(),
    }
)
_NEEDS = {
    "rule_change": ("rules",),
    "admission": ("key",),
    "expulsion": ("key",),
    "revocation": ("key", "after_seq"),
    "recall": ("mandate", "key"),
    "federation_join": ("parent",),
    "federation_accept": ("child", "join"),
    "ratification": ("motion", "space"),
    "endorsement": ("motion", "space"),
    "equivocation": ("key", "event"),
}


# -- who may take part ----------------------------------------------------------------------


def seats_of(ctx: Context, space: str) -> dict[str, Seat]:
    return ctx.cached(
        ("seats", space), lambda: {s.key: s for s in ctx.rows(Seat).filter(space=space)}
    )


def participant(ctx: Context, event: Event) -> tuple[str, int, str]:
    """(person, weight, mandate) of the author: a member, or a seated delegate.

    An author whose only claim is a seat this node could not verify is not refused:
    the event is unverified, like the seat (event-v1 §14.6).
    """
    member = roster(ctx, event.space_id).get(event.author)
    if member is not None and member.status == ACTIVE:
        return member.person, 1, ""
    seat = seats_of(ctx, event.space_id).get(event.author)
    if seat is not None:
        return seat.key, seat.weight, seat.mandate
    claimed = unverified_of(ctx, event.space_id).seats.get(event.author)
    if claimed is not None:
        raise Unverified(
            "unverified-seat",
            "the author's seat is not verified on this node",
            "author",
            missing=(claimed[1],),
        )
    raise RuleViolation(
        "member", "only members and seated delegates of this body may do this", "author"
    )


# -- what this node could not verify (event-v1 §14.6) -----------------------------------------


class UnverifiedHere:
    """A space's unverified seats and proposals, as the rules of one context need them.

    Within an ingest the stored outcomes of earlier events are current, so they are
    read from the store, and the events this context finds unverified are added as
    it judges them. A replay from scratch (``ctx.batch_keys`` is None: a rebuild)
    judges every event of the space again in order, so it reads nothing stored:
    stored outcomes are the ones being replaced.
    """

    def __init__(self, ctx: Context, space: str) -> None:
        self.space = space
        self.replay = ctx.batch_keys is None
        # author -> (their first unverified seat event, the mandate it cites)
        self.seats: dict[str, tuple[str, str]] = {}
        self._motions: dict[str, bool] = {}
        if not self.replay:
            rows = (
                StoredEvent.objects.filter(
                    space=space, kind="delegate.seat", status=Status.UNVERIFIED
                )
                .order_by("height", "id")
                .values_list("raw", flat=True)
            )
            for raw in rows:
                seat = parse_event(bytes(raw), verify=False)
                self.seats.setdefault(seat.author, (seat.id, _mandate_of(seat)))

    def motion(self, motion_id: str) -> bool:
        """Is ``motion_id`` a proposal of this space that this node could not verify?"""
        if motion_id not in self._motions:
            self._motions[motion_id] = (
                not self.replay
                and StoredEvent.objects.filter(
                    id=motion_id,
                    space=self.space,
                    kind="motion.propose",
                    status=Status.UNVERIFIED,
                ).exists()
            )
        return self._motions[motion_id]

    def note(self, event: Event) -> None:
        """``event`` of this space was just found unverified."""
        if event.kind == "delegate.seat":
            self.seats.setdefault(event.author, (event.id, _mandate_of(event)))
        elif event.kind == "motion.propose":
            self._motions[event.id] = True


def _mandate_of(seat: Event) -> str:
    mandate = seat.body.get("mandate") if isinstance(seat.body, dict) else None
    return mandate if isinstance(mandate, str) else ""


def unverified_of(ctx: Context, space: str) -> UnverifiedHere:
    return ctx.cached(("unverified", space), lambda: UnverifiedHere(ctx, space))


def _noting_unverified(rule: Callable[[Context, Event], None]) -> Callable[[Context, Event], None]:
    """Wrap a kind's rule so that an event it finds unverified is remembered: the
    author's later events, and events naming it, are unverified too, not refused."""

    def check(ctx: Context, event: Event) -> None:
        try:
            rule(ctx, event)
        except Unverified:
            unverified_of(ctx, event.space_id).note(event)
            raise

    return functools.wraps(rule)(check)


def children_of(ctx: Context, space: str) -> set[str]:
    return ctx.cached(
        ("children", space),
        lambda: set(ctx.rows(FederationLink).filter(space=space).values_list("child", flat=True)),
    )


def motion_of(ctx: Context, event: Event, motion_id: str) -> Motion:
    motion = ctx.cached(
        ("motion", motion_id),
        lambda: ctx.rows(Motion).filter(event=motion_id, space=event.space_id).first(),
    )
    if motion is None:
        if unverified_of(ctx, event.space_id).motion(motion_id):
            raise Unverified(
                "unverified-motion", "the motion is not verified on this node", "body.motion"
            )
        raise RuleViolation("motion", "no such motion in this committee", "body.motion")
    return motion


def _save_motion(ctx: Context, motion: Motion) -> None:
    ctx.memo[("motion", motion.event)] = motion
    motion.save()


# -- propose and amend -------------------------------------------------------------------------------


def _check_options(body: dict[str, Any], method: str) -> None:
    options = body.get("options")
    if method == "yes_no":
        if options:
            raise RuleViolation("options", "a yes/no motion has no options", "body.options")
    elif not options or len(options) < 2:
        raise RuleViolation("options", "this method needs at least two options", "body.options")


def _cited_close(ctx: Context, event: Event, event_id: str, field: str) -> Event:
    """A passed motion's close event that ``event`` cites, checked. If this node holds
    nothing of its space, or holds it unverified, ``event`` is unverified too."""
    return _passed_close(ctx.cited(event, event_id, field), field)


def _held_close(ctx: Context, event: Event, event_id: str, field: str) -> Event | None:
    """Like ``_cited_close`` for a proposal that only names another space's decision
    as its own decision's target: checked when this node holds it and could verify
    it, else None (nothing is counted from it, so nothing rests on the claim)."""
    cited = ctx.cited_if_held(event, event_id, field)
    if cited is None or (cited.event.kind == "motion.close" and cited.status == Status.UNVERIFIED):
        return None
    return _passed_close(cited, field)


def _passed_close(cited: Cited, field: str) -> Event:
    if cited.event.kind == "motion.close" and cited.status == Status.UNVERIFIED:
        raise Unverified(
            "unverified-cited", "it relies on a decision that is not verified on this node", field
        )
    if cited.event.kind != "motion.close" or cited.status != Status.APPLIED:
        raise RuleViolation("cite-close", "must name a motion's applied close event", field)
    if not cited.event.body["result"].get("passed"):
        raise RuleViolation("cite-passed", "the motion named did not pass", field)
    return cited.event


def _check_branch(space: str, key: str, branch: str) -> None:
    """An ``equivocation`` motion names a member who equivocated here and one of
    their events in this space: the branch to accept (event-v1 §14.5). Both are
    facts of the set of events (the evidence is kept), not of projected state."""
    if not EquivocationRecord.objects.filter(space=space, author=key).exists():
        raise RuleViolation(
            "equivocation", "this key has not equivocated in this committee", "body.target.key"
        )
    if not StoredEvent.objects.filter(id=branch, space=space, author=key).exists():
        raise RuleViolation(
            "equivocation",
            "name an event of that member in this committee",
            "body.target.event",
        )


def accepted_branches(scope: set[str] | None) -> dict[tuple[str, str], set[str]]:
    """(space, key) -> events whose branch a passed motion accepted (for the store)."""
    query = AcceptedBranch.objects.all()
    if scope is not None:
        query = query.filter(space__in=sorted(scope))
    found: dict[tuple[str, str], set[str]] = {}
    for space, key, event in query.values_list("space", "key", "event"):
        found.setdefault((space, key), set()).add(event)
    return found


def check_propose(ctx: Context, event: Event) -> None:
    participant(ctx, event)
    committee = committee_of(ctx, event.space_id)
    body = event.body
    kind, method = body["kind"], body["method"]
    target = body.get("target", {})
    for needed in _NEEDS.get(kind, ()):
        if needed not in target:
            raise RuleViolation("target", f"a {kind} motion needs target.{needed}", "body.target")
    if kind == "delegate_election":
        if method not in ("stv", "approval"):
            raise RuleViolation("method", "delegates are elected by STV or approval", "body.method")
        if not committee.parent:
            raise RuleViolation(
                "parent", "the committee has not joined a parent body yet", "body.kind"
            )
        members = roster(ctx, event.space_id)
        seats = seats_of(ctx, event.space_id)
        for index, key in enumerate(body.get("options", [])):
            candidate = members.get(key)
            if (candidate is None or candidate.status != ACTIVE) and key not in seats:
                if key in unverified_of(ctx, event.space_id).seats:
                    raise Unverified(
                        "unverified-seat",
                        "a candidate's seat is not verified on this node",
                        f"body.options[{index}]",
                    )
                raise RuleViolation(
                    "candidate",
                    "candidates must be members' or seated delegates' keys",
                    f"body.options[{index}]",
                )
        if body.get("seats", 1) >= len(body.get("options", [])):
            raise RuleViolation("seats", "there must be more candidates than seats", "body.seats")
    elif kind == "general":
        if method == "stv":
            raise RuleViolation("method", "STV is for electing several people", "body.method")
    elif method != "yes_no":
        raise RuleViolation("method", f"a {kind} motion is decided yes or no", "body.method")
    _check_options(body, method)
    members = roster(ctx, event.space_id)
    if kind == "admission":
        candidate = members.get(target["key"])
        if candidate is None or candidate.status != Member.Status.CANDIDATE:
            raise RuleViolation("candidate", "only a candidate can be admitted", "body.target.key")
    elif kind == "equivocation":
        _check_branch(event.space_id, target["key"], target["event"])
    elif kind in ("expulsion", "revocation"):
        subject = members.get(target["key"])
        if subject is None or subject.status != ACTIVE:
            raise RuleViolation("member", "this key is not an active member's", "body.target.key")
    elif kind == "recall":
        mandate = _cited_close(ctx, event, target["mandate"], "body.target.mandate")
        if mandate.space_id != event.space_id:
            raise RuleViolation("recall", "a committee recalls its own delegates", "body.target")
        if target["key"] not in mandate.body["result"].get("elected_keys", []):
            raise RuleViolation(
                "recall-delegate",
                "this person is not a delegate of that election",
                "body.target.key",
            )
    # The four kinds below only name another space's event as the target of this
    # committee's own decision; their effects count nowhere outside it (a parent
    # link needs the council's acceptance, an acceptance needs the child's join, a
    # ratification or endorsement is counted only on the page of a decision this node
    # holds). So they are checked against that event when this node holds it and
    # could verify it, and otherwise decided on their own (event-v1 §14.6).
    elif kind == "federation_join":
        parent = ctx.cited_if_held(event, target["parent"], "body.target.parent")
        if parent is not None and (
            parent.event.kind != "space.create" or parent.event.body.get("kind") != "council"
        ):
            raise RuleViolation("parent", "a committee joins a council", "body.target.parent")
    elif kind == "federation_accept":
        join = _held_close(ctx, event, target["join"], "body.target.join")
        if join is not None and (
            join.space_id != target["child"] or join.body["result"].get("parent") != event.space_id
        ):
            raise RuleViolation(
                "join", "the child's motion to join this body is not the one named", "body.target"
            )
    elif kind == "ratification":
        decision = _held_close(ctx, event, target["motion"], "body.target.motion")
        if target["space"] != committee.parent or (
            decision is not None and decision.space_id != target["space"]
        ):
            raise RuleViolation(
                "ratify", "only the parent body's decisions are ratified here", "body.target"
            )
    elif kind == "endorsement":
        letter = _held_close(ctx, event, target["motion"], "body.target.motion")
        if target["space"] == event.space_id:
            raise RuleViolation("endorse", "endorse another committee's decision", "body.target")
        if letter is not None and letter.space_id != target["space"]:
            raise RuleViolation("endorse", "the decision is not of that committee", "body.target")


def apply_propose(ctx: Context, event: Event) -> None:
    body = event.body
    person, _, _ = participant(ctx, event)
    target = dict(body.get("target", {}))
    if body["kind"] == "delegate_election":
        target["parent"] = committee_of(ctx, event.space_id).parent
    motion = Motion(
        space=event.space_id,
        event=event.id,
        proposer=person,
        kind=body["kind"],
        title=body["title"],
        text=body["text"],
        method=body["method"],
        options=body.get("options", []),
        seats=body.get("seats", 1),
        deadline=body.get("deadline", ""),
        target=target,
        proposed_at=event.at,
    )
    _save_motion(ctx, motion)


def _open_motion(ctx: Context, event: Event) -> Motion:
    motion = motion_of(ctx, event, event.body["motion"])
    if motion.status != Motion.Status.OPEN:
        raise RuleViolation("closed", "the motion is closed", "body.motion")
    return motion


def check_amend(ctx: Context, event: Event) -> None:
    person, _, _ = participant(ctx, event)
    motion = _open_motion(ctx, event)
    if person != motion.proposer:
        raise RuleViolation("proposer", "only the proposer amends a motion", "author")
    if "options" in event.body:
        _check_options(event.body, motion.method)


def apply_amend(ctx: Context, event: Event) -> None:
    motion = motion_of(ctx, event, event.body["motion"])
    for field in ("title", "text", "options"):
        if field in event.body:
            setattr(motion, field, event.body[field])
    motion.version += 1
    motion.amendments = [
        *motion.amendments,
        {"event": event.id, "at": event.at, "title": motion.title, "text": motion.text},
    ]
    _save_motion(ctx, motion)


# -- votes -----------------------------------------------------------------------------------------------


def _choice(motion: Motion, body: dict[str, Any]) -> Any:
    given = [k for k in ("choice", "approve", "ranking") if k in body]
    expected = {"yes_no": "choice", "approval": "approve", "ranked": "ranking", "stv": "ranking"}[
        motion.method
    ]
    if given != [expected]:
        raise RuleViolation("ballot", f"this motion takes a '{expected}' vote", "body")
    n = len(motion.options)
    if expected == "choice":
        if body["choice"] not in CHOICES:
            raise RuleViolation("choice", "vote yes, no or abstain", "body.choice")
        return body["choice"]
    if expected == "approve":
        picked = body["approve"]
        if len(set(picked)) != len(picked) or any(not 0 <= i < n for i in picked):
            raise RuleViolation(
                "approve", "approve distinct options of this motion", "body.approve"
            )
        return sorted(picked)
    ranking = body["ranking"]
    flat = [i for group in ranking for i in group]
    if not flat or len(set(flat)) != len(flat) or any(not 0 <= i < n for i in flat):
        raise RuleViolation("ranking", "rank distinct options of this motion", "body.ranking")
    if any(len(group) != 1 for group in ranking) and motion.method == "stv":
        raise RuleViolation(
            "ranking", "an STV ballot ranks one candidate per place", "body.ranking"
        )
    if any(not group for group in ranking):
        raise RuleViolation("ranking", "empty place in the ranking", "body.ranking")
    return ranking


def check_vote(ctx: Context, event: Event) -> None:
    participant(ctx, event)
    motion = _open_motion(ctx, event)
    if event.body["version"] != motion.version:
        raise RuleViolation(
            "version", "the motion was amended since: read it again and vote", "body.version"
        )
    _choice(motion, event.body)


def apply_vote(ctx: Context, event: Event) -> None:
    person, weight, mandate = participant(ctx, event)
    motion = motion_of(ctx, event, event.body["motion"])
    ctx.upsert(
        Vote(
            space=event.space_id,
            motion=motion.event,
            person=person,
            key=event.author,
            event=event.id,
            version=motion.version,
            choice=_choice(motion, event.body),
            mandate=mandate,
            weight=weight,
            at=event.at,
        ),
        key=("motion", "person"),
        update=("key", "event", "version", "choice", "mandate", "weight", "at"),
    )


# -- results ------------------------------------------------------------------------------------------------


# A recalled delegate: (the mandate, i.e. the close of their election; their key).
Recalled = tuple[str, str]


def weighted_electorate(
    persons: Set[str], seats: Iterable[tuple[str, str, int]], excluded: Set[Recalled]
) -> int:
    """Active members, plus the weight of every seat (key, mandate, weight) of a
    delegate who is not a member here and not recalled."""
    seated = sum(
        weight
        for key, mandate, weight in seats
        if (mandate, key) not in excluded and key not in persons
    )
    return len(persons) + seated


def electorate(ctx: Context, space: str, excluded: set[Recalled]) -> int:
    return weighted_electorate(
        active_persons(ctx, space),
        ((s.key, s.mandate, s.weight) for s in seats_of(ctx, space).values()),
        excluded,
    )


def compute_result(
    motion: Motion,
    votes: list[tuple[Any, int]],
    electorate_weight: int,
    rules: dict[str, Any],
    represented: int,
) -> dict[str, Any]:
    """The result of a motion from its counted votes: (choice, weight) pairs.

    Pure arithmetic over plain values, so the close rule, the pages and the
    benchmarks all compute it the same way.
    """
    cast = sum(w for _, w in votes)
    quorum = Fraction(int(rules.get("quorum_percent", 50)), 100)
    needed = -((-quorum.numerator * electorate_weight) // quorum.denominator)
    quorum_met = cast >= needed and cast > 0
    result: dict[str, Any] = {
        "kind": motion.kind,
        "method": motion.method,
        "cast": cast,
        "electorate": electorate_weight,
        "quorum": needed,
    }
    options = [str(i) for i in range(len(motion.options))]
    if motion.method == "yes_no":
        totals = {c: 0 for c in CHOICES}
        for choice, weight in votes:
            totals[choice] += weight
        decided = decide_motion(
            yes=totals["yes"],
            no=totals["no"],
            abstain=totals["abstain"],
            members=max(electorate_weight, cast),
            quorum=quorum,
            majority=rules.get("majority", "simple"),
        )
        result.update(totals)
        result["passed"] = decided.passed
    elif motion.method == "approval":
        tally = approval(
            options, ((tuple(str(i) for i in c), w) for c, w in votes), seats=motion.seats
        )
        result["votes"] = list(tally.votes)
        winners = [int(w) for w in tally.winners]
        result["winners"] = winners
        result["passed"] = quorum_met and bool(winners) and not tally.tied
        if motion.kind == "delegate_election":
            result["elected"] = winners if result["passed"] else []
    elif motion.method == "ranked":
        counted = schulze(options, (([[str(i) for i in g] for g in c], w) for c, w in votes))
        result["ranking"] = [[int(o) for o in tier] for tier in counted.ranking]
        result["passed"] = quorum_met and len(counted.winners) == 1
    else:  # stv
        ballots = (
            RankedBallots.from_rankings(
                motion.options, ((tuple(g[0] for g in c), w) for c, w in votes)
            )
            if votes
            else None
        )
        elected: list[int] = []
        if ballots is not None and ballots.total_weight > 0:
            counted_stv = count_stv(ballots, motion.seats, seed=motion.event)
            elected = [int(c) for c in counted_stv.elected]
            result["quota"] = counted_stv.quota
            result["stages"] = len(counted_stv.stages)
        result["elected"] = elected
        result["passed"] = quorum_met and len(elected) == motion.seats
    if motion.kind == "delegate_election":
        chosen = result.get("elected", [])
        result["elected_keys"] = [motion.options[i] for i in chosen] if result["passed"] else []
        result["parent"] = motion.target.get("parent", "")
        result["represented"] = represented
    if motion.kind == "recall":
        # One delegate: others elected in the same election keep their mandates.
        result["mandate"] = motion.target["mandate"]
        result["key"] = motion.target["key"]
    if motion.kind == "federation_join":
        result["parent"] = motion.target["parent"]
    return result


def counted_votes(
    ctx: Context | None, motion: Motion, excluded: Set[Recalled]
) -> list[tuple[Any, int]]:
    """(choice, weight) of every current vote but recalled delegates' (a delegate's
    person is their key)."""
    query = (ctx.rows(Vote) if ctx is not None else Vote.objects).filter(
        motion=motion.event, version=motion.version
    )
    return [
        (choice, weight)
        for choice, weight, mandate, person in query.order_by("person").values_list(
            "choice", "weight", "mandate", "person"
        )
        if not mandate or (mandate, person) not in excluded
    ]


def check_close(ctx: Context, event: Event) -> None:
    person, _, _ = participant(ctx, event)
    motion = _open_motion(ctx, event)
    persons = active_persons(ctx, event.space_id)
    proposer_gone = motion.proposer not in persons and motion.proposer not in seats_of(
        ctx, event.space_id
    )
    # The deadline is shown to everyone; the close event records who closed it when.
    if person != motion.proposer and not motion.deadline and not proposer_gone:
        raise RuleViolation(
            "close", "only the proposer closes a motion without a deadline", "author"
        )
    excluded = _cited_recalls(ctx, event)
    entitled = electorate(ctx, event.space_id, excluded)
    expected = compute_result(
        motion,
        counted_votes(ctx, motion, excluded),
        entitled,
        committee_of(ctx, event.space_id).rules,
        represented=entitled,
    )
    if event.body["result"] != expected:
        claimed = unverified_of(ctx, event.space_id).seats
        if claimed:
            # Seats this node could not verify would change the electorate and may
            # have cast votes: the difference may be theirs, so nothing is decided.
            raise Unverified(
                "unverified-votes",
                "the result differs from the votes held here, and some seats are not verified",
                "body.result",
                missing=tuple(sorted({m for _, m in claimed.values() if m})),
            )
        raise RuleViolation(
            "result", "the result does not match the votes this log holds", "body.result"
        )


def _cited_recalls(ctx: Context, event: Event) -> set[Recalled]:
    """Delegates withdrawn by the recall decisions the close event names."""
    excluded: set[Recalled] = set()
    seats = seats_of(ctx, event.space_id)
    for index, cited in enumerate(event.body.get("recalls", [])):
        field = f"body.recalls[{index}]"
        # The body's own seats say who sits by which mandate for which committee:
        # a recall can only withdraw such a delegate.
        seat = seats.get(cited["key"])
        if seat is None or seat.mandate != cited["mandate"] or seat.child != cited["space"]:
            claimed = unverified_of(ctx, event.space_id).seats.get(cited["key"])
            if seat is None and claimed is not None and claimed[1] == cited["mandate"]:
                raise Unverified(
                    "unverified-seat",
                    "it withdraws a delegate whose seat is not verified on this node",
                    field,
                    missing=(cited["mandate"],),
                )
            raise RuleViolation(
                "recall", "no delegate sits here by that mandate for that committee", field
            )
        # Unverified if this node holds nothing of the recalling committee's log.
        recall = _cited_close(ctx, event, cited["event"], field)
        if (
            recall.body["result"].get("kind") != "recall"
            or recall.body["result"].get("mandate") != cited["mandate"]
            or recall.body["result"].get("key") != cited["key"]
            or recall.space_id != cited["space"]
        ):
            raise RuleViolation(
                "recall",
                "not that committee's recall of that delegate",
                field,
            )
        excluded.add((cited["mandate"], cited["key"]))
    return excluded


def apply_close(ctx: Context, event: Event) -> None:
    motion = motion_of(ctx, event, event.body["motion"])
    result = event.body["result"]
    motion.status = Motion.Status.PASSED if result["passed"] else Motion.Status.FAILED
    motion.result = result
    motion.close_event = event.id
    motion.closed_at = event.at
    _save_motion(ctx, motion)
    if result["passed"]:
        _effects(ctx, event, motion)


def _subject(ctx: Context, space: str, key: str) -> Member:
    member = roster(ctx, space).get(key)
    if member is None:
        raise RuntimeError("a passed motion names a member its rule found")
    return member


def _effects(ctx: Context, event: Event, motion: Motion) -> None:
    target = motion.target
    space = event.space_id
    if motion.kind == "rule_change":
        committee = committee_of(ctx, space)
        committee.rules = {**DEFAULT_RULES, **target["rules"]}
        committee.save(update_fields=["rules"])
    elif motion.kind == "admission":
        set_person_status(ctx, space, _subject(ctx, space, target["key"]).person, ACTIVE)
    elif motion.kind == "expulsion":
        person = _subject(ctx, space, target["key"]).person
        set_person_status(ctx, space, person, Member.Status.EXPELLED)
    elif motion.kind == "revocation":
        revoke_key(ctx, event, target["key"], target["after_seq"])
    elif motion.kind == "equivocation":
        ctx.insert(
            AcceptedBranch(
                space=space, key=target["key"], event=target["event"], close_event=event.id
            )
        )
        ctx.request_rebuild(space)  # the holds change: computed again for the space
    elif motion.kind == "delegate_election":
        for key in motion.result["elected_keys"]:
            ctx.insert(
                Mandate(
                    space=space,
                    event=event.id,
                    key=key,
                    parent=motion.result["parent"],
                    represented=motion.result["represented"],
                    seats=motion.seats,
                    at=event.at,
                )
            )
    elif motion.kind == "recall":
        ctx.rows(Mandate).filter(space=space, event=target["mandate"], key=target["key"]).update(
            recalled_by=event.id
        )
    elif motion.kind == "federation_join":
        committee = committee_of(ctx, space)
        committee.parent = target["parent"]
        committee.parent_join = event.id
        committee.save(update_fields=["parent", "parent_join"])
    elif motion.kind == "federation_accept":
        FederationLink.objects.update_or_create(
            space=space,
            child=target["child"],
            defaults={"child_join": target["join"], "accepted_by": event.id},
        )
        children_of(ctx, space).add(target["child"])
    elif motion.kind == "ratification":
        ctx.insert(Ratification(space=space, parent_close=target["motion"], close_event=event.id))
    elif motion.kind == "endorsement":
        ctx.insert(
            Endorsement(
                space=space,
                letter_close=target["motion"],
                letter_space=target["space"],
                close_event=event.id,
            )
        )


# -- seats in a parent body ----------------------------------------------------------------------------


def check_seat(ctx: Context, event: Event) -> None:
    """A seat counts only under a mandate this node verifies (event-v1 §14.6): the
    child's applied close of a passed delegate election that names this body as its
    parent and the author among ``elected_keys``, with the seat's claims matching it.

    A mandate gives at most ``len(elected_keys)`` seats, one per elected key: only an
    elected key may sit by it, and a key holds one seat in a body.
    """
    if event.author in seats_of(ctx, event.space_id):
        raise RuleViolation("seat-once", "you already hold a seat here", "author")
    body = event.body
    # Decided by this body's own log, before anything is read from the child's.
    if body["child"] not in children_of(ctx, event.space_id):
        raise RuleViolation(
            "federation", "the electing committee is not a member of this body", "body.mandate"
        )
    mandate = _cited_close(ctx, event, body["mandate"], "body.mandate")
    result = mandate.body["result"]
    elected = result.get("elected_keys", [])
    claims = (mandate.space_id, result.get("represented"), len(elected))
    if (
        result.get("kind") != "delegate_election"
        or result.get("parent") != event.space_id
        or event.author not in elected
        or claims != (body["child"], body["represented"], body["elected"])
    ):
        raise RuleViolation(
            "mandate", "this mandate does not send you to this body", "body.mandate"
        )


def apply_seat(ctx: Context, event: Event) -> None:
    body = event.body
    committee = committee_of(ctx, event.space_id)
    weight = 1
    if committee.rules.get("weighting") == "by_members":
        weight = max(1, int(body["represented"]) // max(1, int(body["elected"])))
    seat = Seat(
        space=event.space_id,
        key=event.author,
        mandate=body["mandate"],
        child=body["child"],
        weight=weight,
        event=event.id,
    )
    seats_of(ctx, event.space_id)[seat.key] = seat
    ctx.insert(seat)


def _foreign_of_proposal(event: Event) -> dict[str, str]:
    target = event.body.get("target", {})
    kind = event.body["kind"]
    if kind == "federation_join":
        return {target["parent"]: target["parent"]}
    if kind == "federation_accept":
        return {target["join"]: target["child"]}
    if kind in ("ratification", "endorsement"):
        return {target["motion"]: target["space"]}
    return {}


def _foreign_of_close(event: Event) -> dict[str, str]:
    return {r["event"]: r["space"] for r in event.body.get("recalls", [])}


def _foreign_of_seat(event: Event) -> dict[str, str]:
    return {event.body["mandate"]: event.body["child"]}


def register_all() -> None:
    register(
        "motion.propose",
        body=Obj(
            required={
                "kind": Enum(MOTION_KINDS),
                "title": Str(min_length=3, max_length=300),
                "text": Str(min_length=1, max_length=20000),
                "method": Enum(METHODS),
            },
            optional={
                "options": List(_OPTION, max_length=50, unique=True),
                "seats": Int(1, 50),
                "deadline": Timestamp(),
                "target": TARGET_SCHEMA,
            },
        ),
        rule=_noting_unverified(check_propose),
        apply=apply_propose,
        summary="propose a motion",
        foreign=_foreign_of_proposal,
    )
    register(
        "motion.amend",
        body=Obj(
            required={"motion": EventId()},
            optional={
                "title": Str(min_length=3, max_length=300),
                "text": Str(min_length=1, max_length=20000),
                "options": List(_OPTION, max_length=50, unique=True),
            },
        ),
        rule=_noting_unverified(check_amend),
        apply=apply_amend,
        summary="the proposer amends an open motion",
    )
    register(
        "motion.vote",
        body=Obj(
            required={"motion": EventId(), "version": Int(0)},
            optional={
                "choice": Enum(CHOICES),
                "approve": List(Int(0, 49), max_length=50),
                "ranking": List(List(Int(0, 49), min_length=1, max_length=50), max_length=50),
            },
        ),
        rule=_noting_unverified(check_vote),
        apply=apply_vote,
        summary="vote on an open motion (a later vote replaces an earlier one)",
    )
    register(
        "motion.close",
        body=Obj(
            required={"motion": EventId(), "result": Obj(optional=_RESULT_FIELDS)},
            optional={
                "recalls": List(
                    Obj(
                        required={
                            "event": EventId(),
                            "space": EventId(),
                            "mandate": EventId(),
                            "key": PublicKey(),
                        }
                    ),
                    max_length=64,
                    unique=True,
                )
            },
        ),
        rule=_noting_unverified(check_close),
        apply=apply_close,
        foreign=_foreign_of_close,
        causal=True,
        summary="close a motion with its result, which every node recomputes",
    )
    register(
        "delegate.seat",
        body=Obj(
            required={
                "mandate": EventId(),
                "child": EventId(),
                "represented": Int(0),
                "elected": Int(1, 50),
            }
        ),
        rule=_noting_unverified(check_seat),
        apply=apply_seat,
        foreign=_foreign_of_seat,
        summary="a delegate takes a seat in the parent body, citing their mandate",
    )
    projection(
        Motion,
        digest=(
            "space",
            "event",
            "proposer",
            "kind",
            "title",
            "text",
            "method",
            "options",
            "seats",
            "deadline",
            "target",
            "version",
            "amendments",
            "status",
            "result",
            "close_event",
            "proposed_at",
            "closed_at",
        ),
        order=("event",),
    )
    projection(
        Vote,
        digest=(
            "space",
            "motion",
            "person",
            "key",
            "event",
            "version",
            "choice",
            "mandate",
            "weight",
            "at",
        ),
        order=("motion", "person"),
    )
    projection(
        Mandate,
        digest=("space", "event", "key", "parent", "represented", "seats", "recalled_by", "at"),
        order=("event", "key"),
    )
    projection(
        FederationLink, digest=("space", "child", "child_join", "accepted_by"), order=("child",)
    )
    projection(
        Ratification, digest=("space", "parent_close", "close_event"), order=("close_event",)
    )
    projection(
        Endorsement,
        digest=("space", "letter_close", "letter_space", "close_event"),
        order=("close_event",),
    )
    projection(AcceptedBranch, digest=("space", "key", "event", "close_event"), order=("event",))
    BRANCH_PROVIDERS.append(accepted_branches)
    projection(Seat, digest=("space", "key", "mandate", "child", "weight", "event"), order=("key",))


# The result object is checked field by field against the recomputed result, so
# its schema only has to admit the fields compute_result writes.
class _AnyValue(Str):
    def check(self, value: Any, path: str) -> None:
        return None


_RESULT_FIELDS = {
    name: _AnyValue()
    for name in (
        "method",
        "cast",
        "electorate",
        "quorum",
        "yes",
        "no",
        "abstain",
        "passed",
        "votes",
        "winners",
        "elected",
        "ranking",
        "quota",
        "stages",
        "elected_keys",
        "parent",
        "kind",
        "mandate",
        "key",
        "represented",
    )
}
