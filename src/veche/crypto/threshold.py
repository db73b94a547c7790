"""Threshold election keys: n trustees, any t of whom can decrypt the tally.

The ceremony is Pedersen's distributed key generation built from Feldman VSS.
Trustee i (indices 1..n) picks a random polynomial f_i of degree t-1, publishes
a :class:`Dealing`: the commitments C_ik = a_ik*G to its coefficients, a Schnorr
proof of knowledge for each (so no trustee can choose its commitment as a
function of the others' and bias the key), and for every trustee j the share
f_i(j) in a sealed box (X25519) to j's box key. Trustee j opens its boxes and
checks f_i(j)*G = sum_k j^k C_ik; a share that fails names its dealer.
The election key is K = sum_i C_i0; trustee j's secret is x_j = sum_i f_i(j)
and its public verification key X_j = x_j*G is computable by anyone from the
commitments. A partial decryption D = x_j*alpha comes with a Chaum–Pedersen
proof against X_j; any t of them combine with Lagrange coefficients at 0.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from veche.crypto.dlog import discrete_log
from veche.crypto.elgamal import Ciphertext
from veche.crypto.encoding import (
    b64decode,
    b64encode,
    canonical_json,
    expect_int,
    expect_keys,
    expect_list,
    expect_object,
    expect_str,
)
from veche.crypto.errors import (
    CryptoError,
    DecryptionInvalid,
    InvalidEncoding,
    ShareInvalid,
)
from veche.crypto.group import (
    IDENTITY,
    L,
    Point,
    Scalar,
    ScalarSource,
    base_mul,
    parse_point,
    parse_scalar,
    random_scalar,
)
from veche.crypto.proofs import (
    DOMAIN_COEFFICIENT,
    DOMAIN_DECRYPT,
    Binding,
    ChaumPedersenProof,
    SchnorrProof,
    prove_chaum_pedersen,
    prove_schnorr,
    verify_chaum_pedersen,
    verify_schnorr,
)

__all__ = [
    "Dealing",
    "ElectionKey",
    "PartialDecryption",
    "combine_partial_decryptions",
    "deal",
    "election_key_from_dealings",
    "lagrange_at_zero",
    "open_share",
    "partial_decrypt",
    "trustee_secret",
    "verify_dealing",
    "verify_partial_decryption",
]

FORMAT_VERSION = 1


def _power(index: int, k: int) -> Scalar:
    return Scalar.from_int(pow(index, k, L))


def _sum_points(points: Sequence[Point]) -> Point:
    total = IDENTITY
    for p in points:
        total = total + p
    return total


def _commitment_at(commitments: Sequence[Point], index: int) -> Point:
    """sum_k index^k * C_k: what f(index)*G must equal."""
    total = IDENTITY
    for k, c in enumerate(commitments):
        total = total + c * _power(index, k)
    return total


@dataclass(frozen=True, slots=True)
class Dealing:
    """One trustee's public contribution to the key ceremony."""

    election_id: str
    dealer: int
    commitments: tuple[Point, ...]
    proofs: tuple[SchnorrProof, ...]
    boxes: tuple[bytes, ...]  # boxes[j-1] is sealed to trustee j

    def to_json(self) -> dict[str, Any]:
        return {
            "v": FORMAT_VERSION,
            "election": self.election_id,
            "dealer": self.dealer,
            "commitments": [c.encode() for c in self.commitments],
            "proofs": [p.to_json() for p in self.proofs],
            "boxes": [b64encode(b) for b in self.boxes],
        }

    @staticmethod
    def from_json(obj: object, *, item: str = "dealing") -> Dealing:
        data = expect_object(obj, item=item)
        expect_keys(data, {"v", "election", "dealer", "commitments", "proofs", "boxes"}, item=item)
        if expect_int(data, "v", item=item) != FORMAT_VERSION:
            raise InvalidEncoding("unsupported dealing version", item=item)
        commitments = expect_list(data, "commitments", item=item)
        return Dealing(
            election_id=expect_str(data, "election", item=item),
            dealer=expect_int(data, "dealer", item=item),
            commitments=tuple(
                parse_point(c, item=f"{item}.commitments[{k}]") for k, c in enumerate(commitments)
            ),
            proofs=tuple(
                SchnorrProof.from_json(p, item=f"{item}.proofs[{k}]")
                for k, p in enumerate(expect_list(data, "proofs", item=item))
            ),
            boxes=tuple(
                b64decode(b, item=f"{item}.boxes[{k}]")
                for k, b in enumerate(expect_list(data, "boxes", item=item))
            ),
        )


def _share_payload(election_id: str, dealer: int, recipient: int, share: Scalar) -> bytes:
    return canonical_json(
        {
            "v": FORMAT_VERSION,
            "election": election_id,
            "dealer": dealer,
            "recipient": recipient,
            "share": share.encode(),
        }
    )


def deal(
    election_id: str,
    dealer: int,
    threshold: int,
    box_keys: Sequence[bytes],
    rng: ScalarSource = random_scalar,
) -> Dealing:
    """Trustee ``dealer`` deals shares to the trustees whose X25519 keys are ``box_keys``
    (trustee j's key at position j-1; the dealer's own share is boxed to itself too)."""
    n = len(box_keys)
    if not 1 <= threshold <= n:
        raise ValueError(f"threshold must be between 1 and {n} trustees")
    if not 1 <= dealer <= n:
        raise ValueError(f"dealer index must be between 1 and {n}")
    coefficients: list[Scalar] = []
    while len(coefficients) < threshold:
        a = rng()
        if not a.is_zero():  # a zero coefficient would commit to the identity
            coefficients.append(a)
    commitments = tuple(base_mul(a) for a in coefficients)
    proofs = tuple(
        prove_schnorr(Binding(DOMAIN_COEFFICIENT, election_id, None, (dealer, k)), c, a, rng=rng)
        for k, (c, a) in enumerate(zip(commitments, coefficients, strict=True))
    )
    boxes = []
    for j, box_key in enumerate(box_keys, start=1):
        share = Scalar(bytes(32))
        for k, a in enumerate(coefficients):
            share = share + a * _power(j, k)
        payload = _share_payload(election_id, dealer, j, share)
        boxes.append(SealedBox(PublicKey(box_key)).encrypt(payload))
    return Dealing(election_id, dealer, commitments, proofs, tuple(boxes))


def verify_dealing(dealing: Dealing, election_id: str, trustees: int, threshold: int) -> None:
    """The public checks anyone can run: shape and proofs of knowledge; names the dealer."""
    dealer = dealing.dealer
    item = f"dealings[{dealer}]"
    if dealing.election_id != election_id:
        raise ShareInvalid("dealing is for another election", dealer=dealer, item=item)
    if len(dealing.commitments) != threshold or len(dealing.proofs) != threshold:
        raise ShareInvalid(f"expected {threshold} commitments", dealer=dealer, item=item)
    if len(dealing.boxes) != trustees:
        raise ShareInvalid(f"expected {trustees} sealed shares", dealer=dealer, item=item)
    for k, (c, proof) in enumerate(zip(dealing.commitments, dealing.proofs, strict=True)):
        try:
            verify_schnorr(
                Binding(DOMAIN_COEFFICIENT, election_id, None, (dealer, k)),
                c,
                proof,
                item=f"{item}.proofs[{k}]",
            )
        except CryptoError as exc:
            raise ShareInvalid(exc.reason, dealer=dealer, item=f"{item}.proofs[{k}]") from None


def open_share(dealing: Dealing, recipient: int, box_key: PrivateKey) -> Scalar:
    """Trustee ``recipient`` opens and checks its share from ``dealing``; a bad one names
    the dealer (publish that name: the ceremony restarts without that trustee)."""
    dealer = dealing.dealer
    item = f"dealings[{dealer}].boxes[{recipient - 1}]"
    if not 1 <= recipient <= len(dealing.boxes):
        raise ShareInvalid("no share for this trustee", dealer=dealer, item=item)
    try:
        payload = SealedBox(box_key).decrypt(dealing.boxes[recipient - 1])
    except NaclCryptoError:
        raise ShareInvalid("the sealed share does not open", dealer=dealer, item=item) from None
    try:
        data = expect_object(json.loads(payload), item=item)
        expect_keys(data, {"v", "election", "dealer", "recipient", "share"}, item=item)
        share = parse_scalar(data["share"], item=f"{item}.share")
        if (
            data["v"] != FORMAT_VERSION
            or data["election"] != dealing.election_id
            or data["dealer"] != dealer
            or data["recipient"] != recipient
        ):
            raise InvalidEncoding("the share names another election, dealer or recipient")
    except (CryptoError, ValueError) as exc:
        reason = exc.reason if isinstance(exc, CryptoError) else str(exc)
        raise ShareInvalid(reason, dealer=dealer, item=item) from None
    if base_mul(share) != _commitment_at(dealing.commitments, recipient):
        raise ShareInvalid(
            "the share does not match the dealer's published commitments",
            dealer=dealer,
            item=item,
        )
    return share


def trustee_secret(shares: Sequence[Scalar]) -> Scalar:
    """Trustee j's decryption share x_j: the sum of the shares every dealer sent it."""
    total = Scalar(bytes(32))
    for s in shares:
        total = total + s
    return total


@dataclass(frozen=True, slots=True)
class ElectionKey:
    """The public outcome of the ceremony: election key and each trustee's verification key."""

    election_id: str
    threshold: int
    public_key: Point
    verification_keys: tuple[Point, ...]  # trustee j's at position j-1

    @property
    def trustees(self) -> int:
        return len(self.verification_keys)

    def to_json(self) -> dict[str, Any]:
        return {
            "v": FORMAT_VERSION,
            "election": self.election_id,
            "threshold": self.threshold,
            "public_key": self.public_key.encode(),
            "verification_keys": [k.encode() for k in self.verification_keys],
        }

    @staticmethod
    def from_json(obj: object, *, item: str = "election_key") -> ElectionKey:
        data = expect_object(obj, item=item)
        expect_keys(
            data, {"v", "election", "threshold", "public_key", "verification_keys"}, item=item
        )
        if expect_int(data, "v", item=item) != FORMAT_VERSION:
            raise InvalidEncoding("unsupported election key version", item=item)
        keys = expect_list(data, "verification_keys", item=item)
        threshold = expect_int(data, "threshold", item=item)
        if not 1 <= threshold <= len(keys):
            raise InvalidEncoding("threshold must be between 1 and the trustees", item=item)
        return ElectionKey(
            election_id=expect_str(data, "election", item=item),
            threshold=threshold,
            public_key=parse_point(data["public_key"], item=f"{item}.public_key"),
            verification_keys=tuple(
                parse_point(k, item=f"{item}.verification_keys[{j}]") for j, k in enumerate(keys)
            ),
        )


def election_key_from_dealings(
    election_id: str, trustees: int, threshold: int, dealings: Sequence[Dealing]
) -> ElectionKey:
    """Check every dealing publicly and derive the election key (anyone can recompute it)."""
    if not 1 <= threshold <= trustees:
        raise CryptoError(f"threshold {threshold} must be between 1 and {trustees} trustees")
    by_dealer = {d.dealer: d for d in dealings}
    if sorted(by_dealer) != list(range(1, trustees + 1)) or len(dealings) != trustees:
        missing = sorted(set(range(1, trustees + 1)) - set(by_dealer))
        raise CryptoError(
            f"need exactly one dealing from each of trustees 1..{trustees} "
            f"(missing: {missing or 'none'}; received {len(dealings)})"
        )
    for d in dealings:
        verify_dealing(d, election_id, trustees, threshold)
    # Sum the commitments per coefficient first: t multiplications per trustee, not n*t.
    summed = [
        _sum_points([by_dealer[i].commitments[k] for i in range(1, trustees + 1)])
        for k in range(threshold)
    ]
    public_key = summed[0]
    verification_keys = tuple(_commitment_at(summed, j) for j in range(1, trustees + 1))
    return ElectionKey(election_id, threshold, public_key, verification_keys)


@dataclass(frozen=True, slots=True)
class PartialDecryption:
    """Trustee j's x_j*alpha for each tallied ciphertext, each with a Chaum–Pedersen proof."""

    trustee: int
    factors: tuple[Point, ...]
    proofs: tuple[ChaumPedersenProof, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "v": FORMAT_VERSION,
            "trustee": self.trustee,
            "factors": [f.encode() for f in self.factors],
            "proofs": [p.to_json() for p in self.proofs],
        }

    @staticmethod
    def from_json(obj: object, *, item: str = "partial_decryption") -> PartialDecryption:
        data = expect_object(obj, item=item)
        expect_keys(data, {"v", "trustee", "factors", "proofs"}, item=item)
        if expect_int(data, "v", item=item) != FORMAT_VERSION:
            raise InvalidEncoding("unsupported partial decryption version", item=item)
        return PartialDecryption(
            trustee=expect_int(data, "trustee", item=item),
            factors=tuple(
                parse_point(f, item=f"{item}.factors[{k}]")
                for k, f in enumerate(expect_list(data, "factors", item=item))
            ),
            proofs=tuple(
                ChaumPedersenProof.from_json(p, item=f"{item}.proofs[{k}]")
                for k, p in enumerate(expect_list(data, "proofs", item=item))
            ),
        )


def partial_decrypt(
    key: ElectionKey,
    trustee: int,
    secret: Scalar,
    ciphertexts: Sequence[Ciphertext],
    rng: ScalarSource = random_scalar,
) -> PartialDecryption:
    verification_key = key.verification_keys[trustee - 1]
    if base_mul(secret) != verification_key:
        raise ValueError("this secret share does not belong to that trustee")
    factors = []
    proofs = []
    for position, ct in enumerate(ciphertexts):
        factor = ct.alpha * secret
        factors.append(factor)
        proofs.append(
            prove_chaum_pedersen(
                Binding(DOMAIN_DECRYPT, key.election_id, key.public_key, (trustee, position)),
                (verification_key, ct.alpha, factor),
                secret,
                rng=rng,
            )
        )
    return PartialDecryption(trustee, tuple(factors), tuple(proofs))


def verify_partial_decryption(
    key: ElectionKey, ciphertexts: Sequence[Ciphertext], partial: PartialDecryption
) -> None:
    j = partial.trustee
    item = f"partial_decryptions[{j}]"
    if not 1 <= j <= key.trustees:
        raise DecryptionInvalid(f"no trustee {j} in this election", item=item)
    if len(partial.factors) != len(ciphertexts) or len(partial.proofs) != len(ciphertexts):
        raise DecryptionInvalid(f"expected {len(ciphertexts)} decryption factors", item=item)
    verification_key = key.verification_keys[j - 1]
    for position, (ct, factor, proof) in enumerate(
        zip(ciphertexts, partial.factors, partial.proofs, strict=True)
    ):
        try:
            verify_chaum_pedersen(
                Binding(DOMAIN_DECRYPT, key.election_id, key.public_key, (j, position)),
                (verification_key, ct.alpha, factor),
                proof,
                item=f"{item}.proofs[{position}]",
            )
        except CryptoError as exc:
            raise DecryptionInvalid(
                f"trustee {j}'s decryption of ciphertext {position} is wrong ({exc})",
                item=f"{item}.proofs[{position}]",
            ) from None


def lagrange_at_zero(indices: Sequence[int]) -> list[Scalar]:
    """Coefficients l_i with f(0) = sum l_i f(i) for a polynomial of degree < len(indices)."""
    if len(set(indices)) != len(indices) or any(i <= 0 for i in indices):
        raise ValueError("trustee indices must be distinct and positive")
    out = []
    for i in indices:
        num, den = 1, 1
        for j in indices:
            if j != i:
                num = num * j % L
                den = den * (j - i) % L
        # Indices are public, so plain modular arithmetic on them leaks nothing.
        out.append(Scalar.from_int(num * pow(den, -1, L)))
    return out


def combine_partial_decryptions(
    key: ElectionKey,
    ciphertexts: Sequence[Ciphertext],
    partials: Mapping[int, PartialDecryption] | Sequence[PartialDecryption],
    bound: int,
    *,
    verify: bool = True,
) -> list[int]:
    """Decrypt each ciphertext to a count in [0, bound] from any t partial decryptions."""
    chosen = list(partials.values()) if isinstance(partials, Mapping) else list(partials)
    if verify:
        for partial in chosen:
            verify_partial_decryption(key, ciphertexts, partial)
    by_trustee = {p.trustee: p for p in chosen}
    if len(by_trustee) < key.threshold:
        raise DecryptionInvalid(
            f"need partial decryptions from {key.threshold} trustees, have {len(by_trustee)}"
        )
    subset = sorted(by_trustee)[: key.threshold]
    coefficients = lagrange_at_zero(subset)
    counts = []
    for position, ct in enumerate(ciphertexts):
        blinding = IDENTITY
        for j, lam in zip(subset, coefficients, strict=True):
            blinding = blinding + by_trustee[j].factors[position] * lam
        counts.append(discrete_log(ct.beta - blinding, bound))
    return counts
