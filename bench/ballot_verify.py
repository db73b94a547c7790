"""Ballot verification speed (5 options, vote for 1) against the bound its group operations set.

A node checks each incoming ballot: JSON parse, a subgroup check on every
point, then the 0/1 proof of each option and the range proof of the sum. The
bench counts the libsodium group operations one verification really performs
(by wrapping the calls), measures the rate of each operation in this run, and
compares ballots/s with the bound 1 / sum(count_i / rate_i): the ratio shows how
little the Python around the group operations costs. Beside it, the same ballot
shape (3 guardians, quorum 2, one contest of 5, vote for 1) in the ElectionGuard
1.2.3 reference, in its own virtual environment bench/.electionguard-venv.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import nacl.bindings as sodium
from nacl.public import PrivateKey

import veche.crypto.dlog
import veche.crypto.elgamal
import veche.crypto.group
from common import emit, figure, parser
from veche.crypto import (
    Election,
    Question,
    check_ballot,
    deal,
    election_key_from_dealings,
    encrypt_ballot,
    random_scalar,
)

OPTIONS = 5
EG_VENV = Path(__file__).resolve().parent / ".electionguard-venv"
EG_VERSION = "1.2.3"

# The operations the bound is built from, by the name the crypto modules bind them to.
OPERATIONS = {
    "_mul": "variable-base scalar multiplication",
    "_base": "fixed-base scalar multiplication",
    "_valid": "subgroup check (is_valid_point)",
    "_add": "point addition",
    "_sub": "point subtraction",
}


def make_election() -> Election:
    boxes = [PrivateKey.generate() for _ in range(3)]
    publics = [bytes(b.public_key) for b in boxes]
    eid = "bench-election"
    dealings = [deal(eid, i, 2, publics) for i in (1, 2, 3)]
    key = election_key_from_dealings(eid, 3, 2, dealings)
    return Election(eid, key.public_key, (Question(OPTIONS, 1, 1),))


def check(election: Election, wire: bytes) -> None:
    check_ballot(election, wire)  # what a node does: canonical parse, subgroup checks, proofs


def count_operations(election: Election, wire: bytes) -> dict[str, int]:
    """Run one verification with every libsodium group call wrapped by a counter."""
    counts = dict.fromkeys(OPERATIONS, 0)
    modules = [veche.crypto.group, veche.crypto.elgamal, veche.crypto.dlog]
    saved: list[tuple[Any, str, Any]] = []

    def counting(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            counts[name] += 1
            return fn(*args)

        return wrapper

    for module in modules:
        for name in OPERATIONS:
            if hasattr(module, name):
                original = getattr(module, name)
                saved.append((module, name, original))
                setattr(module, name, counting(name, original))
    try:
        check(election, wire)
    finally:
        for module, name, original in saved:
            setattr(module, name, original)
    return counts


def measure_rates(seconds: float) -> dict[str, float]:
    """Operations per second of each libsodium call on random subgroup elements."""
    points = [
        sodium.crypto_scalarmult_ed25519_base_noclamp(random_scalar().data) for _ in range(64)
    ]
    scalars = [random_scalar().data for _ in range(64)]
    calls: dict[str, Callable[[int], object]] = {
        "_mul": lambda i: sodium.crypto_scalarmult_ed25519_noclamp(scalars[i], points[i]),
        "_base": lambda i: sodium.crypto_scalarmult_ed25519_base_noclamp(scalars[i]),
        "_valid": lambda i: sodium.crypto_core_ed25519_is_valid_point(points[i]),
        "_add": lambda i: sodium.crypto_core_ed25519_add(points[i], points[63 - i]),
        "_sub": lambda i: sodium.crypto_core_ed25519_sub(points[i], points[63 - i]),
    }
    rates = {}
    for name, call in calls.items():
        done = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            for i in range(64):
                call(i)
            done += 64
        rates[name] = done / (time.perf_counter() - start)
    return rates


EG_SCRIPT = r"""
import json, sys, time
from datetime import datetime, timezone
from electionguard.ballot import PlaintextBallot, PlaintextBallotContest, PlaintextBallotSelection
from electionguard.election_builder import ElectionBuilder
from electionguard.encrypt import encrypt_ballot
from electionguard.group import rand_q
from electionguard.key_ceremony import combine_election_public_keys, generate_election_key_pair
from electionguard.manifest import (
    BallotStyle, Candidate, CandidateContestDescription, ElectionType, GeopoliticalUnit,
    Manifest, ReportingUnitType, SelectionDescription, VoteVariationType,
)
n = int(sys.argv[1])
now = datetime.now(timezone.utc)
manifest = Manifest(
    "scope", "v0.95", ElectionType.general, now, now,
    [GeopoliticalUnit("district", "District", ReportingUnitType.county)], [],
    [Candidate(f"c{i}") for i in range(5)],
    [CandidateContestDescription(
        "contest", "district", 0, VoteVariationType.one_of_m, 1, 1, "Contest",
        [SelectionDescription(f"s{i}", f"c{i}", i) for i in range(5)])],
    [BallotStyle("style", ["district"])],
)
assert manifest.is_valid()
pairs = [generate_election_key_pair(f"g{i}", i, 2) for i in (1, 2, 3)]
joint = combine_election_public_keys([p.share() for p in pairs])
builder = ElectionBuilder(3, 2, manifest)
builder.set_public_key(joint.joint_public_key)
builder.set_commitment_hash(joint.commitment_hash)
internal, context = builder.build()
ballots = []
for i in range(n):
    plain = PlaintextBallot(f"b{i}", "style", [PlaintextBallotContest(
        "contest", [PlaintextBallotSelection(f"s{i % 5}", 1)])])
    ballots.append(encrypt_ballot(plain, internal, context, rand_q(), should_verify_proofs=False))
start = time.perf_counter()
for ballot in ballots:
    assert ballot.is_valid_encryption(
        internal.manifest_hash, context.elgamal_public_key, context.crypto_extended_base_hash)
elapsed = time.perf_counter() - start
print(json.dumps({"ballots": n, "seconds": elapsed}))
"""


def electionguard_rate(ballots: int) -> tuple[float | None, str]:
    """ElectionGuard's verified ballots/s, or None and the reason it could not be measured."""
    python = EG_VENV / "bin" / "python"
    if not python.exists():
        print(f"building {EG_VENV} (pip install electionguard=={EG_VERSION}) …", flush=True)
        try:
            subprocess.run(
                [sys.executable, "-m", "venv", str(EG_VENV)], check=True, capture_output=True
            )
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", f"electionguard=={EG_VERSION}"],
                check=True,
                capture_output=True,
                timeout=600,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            return None, f"could not build the ElectionGuard venv: {exc} {detail[-300:]!r}"
    try:
        done = subprocess.run(
            [str(python), "-c", EG_SCRIPT, str(ballots)],
            check=True,
            capture_output=True,
            timeout=600,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        return None, f"ElectionGuard run failed: {exc} {detail[-500:]!r}"
    result = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result["ballots"] / result["seconds"], "ok"


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--no-electionguard", action="store_true", help="skip the comparison")
    args = p.parse_args()
    ballots = 60 if args.quick else 600
    rate_seconds = 0.15 if args.quick else 0.6

    election = make_election()
    wires = []
    for i in range(ballots):
        marks = [1 if k == i % OPTIONS else 0 for k in range(OPTIONS)]
        wires.append(encrypt_ballot(election, [marks])[0].canonical())
    for wire in wires[:5]:  # warm caches (small multiples of G) before timing
        check(election, wire)

    counts = count_operations(election, wires[0])
    rates = measure_rates(rate_seconds)

    start = time.perf_counter()
    for wire in wires:
        check(election, wire)
    elapsed = time.perf_counter() - start
    measured = ballots / elapsed

    seconds_per_ballot = sum(counts[name] / rates[name] for name in OPERATIONS)
    bound = 1 / seconds_per_ballot

    print(f"ballot: 1 question, {OPTIONS} options, vote for 1; {len(wires[0])} bytes")
    print(f"{'operation':<40} {'per ballot':>10} {'rate/s':>12} {'µs/ballot':>10}")
    for name, label in OPERATIONS.items():
        print(
            f"{label:<40} {counts[name]:>10} {rates[name]:>12,.0f} "
            f"{counts[name] / rates[name] * 1e6:>10.0f}"
        )
    print(f"bound set by group operations: {bound:,.1f} ballots/s")
    print(f"measured (parse + verify, {ballots} ballots, one core): {measured:,.1f} ballots/s")
    rows = [
        figure(
            "ballot_verify",
            "ballots_per_s",
            measured,
            "group_operation_bound_ballots_per_s",
            bound,
            target=0.6,
            operations=counts,
        )
    ]

    if args.no_electionguard:
        print("ElectionGuard comparison skipped (--no-electionguard)")
    else:
        eg_rate, reason = electionguard_rate(4 if args.quick else 30)
        if eg_rate is None:
            print(f"ElectionGuard comparison skipped: {reason}")
        else:
            print(f"ElectionGuard {EG_VERSION} (3 guardians, quorum 2): {eg_rate:,.2f} ballots/s")
            print(f"Veche / ElectionGuard: {measured / eg_rate:,.1f}×")
            rows.append(
                figure(
                    "ballot_verify",
                    "ballots_per_s_vs_electionguard",
                    measured,
                    f"electionguard_{EG_VERSION}_ballots_per_s",
                    eg_rate,
                    target=20,
                )
            )
    emit(rows)


if __name__ == "__main__":
    main()
