# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""What an election is, as its ``space.create`` body says: questions, method, electorate, trustees.

The election's first event carries everything a verifier needs to judge the
rest with no database: the questions and their options, the counting method
(plurality, approval, or party-list seats by D'Hondt or Sainte-Laguë with a
national threshold and constituencies), the electorate (each voter's public
keys, a voter may hold several device keys but has one vote, and their
constituency), and the trustees (signing key and X25519 box key each) with
the decryption threshold. Body schemas are declared here, in the pure core,
so that the node's store and the offline verifier check exactly the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from veche.counting.seats import Method
from veche.crypto.ballot import MAX_BALLOT_OPTIONS, Question
from veche.events.registry import RuleViolation
from veche.events.schema import Bool, Enum, EventId, Int, List, Obj, PublicKey, Str

__all__ = [
    "CREATE_BODY",
    "METHODS",
    "VOTER",
    "ElectionSpec",
    "Trustee",
    "Voter",
    "parse_spec",
]

METHODS = ("plurality", "approval", "party_list")
DIVISORS: tuple[Method, ...] = ("dhondt", "sainte-lague")
#: A create event is at most 64 KiB; about 55 bytes per one-key voter. Larger
#: electorates continue in ``election.roll`` events.
MAX_VOTERS_PER_EVENT = 1000
MAX_TRUSTEES = 15

VOTER = Obj(
    required={"keys": List(PublicKey(), min_length=1, max_length=8, unique=True)},
    optional={"constituency": Str(min_length=1, max_length=100)},
)
QUESTION = Obj(
    required={
        "text": Str(min_length=1, max_length=500),
        "options": List(Str(min_length=1, max_length=200), min_length=1, max_length=200),
        "min": Int(0, 200),
        "max": Int(1, 200),
    }
)
CREATE_BODY = Obj(
    required={
        "type": Enum(("election",)),
        "title": Str(min_length=2, max_length=200),
        "questions": List(QUESTION, min_length=1, max_length=20),
        "method": Enum(METHODS),
        "seats": Int(1, 1000),
        "electorate": List(VOTER, min_length=0, max_length=MAX_VOTERS_PER_EVENT),
        "trustees": List(
            Obj(required={"key": PublicKey(), "box": PublicKey()}),
            min_length=1,
            max_length=MAX_TRUSTEES,
        ),
        "threshold": Int(1, MAX_TRUSTEES),
    },
    optional={
        # A committee's election names the committee, the committee's motion that
        # called it (its motion.propose) and that motion's close, which the create
        # event cites in ``deps``: all three or none (format v1 §11). A node holding
        # the committee's log checks the call; a verifier of this record alone cannot.
        "committee": EventId(),
        "motion": EventId(),
        "call": EventId(),
        "divisor": Enum(DIVISORS),
        "threshold_percent": Str(min_length=1, max_length=8, pattern=r"[0-9]{1,3}(\.[0-9]{1,3})?"),
        "constituencies": List(
            Obj(required={"name": Str(min_length=1, max_length=100), "seats": Int(1, 1000)}),
            min_length=1,
            max_length=200,
        ),
        "demo": Bool(),
        # The committee's choice: True publishes the board of ballot trackers and the
        # result to anyone holding the link; otherwise only readers of the committee.
        "public_board": Bool(),
        # A needs survey (planning-v1 §6): each question's options are the whole
        # numbers a member may answer; the tally is one ciphertext per question, the
        # sum of quantity x option ciphertext, so only each item's total is decrypted.
        "totals": Bool(),
    },
)


@dataclass(frozen=True, slots=True)
class Voter:
    """One vote: the keys that may cast it (a member's devices) and the constituency."""

    index: int
    keys: tuple[str, ...]
    constituency: int  # index into ElectionSpec.constituencies (0 when there are none)


@dataclass(frozen=True, slots=True)
class Trustee:
    index: int  # 1..n, as in the threshold ceremony
    key: str  # Ed25519 key that signs the trustee's events
    box: bytes  # X25519 public key its shares are sealed to


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    text: str
    options: tuple[str, ...]
    min_selections: int
    max_selections: int

    def crypto(self) -> Question:
        return Question(len(self.options), self.min_selections, self.max_selections)


@dataclass(frozen=True, slots=True)
class ElectionSpec:
    """The parsed create body; ``voters`` grows with ``election.roll`` events."""

    election_id: str
    creator: str
    title: str
    committee: str | None
    questions: tuple[QuestionSpec, ...]
    method: str
    seats: int
    divisor: Method
    threshold_percent: Fraction
    constituencies: tuple[tuple[str, int], ...]  # (name, seats); () when there are none
    trustees: tuple[Trustee, ...]
    threshold: int
    motion: str | None = None  # the committee's motion that called the election
    call: str | None = None  # that motion's close event, cited in the create's deps
    totals: bool = False  # a survey: one tally entry per question, its total (§ totals)

    @property
    def tally_width(self) -> int:
        """One constituency's tally length: an entry per option, or per question for totals."""
        return len(self.questions) if self.totals else self.width

    def quantities(self, question: int) -> tuple[int, ...]:
        """A totals election's option values for one question (its options' whole numbers)."""
        return tuple(int(o) for o in self.questions[question].options)

    @property
    def most(self) -> int:
        """The largest total one ballot can add to one question of a totals election."""
        return max((max(self.quantities(i)) for i in range(len(self.questions))), default=0)

    @property
    def width(self) -> int:
        """Options over all questions: the length of one constituency's tally."""
        return sum(len(q.options) for q in self.questions)

    @property
    def districts(self) -> int:
        """How many separate tallies: one per constituency (one when there are none)."""
        return max(1, len(self.constituencies))

    def trustee_by_key(self, key: str) -> Trustee | None:
        for trustee in self.trustees:
            if trustee.key == key:
                return trustee
        return None

    def constituency_index(self, name: str | None, field: str) -> int:
        if not self.constituencies:
            if name is not None:
                raise RuleViolation("constituency", "this election has no constituencies", field)
            return 0
        for i, (known, _) in enumerate(self.constituencies):
            if known == name:
                return i
        raise RuleViolation(
            "constituency",
            "name one of this election's constituencies, not %(name)r" % {"name": name},
            field,
        )


def _check_questions(method: str, questions: tuple[QuestionSpec, ...]) -> None:
    if sum(len(q.options) for q in questions) > MAX_BALLOT_OPTIONS:
        raise RuleViolation(
            "ballot-size",
            "at most %(n)d options over all questions" % {"n": MAX_BALLOT_OPTIONS},
            "body",
        )
    for i, q in enumerate(questions):
        where = f"body.questions[{i}]"
        if len(set(q.options)) != len(q.options):
            raise RuleViolation("options-unique", "option names must differ", f"{where}.options")
        if not 0 <= q.min_selections <= q.max_selections <= len(q.options):
            raise RuleViolation(
                "selections", "need 0 <= min <= max <= the number of options", where
            )
        if method in ("plurality", "party_list") and q.max_selections != 1:
            raise RuleViolation(
                "selections",
                "a %(method)s ballot marks at most one option (max 1)" % {"method": method},
                where,
            )
    if method == "party_list" and len(questions) != 1:
        raise RuleViolation("party-list", "a party-list election asks one question", "body")


def parse_spec(election_id: str, creator: str, body: dict[str, Any]) -> ElectionSpec:
    """Judge a create body that passed ``CREATE_BODY`` and return the election it defines."""
    named = [name for name in ("committee", "motion", "call") if name in body]
    if named and len(named) != 3:
        raise RuleViolation(
            "election-call",
            "a committee's election names the committee, its motion and the motion's close",
            "body",
        )
    method = body["method"]
    questions = tuple(
        QuestionSpec(q["text"], tuple(q["options"]), q["min"], q["max"]) for q in body["questions"]
    )
    _check_questions(method, questions)
    if method != "party_list" and any(
        name in body for name in ("divisor", "threshold_percent", "constituencies")
    ):
        raise RuleViolation(
            "party-list", "divisor, threshold and constituencies are for party lists", "body"
        )
    constituencies = tuple((c["name"], c["seats"]) for c in body.get("constituencies", ()))
    if len({name for name, _ in constituencies}) != len(constituencies):
        raise RuleViolation("constituency", "constituency names must differ", "body")
    if method != "party_list" and body["seats"] > len(questions[0].options):
        raise RuleViolation("seats", "more winners than options", "body.seats")
    threshold_percent = Fraction(body.get("threshold_percent", "0"))
    if threshold_percent > 100:
        raise RuleViolation("threshold", "a threshold is at most 100 percent", "body")
    trustees = []
    for i, t in enumerate(body["trustees"], start=1):
        from veche.events.encoding import b64d

        trustees.append(Trustee(i, t["key"], b64d(t["box"], 32)))
    if len({t.key for t in trustees}) != len(trustees):
        raise RuleViolation("trustees", "each trustee needs a key of their own", "body.trustees")
    if body["threshold"] > len(trustees):
        raise RuleViolation(
            "threshold",
            "the threshold is at most the %(n)d trustees" % {"n": len(trustees)},
            "body.threshold",
        )
    totals = bool(body.get("totals", False))
    if totals and (
        method != "plurality"
        or any(
            not (o.isascii() and o.isdigit() and len(o) <= 6 and int(o) >= 1)
            for q in questions
            for o in q.options
        )
    ):
        raise RuleViolation(
            "totals",
            "a totals-only survey is a plurality election whose options are whole numbers 1 to 999999",
            "body.totals",
        )
    divisor: Method = body.get("divisor", "dhondt")
    return ElectionSpec(
        election_id=election_id,
        creator=creator,
        title=body["title"],
        committee=body.get("committee"),
        questions=questions,
        method=method,
        seats=body["seats"],
        divisor=divisor,
        threshold_percent=threshold_percent,
        constituencies=constituencies,
        trustees=tuple(trustees),
        threshold=body["threshold"],
        motion=body.get("motion"),
        call=body.get("call"),
        totals=totals,
    )
