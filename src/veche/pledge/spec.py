# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""What a strike pledge is, as its ``space.create`` body says (format pledge-v1 §2).

A pledge is an election of one question with one option ("I strike") that a
voter marks 0 or 1: so a pledge is a v1 ballot of that election, sealed and
checked by the same code as every ballot, and summed, decrypted and combined
by the same threshold machinery. Besides the election's electorate, trustees
and decryption threshold, the create names the workplace (and shop), the
strike date, the deadline for pledging and the target: ``needed`` workers, or
``percent`` of a stated ``workforce``. The target is reached when the
decrypted total is at least :attr:`PledgeSpec.needed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from veche.election.spec import MAX_TRUSTEES, VOTER, ElectionSpec, QuestionSpec, Trustee
from veche.events.encoding import b64d
from veche.events.registry import RuleViolation
from veche.events.schema import Bool, Enum, EventId, Int, List, Obj, PublicKey, Str, Timestamp

__all__ = ["CREATE_BODY", "MAX_WORKFORCE", "PledgeSpec", "parse_pledge"]

MAX_WORKFORCE = 1_000_000
#: The largest target of a pledge that reveals only crossed or not: its trustees
#: blind, shuffle and decrypt a list of ``needed`` ciphertexts (pledge-v1 §7).
MAX_REVEAL = 1000
MAX_VOTERS_PER_EVENT = 1000

CREATE_BODY = Obj(
    required={
        "type": Enum(("pledge",)),
        "title": Str(min_length=2, max_length=200),
        "workplace": Str(min_length=1, max_length=200),
        "strike_date": Str(min_length=10, max_length=10, pattern=r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
        "deadline": Timestamp(),
        "electorate": List(VOTER, min_length=0, max_length=MAX_VOTERS_PER_EVENT),
        "trustees": List(
            Obj(required={"key": PublicKey(), "box": PublicKey()}),
            min_length=1,
            max_length=MAX_TRUSTEES,
        ),
        "threshold": Int(1, MAX_TRUSTEES),
    },
    optional={
        "shop": Str(min_length=1, max_length=200),
        # The target: ``needed`` workers, or ``percent`` of ``workforce`` (both or neither).
        "needed": Int(1, MAX_WORKFORCE),
        "percent": Str(min_length=1, max_length=7, pattern=r"[0-9]{1,3}(\.[0-9]{1,3})?"),
        "workforce": Int(1, MAX_WORKFORCE),
        # The strike committee that opened the pledge and the strike call (a motion of
        # that committee) that passes when the target is reached: both or neither.
        "committee": EventId(),
        "strike_call": EventId(),
        # The workplace in the committee's strike registry (its workplace.register event)
        # whose strike status changes from the strike date when the target is reached.
        "registry": EventId(),
        "demo": Bool(),
        # What the result reveals: the total (the default), or only whether the target
        # was reached (pledge-v1 §7: blinding rounds, a shuffle, no total).
        "reveal": Enum(("total", "crossed")),
    },
)

#: The one question every pledge asks: one option, marked 0 (no) or 1 (I strike).
PLEDGE_QUESTION = QuestionSpec("pledge", ("strike",), 0, 1)


@dataclass(frozen=True, slots=True)
class PledgeSpec:
    """The parsed create body; ``election`` is the one-question election it runs as."""

    election: ElectionSpec
    workplace: str
    shop: str | None
    strike_date: str
    deadline: str  # UTC, as the envelope's ``at`` is written (comparable as text)
    needed: int  # the pledges that reach the target
    percent: Fraction | None
    workforce: int | None
    committee: str | None
    strike_call: str | None
    registry: str | None = None
    reveal: str = "total"  # "total", or "crossed": the result says only crossed or not

    @property
    def pledge_id(self) -> str:
        return self.election.election_id

    @property
    def title(self) -> str:
        return self.election.title


def needed_of(percent: Fraction, workforce: int) -> int:
    """P % of a workforce of W, rounded up: the least whole number n with 100 n ≥ P W."""
    return -(-(percent * workforce).numerator // (100 * (percent * workforce).denominator))


def parse_pledge(pledge_id: str, creator: str, body: dict[str, Any]) -> PledgeSpec:
    """Judge a create body that passed ``CREATE_BODY`` and return the pledge it defines."""
    if ("committee" in body) != ("strike_call" in body):
        raise RuleViolation(
            "strike-call", "a committee's pledge names the committee and its strike call", "body"
        )
    if "registry" in body and "committee" not in body:
        raise RuleViolation(
            "strike-call", "a workplace of the registry belongs to a committee's pledge", "body"
        )
    percent: Fraction | None = None
    workforce: int | None = None
    if "needed" in body:
        if "percent" in body or "workforce" in body:
            raise RuleViolation(
                "target",
                "state the workers needed, or a percent of the workforce, not both",
                "body",
            )
        needed = body["needed"]
    elif "percent" in body and "workforce" in body:
        percent = Fraction(body["percent"])
        workforce = body["workforce"]
        if not 0 < percent <= 100:
            raise RuleViolation("target", "a percent is above 0 and at most 100", "body.percent")
        needed = needed_of(percent, workforce)
    else:
        raise RuleViolation(
            "target", "state the workers needed, or a percent and the workforce", "body"
        )
    reveal = body.get("reveal", "total")
    if reveal == "crossed" and needed > MAX_REVEAL:
        raise RuleViolation(
            "reveal",
            "a pledge that reveals only whether its target was reached needs at most "
            "%(max)d workers" % {"max": MAX_REVEAL},
            "body.reveal",
        )
    date = body["strike_date"]
    try:
        from datetime import date as date_type

        date_type.fromisoformat(date)
    except ValueError:
        raise RuleViolation("strike-date", "not a real date", "body.strike_date") from None
    trustees = tuple(
        Trustee(i, t["key"], b64d(t["box"], 32)) for i, t in enumerate(body["trustees"], start=1)
    )
    if len({t.key for t in trustees}) != len(trustees):
        raise RuleViolation("trustees", "each trustee needs a key of their own", "body.trustees")
    if body["threshold"] > len(trustees):
        raise RuleViolation(
            "threshold",
            "the threshold is at most the %(n)d trustees" % {"n": len(trustees)},
            "body.threshold",
        )
    election = ElectionSpec(
        election_id=pledge_id,
        creator=creator,
        title=body["title"],
        committee=body.get("committee"),
        questions=(PLEDGE_QUESTION,),
        method="approval",
        seats=1,
        divisor="dhondt",
        threshold_percent=Fraction(0),
        constituencies=(),
        trustees=trustees,
        threshold=body["threshold"],
    )
    return PledgeSpec(
        election=election,
        workplace=body["workplace"],
        shop=body.get("shop"),
        strike_date=date,
        deadline=body["deadline"],
        needed=needed,
        percent=percent,
        workforce=workforce,
        committee=body.get("committee"),
        strike_call=body.get("strike_call"),
        registry=body.get("registry"),
        reveal=reveal,
    )
