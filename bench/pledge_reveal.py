"""Crossed-only pledges (pledge-v1 §7): a trustee's blinding round and its verification for needed = 400, 3 trustees, against the group-operation bound.

A round takes the list of ``needed`` ciphertexts, raises each to a fresh secret
exponent with an equal-exponent proof, re-encrypts and shuffles it with a
Terelius–Wikström proof; every node and verifier checks every proof. The bench
counts the libsodium group operations one round's check really performs,
measures each operation's rate in this run, and compares the measured check
time with the bound sum(count_i / rate_i). Also reported: the trustee's time to
compute a round (proofs included), to decrypt the final list, and the record's
size. Target: at least 0.6 of the bound, on one core.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import veche.crypto.group
from ballot_verify import OPERATIONS, measure_rates
from common import emit, figure, parser
from veche.pledge import reveal
from veche.pledge.rules import apply_event, judge_event, reveal_context
from veche.pledge.simulate import open_pledge


def counting_operations(counts: dict[str, int]) -> Callable[[], None]:
    """Wrap the group module's libsodium calls to count them; returns the undo."""
    saved: list[tuple[str, Any]] = []
    module = veche.crypto.group
    for name in OPERATIONS:
        original = getattr(module, name)
        saved.append((name, original))

        def wrapper(*args: Any, _name: str = name, _fn: Any = original) -> Any:
            counts[_name] += 1
            return _fn(*args)

        setattr(module, name, wrapper)

    def undo() -> None:
        for name, original in saved:
            setattr(module, name, original)

    return undo


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    args = p.parse_args()
    needed = 100 if args.quick else 400
    trustees = 3
    rate_seconds = 0.15 if args.quick else 0.6

    run = open_pledge(
        members=6, needed=needed, trustees=trustees, threshold=trustees, extra={"reveal": "crossed"}
    )
    for member in range(6):
        run.pledge(member, member % 2)
    run.close()
    state = run.state
    ctx = reveal_context(state)

    prove_times: list[float] = []
    check_times: list[float] = []
    counts = dict.fromkeys(OPERATIONS, 0)
    size = 0
    for j in range(1, trustees + 1):
        start = time.perf_counter()
        blinding = reveal.blind_round(
            ctx.pledge_id,
            ctx.key.public_key,
            j,
            j,
            state.reveal.current(ctx.total, needed),
        )
        bodies = reveal.round_bodies(blinding)
        prove_times.append(time.perf_counter() - start)
        events = [
            run.writer.write(run.trustees[j - 1], reveal.BLIND_KIND, body, judge=False)
            for body in bodies
        ]
        size += sum(len(e.raw) for e in events)
        undo = counting_operations(counts) if j == 1 else (lambda: None)
        start = time.perf_counter()
        try:
            for event in events:
                judge_event(state, event)
                apply_event(state, event)
        finally:
            undo()
        check_times.append(time.perf_counter() - start)
    start = time.perf_counter()
    decryption = run.reveal_decrypt([1])
    decrypt_time = time.perf_counter() - start  # includes judging it, as a node does
    size += sum(len(e.raw) for e in decryption)
    run.reveal_decrypt(range(2, trustees + 1))
    start = time.perf_counter()
    run.reveal_result()
    result_time = time.perf_counter() - start

    rates = measure_rates(rate_seconds)
    # Round 1's check is counted (its wrappers slow it); the others are timed bare.
    check = min(check_times[1:])
    bound = sum(counts[name] / rates[name] for name in OPERATIONS)
    print(f"crossed-only pledge: needed {needed}, {trustees} trustees, threshold {trustees}")
    print(f"{'operation':<40} {'per round check':>16} {'rate/s':>12}")
    for name, label in OPERATIONS.items():
        print(f"{label:<40} {counts[name]:>16,} {rates[name]:>12,.0f}")
    print(f"trustee's round (blind, proofs, shuffle): {sum(prove_times) / trustees:.2f} s mean")
    print(f"checking one round (every proof): {check:.2f} s; bound {bound:.2f} s")
    print(f"one trustee's decryption of the list, with its check: {decrypt_time:.2f} s")
    print(f"result (combining {trustees} decryptions): {result_time:.2f} s")
    print(f"record added by the rounds and one decryption: {size / 1e6:.2f} MB")
    emit(
        [
            figure(
                "pledge_reveal",
                "round_check_s",
                check,
                "group_operation_bound_s",
                bound,
                lower_is_better=True,
                target=0.6,
                needed=needed,
                trustees=trustees,
                round_prove_s=sum(prove_times) / trustees,
                decrypt_s=decrypt_time,
                result_s=result_time,
                record_bytes=size,
                operations=counts,
            )
        ]
    )


if __name__ == "__main__":
    main()
