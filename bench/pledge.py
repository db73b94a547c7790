"""Strike pledges: verifying and summing 10,000 pledges against the bound their group operations set.

A pledge (format pledge-v1) is a v1 ballot of one question with one 0/1 option.
The node checks each one as it arrives (canonical parse, subgroup checks, the bit
proof and the range proof) and the close adds every member's latest pledge into
one ciphertext. As ``bench/ballot_verify.py`` does for ballots, the bench counts
the libsodium group operations one pledge's check and addition really perform,
measures each operation's rate in this run, and compares pledges/s with the bound
1 / sum(count_i / rate_i). Target: at least 0.6 of the bound, on one core.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from nacl.public import PrivateKey

import veche.crypto.dlog
import veche.crypto.elgamal
import veche.crypto.group
from ballot_verify import OPERATIONS, measure_rates
from common import emit, figure, parser
from veche.crypto import Election, PointSum, check_ballot, deal, election_key_from_dealings
from veche.crypto.ballot import encrypt_ballot
from veche.pledge.spec import PLEDGE_QUESTION


def make_pledge_election() -> Election:
    boxes = [PrivateKey.generate() for _ in range(3)]
    publics = [bytes(b.public_key) for b in boxes]
    pid = "bench-pledge"
    dealings = [deal(pid, i, 2, publics) for i in (1, 2, 3)]
    key = election_key_from_dealings(pid, 3, 2, dealings)
    return Election(pid, key.public_key, (PLEDGE_QUESTION.crypto(),))


def verify_and_sum(election: Election, wires: list[bytes]) -> tuple[PointSum, PointSum]:
    """What the node does with the pledges: check each, add each into the total."""
    alphas, betas = PointSum(), PointSum()
    for wire in wires:
        pledge = check_ballot(election, wire)
        ct = pledge.answers[0].choices[0]
        alphas.add(ct.alpha.data)
        betas.add(ct.beta.data)
    alphas.value()
    betas.value()
    return alphas, betas


def count_operations(election: Election, wires: list[bytes]) -> dict[str, float]:
    """Group operations per pledge, over a small batch (the sum's are shared)."""
    from collections.abc import Callable
    from typing import Any

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
        verify_and_sum(election, wires)
    finally:
        for module, name, original in saved:
            setattr(module, name, original)
    return {name: count / len(wires) for name, count in counts.items()}


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    args = p.parse_args()
    pledges = 1000 if args.quick else 10_000
    rate_seconds = 0.15 if args.quick else 0.6

    election = make_pledge_election()
    wires = [encrypt_ballot(election, [[1 if i % 3 else 0]])[0].canonical() for i in range(pledges)]
    verify_and_sum(election, wires[:5])  # warm caches before timing
    counts = count_operations(election, wires[:100])
    rates = measure_rates(rate_seconds)

    start = time.perf_counter()
    verify_and_sum(election, wires)
    elapsed = time.perf_counter() - start
    measured = pledges / elapsed
    bound = 1 / sum(counts[name] / rates[name] for name in OPERATIONS)

    print(f"pledge: one 0/1 option (a v1 ballot); {len(wires[0])} bytes")
    print(f"{'operation':<40} {'per pledge':>10} {'rate/s':>12} {'µs/pledge':>10}")
    for name, label in OPERATIONS.items():
        print(
            f"{label:<40} {counts[name]:>10.2f} {rates[name]:>12,.0f} "
            f"{counts[name] / rates[name] * 1e6:>10.0f}"
        )
    print(f"bound set by group operations: {bound:,.1f} pledges/s")
    print(
        f"measured (parse + verify + sum, {pledges:,} pledges, one core): "
        f"{measured:,.1f} pledges/s, {elapsed:.1f} s"
    )
    emit(
        [
            figure(
                "pledge",
                "pledges_verified_and_summed_per_s",
                measured,
                "group_operation_bound_pledges_per_s",
                bound,
                target=0.6,
                pledges=pledges,
                operations=counts,
            )
        ]
    )


if __name__ == "__main__":
    main()
