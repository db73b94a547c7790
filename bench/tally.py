"""Homomorphic tally and threshold decryption of 1,000,000 ballots × 5 options on 2 cores.

The tally is 2 point additions per option per ballot (10 million for a million
5-option ballots), split over the machine's cores, then 2 of 3 trustees publish
partial decryptions with proofs, which are checked and combined, and a bounded
discrete log gives each count. The ballots' ciphertexts are drawn from a pool
of fresh encryptions of 0 and 1 (encrypting a million ballots with proofs is
the voters' work, not the tally's; an addition costs the same whatever the
points), so the known counts check the result. Figures: the time against the
2-minute budget (scaled by ballots for --quick), and the additions/s reached
against libsodium's single-core addition rate times the cores used.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import nacl.bindings as sodium
from nacl.public import PrivateKey

from common import emit, figure, parser, peak_rss_mb
from veche.crypto import (
    IDENTITY,
    Ciphertext,
    Point,
    PointSum,
    combine_partial_decryptions,
    deal,
    election_key_from_dealings,
    encrypt,
    open_share,
    partial_decrypt,
    random_scalar,
    trustee_secret,
)

OPTIONS = 5
POOL = 256
BUDGET_S_PER_MILLION = 120.0

# Filled before the worker processes fork, so they share it without copying.
COLUMNS: list[list[bytes]] = []


def sum_slice(task: tuple[int, int, int]) -> bytes:
    column, start, stop = task
    total = PointSum()  # the library's tally loop, as tally_ballots uses it
    total.add_all(itertools.islice(COLUMNS[column], start, stop))
    return total.value().data


def add_rate(seconds: float) -> float:
    p = sodium.crypto_scalarmult_ed25519_base_noclamp(random_scalar().data)
    q = sodium.crypto_scalarmult_ed25519_base_noclamp(random_scalar().data)
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(1000):
            p = sodium.crypto_core_ed25519_add(p, q)
        done += 1000
    return done / (time.perf_counter() - start)


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    ballots = 10_000 if args.quick else 1_000_000
    cores = min(2, os.cpu_count() or 1)

    # Key ceremony: 3 trustees, threshold 2.
    boxes = [PrivateKey.generate() for _ in range(3)]
    publics = [bytes(b.public_key) for b in boxes]
    eid = "bench-tally"
    dealings = [deal(eid, i, 2, publics) for i in (1, 2, 3)]
    key = election_key_from_dealings(eid, 3, 2, dealings)
    secrets = {
        j: trustee_secret([open_share(d, j, boxes[j - 1]) for d in dealings]) for j in (1, 2, 3)
    }

    start = time.perf_counter()
    pools = {m: [encrypt(key.public_key, m, random_scalar()) for _ in range(POOL)] for m in (0, 1)}
    rng = random.Random(2020)
    choices = [rng.randrange(OPTIONS) for _ in range(ballots)]
    true_counts = [choices.count(k) for k in range(OPTIONS)]
    for k in range(OPTIONS):
        alphas = []
        betas = []
        zeros = pools[0]
        ones = pools[1]
        for choice in choices:
            ct = ones[rng.randrange(POOL)] if choice == k else zeros[rng.randrange(POOL)]
            alphas.append(ct.alpha.data)
            betas.append(ct.beta.data)
        COLUMNS.append(alphas)
        COLUMNS.append(betas)
    prepare_s = time.perf_counter() - start
    print(f"prepared {ballots:,} ballots × {OPTIONS} options in {prepare_s:.1f} s")

    single_core_adds = add_rate(0.5 if args.quick else 1.5)

    # Tally: each of the 2*OPTIONS columns in `cores` slices, summed in parallel.
    start = time.perf_counter()
    bounds = [ballots * s // cores for s in range(cores + 1)]
    tasks = [
        (column, bounds[s], bounds[s + 1])
        for column in range(len(COLUMNS))
        for s in range(cores)
        if bounds[s + 1] > bounds[s]
    ]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with multiprocessing.get_context("fork").Pool(cores) as pool:
        partial_sums = pool.map(sum_slice, tasks, chunksize=1)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time of the workers: what the sum costs when the cores are not shared.
    worker_cpu_s = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    column_sums = [IDENTITY.data] * len(COLUMNS)
    for (column, _, _), value in zip(tasks, partial_sums, strict=True):
        column_sums[column] = sodium.crypto_core_ed25519_add(column_sums[column], value)
    tallies = [
        Ciphertext(Point(column_sums[2 * k]), Point(column_sums[2 * k + 1])) for k in range(OPTIONS)
    ]
    sum_s = time.perf_counter() - start

    # Decryption: trustees 1 and 3 (trustee 2 absent), proofs checked, combined, dlog.
    start = time.perf_counter()
    partials = [partial_decrypt(key, j, secrets[j], tallies) for j in (1, 3)]
    counts = combine_partial_decryptions(key, tallies, partials, bound=ballots)
    decrypt_s = time.perf_counter() - start
    if counts != true_counts:
        raise SystemExit(f"tally is wrong: {counts} != {true_counts}")

    total_s = sum_s + decrypt_s
    additions = 2 * OPTIONS * ballots + len(tasks)
    budget = BUDGET_S_PER_MILLION * ballots / 1_000_000
    print(f"{'step':<44} {'seconds':>9}")
    print(f"{f'homomorphic sum ({additions:,} additions, {cores} cores)':<44} {sum_s:>9.2f}")
    print(f"{'2-of-3 partial decryptions, proofs, dlog':<44} {decrypt_s:>9.2f}")
    print(f"{'total':<44} {total_s:>9.2f}")
    print(
        f"workers' CPU time {worker_cpu_s:.1f} s: {worker_cpu_s / cores:.1f} s of wall time "
        f"on {cores} cores not shared with other work"
    )
    print(f"counts {counts} (true counts {true_counts}: equal)")
    print(f"libsodium addition rate, one core: {single_core_adds:,.0f}/s")
    print(f"peak memory {peak_rss_mb():.0f} MB")
    emit(
        [
            figure(
                "tally",
                "seconds",
                total_s,
                "budget_seconds",
                budget,
                lower_is_better=True,
                target=1.0,
                ballots=ballots,
                options=OPTIONS,
                cores=cores,
                worker_cpu_seconds=round(worker_cpu_s, 2),
            ),
            figure(
                "tally",
                "additions_per_s",
                additions / sum_s,
                "libsodium_additions_per_s_times_cores",
                single_core_adds * cores,
                target=0.8,
            ),
        ]
    )


if __name__ == "__main__":
    main()
