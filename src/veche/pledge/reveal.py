# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""Revealing only whether a pledge reached its target (format pledge-v1 §7).

After the close the encrypted total C = Enc(T) is fixed. For k = 1..needed the
**difference list** holds D_k = C − Enc(needed − k; 0) = (C.alpha, C.beta −
(needed − k)G), an encryption of T − needed + k: 0 exactly when T = needed − k,
that is for one k iff the target was *not* reached.

Each **round** (``pledge.blind``, a trustee's) takes the previous round's list
(the first takes the difference list), raises each element to a fresh secret
non-zero exponent b_i (both components: Y_i = b_i X_i, with a proof that
log_{X.alpha} Y.alpha = log_{X.beta} Y.beta), then re-encrypts and shuffles the
blinded list with a Terelius–Wikström proof (``veche.crypto.shuffle``). Blinding
keeps 0 at 0 and sends any other plaintext to a uniformly random one; the
shuffle hides which k it was. At least ``threshold`` rounds by distinct trustees
come before any decryption, so one honest blinding trustee among them hides T.
Then each trustee publishes a partial decryption of every element of the final
list (``pledge.decrypt``, Chaum–Pedersen proofs as election-v1 §8), and
``pledge.result`` states ``crossed``: true iff no element decrypts to the
identity.

An event carries at most 64 KiB, so a round and a decryption travel in **parts**
of at most :data:`PART` elements; a round's shuffle proof is checked when its
last part arrives (each part's blinding proofs when that part arrives).

This module is pure: the trustees' computations, the wire bodies, the state the
rules keep, and the rules' checks (raising ``RuleViolation``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from veche.crypto.elgamal import Ciphertext
from veche.crypto.encoding import b64decode
from veche.crypto.errors import CryptoError
from veche.crypto.group import (
    IDENTITY,
    Point,
    Scalar,
    ScalarSource,
    base_mul,
    hash_to_scalar,
    parse_point,
    parse_scalar,
    random_scalar,
    small_multiple,
)
from veche.crypto.proofs import (
    Binding,
    ChaumPedersenProof,
    prove_chaum_pedersen,
    verify_chaum_pedersen,
)
from veche.crypto.shuffle import DOMAIN_SHUFFLE, ShuffleProof, shuffle, verify_shuffle
from veche.crypto.threshold import ElectionKey, lagrange_at_zero
from veche.events.registry import RuleViolation
from veche.events.schema import Int, List, Obj, Schema, Str
from veche.pledge.spec import MAX_REVEAL

__all__ = [
    "BLIND_BODY",
    "BLIND_KIND",
    "DECRYPT_BODY",
    "DECRYPT_KIND",
    "DOMAIN_BLIND",
    "DOMAIN_REVEAL_DECRYPT",
    "MAX_REVEAL",
    "PART",
    "BlindRound",
    "RevealState",
    "blind_round",
    "closed_total",
    "crossed_of",
    "decrypt_bodies",
    "differences",
    "judge_blind",
    "judge_decrypt",
    "round_bodies",
]

BLIND_KIND = "pledge.blind"
DECRYPT_KIND = "pledge.decrypt"
DOMAIN_BLIND = "veche/pledge-v1/blind"
DOMAIN_REVEAL_DECRYPT = "veche/pledge-v1/reveal-decrypt"

#: Elements per part: a round's part is about 46 KB of canonical JSON, below 64 KiB.
PART = 100

_B64 = Str(min_length=43, max_length=43, pattern=r"[A-Za-z0-9_-]{43}")
_CT = Obj(required={"alpha": _B64, "beta": _B64})
_CP = Obj(required={"c": _B64, "v": _B64})


def _items(schema: Schema) -> List:
    return List(schema, min_length=1, max_length=PART)


BLIND_BODY = Obj(
    required={
        "round": Int(1, 15),
        "part": Int(0, MAX_REVEAL // PART),
        "parts": Int(1, MAX_REVEAL // PART),
        "blinded": _items(_CT),
        "dleq": _items(_CP),
        "shuffled": _items(_CT),
        "commitments": _items(_B64),
        "chain": _items(_B64),
        "s_hat": _items(_B64),
        "s_prime": _items(_B64),
    },
    # The shuffle proof's challenge and its four responses: in the last part only.
    optional={"c": _B64, "s": List(_B64, min_length=4, max_length=4)},
)

DECRYPT_BODY = Obj(
    required={
        "part": Int(0, MAX_REVEAL // PART),
        "parts": Int(1, MAX_REVEAL // PART),
        "factors": _items(_B64),
        "proofs": _items(_CP),
    }
)


def parts_of(size: int) -> int:
    return -(-size // PART)


# -- the computations --------------------------------------------------------------------------


def closed_total(tally: Sequence[Ciphertext], key: Point) -> Ciphertext:
    """The encrypted total the close fixed; with no pledge counted (an empty tally),
    Enc(0; 1) = (G, K), as election-v1 §12.8 adds to an identity sum."""
    return tally[0] if tally else Ciphertext(base_mul(Scalar.from_int(1)), key)


def differences(total: Ciphertext, needed: int) -> list[Ciphertext]:
    """D_k = C − Enc(needed − k; 0) for k = 1..needed (position k − 1)."""
    return [
        Ciphertext(total.alpha, total.beta - small_multiple(needed - k))
        for k in range(1, needed + 1)
    ]


def _blind_binding(pledge_id: str, key: Point, round_no: int, trustee: int, i: int) -> Binding:
    return Binding(DOMAIN_BLIND, pledge_id, key, (round_no, trustee, i))


def _shuffle_binding(pledge_id: str, key: Point, round_no: int, trustee: int) -> Binding:
    return Binding(DOMAIN_SHUFFLE, pledge_id, key, ("pledge.blind", round_no, trustee))


def _dleq_hash(binding: Binding, x: Ciphertext, y: Ciphertext, a: Point, b: Point) -> Scalar:
    return hash_to_scalar([*binding.prefix(), x.alpha, x.beta, y.alpha, y.beta, a, b])


def prove_equal_exponent(
    binding: Binding, x: Ciphertext, y: Ciphertext, exponent: Scalar, rng: ScalarSource
) -> ChaumPedersenProof:
    """Prove y = exponent·x on both components (log_{x.alpha} y.alpha = log_{x.beta} y.beta)."""
    nonce = rng()
    c = _dleq_hash(binding, x, y, x.alpha * nonce, x.beta * nonce)
    return ChaumPedersenProof(c, nonce + c * exponent)


def verify_equal_exponent(
    binding: Binding, x: Ciphertext, y: Ciphertext, proof: ChaumPedersenProof
) -> bool:
    c, v = proof.challenge, proof.response
    a = x.alpha * v - y.alpha * c
    b = x.beta * v - y.beta * c
    return _dleq_hash(binding, x, y, a, b) == c


@dataclass(frozen=True, slots=True)
class BlindRound:
    """A trustee's whole round: the blinded list with its proofs, the shuffled list, the proof."""

    round_no: int
    trustee: int
    blinded: tuple[Ciphertext, ...]
    dleq: tuple[ChaumPedersenProof, ...]
    shuffled: tuple[Ciphertext, ...]
    proof: ShuffleProof


def blind_round(
    pledge_id: str,
    key: Point,
    round_no: int,
    trustee: int,
    inputs: Sequence[Ciphertext],
    *,
    rng: ScalarSource = random_scalar,
) -> BlindRound:
    """Trustee ``trustee``'s round ``round_no`` on ``inputs`` (the previous round's list)."""
    blinded = []
    proofs = []
    for i, x in enumerate(inputs):
        exponent = rng()
        while exponent.is_zero():  # pragma: no cover - probability 2^-252
            exponent = rng()
        y = Ciphertext(x.alpha * exponent, x.beta * exponent)
        blinded.append(y)
        proofs.append(
            prove_equal_exponent(
                _blind_binding(pledge_id, key, round_no, trustee, i), x, y, exponent, rng
            )
        )
    shuffled, proof = shuffle(_shuffle_binding(pledge_id, key, round_no, trustee), blinded, rng=rng)
    return BlindRound(round_no, trustee, tuple(blinded), tuple(proofs), tuple(shuffled), proof)


def round_bodies(blinding: BlindRound) -> list[dict[str, Any]]:
    """The round's ``pledge.blind`` bodies, part by part."""
    size = len(blinding.blinded)
    parts = parts_of(size)
    p = blinding.proof
    bodies = []
    for part in range(parts):
        window = slice(part * PART, (part + 1) * PART)
        body: dict[str, Any] = {
            "round": blinding.round_no,
            "part": part,
            "parts": parts,
            "blinded": [ct.to_json() for ct in blinding.blinded[window]],
            "dleq": [d.to_json() for d in blinding.dleq[window]],
            "shuffled": [ct.to_json() for ct in blinding.shuffled[window]],
            "commitments": [x.encode() for x in p.commitments[window]],
            "chain": [x.encode() for x in p.chain[window]],
            "s_hat": [x.encode() for x in p.s_hat[window]],
            "s_prime": [x.encode() for x in p.s_prime[window]],
        }
        if part == parts - 1:
            body["c"] = p.challenge.encode()
            body["s"] = [x.encode() for x in p.s]
        bodies.append(body)
    return bodies


def decrypt_bodies(
    pledge_id: str,
    key: ElectionKey,
    trustee: int,
    secret: Scalar,
    final: Sequence[Ciphertext],
    *,
    rng: ScalarSource = random_scalar,
) -> list[dict[str, Any]]:
    """Trustee ``trustee``'s ``pledge.decrypt`` bodies: x_j·alpha of every final element."""
    verification_key = key.verification_keys[trustee - 1]
    parts = parts_of(len(final))
    bodies = []
    for part in range(parts):
        factors = []
        proofs = []
        for i in range(part * PART, min((part + 1) * PART, len(final))):
            factor = final[i].alpha * secret
            factors.append(factor.encode())
            proofs.append(
                prove_chaum_pedersen(
                    _decrypt_binding(pledge_id, key.public_key, trustee, i),
                    (verification_key, final[i].alpha, factor),
                    secret,
                    rng=rng,
                ).to_json()
            )
        bodies.append({"part": part, "parts": parts, "factors": factors, "proofs": proofs})
    return bodies


def _decrypt_binding(pledge_id: str, key: Point, trustee: int, i: int) -> Binding:
    return Binding(DOMAIN_REVEAL_DECRYPT, pledge_id, key, (trustee, i))


# -- the state the rules keep --------------------------------------------------------------------


def _point(text: str) -> Point:
    # Only for what the state stored after its rule verified it.
    return Point(b64decode(text, length=32))


def _ct_from(obj: dict[str, str]) -> Ciphertext:
    return Ciphertext(_point(obj["alpha"]), _point(obj["beta"]))


@dataclass
class PendingRound:
    """A round whose parts are arriving: what the shuffle proof needs at its last part."""

    trustee: int
    round_no: int
    parts: int
    blinded: list[Ciphertext] = field(default_factory=list)
    shuffled: list[Ciphertext] = field(default_factory=list)
    commitments: list[Point] = field(default_factory=list)
    chain: list[Point] = field(default_factory=list)
    s_hat: list[Scalar] = field(default_factory=list)
    s_prime: list[Scalar] = field(default_factory=list)
    received: int = 0


def _pending_json(pending: PendingRound) -> dict[str, Any]:
    return {
        "trustee": pending.trustee,
        "round": pending.round_no,
        "parts": pending.parts,
        "received": pending.received,
        "blinded": [ct.to_json() for ct in pending.blinded],
        "shuffled": [ct.to_json() for ct in pending.shuffled],
        "commitments": [x.encode() for x in pending.commitments],
        "chain": [x.encode() for x in pending.chain],
        "s_hat": [x.encode() for x in pending.s_hat],
        "s_prime": [x.encode() for x in pending.s_prime],
    }


def _pending_from(raw: dict[str, Any]) -> PendingRound:
    return PendingRound(
        trustee=raw["trustee"],
        round_no=raw["round"],
        parts=raw["parts"],
        received=raw["received"],
        blinded=[_ct_from(ct) for ct in raw["blinded"]],
        shuffled=[_ct_from(ct) for ct in raw["shuffled"]],
        commitments=[_point(x) for x in raw["commitments"]],
        chain=[_point(x) for x in raw["chain"]],
        s_hat=[Scalar(b64decode(x, length=32)) for x in raw["s_hat"]],
        s_prime=[Scalar(b64decode(x, length=32)) for x in raw["s_prime"]],
    )


@dataclass
class RevealState:
    """Completed rounds (trustee, output list), the rounds under way (by trustee, all on
    the current list), partial decryptions of the final list (trustee → part → factors)."""

    rounds: list[tuple[int, tuple[Ciphertext, ...]]] = field(default_factory=list)
    pending: dict[int, PendingRound] = field(default_factory=dict)
    partials: dict[int, dict[int, tuple[Point, ...]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "rounds": [
                {"trustee": t, "list": [ct.to_json() for ct in lst]} for t, lst in self.rounds
            ],
            "pending": [_pending_json(self.pending[t]) for t in sorted(self.pending)],
            "partials": {
                str(t): {str(p): [f.encode() for f in fs] for p, fs in parts.items()}
                for t, parts in self.partials.items()
            },
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> RevealState:
        state = RevealState()
        if not data:
            return state
        state.rounds = [
            (r["trustee"], tuple(_ct_from(ct) for ct in r["list"])) for r in data["rounds"]
        ]
        raw = data.get("pending")
        # A list of rounds under way; a state stored before they ran side by side holds
        # one round or None.
        for one in [] if raw is None else [raw] if isinstance(raw, dict) else raw:
            pending = _pending_from(one)
            state.pending[pending.trustee] = pending
        state.partials = {
            int(t): {int(p): tuple(_point(f) for f in fs) for p, fs in parts.items()}
            for t, parts in data["partials"].items()
        }
        return state

    def current(self, total: Ciphertext, needed: int) -> list[Ciphertext]:
        """The list the next round takes (the last round's output, else the differences)."""
        if self.rounds:
            return list(self.rounds[-1][1])
        return differences(total, needed)

    def complete(self, trustee: int, size: int) -> bool:
        return len(self.partials.get(trustee, {})) == parts_of(size)


# -- the rules ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    """What the rules of §7 read from the pledge."""

    pledge_id: str
    key: ElectionKey
    threshold: int
    needed: int
    total: Ciphertext


def _parse_cts(raw: list[dict[str, str]], item: str) -> list[Ciphertext]:
    return [Ciphertext.from_json(ct, item=f"{item}[{i}]") for i, ct in enumerate(raw)]


def _window(part: int, size: int) -> range:
    return range(part * PART, min((part + 1) * PART, size))


def judge_blind(
    ctx: Context, reveal: RevealState, trustee: int, body: dict[str, Any]
) -> PendingRound:
    """Judge a ``pledge.blind`` part; return the round under way with this part added
    (the caller's apply keeps it, and completes the round at its last part)."""
    if reveal.partials:
        raise RuleViolation(
            "blind-after-decrypt",
            "the final list is being decrypted: no more blinding rounds",
            "kind",
        )
    if any(t == trustee for t, _ in reveal.rounds):
        raise RuleViolation("blind-once", "this trustee has blinded already", "author")
    expected_round = len(reveal.rounds) + 1
    if body["round"] != expected_round:
        raise RuleViolation(
            "round", "this is round %(round)d" % {"round": expected_round}, "body.round"
        )
    inputs = reveal.current(ctx.total, ctx.needed)
    size = len(inputs)
    parts = parts_of(size)
    if body["parts"] != parts:
        raise RuleViolation(
            "parts", "a round of this pledge has %(parts)d parts" % {"parts": parts}, "body.parts"
        )
    part = body["part"]
    pending = reveal.pending.get(trustee)
    if part == 0:
        # A first part starts this trustee's round, or restarts it (dropping its own
        # incomplete attempt, which has had no effect). Other trustees' rounds under way
        # are left alone: one trustee must not be able to stall another's.
        pending = PendingRound(trustee, expected_round, parts)
    elif pending is None or pending.received != part:
        expected = 0 if pending is None else pending.received
        raise RuleViolation(
            "part", "part %(part)d of this round comes next" % {"part": expected}, "body.part"
        )
    else:
        pending = PendingRound(
            pending.trustee,
            pending.round_no,
            pending.parts,
            list(pending.blinded),
            list(pending.shuffled),
            list(pending.commitments),
            list(pending.chain),
            list(pending.s_hat),
            list(pending.s_prime),
            pending.received,
        )
    window = _window(part, size)
    for name in ("blinded", "dleq", "shuffled", "commitments", "chain", "s_hat", "s_prime"):
        if len(body[name]) != len(window):
            raise RuleViolation(
                "part-size",
                "this part holds %(n)d elements" % {"n": len(window)},
                f"body.{name}",
            )
    last = part == parts - 1
    if last != ("c" in body and "s" in body) or ("c" in body) != ("s" in body):
        raise RuleViolation(
            "part", "the last part, and only it, carries the proof's c and s", "body"
        )
    try:
        blinded = _parse_cts(body["blinded"], "body.blinded")
        shuffled = _parse_cts(body["shuffled"], "body.shuffled")
        dleq = [
            ChaumPedersenProof.from_json(d, item=f"body.dleq[{i}]")
            for i, d in enumerate(body["dleq"])
        ]
        commitments = [
            parse_point(x, item=f"body.commitments[{i}]") for i, x in enumerate(body["commitments"])
        ]
        chain = [parse_point(x, item=f"body.chain[{i}]") for i, x in enumerate(body["chain"])]
        s_hat = [parse_scalar(x, item=f"body.s_hat[{i}]") for i, x in enumerate(body["s_hat"])]
        s_prime = [
            parse_scalar(x, item=f"body.s_prime[{i}]") for i, x in enumerate(body["s_prime"])
        ]
    except CryptoError as exc:
        raise RuleViolation("blind", exc.reason, exc.item or "body") from None
    key = ctx.key.public_key
    for offset, i in enumerate(window):
        binding = _blind_binding(ctx.pledge_id, key, expected_round, trustee, i)
        if not verify_equal_exponent(binding, inputs[i], blinded[offset], dleq[offset]):
            raise RuleViolation(
                "blind",
                "element %(i)d is not the round's input raised to one exponent" % {"i": i},
                f"body.dleq[{offset}]",
            )
    pending.blinded += blinded
    pending.shuffled += shuffled
    pending.commitments += commitments
    pending.chain += chain
    pending.s_hat += s_hat
    pending.s_prime += s_prime
    pending.received += 1
    if last:
        try:
            c = parse_scalar(body["c"], item="body.c")
            s = [parse_scalar(x, item=f"body.s[{i}]") for i, x in enumerate(body["s"])]
        except CryptoError as exc:
            raise RuleViolation("blind", exc.reason, exc.item or "body") from None
        proof = ShuffleProof(
            tuple(pending.commitments),
            tuple(pending.chain),
            c,
            (s[0], s[1], s[2], s[3]),
            tuple(pending.s_hat),
            tuple(pending.s_prime),
        )
        try:
            verify_shuffle(
                _shuffle_binding(ctx.pledge_id, key, expected_round, trustee),
                pending.blinded,
                pending.shuffled,
                proof,
            )
        except CryptoError:
            raise RuleViolation(
                "shuffle",
                "the proof of shuffle does not verify: the round's output is not "
                "its blinded list re-encrypted and reordered",
                "body",
            ) from None
    return pending


def apply_blind(reveal: RevealState, pending: PendingRound) -> None:
    if pending.received == pending.parts:
        reveal.rounds.append((pending.trustee, tuple(pending.shuffled)))
        # Every other round under way was computed on the list this one replaced.
        reveal.pending = {}
    else:
        reveal.pending[pending.trustee] = pending


def judge_decrypt(
    ctx: Context, reveal: RevealState, trustee: int, body: dict[str, Any]
) -> tuple[int, tuple[Point, ...]]:
    """Judge a ``pledge.decrypt`` part; return (part, factors) to apply."""
    if len(reveal.rounds) < ctx.threshold:
        raise RuleViolation(
            "rounds",
            "%(have)d of the %(needed)d blinding rounds are done: decrypting comes after them"
            % {"have": len(reveal.rounds), "needed": ctx.threshold},
            "kind",
        )
    final = reveal.rounds[-1][1]
    size = len(final)
    parts = parts_of(size)
    if body["parts"] != parts:
        raise RuleViolation(
            "parts", "a round of this pledge has %(parts)d parts" % {"parts": parts}, "body.parts"
        )
    received = reveal.partials.get(trustee, {})
    if body["part"] != len(received):
        if len(received) == parts:
            raise RuleViolation("decrypt-once", "this trustee has decrypted already", "author")
        raise RuleViolation(
            "part",
            "part %(part)d of this decryption comes next" % {"part": len(received)},
            "body.part",
        )
    window = _window(body["part"], size)
    for name in ("factors", "proofs"):
        if len(body[name]) != len(window):
            raise RuleViolation(
                "part-size", "this part holds %(n)d elements" % {"n": len(window)}, f"body.{name}"
            )
    verification_key = ctx.key.verification_keys[trustee - 1]
    factors = []
    for offset, i in enumerate(window):
        try:
            factor = parse_point(body["factors"][offset], item=f"body.factors[{offset}]")
            proof = ChaumPedersenProof.from_json(
                body["proofs"][offset], item=f"body.proofs[{offset}]"
            )
            verify_chaum_pedersen(
                _decrypt_binding(ctx.pledge_id, ctx.key.public_key, trustee, i),
                (verification_key, final[i].alpha, factor),
                proof,
                item=f"body.proofs[{offset}]",
            )
        except CryptoError as exc:
            raise RuleViolation("partial-decryption", exc.reason, exc.item or "body") from None
        factors.append(factor)
    return body["part"], tuple(factors)


def apply_decrypt(reveal: RevealState, trustee: int, part: int, factors: tuple[Point, ...]) -> None:
    reveal.partials.setdefault(trustee, {})[part] = factors


def crossed_of(ctx: Context, reveal: RevealState) -> bool:
    """Combine the partial decryptions of the final list: crossed iff no element is 0."""
    if len(reveal.rounds) < ctx.threshold:
        raise RuleViolation(
            "rounds",
            "%(have)d of the %(needed)d blinding rounds are done: decrypting comes after them"
            % {"have": len(reveal.rounds), "needed": ctx.threshold},
            "kind",
        )
    final = reveal.rounds[-1][1]
    complete = sorted(t for t in reveal.partials if reveal.complete(t, len(final)))
    if len(complete) < ctx.threshold:
        raise RuleViolation(
            "threshold",
            "%(have)d of the %(needed)s partial decryptions needed"
            % {"have": len(complete), "needed": ctx.threshold},
            "space",
        )
    subset = complete[: ctx.threshold]
    lambdas = lagrange_at_zero(subset)
    for i, ct in enumerate(final):
        blinding = IDENTITY
        for j, lam in zip(subset, lambdas, strict=True):
            blinding = blinding + reveal.partials[j][i // PART][i % PART] * lam
        if (ct.beta - blinding).is_identity():
            return False
    return True
