"""Known-answer cases for the election rules (the ``rules`` part of election-v1-vectors.json).

Each case is a whole record (signed event lines) and the verdict the rules give
it: for a record whose ``space.create`` is refused, the rule and field of that
refusal (the record fails); otherwise, for every event the case adds to a base
record, applied or refused with its rule and field. An independent verifier
replays each case and must reach the same verdicts. The expected verdicts are
written here by hand, from ``docs/formats/election-v1.md`` §12, and the
generator checks the implementation against them as it writes them, so a rule
that drifts from the spec stops the generator instead of changing a vector.

Everything is deterministic: identities, box keys and every random scalar come
from named seeds, event times from a fixed clock, and the sealed boxes of the
dealings use an ephemeral key drawn from a seed (libsodium's sealed-box
construction with a chosen ephemeral key), so ``python -m veche.crypto.vectors``
writes the same bytes every time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Sequence
from typing import Any

from nacl.bindings import crypto_box, crypto_scalarmult_base
from nacl.public import PrivateKey

from veche.crypto.ballot import Election, encrypt_ballot
from veche.crypto.encoding import canonical_json
from veche.crypto.group import deterministic_scalars
from veche.crypto.threshold import Dealing, deal, open_share, partial_decrypt, trustee_secret
from veche.election.outcome import compute_outcome
from veche.election.record import verify_record
from veche.election.rules import compute_tally, decrypted_counts, election_key
from veche.election.simulate import EventWriter
from veche.events.encoding import b64e
from veche.events.envelope import Event, build_event
from veche.events.identity import Identity

__all__ = ["rule_vectors"]

_PREFIX = "veche/election-v1/vectors/rules/"
_REASON = re.compile(r"^(?P<field>[^ ]+): .* \[(?P<rule>[^\]]+)\]$", re.DOTALL)


def _bytes(name: str) -> bytes:
    return hashlib.blake2b((_PREFIX + name).encode(), digest_size=32).digest()


def _identity(name: str) -> Identity:
    return Identity(_bytes("identity/" + name))


def _box_key(j: int) -> PrivateKey:
    return PrivateKey(_bytes(f"box/{j}"))


def _seal(payload: bytes, recipient: bytes, seed: str) -> bytes:
    """libsodium's crypto_box_seal, with the ephemeral secret key drawn from ``seed``."""
    ephemeral = _bytes("ephemeral/" + seed)
    ephemeral_public = crypto_scalarmult_base(ephemeral)
    nonce = hashlib.blake2b(ephemeral_public + recipient, digest_size=24).digest()
    return ephemeral_public + crypto_box(payload, nonce, recipient, ephemeral)


OPTIONS = ("Ales", "Maria", "Sviatlana")
PARTIES = ("Party A", "Party B", "Party C")
VOTERS = 4
TRUSTEES = 3
THRESHOLD = 2


class _Election:
    """One deterministic election, built step by step (a base record and a case's events)."""

    def __init__(self, kind: str = "plurality") -> None:
        self.kind = kind
        self.creator = _identity("creator")
        self.voters = [_identity(f"voter/{i}") for i in range(1, VOTERS + 1)]
        self.trustees = [_identity(f"trustee/{j}") for j in range(1, TRUSTEES + 1)]
        self.outsider = _identity("outsider")
        self.boxes = [_box_key(j) for j in range(1, TRUSTEES + 1)]
        self.writer = EventWriter()
        self.rng = deterministic_scalars(_bytes(f"scalars/{kind}"))
        self.dealings: list[Dealing] = []

    # -- bodies ----------------------------------------------------------------------------
    def create_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "election",
            "title": "Strike committee chair",
            "questions": [{"text": "Who chairs?", "options": list(OPTIONS), "min": 1, "max": 1}],
            "method": "plurality",
            "seats": 1,
            "electorate": [{"keys": [v.public]} for v in self.voters],
            "trustees": [
                {"key": t.public, "box": b64e(bytes(b.public_key))}
                for t, b in zip(self.trustees, self.boxes, strict=True)
            ],
            "threshold": THRESHOLD,
        }
        if self.kind == "party_list":
            body["title"] = "Constituent assembly"
            body["questions"] = [
                {"text": "Which list?", "options": list(PARTIES), "min": 1, "max": 1}
            ]
            body["method"] = "party_list"
            body["seats"] = 5
            body["divisor"] = "dhondt"
            body["threshold_percent"] = "5"
            body["constituencies"] = [{"name": "Minsk", "seats": 3}, {"name": "Hrodna", "seats": 2}]
            body["electorate"] = [
                {"keys": [v.public], "constituency": "Minsk" if i < 2 else "Hrodna"}
                for i, v in enumerate(self.voters)
            ]
        return body

    def dealing(self, j: int) -> Dealing:
        eid = self.space
        publics = [bytes(b.public_key) for b in self.boxes]
        dealt = deal(eid, j, THRESHOLD, publics, rng=self.rng)
        boxes = []
        for r, box in enumerate(self.boxes, start=1):
            share = open_share(dealt, r, box)
            payload = canonical_json(
                {"v": 1, "election": eid, "dealer": j, "recipient": r, "share": share.encode()}
            )
            boxes.append(_seal(payload, publics[r - 1], f"{self.kind}/{j}/{r}"))
        return dataclasses.replace(dealt, boxes=tuple(boxes))

    @property
    def space(self) -> str:
        space = self.writer.space
        assert space is not None
        return space

    def ballot(self, marks: Sequence[Sequence[int]], election: Election | None = None) -> Any:
        election = election or self.writer.state.crypto_election()
        ballot, _ = encrypt_ballot(election, marks, self.rng)
        return ballot.to_json()

    def partial(self, j: int) -> dict[str, Any]:
        secret = trustee_secret([open_share(d, j, self.boxes[j - 1]) for d in self.dealings])
        state = self.writer.state
        assert state.key is not None
        return partial_decrypt(state.key, j, secret, list(state.tally), rng=self.rng).to_json()

    def tally_body(self) -> dict[str, Any]:
        tally, counted = compute_tally(self.writer.state)
        return {"ballots": counted, "tally": [ct.to_json() for ct in tally]}

    def result_body(self) -> dict[str, Any]:
        counts = decrypted_counts(self.writer.state)
        body: dict[str, Any] = {"counts": counts}
        outcome = compute_outcome(self.writer.state.require_spec(), counts)
        if outcome.seats is not None:
            body["seats"] = list(outcome.seats)
        return body

    # -- steps -----------------------------------------------------------------------------
    def write(self, who: Identity, kind: str, body: dict[str, Any], *, judge: bool = True) -> Event:
        return self.writer.write(who, kind, body, judge=judge)

    def stage(self, upto: str, marks: Sequence[int] = (0, 1, 1)) -> _Election:
        """Build the base record up to ``upto``: created, dealt, open, cast, closed,
        decrypted, decided. Voter i (from 0) marks option ``marks[i]``."""
        stages = ("created", "dealt", "open", "cast", "closed", "decrypted", "decided")
        last = stages.index(upto)
        self.write(self.creator, "space.create", self.create_body())
        if last >= 1:
            for j, trustee in enumerate(self.trustees, start=1):
                dealing = self.dealing(j)
                self.dealings.append(dealing)
                self.write(trustee, "trustee.deal", {"dealing": dealing.to_json()})
        if last >= 2:
            key = election_key(self.writer.state).public_key.encode()
            self.write(self.creator, "election.open", {"public_key": key})
        if last >= 3:
            for voter, choice in zip(self.voters, marks, strict=False):
                row = [0] * 3
                row[choice] = 1
                self.write(voter, "ballot.cast", {"ballot": self.ballot([row])})
        if last >= 4:
            self.write(self.creator, "election.close", self.tally_body())
        if last >= 5:
            for j in range(1, THRESHOLD + 1):
                self.write(self.trustees[j - 1], "trustee.decrypt", {"partial": self.partial(j)})
        if last >= 6:
            self.write(self.creator, "election.result", self.result_body())
        return self


# -- the cases ----------------------------------------------------------------------------------

Verdict = tuple[str, str] | None  # (rule, field) of a refusal; None: applied


@dataclasses.dataclass(frozen=True, slots=True)
class _Case:
    name: str
    about: str
    base: str  # "none" (the case's lines are the whole record) or a stage of the base record
    kind: str
    steps: Callable[[_Election], list[tuple[Event, Verdict]]]


def _create_case(
    name: str,
    about: str,
    change: Callable[[dict[str, Any], _Election], None],
    verdict: Verdict,
    *,
    kind: str = "plurality",
    deps: Sequence[str] = (),
) -> _Case:
    def steps(e: _Election) -> list[tuple[Event, Verdict]]:
        body = e.create_body()
        change(body, e)
        event = build_event(
            e.creator,
            space=None,
            seq=1,
            prev=None,
            kind="space.create",
            body=body,
            deps=list(deps),
            at="2020-08-20T09:00:01Z",
        )
        return [(event, verdict)]

    return _Case(name, about, "none", kind, steps)


def _key(name: str) -> str:
    return _identity(name).public


def _voters(n: int, prefix: str = "many") -> list[dict[str, Any]]:
    return [{"keys": [_key(f"{prefix}/{i}")]} for i in range(n)]


def _set(path: str, value: Any) -> Callable[[dict[str, Any], _Election], None]:
    """Set a field given as ``a.b[0].c`` (``[-]`` deletes the field instead)."""

    def change(body: dict[str, Any], _: _Election) -> None:
        parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
        target: Any = body
        for part in parts[:-1]:
            target = target[int(part[1:-1])] if part.startswith("[") else target[part]
        last = parts[-1]
        if value is _DELETE:
            del target[last]
        elif last.startswith("["):
            target[int(last[1:-1])] = value
        else:
            target[last] = value

    return change


_DELETE = object()
_CALL = b64e(_bytes("call"))  # an event id of another space (a committee's close)


def _questions(n: int, options: int = 2) -> list[dict[str, Any]]:
    return [
        {
            "text": f"Question {q + 1}",
            "options": [f"O{k}" for k in range(options)],
            "min": 0,
            "max": 1,
        }
        for q in range(n)
    ]


def _create_cases() -> list[_Case]:
    c = _create_case
    ok: Verdict = None
    cases = [
        c("create/plurality", "a valid plurality election", lambda b, e: None, ok),
        c(
            "create/party-list",
            "a valid party list with two constituencies",
            lambda b, e: None,
            ok,
            kind="party_list",
        ),
        c(
            "create/missing-field",
            "a required field is missing",
            _set("seats", _DELETE),
            ("schema:required", "body.seats"),
        ),
        c(
            "create/unknown-field",
            "a field the kind does not have",
            _set("colour", "red"),
            ("schema:unknown", "body.colour"),
        ),
        c("create/wrong-type", "seats is text", _set("seats", "1"), ("schema:type", "body.seats")),
        c(
            "create/title-min",
            "title of 1 character",
            _set("title", "T"),
            ("schema:min-length", "body.title"),
        ),
        c("create/title-2", "title of 2 characters", _set("title", "Ty"), ok),
        c("create/title-200", "title of 200 characters", _set("title", "т" * 200), ok),
        c(
            "create/title-max",
            "title of 201 characters",
            _set("title", "т" * 201),
            ("schema:max-length", "body.title"),
        ),
        c(
            "create/questions-none",
            "no question",
            _set("questions", []),
            ("schema:min-length", "body.questions"),
        ),
        c(
            "create/questions-20",
            "20 questions (approval)",
            lambda b, e: b.update(questions=_questions(20), method="approval"),
            ok,
        ),
        c(
            "create/questions-21",
            "21 questions",
            lambda b, e: b.update(questions=_questions(21), method="approval"),
            ("schema:max-length", "body.questions"),
        ),
        c(
            "create/question-text-empty",
            "empty question text",
            _set("questions[0].text", ""),
            ("schema:min-length", "body.questions[0].text"),
        ),
        c(
            "create/question-text-max",
            "question text of 501 characters",
            _set("questions[0].text", "q" * 501),
            ("schema:max-length", "body.questions[0].text"),
        ),
        c(
            "create/question-text-500",
            "question text of 500 characters",
            _set("questions[0].text", "q" * 500),
            ok,
        ),
        c(
            "create/options-none",
            "a question with no option",
            _set("questions[0].options", []),
            ("schema:min-length", "body.questions[0].options"),
        ),
        c(
            "create/option-empty",
            "an empty option name",
            _set("questions[0].options[1]", ""),
            ("schema:min-length", "body.questions[0].options[1]"),
        ),
        c(
            "create/option-200",
            "an option name of 200 characters",
            _set("questions[0].options[1]", "o" * 200),
            ok,
        ),
        c(
            "create/option-max",
            "an option name of 201 characters",
            _set("questions[0].options[1]", "o" * 201),
            ("schema:max-length", "body.questions[0].options[1]"),
        ),
        c(
            "create/options-200",
            "one question of 200 options",
            _set("questions[0].options", [f"O{k}" for k in range(200)]),
            ok,
        ),
        c(
            "create/options-201",
            "one question of 201 options",
            _set("questions[0].options", [f"O{k}" for k in range(201)]),
            ("schema:max-length", "body.questions[0].options"),
        ),
        c(
            "create/ballot-size",
            "201 options over two questions",
            lambda b, e: b.update(
                method="approval", questions=_questions(1, 100) + _questions(1, 101)
            ),
            ("ballot-size", "body"),
        ),
        c(
            "create/options-unique",
            "two options of the same name",
            _set("questions[0].options", ["Ales", "Ales"]),
            ("options-unique", "body.questions[0].options"),
        ),
        c(
            "create/min-negative",
            "min below 0",
            _set("questions[0].min", -1),
            ("schema:minimum", "body.questions[0].min"),
        ),
        c(
            "create/max-zero",
            "max below 1",
            _set("questions[0].max", 0),
            ("schema:minimum", "body.questions[0].max"),
        ),
        c(
            "create/max-201",
            "max above 200",
            _set("questions[0].max", 201),
            ("schema:maximum", "body.questions[0].max"),
        ),
        c(
            "create/min-above-max",
            "min above max (approval)",
            lambda b, e: b.update(
                method="approval",
                questions=[{"text": "Q", "options": ["a", "b", "c"], "min": 2, "max": 1}],
            ),
            ("selections", "body.questions[0]"),
        ),
        c(
            "create/max-above-options",
            "max above the number of options (approval)",
            lambda b, e: b.update(
                method="approval",
                questions=[{"text": "Q", "options": ["a", "b"], "min": 0, "max": 3}],
            ),
            ("selections", "body.questions[0]"),
        ),
        c(
            "create/plurality-max",
            "a plurality question with max 2",
            _set("questions[0].max", 2),
            ("selections", "body.questions[0]"),
        ),
        c(
            "create/approval-max",
            "an approval question with max 2",
            lambda b, e: b.update(
                method="approval",
                questions=[{"text": "Q", "options": ["a", "b", "c"], "min": 0, "max": 2}],
            ),
            ok,
        ),
        c(
            "create/method",
            "an unknown method",
            _set("method", "stv"),
            ("schema:enum", "body.method"),
        ),
        c("create/seats-zero", "0 seats", _set("seats", 0), ("schema:minimum", "body.seats")),
        c("create/seats-1001", "1001 seats", _set("seats", 1001), ("schema:maximum", "body.seats")),
        c(
            "create/seats-options",
            "more winners than options",
            _set("seats", 4),
            ("seats", "body.seats"),
        ),
        c("create/seats-equal-options", "as many winners as options", _set("seats", 3), ok),
        c(
            "create/party-list-seats",
            "a party list may have more seats than parties",
            _set("seats", 1000),
            ok,
            kind="party_list",
        ),
        c(
            "create/party-list-questions",
            "a party list asking two questions",
            lambda b, e: b["questions"].append(
                {"text": "Second?", "options": ["x", "y"], "min": 1, "max": 1}
            ),
            ("party-list", "body"),
            kind="party_list",
        ),
        c(
            "create/divisor-plurality",
            "a divisor on a plurality election",
            _set("divisor", "dhondt"),
            ("party-list", "body"),
        ),
        c(
            "create/threshold-percent-plurality",
            "a threshold on an approval election",
            lambda b, e: b.update(method="approval", threshold_percent="5"),
            ("party-list", "body"),
        ),
        c(
            "create/constituencies-plurality",
            "constituencies on a plurality election",
            _set("constituencies", [{"name": "Minsk", "seats": 1}]),
            ("party-list", "body"),
        ),
        c(
            "create/divisor",
            "an unknown divisor",
            _set("divisor", "hare"),
            ("schema:enum", "body.divisor"),
            kind="party_list",
        ),
        c(
            "create/threshold-percent-form",
            "a threshold written with a comma",
            _set("threshold_percent", "5,5"),
            ("schema:pattern", "body.threshold_percent"),
            kind="party_list",
        ),
        c(
            "create/threshold-percent-100",
            "a threshold of 100.000 percent",
            _set("threshold_percent", "100.000"),
            ok,
            kind="party_list",
        ),
        c(
            "create/threshold-percent-above",
            "a threshold above 100 percent",
            _set("threshold_percent", "100.001"),
            ("threshold", "body"),
            kind="party_list",
        ),
        c(
            "create/constituencies-empty",
            "an empty list of constituencies",
            _set("constituencies", []),
            ("schema:min-length", "body.constituencies"),
            kind="party_list",
        ),
        c(
            "create/constituency-name-max",
            "a constituency name of 101 characters",
            _set("constituencies[0].name", "M" * 101),
            ("schema:max-length", "body.constituencies[0].name"),
            kind="party_list",
        ),
        c(
            "create/constituency-seats",
            "a constituency of 0 seats",
            _set("constituencies[0].seats", 0),
            ("schema:minimum", "body.constituencies[0].seats"),
            kind="party_list",
        ),
        c(
            "create/constituency-names",
            "two constituencies of the same name",
            _set("constituencies[1].name", "Minsk"),
            ("constituency", "body"),
            kind="party_list",
        ),
        c(
            "create/voter-constituency-unknown",
            "a voter in a constituency the election lacks",
            _set("electorate[0].constituency", "Brest"),
            ("constituency", "body.electorate[0].constituency"),
            kind="party_list",
        ),
        c(
            "create/voter-constituency-missing",
            "a voter without a constituency in a party list with constituencies",
            _set("electorate[0].constituency", _DELETE),
            ("constituency", "body.electorate[0].constituency"),
            kind="party_list",
        ),
        c(
            "create/voter-constituency-none",
            "a voter naming a constituency in an election without constituencies",
            _set("electorate[0].constituency", "Minsk"),
            ("constituency", "body.electorate[0].constituency"),
        ),
        c(
            "create/electorate-empty",
            "an empty electorate (voters may come by election.roll)",
            _set("electorate", []),
            ok,
        ),
        c(
            "create/electorate-1000",
            "1000 voters in the create",
            lambda b, e: b.update(electorate=_voters(1000)),
            ok,
        ),
        c(
            "create/electorate-1001",
            "1001 voters in the create",
            lambda b, e: b.update(electorate=_voters(1001)),
            ("schema:max-length", "body.electorate"),
        ),
        c(
            "create/voter-no-key",
            "a voter without a key",
            _set("electorate[0].keys", []),
            ("schema:min-length", "body.electorate[0].keys"),
        ),
        c(
            "create/voter-8-keys",
            "a voter with 8 keys",
            _set("electorate[0].keys", [_key(f"device/{i}") for i in range(8)]),
            ok,
        ),
        c(
            "create/voter-9-keys",
            "a voter with 9 keys",
            _set("electorate[0].keys", [_key(f"device/{i}") for i in range(9)]),
            ("schema:max-length", "body.electorate[0].keys"),
        ),
        c(
            "create/voter-key-twice",
            "a voter listing one key twice",
            lambda b, e: b["electorate"][0].update(keys=[e.voters[0].public] * 2),
            ("schema:unique", "body.electorate[0].keys"),
        ),
        c(
            "create/voter-key-form",
            "a voter key that is not a key",
            _set("electorate[0].keys", ["not-a-key"]),
            ("schema:key-format", "body.electorate[0].keys[0]"),
        ),
        c(
            "create/electorate-unique",
            "one key in two voters",
            lambda b, e: b["electorate"][1].update(keys=[e.voters[0].public]),
            ("electorate-unique", "body"),
        ),
        c(
            "create/trustees-none",
            "no trustee",
            _set("trustees", []),
            ("schema:min-length", "body.trustees"),
        ),
        c(
            "create/trustees-15",
            "15 trustees, threshold 15",
            lambda b, e: b.update(
                trustees=[{"key": _key(f"t/{j}"), "box": _key(f"tb/{j}")} for j in range(15)],
                threshold=15,
            ),
            ok,
        ),
        c(
            "create/trustees-16",
            "16 trustees",
            lambda b, e: b.update(
                trustees=[{"key": _key(f"t/{j}"), "box": _key(f"tb/{j}")} for j in range(16)]
            ),
            ("schema:max-length", "body.trustees"),
        ),
        c(
            "create/trustees-unique",
            "two trustees with one key",
            lambda b, e: b["trustees"][1].update(key=e.trustees[0].public),
            ("trustees", "body.trustees"),
        ),
        c(
            "create/threshold-zero",
            "threshold 0",
            _set("threshold", 0),
            ("schema:minimum", "body.threshold"),
        ),
        c(
            "create/threshold-16",
            "threshold 16",
            _set("threshold", 16),
            ("schema:maximum", "body.threshold"),
        ),
        c(
            "create/threshold-trustees",
            "threshold above the number of trustees",
            _set("threshold", 4),
            ("threshold", "body.threshold"),
        ),
        c(
            "create/call-partial",
            "a committee without its motion and close",
            _set("committee", _CALL),
            ("election-call", "body"),
        ),
        c(
            "create/call-deps",
            "a call the create does not cite in deps",
            lambda b, e: b.update(committee=_CALL, motion=_CALL, call=_CALL),
            ("election-call", "deps"),
        ),
        c(
            "create/call",
            "a committee's election citing its call",
            lambda b, e: b.update(committee=_CALL, motion=_CALL, call=_CALL),
            ok,
            deps=[_CALL],
        ),
        c(
            "create/flags",
            "public_board and demo flags",
            lambda b, e: b.update(public_board=True, demo=False),
            ok,
        ),
        c(
            "create/flag-type",
            "a flag that is not true or false",
            _set("public_board", 1),
            ("schema:type", "body.public_board"),
        ),
    ]
    return cases


def _forge_parentless(e: _Election, who: Identity, kind: str, body: dict[str, Any]) -> Event:
    return build_event(
        who,
        space=e.space,
        seq=1,
        prev=None,
        kind=kind,
        body=body,
        deps=[],
        at="2020-08-20T10:00:00Z",
    )


def _later_cases() -> list[_Case]:
    def case(
        name: str, about: str, base: str, kind: str = "plurality"
    ) -> Callable[[Callable[[_Election], list[tuple[Event, Verdict]]]], _Case]:
        def wrap(steps: Callable[[_Election], list[tuple[Event, Verdict]]]) -> _Case:
            return _Case(name, about, base, kind, steps)

        return wrap

    cases: list[_Case] = []

    def add(c: _Case) -> _Case:
        cases.append(c)
        return c

    # election.roll
    @add
    @case("roll/ok", "the creator adds a voter before opening", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        return [(e.write(e.creator, "election.roll", {"voters": [{"keys": [_key("late")]}]}), None)]

    @add
    @case("roll/creator", "someone else adds a voter", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"voters": [{"keys": [_key("late")]}]}
        return [(e.write(e.voters[0], "election.roll", body, judge=False), ("creator", "author"))]

    @add
    @case("roll/stage", "a voter added after opening", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"voters": [{"keys": [_key("late")]}]}
        return [(e.write(e.creator, "election.roll", body, judge=False), ("stage", "kind"))]

    @add
    @case("roll/unique", "a key that already has a vote", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"voters": [{"keys": [_key("late")]}, {"keys": [e.voters[2].public]}]}
        return [
            (
                e.write(e.creator, "election.roll", body, judge=False),
                ("electorate-unique", "body.voters[1]"),
            )
        ]

    @add
    @case("roll/empty", "a roll of no voters", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body: dict[str, Any] = {"voters": []}
        return [
            (
                e.write(e.creator, "election.roll", body, judge=False),
                ("schema:min-length", "body.voters"),
            )
        ]

    @add
    @case("roll/constituency", "a rolled voter in an unknown constituency", "created", "party_list")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"voters": [{"keys": [_key("late")], "constituency": "Brest"}]}
        return [
            (
                e.write(e.creator, "election.roll", body, judge=False),
                ("constituency", "body.voters[0].constituency"),
            )
        ]

    # trustee.deal
    @add
    @case("deal/ok", "trustee 1 deals", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"dealing": e.dealing(1).to_json()}
        return [(e.write(e.trustees[0], "trustee.deal", body), None)]

    @add
    @case("deal/not-trustee", "a dealing signed by someone who is not a trustee", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"dealing": e.dealing(1).to_json()}
        return [(e.write(e.outsider, "trustee.deal", body, judge=False), ("trustee", "author"))]

    @add
    @case("deal/dealer", "trustee 2 signs trustee 1's dealing", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"dealing": e.dealing(1).to_json()}
        return [
            (
                e.write(e.trustees[1], "trustee.deal", body, judge=False),
                ("dealer", "body.dealing.dealer"),
            )
        ]

    @add
    @case("deal/once", "trustee 1 deals twice", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        first = e.write(e.trustees[0], "trustee.deal", {"dealing": e.dealing(1).to_json()})
        again = e.write(
            e.trustees[0], "trustee.deal", {"dealing": e.dealing(1).to_json()}, judge=False
        )
        return [(first, None), (again, ("dealing-once", "author"))]

    @add
    @case("deal/proof", "a dealing whose proof of knowledge fails", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        dealing = e.dealing(1).to_json()
        dealing["proofs"][0]["v"], dealing["proofs"][1]["v"] = (
            dealing["proofs"][1]["v"],
            dealing["proofs"][0]["v"],
        )
        return [
            (
                e.write(e.trustees[0], "trustee.deal", {"dealing": dealing}, judge=False),
                ("dealing", "body.dealing"),
            )
        ]

    @add
    @case("deal/commitments", "a dealing with one commitment for threshold 2", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        dealing = e.dealing(1).to_json()
        dealing["commitments"].pop()
        dealing["proofs"].pop()
        return [
            (
                e.write(e.trustees[0], "trustee.deal", {"dealing": dealing}, judge=False),
                ("dealing", "body.dealing"),
            )
        ]

    @add
    @case("deal/boxes", "a dealing with 2 sealed shares for 3 trustees", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        dealing = e.dealing(1).to_json()
        dealing["boxes"].pop()
        return [
            (
                e.write(e.trustees[0], "trustee.deal", {"dealing": dealing}, judge=False),
                ("dealing", "body.dealing"),
            )
        ]

    @add
    @case("deal/election", "a dealing for another election", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        dealing = e.dealing(1).to_json()
        dealing["election"] = _CALL
        return [
            (
                e.write(e.trustees[0], "trustee.deal", {"dealing": dealing}, judge=False),
                ("dealing", "body.dealing"),
            )
        ]

    @add
    @case("deal/form", "a dealing with an unknown field", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        dealing = e.dealing(1).to_json()
        dealing["extra"] = 1
        return [
            (
                e.write(e.trustees[0], "trustee.deal", {"dealing": dealing}, judge=False),
                ("dealing", "body.dealing"),
            )
        ]

    @add
    @case("deal/stage", "a dealing after opening", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"dealing": e.dealings[0].to_json()}
        return [(e.write(e.trustees[0], "trustee.deal", body, judge=False), ("stage", "kind"))]

    # trustee.complain
    @add
    @case("complain/ok-then-open", "a complaint is applied and the election cannot open", "dealt")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        complaint = e.write(
            e.trustees[1], "trustee.complain", {"dealer": 1, "reason": "my share does not match"}
        )
        key = election_key(e.writer.state).public_key.encode()
        opened = e.write(e.creator, "election.open", {"public_key": key}, judge=False)
        return [(complaint, None), (opened, ("complaint", "space"))]

    @add
    @case("complain/not-trustee", "a complaint by someone who is not a trustee", "dealt")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"dealer": 1, "reason": "bad"}
        return [
            (e.write(e.voters[0], "trustee.complain", body, judge=False), ("trustee", "author"))
        ]

    @add
    @case("complain/dealer", "a complaint about a trustee who has not dealt", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"dealer": 2, "reason": "bad"}
        return [
            (
                e.write(e.trustees[0], "trustee.complain", body, judge=False),
                ("dealer", "body.dealer"),
            )
        ]

    @add
    @case("complain/reason", "a complaint with an empty reason", "dealt")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"dealer": 1, "reason": ""}
        return [
            (
                e.write(e.trustees[1], "trustee.complain", body, judge=False),
                ("schema:min-length", "body.reason"),
            )
        ]

    # election.open
    @add
    @case("open/ok", "the creator opens under the key the dealings give", "dealt")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        key = election_key(e.writer.state).public_key.encode()
        return [(e.write(e.creator, "election.open", {"public_key": key}), None)]

    @add
    @case("open/creator", "someone else opens", "dealt")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        key = election_key(e.writer.state).public_key.encode()
        return [
            (
                e.write(e.trustees[0], "election.open", {"public_key": key}, judge=False),
                ("creator", "author"),
            )
        ]

    @add
    @case("open/key", "a key that is not the dealings' key", "dealt")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        key = e.dealings[0].commitments[0].encode()
        return [
            (
                e.write(e.creator, "election.open", {"public_key": key}, judge=False),
                ("public-key", "body.public_key"),
            )
        ]

    @add
    @case("open/ceremony", "opening before every trustee has dealt", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        dealt = e.write(e.trustees[0], "trustee.deal", {"dealing": e.dealing(1).to_json()})
        key = dealt.body["dealing"]["commitments"][0]
        return [
            (dealt, None),
            (
                e.write(e.creator, "election.open", {"public_key": key}, judge=False),
                ("ceremony", "space"),
            ),
        ]

    @add
    @case("open/twice", "opening twice", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        key = e.writer.state.key
        assert key is not None
        body = {"public_key": key.public_key.encode()}
        return [(e.write(e.creator, "election.open", body, judge=False), ("stage", "kind"))]

    # ballot.cast
    @add
    @case("cast/ok", "a voter casts", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        return [(e.write(e.voters[0], "ballot.cast", {"ballot": e.ballot([[0, 1, 0]])}), None)]

    @add
    @case("cast/again", "a voter casts twice: the second ballot counts", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        first = e.write(e.voters[0], "ballot.cast", {"ballot": e.ballot([[0, 1, 0]])})
        second = e.write(e.voters[0], "ballot.cast", {"ballot": e.ballot([[1, 0, 0]])})
        return [(first, None), (second, None)]

    @add
    @case("cast/eligible", "a key outside the electorate casts", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"ballot": e.ballot([[0, 1, 0]])}
        return [(e.write(e.outsider, "ballot.cast", body, judge=False), ("eligible", "author"))]

    @add
    @case("cast/stage", "a ballot before opening", "dealt")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body: dict[str, Any] = {"ballot": {"v": 1}}
        return [(e.write(e.voters[0], "ballot.cast", body, judge=False), ("stage", "kind"))]

    @add
    @case("cast/proof", "a ballot whose first bit proof does not hold", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        ballot = e.ballot([[0, 1, 0]])
        proof = ballot["answers"][0]["choices"][0]["proof"]
        proof["v"][0], proof["v"][1] = proof["v"][1], proof["v"][0]
        return [
            (
                e.write(e.voters[0], "ballot.cast", {"ballot": ballot}, judge=False),
                ("ballot", "body.ballot.answers[0].choices[0].proof"),
            )
        ]

    @add
    @case("cast/range", "a plurality ballot marking two options (its range proof fails)", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        state = e.writer.state
        election = state.crypto_election()
        from veche.crypto.ballot import Question

        loose = Election(election.election_id, election.public_key, (Question(3, 0, 2),))
        ballot = e.ballot([[1, 1, 0]], loose)
        honest = e.ballot([[1, 0, 0]])
        ballot["answers"][0]["range"] = honest["answers"][0]["range"]
        return [
            (
                e.write(e.voters[0], "ballot.cast", {"ballot": ballot}, judge=False),
                ("ballot", "body.ballot.answers[0].range"),
            )
        ]

    @add
    @case("cast/election", "a ballot for another election", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        election = e.writer.state.crypto_election()
        other = Election(_CALL, election.public_key, election.questions)
        body = {"ballot": e.ballot([[0, 1, 0]], other)}
        return [
            (
                e.write(e.voters[0], "ballot.cast", body, judge=False),
                ("ballot", "body.ballot.election"),
            )
        ]

    @add
    @case("cast/answers", "a ballot with two choices for three options", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        ballot = e.ballot([[0, 1, 0]])
        ballot["answers"][0]["choices"].pop()
        return [
            (
                e.write(e.voters[0], "ballot.cast", {"ballot": ballot}, judge=False),
                ("ballot", "body.ballot.answers[0].choices"),
            )
        ]

    @add
    @case("cast/point", "a ballot with a point that is not a valid point", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        ballot = e.ballot([[0, 1, 0]])
        ballot["answers"][0]["choices"][1]["alpha"] = "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        return [
            (
                e.write(e.voters[0], "ballot.cast", {"ballot": ballot}, judge=False),
                ("ballot", "body.ballot.answers[0].choices[1].alpha"),
            )
        ]

    @add
    @case("cast/copied", "a voter casts another voter's ballot", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        ballot = e.ballot([[0, 1, 0]])
        first = e.write(e.voters[0], "ballot.cast", {"ballot": ballot})
        copy = e.write(e.voters[1], "ballot.cast", {"ballot": ballot}, judge=False)
        return [(first, None), (copy, ("ballot-copied", "body.ballot.answers[0].choices[0]"))]

    @add
    @case("cast/resent", "a voter sends their own ballot again", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        ballot = e.ballot([[0, 1, 0]])
        first = e.write(e.voters[0], "ballot.cast", {"ballot": ballot})
        again = e.write(e.voters[0], "ballot.cast", {"ballot": ballot})
        return [(first, None), (again, None)]

    @add
    @case("cast/parents", "a ballot that names no parent", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        event = _forge_parentless(e, e.voters[3], "ballot.cast", {"ballot": e.ballot([[0, 1, 0]])})
        e.writer.events.append(event)
        return [(event, ("parents", "deps"))]

    @add
    @case("cast/closed", "a ballot after closing", "closed")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body: dict[str, Any] = {"ballot": {"v": 1}}
        return [(e.write(e.voters[3], "ballot.cast", body, judge=False), ("stage", "kind"))]

    # election.close
    @add
    @case("close/ok", "the creator closes with the sum of the last ballots", "cast")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        return [(e.write(e.creator, "election.close", e.tally_body()), None)]

    @add
    @case("close/empty", "closing with no ballot: the tally is empty", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        return [(e.write(e.creator, "election.close", {"ballots": 0, "tally": []}), None)]

    @add
    @case("close/creator", "someone else closes", "cast")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        return [
            (
                e.write(e.trustees[0], "election.close", e.tally_body(), judge=False),
                ("creator", "author"),
            )
        ]

    @add
    @case("close/ballots", "a wrong number of counted ballots", "cast")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = e.tally_body()
        body["ballots"] += 1
        return [
            (e.write(e.creator, "election.close", body, judge=False), ("tally", "body.ballots"))
        ]

    @add
    @case("close/tally", "a tally that is not the sum of the ballots", "cast")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = e.tally_body()
        body["tally"][0], body["tally"][1] = body["tally"][1], body["tally"][0]
        return [(e.write(e.creator, "election.close", body, judge=False), ("tally", "body.tally"))]

    @add
    @case("close/stage", "closing before opening", "dealt")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body: dict[str, Any] = {"ballots": 0, "tally": []}
        return [(e.write(e.creator, "election.close", body, judge=False), ("stage", "kind"))]

    # trustee.decrypt
    @add
    @case("decrypt/ok", "trustee 3 decrypts", "closed")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        return [(e.write(e.trustees[2], "trustee.decrypt", {"partial": e.partial(3)}), None)]

    @add
    @case("decrypt/not-trustee", "a partial decryption by someone else", "closed")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"partial": e.partial(3)}
        return [(e.write(e.creator, "trustee.decrypt", body, judge=False), ("trustee", "author"))]

    @add
    @case("decrypt/trustee", "trustee 2 signs trustee 3's partial decryption", "closed")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"partial": e.partial(3)}
        return [
            (
                e.write(e.trustees[1], "trustee.decrypt", body, judge=False),
                ("trustee", "body.partial.trustee"),
            )
        ]

    @add
    @case("decrypt/once", "trustee 1 decrypts twice", "decrypted")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"partial": e.partial(1)}
        return [
            (
                e.write(e.trustees[0], "trustee.decrypt", body, judge=False),
                ("decrypt-once", "author"),
            )
        ]

    @add
    @case("decrypt/proof", "a partial decryption whose proof fails", "closed")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        partial = e.partial(3)
        partial["factors"][0], partial["factors"][1] = partial["factors"][1], partial["factors"][0]
        return [
            (
                e.write(e.trustees[2], "trustee.decrypt", {"partial": partial}, judge=False),
                ("partial-decryption", "body.partial"),
            )
        ]

    @add
    @case("decrypt/stage", "a partial decryption before closing", "cast")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        partial = {"v": 1, "trustee": 1, "factors": [], "proofs": []}
        return [
            (
                e.write(e.trustees[0], "trustee.decrypt", {"partial": partial}, judge=False),
                ("stage", "kind"),
            )
        ]

    @add
    @case("decrypt/empty", "a partial decryption of an empty tally", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        close = e.write(e.creator, "election.close", {"ballots": 0, "tally": []})
        partial = {"v": 1, "trustee": 1, "factors": [], "proofs": []}
        return [
            (close, None),
            (
                e.write(e.trustees[0], "trustee.decrypt", {"partial": partial}, judge=False),
                ("decrypt", "kind"),
            ),
        ]

    # election.result
    @add
    @case("result/ok", "the creator publishes the counts", "decrypted")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        return [(e.write(e.creator, "election.result", e.result_body()), None)]

    @add
    @case("result/trustee", "a trustee publishes the counts", "decrypted")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        return [(e.write(e.trustees[2], "election.result", e.result_body()), None)]

    @add
    @case("result/creator", "a voter publishes the counts", "decrypted")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        return [
            (
                e.write(e.voters[0], "election.result", e.result_body(), judge=False),
                ("creator", "author"),
            )
        ]

    @add
    @case("result/counts", "counts that are not the decryption", "decrypted")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"counts": [3, 0, 0]}
        return [
            (e.write(e.creator, "election.result", body, judge=False), ("counts", "body.counts"))
        ]

    @add
    @case("result/threshold", "counts with one partial decryption of the two needed", "closed")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        partial = e.write(e.trustees[0], "trustee.decrypt", {"partial": e.partial(1)})
        body = {"counts": [1, 2, 0]}
        return [
            (partial, None),
            (e.write(e.creator, "election.result", body, judge=False), ("threshold", "space")),
        ]

    @add
    @case("result/seats", "seats on a plurality result", "decrypted")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = e.result_body()
        body["seats"] = [0, 1, 0]
        return [(e.write(e.creator, "election.result", body, judge=False), ("seats", "body.seats"))]

    @add
    @case("result/empty", "the result of an empty tally: zeros, no decryption", "open")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        close = e.write(e.creator, "election.close", {"ballots": 0, "tally": []})
        return [(close, None), (e.write(e.creator, "election.result", {"counts": [0, 0, 0]}), None)]

    @add
    @case("result/stage", "a second result", "decided")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = {"counts": list(e.writer.state.counts or ())}
        return [(e.write(e.creator, "election.result", body, judge=False), ("stage", "kind"))]

    # party lists: seats per constituency, and a constituency with no ballot
    @add
    @case("party-list/result", "seats by D'Hondt in two constituencies", "decrypted", "party_list")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        return [(e.write(e.creator, "election.result", e.result_body()), None)]

    @add
    @case("party-list/seats", "seats that are not the D'Hondt seats", "decrypted", "party_list")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        body = e.result_body()
        body["seats"] = [5, 0, 0]
        return [(e.write(e.creator, "election.result", body, judge=False), ("seats", "body.seats"))]

    @add
    @case(
        "party-list/empty-constituency",
        "Hrodna gets no ballot: its entries are (B, K), its seats vacant",
        "open",
        "party_list",
    )
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        out: list[tuple[Event, Verdict]] = [
            (e.write(e.voters[0], "ballot.cast", {"ballot": e.ballot([[1, 0, 0]])}), None),
            (e.write(e.voters[1], "ballot.cast", {"ballot": e.ballot([[0, 1, 0]])}), None),
        ]
        out.append((e.write(e.creator, "election.close", e.tally_body()), None))
        for j in (1, 2):
            out.append(
                (e.write(e.trustees[j - 1], "trustee.decrypt", {"partial": e.partial(j)}), None)
            )
        out.append((e.write(e.creator, "election.result", e.result_body()), None))
        return out

    # any kind
    @add
    @case("any/unknown-kind", "an event of a kind elections do not have", "created")
    def _(e: _Election) -> list[tuple[Event, Verdict]]:
        event = e.write(e.creator, "election.pause", {}, judge=False)
        return [(event, ("known-kind", "kind"))]

    return cases


# -- writing and checking ------------------------------------------------------------------------


def _verdict_json(verdict: Verdict) -> dict[str, Any]:
    if verdict is None:
        return {"verdict": "applied"}
    return {"verdict": "refused", "rule": verdict[0], "field": verdict[1]}


def parse_reason(reason: str) -> tuple[str, str]:
    """(rule, field) of a reason as the verifier reports it: ``field: message [rule]``."""
    if reason.startswith("event ") and "): " in reason:  # a failure names the event first
        reason = reason.split("): ", 1)[1]
    match = _REASON.match(reason)
    if match is None:
        raise ValueError(f"not a rule's reason: {reason!r}")
    return match["rule"], match["field"]


def _run(case: _Case, bases: dict[str, list[str]], lengths: dict[str, int]) -> dict[str, Any]:
    election = _Election(case.kind)
    if case.base != "none":
        election.stage(case.base)
    base = len(election.writer.events)
    if case.base != "none":  # the case's record starts with the published base record
        prefix = [e.raw.decode() for e in election.writer.events[:base]]
        if prefix != bases[case.kind][: lengths[case.base]]:
            raise AssertionError(f"{case.name}: the base record is not reproduced")
    written = case.steps(election)
    lines = [e.raw.decode() for e in election.writer.events[base:]]
    if case.base == "none":
        lines = [event.raw.decode() for event, _ in written]
    out: dict[str, Any] = {
        "name": case.name,
        "about": case.about,
        "base": f"{case.kind}/{case.base}" if case.base != "none" else None,
        "lines": lines,
        "expect": [{"event": event.id, **_verdict_json(v)} for event, v in written],
    }
    _check(
        case, [e.raw for e in election.writer.events[:base]] + [x.encode() for x in lines], written
    )
    return out


def _check(case: _Case, record: list[bytes], written: list[tuple[Event, Verdict]]) -> None:
    """The implementation must give the verdicts the spec gives (else: no vectors)."""
    report = verify_record(record)
    if case.base == "none":
        ((event, verdict),) = written
        got = None if report.ok else parse_reason(report.failure or "")
        if got != verdict:
            raise AssertionError(
                f"{case.name}: expected {verdict}, the rules say {got} ({report.failure})"
            )
        return
    if not report.ok:
        raise AssertionError(f"{case.name}: the record fails: {report.failure}")
    refused = {r.event: parse_reason(r.reason) for r in report.refused}
    for event, verdict in written:
        if refused.get(event.id) != verdict:
            raise AssertionError(
                f"{case.name}: {event.kind} expected {verdict}, got {refused.get(event.id)}"
            )


def rule_vectors() -> dict[str, Any]:
    """The ``rules`` section: base records, then every case (see the module doc)."""
    bases: dict[str, list[str]] = {}
    stages = ("created", "dealt", "open", "cast", "closed", "decrypted", "decided")
    for kind in ("plurality", "party_list"):
        election = _Election(kind).stage("decided")
        lines = [e.raw.decode() for e in election.writer.events]
        # The stage prefixes are the first 1, 4, 5, 8, 9, 11, 12 lines.
        bases[kind] = lines
    lengths = dict(zip(stages, (1, 4, 5, 8, 9, 11, 12), strict=True))
    cases = [_run(c, bases, lengths) for c in _create_cases() + _later_cases()]
    return {
        "about": (
            "Known-answer cases for the election rules (election-v1.md §12). A case with "
            "base null is a record of its lines alone. Otherwise the record is the first "
            "stage_lines[stage] lines of bases[kind] followed by the case's lines. "
            "expect gives, for each event the case adds, applied or refused with the rule "
            "and field the verifier reports; a refused space.create fails the record."
        ),
        "identities": {
            "seeds": "Ed25519 seed of NAME = BLAKE2b-256('" + _PREFIX + "identity/' + NAME)",
            "creator": _identity("creator").public,
            "voters": [v.public for v in _Election().voters],
            "trustees": [t.public for t in _Election().trustees],
            "outsider": _identity("outsider").public,
        },
        "stage_lines": lengths,
        "bases": bases,
        "cases": cases,
    }
