"""Integer-percentage peaks (Kobak, Shpilkin & Pshenichnikov 2016).

Officials who write results to order often choose round numbers: a turnout of
exactly 80 % or a leader's share of exactly 75 %. Honest counts land on an integer
percentage only by chance. The *integer anomaly* is the number of stations whose
turnout or leader's share (in %) lies within ±0.05 points of an integer, minus
the number expected by chance, estimated by binomial resampling of every
station; the resampling also gives the spread and a p-value.

Two ways to draw the 1,000 resamples give the same distribution:

* ``draw="binomial"`` draws leader ~ Bin(ballots, share) and
  voters ~ Bin(registered, turnout) for every station in every resample and
  counts the stations on an integer, literally as the method is defined
  (2 × 1,000 × stations binomial numbers: 10–30 s for 100,000 stations).
* ``draw="exact"`` (the default) uses what a resample's count *is*: a sum of
  independent per-station events "lands on an integer percentage", each with
  its exact binomial probability 1 - (1 - P_turnout)(1 - P_share)
  (:func:`integer_probability`). Such a sum has the Poisson-binomial
  distribution, which :func:`poisson_binomial_pmf` computes exactly (the
  product of the stations' generating polynomials 1 - p + p·z); the 1,000
  resampled counts are then drawn from it by inverting its distribution
  function. Each draw is distributed exactly as a literal resample's count,
  at a small fraction of the cost.

Both also report the exact mean and standard deviation of the resampled count
(the limit of the Monte-Carlo figures as the resamples grow).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.special import betainc, gammaln

from veche.audit.errors import AuditMethodError
from veche.audit.protocol import BoolArray, FloatArray, IntArray, OfficialProtocol

__all__ = ["IntegerAnomaly", "integer_anomaly", "integer_probability", "poisson_binomial_pmf"]

RESAMPLES = 1000
DETECTION_P_VALUE = 0.005
# integer_probability ignores binomial mass of at most this much per station
# (under 1e-5 stations in a national count, whose resampled spread is about 100
# stations): Bernstein's inequality P(|X - np| >= t) <= 2 exp(-t²/2 / (σ² + t/3))
# gives the margin t around the mean that leaves at most that outside.
_TAIL = 1e-10
_TAIL_LOG = float(np.log(2 / _TAIL))
# Stations per block of integer_probability: a block's temporaries stay in cache.
_BLOCK = 4096
# Windows of more integers than this (stations of over 32,000 voters) are summed
# through the binomial distribution function instead of term by term.
_ENUMERATED = 32
# Log-factorials up to this come from a table (8 MB at most); beyond, from gammaln.
_TABLE = 1 << 20
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

Draw = Literal["binomial", "exact"]


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
    expected_exact: float  # the resampled count's exact mean (sum of the stations' chances)
    sd_exact: float  # and its exact standard deviation
    draw: Draw = "exact"
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
    turnout: FloatArray,
    ballots: IntArray,
    share: FloatArray,
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


def _log_factorial(values: IntArray, table: FloatArray | None) -> FloatArray:
    """log(v!) from the table if given (it then reaches every value), else from the
    log-gamma function."""
    if table is not None:
        return np.asarray(table[values], dtype=np.float64)
    return np.asarray(gammaln(values.astype(np.float64) + 1), dtype=np.float64)


def _binomial_cdf(k: IntArray, n: IntArray, p: FloatArray) -> FloatArray:
    """P(X <= k) for X ~ Bin(n, p): the regularized incomplete beta I_{1-p}(n - k, k + 1)
    (scipy's bdtr takes n as a C int, which a typo'd protocol can exceed)."""
    inside = (k >= 0) & (k < n)
    a = np.where(inside, n - k, 1).astype(np.float64)
    b = np.where(inside, k + 1, 1).astype(np.float64)
    cdf = betainc(a, b, 1.0 - p)
    return np.asarray(np.where(k >= n, 1.0, np.where(k < 0, 0.0, cdf)), dtype=np.float64)


def _window_mass(n: IntArray, p: FloatArray, log_factorial: FloatArray) -> FloatArray:
    """integer_probability for stations with 0 < p < 1 (one block of them).

    Enumerates every (station, integer k) whose window [n(k - 0.05)/100,
    n(k + 0.05)/100] meets the Bernstein margin around the mean (_TAIL). A window
    of up to _ENUMERATED integers is summed term by term,
    exp(log C(n, x) + x log p + (n - x) log(1 - p)) with log-factorials from a
    table; a wider one (large stations only), cut to the margin, as a difference of
    the binomial distribution function, so that the work per station stays
    bounded whatever n.
    """
    variance = n * p * (1 - p)
    mean = n * p
    margin = _TAIL_LOG / 3 + np.sqrt(_TAIL_LOG**2 / 9 + 2 * _TAIL_LOG * variance)
    first = np.clip(np.floor(100 * (mean - margin - 1) / n), 0, 100).astype(np.int64)
    last = np.clip(np.ceil(100 * (mean + margin + 1) / n), 0, 100).astype(np.int64)
    windows = last - first + 1
    # One entry per (station, k).
    station = np.repeat(np.arange(n.size), windows)
    start = np.cumsum(windows) - windows
    k = np.arange(station.size) - (start - first)[station]
    nk = n[station]
    lo = np.maximum((20 * nk * k - nk + 1999) // 2000, 0)  # ceil(n(k - 0.05)/100)
    hi = np.minimum((20 * nk * k + nk) // 2000, nk)  # floor(n(k + 0.05)/100)
    width = np.maximum(hi - lo + 1, 0)
    mass = np.zeros(n.size)
    wide = width > _ENUMERATED
    if wide.any():
        # P(lo <= X <= hi) = F(hi) - F(lo - 1), F the binomial distribution function,
        # over the part of the window within the margin.
        s = station[wide]
        w_lo = np.maximum(lo[wide], np.floor(mean - margin - 1).astype(np.int64)[s])
        w_hi = np.minimum(hi[wide], np.ceil(mean + margin + 1).astype(np.int64)[s])
        inside = np.where(
            w_hi >= w_lo,
            _binomial_cdf(w_hi, n[s], p[s]) - _binomial_cdf(w_lo - 1, n[s], p[s]),
            0.0,
        )
        mass += np.bincount(s, weights=inside, minlength=n.size)
        width = np.where(wide, 0, width)
    # One entry per (station, x) with x in one of the station's narrow windows.
    cell = np.repeat(station, width)
    cell_start = np.cumsum(width) - width
    x = np.repeat(lo - cell_start, width) + np.arange(cell.size)
    rest = n[cell] - x
    log_p = np.log(p)
    log_q = np.log1p(-p)
    # x and n - x are at most n: the table serves the block if it reaches n.
    table = log_factorial if int(n.max()) < log_factorial.size else None
    constant = _log_factorial(n, table) + n * log_q
    log_pmf = (
        constant[cell]
        - _log_factorial(x, table)
        - _log_factorial(rest, table)
        + x * (log_p - log_q)[cell]
    )
    mass += np.bincount(cell, weights=np.exp(log_pmf), minlength=n.size)
    return np.asarray(mass, dtype=np.float64)


def integer_probability(
    trials: IntArray, rate: FloatArray, *, pool: ThreadPoolExecutor | None = None
) -> FloatArray:
    """P(100·X/trials is within 0.05 of an integer) for X ~ Bin(trials, rate), per station.

    Sums the binomial probability of every integer x in each window
    [n(k - 0.05)/100, n(k + 0.05)/100] near the mean, leaving out at most 1e-10
    of probability (a bound from Bernstein's inequality). Stations are done in
    blocks, on ``pool``'s threads if given (numpy releases the GIL in its loops).
    """
    n = np.asarray(trials, dtype=np.int64)
    p = np.clip(np.asarray(rate, dtype=np.float64), 0.0, 1.0)
    # A certain outcome (p = 0 or 1) lands on 0 % or 100 %: an integer.
    out = np.where((p <= 0) | (p >= 1), 1.0, 0.0)
    live = np.flatnonzero((p > 0) & (p < 1) & (n > 0))
    if live.size == 0:
        return out
    size = min(int(n[live].max()), _TABLE) + 1
    log_factorial = gammaln(np.arange(size, dtype=np.float64) + 1)
    blocks = [live[i : i + _BLOCK] for i in range(0, live.size, _BLOCK)]

    def run(block: IntArray) -> FloatArray:
        return _window_mass(n[block], p[block], log_factorial)

    masses = list(pool.map(run, blocks)) if pool is not None else list(map(run, blocks))
    out[live] = np.clip(np.concatenate(masses), 0.0, 1.0)
    return out


def poisson_binomial_pmf(chance: FloatArray) -> FloatArray:
    """The exact distribution of the number of successes in independent trials with
    success probabilities ``chance``: entry c is P(exactly c successes).

    It is the coefficient list of the product of the trials' generating
    polynomials (1 - p) + p·z: blocks of 16 trials are multiplied out directly,
    then the blocks' polynomials are multiplied in pairs by FFT convolution
    (numpy.fft), level by level, O(n log² n) in all. Rounding leaves errors of
    about 1e-16 on each probability (tiny negative values are clipped to 0).
    """
    p = np.clip(np.asarray(chance, dtype=np.float64).ravel(), 0.0, 1.0)
    n = p.size
    if n == 0:
        return np.ones(1)
    block = 16
    rows = -(-n // block)
    padded = np.zeros(rows * block)
    padded[:n] = p
    trials = padded.reshape(rows, block)
    poly = np.zeros((rows, block + 1))
    poly[:, 0] = 1.0
    for j in range(block):
        q = trials[:, j : j + 1]
        moved = poly[:, : j + 1] * q
        poly[:, : j + 1] *= 1.0 - q
        poly[:, 1 : j + 2] += moved
    while poly.shape[0] > 1:
        if poly.shape[0] % 2:
            unit = np.zeros((1, poly.shape[1]))
            unit[0, 0] = 1.0
            poly = np.vstack([poly, unit])
        length = 2 * poly.shape[1] - 1
        size = 1 << (length - 1).bit_length()
        spectrum = np.fft.rfft(poly, size, axis=1)
        poly = np.fft.irfft(spectrum[0::2] * spectrum[1::2], size, axis=1)[:, :length]
    pmf = np.clip(poly[0, : n + 1], 0.0, None)
    return np.asarray(pmf / pmf.sum(), dtype=np.float64)


def integer_anomaly(
    official: OfficialProtocol,
    *,
    resamples: int = RESAMPLES,
    seed: int = 0,
    workers: int = 2,
    draw: Draw = "exact",
) -> IntegerAnomaly:
    """Count stations on integer percentages and compare with binomial resamples.

    ``draw`` chooses how the resamples are drawn (see the module's docstring);
    both give the same distribution. The result depends only on the data, the
    seed, ``draw`` and (for ``binomial``, whose resamples are split between
    ``workers`` threads with generators spawned from the seed) ``workers``.
    """
    if draw not in ("binomial", "exact"):
        raise ValueError("draw must be 'binomial' or 'exact'")
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
    threads = max(1, workers)
    with ThreadPoolExecutor(threads) as pool:
        chance = 1.0 - (1.0 - integer_probability(registered[use], turnout[use], pool=pool)) * (
            1.0 - integer_probability(ballots[use], share[use], pool=pool)
        )
        if draw == "exact":
            cumulative = np.cumsum(poisson_binomial_pmf(chance))
            uniform = np.random.default_rng(np.random.SeedSequence(seed)).random(resamples)
            counts = np.searchsorted(cumulative, uniform * cumulative[-1], side="right")
            counts = np.minimum(counts, chance.size).astype(np.int64)
        else:
            children = np.random.SeedSequence(seed).spawn(threads)
            parts = np.array_split(np.arange(resamples), threads)

            def run(j: int) -> IntArray:
                return _resampled_counts(
                    np.random.default_rng(children[j]),
                    registered=registered[use],
                    turnout=turnout[use],
                    ballots=ballots[use],
                    share=share[use],
                    resamples=parts[j].size,
                )

            counts = np.concatenate(list(pool.map(run, range(threads))))
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
        expected_exact=float(chance.sum()),
        sd_exact=float(np.sqrt((chance * (1.0 - chance)).sum())),
        draw=draw,
    )
