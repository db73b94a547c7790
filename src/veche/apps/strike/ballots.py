# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""Secret strike ballots (format pledge-v1 §10): a committee's yes/no election whose
verified "yes" sets a workplace's strike status, as a crossed pledge does.

Two committee events, both judged on every node from the election's projection:

``strike.ballot`` binds an election of this committee, not yet open, to one of
its workplaces and a strike day (and an optional turnout quorum). The election
is an ordinary committee election, called by the committee's motion as every
election is; its one question has two options, 0 = yes and 1 = no, one mark.

``strike.ballot_result`` cites that election's verified ``election.result`` and
restates the workplace, the day and the counts; its rule recomputes everything
from what this node verified and refuses a result that is not a majority of
votes cast for striking, that misses the quorum, or that names another
workplace or day. Its apply records the workplace's strike status from the day.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from veche.apps.committees.rules.roster import require_member
from veche.apps.store.context import Context
from veche.apps.store.kinds import projection, register
from veche.apps.store.record import record
from veche.apps.strike.kinds import DAY, apply_status, workplaces_of
from veche.apps.strike.models import StrikeBallot
from veche.events import Event, Identity, RuleViolation
from veche.events.schema import EventId, Int, Obj
from veche.solidarity.strike import StrikeError, parse_day

__all__ = [
    "BALLOT_KIND",
    "RESULT_KIND",
    "StrikeBallot",
    "apply_ballot_result",
    "ballot_outcome",
    "open_ballot",
    "register_all",
]

BALLOT_KIND = "strike.ballot"
RESULT_KIND = "strike.ballot_result"
MAX_QUORUM = 10_000_000


def _election(ctx: Context, space: str) -> Any:
    from veche.apps.elections.models import Election

    return ctx.rows(Election).filter(space=space).first()


# -- strike.ballot ---------------------------------------------------------------------------


def judge_ballot(ctx: Context, event: Event) -> None:
    require_member(ctx, event)
    body = event.body
    if body["workplace"] not in workplaces_of(ctx, event.space_id):
        raise RuleViolation(
            "strike-workplace", "no such workplace in this committee's registry", "body.workplace"
        )
    try:
        parse_day(body["day"], "body.day")
    except StrikeError as error:
        raise RuleViolation("strike-status", error.message, "body.day") from error
    if body["election"] not in event.deps:
        raise RuleViolation("ballot-election", "cite the election in deps", "deps")
    election = _election(ctx, body["election"])
    if election is None or election.committee != event.space_id or not election.call_checked:
        raise RuleViolation(
            "ballot-election",
            "this node holds no election of this committee called by its motion",
            "body.election",
        )
    if election.creator != event.author:
        raise RuleViolation(
            "ballot-election", "only the election's creator makes it a strike ballot", "author"
        )
    if election.stage != "created":
        raise RuleViolation(
            "ballot-election", "a strike ballot is declared before its election opens", "body"
        )
    questions = election.body["questions"]
    if (
        election.body["method"] != "plurality"
        or election.body["seats"] != 1
        or len(questions) != 1
        or len(questions[0]["options"]) != 2
        or (questions[0]["min"], questions[0]["max"]) != (1, 1)
    ):
        raise RuleViolation(
            "ballot-question",
            "a strike ballot is one question with two options, yes then no, one mark",
            "body.election",
        )
    if ctx.rows(StrikeBallot).filter(election=body["election"]).exists():
        raise RuleViolation(
            "ballot-election", "this election is a strike ballot already", "body.election"
        )


def apply_ballot(ctx: Context, event: Event) -> None:
    ctx.insert(
        StrikeBallot(
            space=event.space_id,
            event=event.id,
            election=event.body["election"],
            workplace=event.body["workplace"],
            day=event.body["day"],
            quorum=event.body.get("quorum", 0),
            opened_by=event.author,
        )
    )


# -- strike.ballot-result ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Outcome:
    yes: int
    no: int
    cast: int
    quorum: int

    @property
    def quorate(self) -> bool:
        return self.cast >= self.quorum

    @property
    def strike(self) -> bool:
        """A simple majority of the votes cast is yes, and the turnout reaches the quorum."""
        return self.quorate and self.yes > self.no


def ballot_outcome(ballot: StrikeBallot, election: Any) -> Outcome | None:
    """The verified outcome of the ballot's election; None before its result."""
    if election is None or election.stage != "decided" or not election.counts:
        return None
    yes, no = election.counts[0], election.counts[1]
    return Outcome(yes=yes, no=no, cast=election.counted, quorum=ballot.quorum)


def _binding(ctx: Context, event: Event) -> StrikeBallot:
    ballot = ctx.rows(StrikeBallot).filter(space=event.space_id, event=event.body["ballot"]).first()
    if ballot is None:
        raise RuleViolation(
            "strike-ballot", "no such strike ballot in this committee", "body.ballot"
        )
    return ballot


def judge_result(ctx: Context, event: Event) -> None:
    require_member(ctx, event)
    body = event.body
    ballot = _binding(ctx, event)
    if body["election"] != ballot.election:
        raise RuleViolation("ballot-election", "this is not the ballot's election", "body.election")
    if body["workplace"] != ballot.workplace:
        raise RuleViolation(
            "ballot-workplace", "the ballot was called for another workplace", "body.workplace"
        )
    if body["day"] != ballot.day:
        raise RuleViolation(
            "ballot-day",
            "the ballot asked about striking from %(day)s" % {"day": ballot.day},
            "body.day",
        )
    if ballot.result_event:
        raise RuleViolation("ballot-done", "this ballot's result is applied already", "body.ballot")
    election = _election(ctx, ballot.election)
    outcome = ballot_outcome(ballot, election)
    if outcome is None or election.result_event != body["result"]:
        raise RuleViolation(
            "ballot-result", "this node holds no such verified election result", "body.result"
        )
    if body["result"] not in event.deps:
        raise RuleViolation("ballot-result", "cite the election's result in deps", "deps")
    if (body["yes"], body["no"]) != (outcome.yes, outcome.no):
        raise RuleViolation(
            "ballot-counts",
            "the verified result counts %(yes)d yes and %(no)d no"
            % {"yes": outcome.yes, "no": outcome.no},
            "body",
        )
    if not outcome.quorate:
        raise RuleViolation(
            "ballot-quorum",
            "%(cast)d votes cast of the %(quorum)d the quorum needs"
            % {"cast": outcome.cast, "quorum": outcome.quorum},
            "body",
        )
    if not outcome.strike:
        raise RuleViolation(
            "ballot-no",
            "%(yes)d yes and %(no)d no: not a majority of the votes cast for striking"
            % {"yes": outcome.yes, "no": outcome.no},
            "body",
        )


def apply_result(ctx: Context, event: Event) -> None:
    ballot = _binding(ctx, event)
    ctx.rows(StrikeBallot).filter(event=ballot.event).update(result_event=event.id)
    status = {
        "workplace": ballot.workplace,
        "day": ballot.day,
        "status": "full_strike",
        "out_per_mille": 1000,
        "published": True,
        "note": "",
    }
    apply_status(ctx, dataclasses.replace(event, body=status))


# -- actions ------------------------------------------------------------------------------------


def open_ballot(
    identity: Identity,
    committee: str,
    *,
    motion: str,
    workplace: str,
    day: str,
    title: str,
    question: str,
    options: tuple[str, str],
    trustees: Sequence[tuple[str, str]],
    threshold: int,
    quorum: int = 0,
    public_board: bool = False,
) -> tuple[Event, Event]:
    """One step: the committee's yes/no election (called by ``motion``, as every committee
    election is) and the ``strike.ballot`` that binds it to the workplace and the day.
    Both or neither are stored."""
    from veche.apps.elections.actions import create_election

    with transaction.atomic():
        election = create_election(
            identity,
            committee=committee,
            motion=motion,
            title=title,
            questions=[{"text": question, "options": list(options), "min": 1, "max": 1}],
            method="plurality",
            seats=1,
            trustees=trustees,
            threshold=threshold,
            public_board=public_board,
        )
        body: dict[str, Any] = {"election": election.id, "workplace": workplace, "day": day}
        if quorum:
            body["quorum"] = quorum
        binding = record(identity, space=committee, kind=BALLOT_KIND, body=body, deps=[election.id])
    return election, binding


def apply_ballot_result(identity: Identity, election: str) -> Event | None:
    """Record the ballot's verified "yes" as the workplace's strike status: a
    ``strike.ballot_result`` whose rule checks it. None when the election is no strike
    ballot, has no result yet, was applied already, or did not carry a strike (a "no"
    or a missed quorum changes nothing)."""
    ctx = Context()
    ballot = StrikeBallot.objects.filter(election=election).first()
    if ballot is None or ballot.result_event:
        return None
    found = _election(ctx, election)
    outcome = ballot_outcome(ballot, found)
    if outcome is None or not outcome.strike:
        return None
    return record(
        identity,
        space=ballot.space,
        kind=RESULT_KIND,
        body={
            "ballot": ballot.event,
            "election": ballot.election,
            "result": found.result_event,
            "workplace": ballot.workplace,
            "day": ballot.day,
            "yes": outcome.yes,
            "no": outcome.no,
        },
        deps=[found.result_event],
    )


def register_all() -> None:
    register(
        BALLOT_KIND,
        body=Obj(
            required={"election": EventId(), "workplace": EventId(), "day": DAY},
            optional={"quorum": Int(1, MAX_QUORUM)},
        ),
        rule=judge_ballot,
        apply=apply_ballot,
        summary="a committee's yes/no election, not yet open, becomes a strike ballot "
        "for a workplace and a day",
        foreign=lambda event: {event.body["election"]: event.body["election"]},
    )
    register(
        RESULT_KIND,
        body=Obj(
            required={
                "ballot": EventId(),
                "election": EventId(),
                "result": EventId(),
                "workplace": EventId(),
                "day": DAY,
                "yes": Int(0, MAX_QUORUM),
                "no": Int(0, MAX_QUORUM),
            }
        ),
        rule=judge_result,
        apply=apply_result,
        summary="a strike ballot's verified result is yes: the workplace strikes from its day",
        foreign=lambda event: {event.body["result"]: event.body["election"]},
    )
    projection(
        StrikeBallot,
        digest=(
            "space",
            "event",
            "election",
            "workplace",
            "day",
            "quorum",
            "opened_by",
            "result_event",
        ),
        order=("event",),
    )
