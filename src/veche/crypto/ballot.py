"""Encrypted ballots (format v1): encryption, verification, tracker, Benaloh audit.

A ballot answers each question of an election with one ciphertext per option
(1 if marked, 0 if not), a disjunctive proof per option that it encrypts 0 or
1, and a disjunctive proof that the sum of the option ciphertexts encrypts a
number of marks within [min, max]. The ballot tracker is the BLAKE2b-256 hash
of the ballot's canonical JSON; the voter finds it on the public board. Before
casting, a voter may instead audit the ballot (Benaloh's cast-or-audit): the
device reveals the randomness, anyone re-encrypts and compares, and the audited
ballot is discarded.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from veche.crypto.elgamal import Ciphertext, encrypt, homomorphic_sum
from veche.crypto.encoding import (
    b64encode,
    canonical_json,
    expect_int,
    expect_keys,
    expect_list,
    expect_object,
    expect_str,
)
from veche.crypto.errors import AuditFailed, BallotInvalid, CryptoError, InvalidEncoding
from veche.crypto.group import (
    Point,
    Scalar,
    ScalarSource,
    parse_point,
    parse_scalar,
    random_scalar,
)
from veche.crypto.proofs import (
    DOMAIN_BIT,
    DOMAIN_RANGE,
    Binding,
    DisjunctiveProof,
    prove_encrypts_one_of,
    verify_encrypts_one_of,
)
from veche.events.canonical import CanonicalError
from veche.events.canonical import decode as decode_canonical

__all__ = [
    "BALLOT_VERSION",
    "Ballot",
    "BallotRejection",
    "BallotSecrets",
    "Election",
    "EncryptedAnswer",
    "Question",
    "audit_ballot",
    "check_ballot",
    "check_ballots",
    "encrypt_ballot",
    "parse_ballot",
    "verify_ballot",
]

BALLOT_VERSION = 1
MAX_OPTIONS = 256
#: A cast ballot travels in one event of at most 64 KiB; about 300 bytes per option.
MAX_BALLOT_OPTIONS = 200
BIT_VALUES = (0, 1)


@dataclass(frozen=True, slots=True)
class Question:
    """A question with ``options`` choices; a ballot marks between min and max of them."""

    options: int
    min_selections: int
    max_selections: int

    def __post_init__(self) -> None:
        if not 1 <= self.options <= MAX_OPTIONS:
            raise ValueError(f"a question has 1 to {MAX_OPTIONS} options")
        if not 0 <= self.min_selections <= self.max_selections <= self.options:
            raise ValueError("need 0 <= min selections <= max selections <= options")

    @property
    def allowed_totals(self) -> tuple[int, ...]:
        return tuple(range(self.min_selections, self.max_selections + 1))

    def to_json(self) -> dict[str, Any]:
        return {"options": self.options, "min": self.min_selections, "max": self.max_selections}

    @staticmethod
    def from_json(obj: object, *, item: str = "question") -> Question:
        data = expect_object(obj, item=item)
        expect_keys(data, {"options", "min", "max"}, item=item)
        try:
            return Question(
                expect_int(data, "options", item=item),
                expect_int(data, "min", item=item),
                expect_int(data, "max", item=item),
            )
        except ValueError as exc:
            raise InvalidEncoding(str(exc), item=item) from None


@dataclass(frozen=True, slots=True)
class Election:
    """What a ballot is checked against: election id, election key, questions."""

    election_id: str
    public_key: Point
    questions: tuple[Question, ...]

    def __post_init__(self) -> None:
        if not self.questions:
            raise ValueError("an election asks at least one question")
        if sum(q.options for q in self.questions) > MAX_BALLOT_OPTIONS:
            raise ValueError(
                f"at most {MAX_BALLOT_OPTIONS} options over all questions, "
                "so that a ballot fits in one event"
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "v": BALLOT_VERSION,
            "election": self.election_id,
            "public_key": self.public_key.encode(),
            "questions": [q.to_json() for q in self.questions],
        }

    @staticmethod
    def from_json(obj: object, *, item: str = "election") -> Election:
        data = expect_object(obj, item=item)
        expect_keys(data, {"v", "election", "public_key", "questions"}, item=item)
        if expect_int(data, "v", item=item) != BALLOT_VERSION:
            raise InvalidEncoding("unsupported election version", item=item)
        election_id = expect_str(data, "election", item=item)
        public_key = parse_point(data["public_key"], item=f"{item}.public_key")
        questions = tuple(
            Question.from_json(q, item=f"{item}.questions[{i}]")
            for i, q in enumerate(expect_list(data, "questions", item=item))
        )
        try:
            return Election(election_id, public_key, questions)
        except ValueError as exc:
            raise InvalidEncoding(str(exc), item=item) from None


@dataclass(frozen=True, slots=True)
class EncryptedAnswer:
    choices: tuple[Ciphertext, ...]
    choice_proofs: tuple[DisjunctiveProof, ...]
    range_proof: DisjunctiveProof

    def to_json(self) -> dict[str, Any]:
        return {
            "choices": [
                {**ct.to_json(), "proof": proof.to_json()}
                for ct, proof in zip(self.choices, self.choice_proofs, strict=True)
            ],
            "range": self.range_proof.to_json(),
        }

    @staticmethod
    def from_json(obj: object, *, item: str) -> EncryptedAnswer:
        data = expect_object(obj, item=item)
        expect_keys(data, {"choices", "range"}, item=item)
        raw_choices = expect_list(data, "choices", item=item)
        if not 1 <= len(raw_choices) <= MAX_OPTIONS:
            raise InvalidEncoding(f"an answer has 1 to {MAX_OPTIONS} choices", item=item)
        choices = []
        proofs = []
        for k, raw in enumerate(raw_choices):
            where = f"{item}.choices[{k}]"
            choice = expect_object(raw, item=where)
            expect_keys(choice, {"alpha", "beta", "proof"}, item=where)
            choices.append(
                Ciphertext(
                    parse_point(choice["alpha"], item=f"{where}.alpha"),
                    parse_point(choice["beta"], item=f"{where}.beta"),
                )
            )
            proofs.append(
                DisjunctiveProof.from_json(choice["proof"], branches=2, item=f"{where}.proof")
            )
        return EncryptedAnswer(
            tuple(choices),
            tuple(proofs),
            DisjunctiveProof.from_json(data["range"], item=f"{item}.range"),
        )


@dataclass(frozen=True, slots=True)
class Ballot:
    election_id: str
    answers: tuple[EncryptedAnswer, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "v": BALLOT_VERSION,
            "election": self.election_id,
            "answers": [a.to_json() for a in self.answers],
        }

    @staticmethod
    def from_json(obj: object, *, item: str = "ballot") -> Ballot:
        """Parse (and check every point and scalar of) a ballot; proofs are checked by
        :func:`verify_ballot`."""
        try:
            data = expect_object(obj, item=item)
            expect_keys(data, {"v", "election", "answers"}, item=item)
            if expect_int(data, "v", item=item) != BALLOT_VERSION:
                raise InvalidEncoding(f"unsupported ballot version {data['v']}", item=item)
            return Ballot(
                expect_str(data, "election", item=item),
                tuple(
                    EncryptedAnswer.from_json(a, item=f"{item}.answers[{i}]")
                    for i, a in enumerate(expect_list(data, "answers", item=item))
                ),
            )
        except BallotInvalid:
            raise
        except CryptoError as exc:
            raise BallotInvalid(exc.reason, item=exc.item) from None

    def canonical(self) -> bytes:
        return canonical_json(self.to_json())

    def tracker(self) -> str:
        """The ballot tracker: base64url(BLAKE2b-256(canonical JSON of the ballot))."""
        return b64encode(hashlib.blake2b(self.canonical(), digest_size=32).digest())


@dataclass(frozen=True, slots=True)
class BallotSecrets:
    """What the voter's device keeps: the choices and the randomness (revealed on audit)."""

    selections: tuple[tuple[int, ...], ...]
    randomness: tuple[tuple[Scalar, ...], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "v": BALLOT_VERSION,
            "selections": [list(s) for s in self.selections],
            "randomness": [[r.encode() for r in rs] for rs in self.randomness],
        }

    @staticmethod
    def from_json(obj: object, *, item: str = "secrets") -> BallotSecrets:
        data = expect_object(obj, item=item)
        expect_keys(data, {"v", "selections", "randomness"}, item=item)
        if expect_int(data, "v", item=item) != BALLOT_VERSION:
            raise InvalidEncoding("unsupported ballot secrets version", item=item)
        selections = []
        for i, row in enumerate(expect_list(data, "selections", item=item)):
            if not isinstance(row, list) or any(
                not isinstance(m, int) or isinstance(m, bool) for m in row
            ):
                raise InvalidEncoding("selections are lists of integers", item=f"{item}[{i}]")
            selections.append(tuple(row))
        randomness = []
        for i, row in enumerate(expect_list(data, "randomness", item=item)):
            if not isinstance(row, list):
                raise InvalidEncoding("randomness is a list per question", item=f"{item}[{i}]")
            randomness.append(
                tuple(
                    parse_scalar(r, item=f"{item}.randomness[{i}][{k}]") for k, r in enumerate(row)
                )
            )
        return BallotSecrets(tuple(selections), tuple(randomness))


def parse_ballot(data: bytes) -> Ballot:
    """Parse a ballot as received: canonical JSON bytes (so its tracker is the hash of
    exactly these bytes), every point and scalar checked; proofs are not checked here."""
    try:
        obj = decode_canonical(data)
    except CanonicalError as exc:
        raise BallotInvalid(f"not canonical JSON: {exc}", item="ballot") from None
    return Ballot.from_json(obj)


def check_ballot(election: Election, data: bytes) -> Ballot:
    """What a node does with a ballot it receives: parse, then verify every proof.
    Raises :class:`BallotInvalid` naming the failing part (show it to the voter)."""
    ballot = parse_ballot(data)
    verify_ballot(election, ballot)
    return ballot


@dataclass(frozen=True, slots=True)
class BallotRejection:
    """Why the ballot at ``index`` of a batch was rejected."""

    index: int
    item: str
    reason: str


def _check_chunk(task: tuple[Election, int, Sequence[bytes]]) -> list[BallotRejection]:
    election, offset, wires = task
    rejected = []
    for i, wire in enumerate(wires):
        try:
            check_ballot(election, wire)
        except CryptoError as exc:
            rejected.append(BallotRejection(offset + i, exc.item, exc.reason))
    return rejected


def check_ballots(
    election: Election,
    wires: Sequence[bytes],
    *,
    processes: int | None = None,
    chunk: int = 2000,
) -> list[BallotRejection]:
    """Check many received ballots, spread over ``processes`` worker processes (default:
    all cores); returns the rejections in ballot order (empty when all are valid)."""
    workers = processes if processes is not None else (os.cpu_count() or 1)
    tasks = [(election, i, wires[i : i + chunk]) for i in range(0, len(wires), chunk)]
    if workers <= 1 or len(tasks) <= 1:
        results = [_check_chunk(task) for task in tasks]
    else:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_check_chunk, tasks))
    return [rejection for part in results for rejection in part]


def _check_selections(election: Election, selections: Sequence[Sequence[int]]) -> None:
    if len(selections) != len(election.questions):
        raise ValueError(f"answer all {len(election.questions)} questions")
    for i, (question, marks) in enumerate(zip(election.questions, selections, strict=True)):
        if len(marks) != question.options or any(m not in BIT_VALUES for m in marks):
            raise ValueError(f"question {i}: mark each of {question.options} options 0 or 1")
        if sum(marks) not in question.allowed_totals:
            raise ValueError(
                f"question {i}: mark between {question.min_selections} and "
                f"{question.max_selections} options"
            )


def encrypt_ballot(
    election: Election,
    selections: Sequence[Sequence[int]],
    rng: ScalarSource = random_scalar,
) -> tuple[Ballot, BallotSecrets]:
    """Encrypt a voter's marks (per question, 0 or 1 per option) with all proofs."""
    _check_selections(election, selections)
    key = election.public_key
    eid = election.election_id
    answers = []
    randomness = []
    for i, (question, marks) in enumerate(zip(election.questions, selections, strict=True)):
        rs = []
        choices = []
        proofs = []
        for k, m in enumerate(marks):
            r = rng()
            while r.is_zero():  # alpha = 0*G would be the identity, which verifiers reject
                r = rng()
            ct = encrypt(key, m, r)
            rs.append(r)
            choices.append(ct)
            proofs.append(
                prove_encrypts_one_of(
                    Binding(DOMAIN_BIT, eid, key, (i, k)), ct, BIT_VALUES, m, r, rng=rng
                )
            )
        total_r = Scalar(bytes(32))
        for r in rs:
            total_r = total_r + r
        range_proof = prove_encrypts_one_of(
            Binding(DOMAIN_RANGE, eid, key, (i,)),
            homomorphic_sum(choices),
            question.allowed_totals,
            sum(marks),
            total_r,
            rng=rng,
        )
        answers.append(EncryptedAnswer(tuple(choices), tuple(proofs), range_proof))
        randomness.append(tuple(rs))
    return (
        Ballot(eid, tuple(answers)),
        BallotSecrets(tuple(tuple(m) for m in selections), tuple(randomness)),
    )


def verify_ballot(election: Election, ballot: Ballot) -> None:
    """Check a parsed ballot against the election; :class:`BallotInvalid` names the part.

    Cost for a question of k options and a range of w allowed totals:
    k*(6 variable-base + 2 fixed-base) + w*(3 variable + 1 fixed) multiplications,
    plus the 2k subgroup checks done when the ballot was parsed.
    """
    if ballot.election_id != election.election_id:
        raise BallotInvalid("the ballot is for another election", item="ballot.election")
    if len(ballot.answers) != len(election.questions):
        raise BallotInvalid(
            f"expected answers to {len(election.questions)} questions", item="ballot.answers"
        )
    key = election.public_key
    eid = election.election_id
    for i, (question, answer) in enumerate(zip(election.questions, ballot.answers, strict=True)):
        where = f"ballot.answers[{i}]"
        if len(answer.choices) != question.options:
            raise BallotInvalid(f"expected {question.options} choices", item=f"{where}.choices")
        try:
            for k, (ct, proof) in enumerate(zip(answer.choices, answer.choice_proofs, strict=True)):
                verify_encrypts_one_of(
                    Binding(DOMAIN_BIT, eid, key, (i, k)),
                    ct,
                    BIT_VALUES,
                    proof,
                    item=f"{where}.choices[{k}].proof",
                )
            verify_encrypts_one_of(
                Binding(DOMAIN_RANGE, eid, key, (i,)),
                homomorphic_sum(answer.choices),
                question.allowed_totals,
                answer.range_proof,
                item=f"{where}.range",
            )
        except CryptoError as exc:
            raise BallotInvalid(exc.reason, item=exc.item) from None


def audit_ballot(election: Election, ballot: Ballot, secrets: BallotSecrets) -> None:
    """Benaloh audit: the revealed randomness must re-encrypt the claimed selections to
    exactly the ballot's ciphertexts (and the ballot's proofs must hold)."""
    try:
        _check_selections(election, secrets.selections)
    except ValueError as exc:
        raise AuditFailed(str(exc), item="secrets.selections") from None
    verify_ballot(election, ballot)
    for i, (answer, marks, rs) in enumerate(
        zip(ballot.answers, secrets.selections, secrets.randomness, strict=True)
    ):
        if len(rs) != len(marks):
            raise AuditFailed("one randomness per option", item=f"secrets.randomness[{i}]")
        for k, (ct, m, r) in enumerate(zip(answer.choices, marks, rs, strict=True)):
            if encrypt(election.public_key, m, r) != ct:
                raise AuditFailed(
                    f"option {k} does not encrypt the claimed mark {m}: "
                    "the device encrypted something else — do not cast with it",
                    item=f"ballot.answers[{i}].choices[{k}]",
                )
