"""Integer-percentage peaks (Kobak, Shpilkin & Pshenichnikov 2016).

Officials who write results to order often choose round numbers: a turnout of
exactly 80 % or a leader's share of exactly 75 %. Honest counts land on an integer
percentage only by chance. The *integer anomaly* is the number of stations whose
turnout or leader's share (in %) lies within ±0.05 points of an integer, minus
the number expected by chance, estimated by binomial resampling of every
station; the resampling also gives the spread and a p-value.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from veche.audit.errors import AuditMethodError
from veche.audit.protocol import BoolArray, IntArray, OfficialProtocol

__all__ = ["IntegerAnomaly", "integer_anomaly"]

RESAMPLES = 1000
DETECTION_P_VALUE = 0.005
ASSUMPTIONS = (
    "Stations with ballots > 0, registered ≥ 100, turnout ≤ 99 % and leader's share ≤ 99 % "
    "are used; turnout = issued/registered when 'issued' is given, else ballots/registered; "
    "the leader's share = leader's votes / ballots.",
    "Without rewriting, each station's counts are binomial around its observed rates, so "
    "resampling leader ~ Bin(ballots, share) and voters ~ Bin(registered, turnout) gives the "
    "number of stations on an integer percentage by chance.",
    f"Detected when the p-value (share of {RESAMPLES} resamples with at least the observed "
    f"count) is below {DETECTION_P_VALUE}.",
)
LIMITS = (
    "Only fraud that writes round percentages leaves this fingerprint; stuffing and "
    "carousels do not.",
    "Tiny stations are excluded because their percentages are coarse; the anomaly counts "
    "stations, not votes.",
)


@dataclass(frozen=True, slots=True, eq=False)
class IntegerAnomaly:
    """Stations on integer percentages, observed against binomial resamples."""

    used_stations: int
    observed: int  # stations with turnout or leader share within ±0.05 of an integer
    expected: float  # mean of the same count over the resamples
    anomaly: float  # observed - expected, in stations
    sd: float  # standard deviation of the resampled counts
    p_value: float
    resamples: int
    observed_turnout: int
    observed_share: int
    integer_stations: IntArray  # indices (into the protocol) of stations on an integer
    assumptions: tuple[str, ...] = ASSUMPTIONS
    limits: tuple[str, ...] = LIMITS

    @property
    def detected(self) -> bool:
        return self.anomaly > 0 and self.p_value < DETECTION_P_VALUE


def _near_integer(numerator: IntArray, denominator: IntArray) -> BoolArray:
    """Is 100·numerator/denominator within 0.05 of an integer? Exact integer arithmetic."""
    rest = (100 * numerator) % denominator
    return np.asarray(20 * np.minimum(rest, denominator - rest) <= denominator, dtype=np.bool_)


def _resampled_counts(
    generator: np.random.Generator,
    *,
    registered: IntArray,
    turnout: np.ndarray,
    ballots: IntArray,
    share: np.ndarray,
    resamples: int,
) -> IntArray:
    n = registered.size
    chunk = max(1, min(resamples, 2_000_000 // max(n, 1)))
    out = np.empty(resamples, dtype=np.int64)
    done = 0
    while done < resamples:
        size = min(chunk, resamples - done)
        voters = generator.binomial(registered, turnout, size=(size, n))
        leader = generator.binomial(ballots, share, size=(size, n))
        hit = _near_integer(voters, registered) | _near_integer(leader, ballots)
        out[done : done + size] = hit.sum(axis=1)
        done += size
    return out


def integer_anomaly(
    official: OfficialProtocol, *, resamples: int = RESAMPLES, seed: int = 0, workers: int = 2
) -> IntegerAnomaly:
    """Count stations on integer percentages and compare with binomial resamples.

    The resamples are split between ``workers`` threads, each with its own
    generator spawned from ``seed`` (numpy releases the GIL while drawing), so the
    result depends only on the seed and the number of workers.
    """
    leader = official.votes[:, official.leader]
    voters = official.voters
    registered = official.registered
    ballots = official.ballots
    with np.errstate(divide="ignore", invalid="ignore"):
        turnout = voters / registered
        share = leader / ballots
    use = (ballots > 0) & (registered >= 100) & (turnout <= 0.99) & (share <= 0.99)
    if use.sum() < 10:
        raise AuditMethodError("the integer test needs at least 10 stations with 100+ voters")
    index = np.flatnonzero(use)
    on_turnout = _near_integer(voters[use], registered[use])
    on_share = _near_integer(leader[use], ballots[use])
    hit = on_turnout | on_share
    observed = int(hit.sum())
    children = np.random.SeedSequence(seed).spawn(max(1, workers))
    parts = np.array_split(np.arange(resamples), len(children))
    args = (registered[use], turnout[use], ballots[use], share[use])

    def run(j: int) -> IntArray:
        return _resampled_counts(
            np.random.default_rng(children[j]),
            registered=args[0],
            turnout=args[1],
            ballots=args[2],
            share=args[3],
            resamples=parts[j].size,
        )

    if len(children) == 1:
        counts = run(0)
    else:
        with ThreadPoolExecutor(len(children)) as pool:
            counts = np.concatenate(list(pool.map(run, range(len(children)))))
    expected = float(counts.mean())
    return IntegerAnomaly(
        used_stations=int(use.sum()),
        observed=observed,
        expected=expected,
        anomaly=observed - expected,
        sd=float(counts.std(ddof=1)) if resamples > 1 else 0.0,
        p_value=float((1 + (counts >= observed).sum()) / (1 + resamples)),
        resamples=resamples,
        observed_turnout=int(on_turnout.sum()),
        observed_share=int(on_share.sum()),
        integer_stations=index[hit],
    )
