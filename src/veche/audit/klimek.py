"""Turnout against the leader's share: the election fingerprint of Klimek et al. (2012).

An honest election gives one roughly Gaussian blob in the 2-D histogram of
(turnout, leader's share). Ballot stuffing smears it towards the top right
corner, and "extreme" fraud (almost everyone "voted", almost all for the leader)
makes a second blob near 100 %/100 %.

The fitted model is Klimek et al.'s: clean turnout a ~ N(t0, σa) and leader's
share v ~ N(v0, σv), both estimated from the data (the modes of the histograms,
widths from the side of each mode that fraud does not reach). With probability
f_incremental a station is stuffed with a fraction x ~ |N(0, θ)| of its
non-voters' ballots for the leader, and a fraction x**alpha of the other
candidates' votes is moved to the leader; with probability f_extreme the same
happens with x = 1 - |N(0, 0.075)|.

Fitting method (our choice; Klimek et al. compared model and data histograms
too): the model is simulated for the stations' own electorate sizes (up to
20,000 of them, resampled) with fixed random numbers (common random numbers
make the loss a smooth function of the parameters); the simulated 2-D histogram
(20 × 20 bins), scaled to the number of stations, gives each bin's expected
count, and the observed counts are scored by their Poisson deviance (twice the
negative log-likelihood ratio against a perfect fit). (f_incremental,
f_extreme, alpha, θ) are found by a grid search refined around the best point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage, stats

from veche.audit.errors import AuditMethodError
from veche.audit.protocol import FloatArray, IntArray, OfficialProtocol

__all__ = ["KlimekFit", "klimek_fit"]

FIT_BINS = 20
PLOT_BINS = 100
MAX_SIMULATED = 20_000
DETECTION_FRAUD_SHARE = 0.05
ASSUMPTIONS = (
    "Without fraud, turnout and the leader's share are each roughly normal across stations "
    "and independent of each other; their means and widths are estimated from the data "
    "(modes, and the low side of each mode).",
    "Fraud follows the model of Klimek et al. (2012): incremental stuffing at a share "
    "f_incremental of stations, extreme stuffing at a share f_extreme, alpha sets how many "
    "votes are moved from the other candidates as well as added.",
    f"Flagged when f_incremental + f_extreme ≥ {DETECTION_FRAUD_SHARE}.",
)
LIMITS = (
    "Regions with different habits make the honest blob wider or multi-modal; the model "
    "then fits some of that as fraud. Look at the fingerprint plot, and at regions.",
    "The fractions are model parameters (how many stations the model needs to stuff to "
    "look like the data), not a count of stuffed stations; fraud that only moves votes "
    "without raising turnout is seen only through alpha.",
)


@dataclass(frozen=True, slots=True, eq=False)
class KlimekFit:
    """The 2-D fingerprint and the fitted ballot-stuffing model."""

    f_incremental: float
    f_extreme: float
    alpha: float
    theta: float
    clean_turnout: float
    clean_turnout_sd: float
    clean_share: float
    clean_share_sd: float
    loss: float  # Poisson deviance at the fit
    loss_without_fraud: float  # the same with f_incremental = f_extreme = 0
    histogram: IntArray  # (PLOT_BINS, PLOT_BINS): stations by turnout (rows) and share (cols)
    model_histogram: FloatArray  # (PLOT_BINS, PLOT_BINS) expected counts of the fitted model
    used_stations: int
    assumptions: tuple[str, ...] = ASSUMPTIONS
    limits: tuple[str, ...] = LIMITS

    @property
    def detected(self) -> bool:
        return self.f_incremental + self.f_extreme >= DETECTION_FRAUD_SHARE


def _mode(values: FloatArray, bins: int = 100, smoothing: float = 2.0) -> float:
    counts, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    smooth = ndimage.gaussian_filter1d(counts.astype(np.float64), smoothing, mode="constant")
    smooth[edges[:-1] >= 0.95] = 0.0  # a fraud peak at ~100 % is not the clean mode
    i = int(np.argmax(smooth))
    return float((edges[i] + edges[i + 1]) / 2)


def _left_sd(values: FloatArray, centre: float) -> float:
    below = values[values < centre]
    if below.size < 3:
        return 0.05
    return max(float(np.sqrt(np.mean((below - centre) ** 2))), 0.005)


def _histogram(
    turnout: FloatArray, share: FloatArray, bins: int, weights: FloatArray | None = None
) -> FloatArray:
    i = np.minimum((turnout * bins).astype(np.int64), bins - 1)
    j = np.minimum((share * bins).astype(np.int64), bins - 1)
    flat = np.bincount(i * bins + j, weights=weights, minlength=bins * bins)
    return flat.reshape(bins, bins).astype(np.float64)


class _Model:
    """Klimek's model simulated with fixed random numbers for the given electorates."""

    def __init__(
        self, registered: FloatArray, *, t0: float, st: float, v0: float, sv: float, seed: int
    ) -> None:
        rng = np.random.default_rng(seed)
        m = registered.size
        self.registered = registered
        a = stats.truncnorm.rvs(
            (0 - t0) / st, (1 - t0) / st, loc=t0, scale=st, size=m, random_state=rng
        )
        v = stats.truncnorm.rvs(
            (0 - v0) / sv, (1 - v0) / sv, loc=v0, scale=sv, size=m, random_state=rng
        )
        self.leader = registered * a * v
        self.others = registered * a * (1 - v)
        self.order = rng.random(m)
        self.z_incremental = np.abs(rng.normal(0, 1, m))
        self.x_extreme = np.clip(1 - np.abs(rng.normal(0, 0.075, m)), 0.0, 1.0)

    def simulate(
        self, f_inc: float, f_ext: float, alpha: float, theta: float
    ) -> tuple[FloatArray, FloatArray]:
        inc = self.order < f_inc
        ext = (self.order >= f_inc) & (self.order < f_inc + f_ext)
        x = np.where(inc, np.minimum(theta * self.z_incremental, 0.99), 0.0)
        x = np.where(ext, self.x_extreme, x)
        stolen = x**alpha * self.others
        leader = self.leader + x * (self.registered - self.leader - self.others) + stolen
        others = self.others - stolen
        total = leader + others
        return total / self.registered, np.divide(
            leader, total, out=np.zeros_like(total), where=total > 0
        )


def _loss(expected: FloatArray, observed: FloatArray) -> float:
    """Poisson deviance of the observed bin counts given the model's expected counts."""
    expected = np.maximum(expected, 0.05)
    ratio = np.where(observed > 0, observed / expected, 1.0)
    return float(2.0 * (observed * np.log(ratio) - (observed - expected)).sum())


def klimek_fit(official: OfficialProtocol, *, seed: int = 0) -> KlimekFit:
    """Build the fingerprint and fit Klimek et al.'s fraud model to it."""
    leader_votes = official.votes[:, official.leader].astype(np.float64)
    valid = official.votes.sum(axis=1).astype(np.float64)
    use = (official.registered > 0) & (valid > 0)
    if use.sum() < 50:
        raise AuditMethodError(
            "the turnout/share fingerprint needs at least 50 stations with votes"
        )
    registered = official.registered[use].astype(np.float64)
    turnout = np.clip(valid[use] / registered, 0.0, 1.0)
    share = leader_votes[use] / valid[use]
    n = int(use.sum())

    t0 = _mode(turnout)
    st = _left_sd(turnout, t0)
    low = turnout <= t0 + st
    v0 = _mode(share[low]) if low.sum() >= 20 else _mode(share)
    sv = _left_sd(share[low] if low.sum() >= 20 else share, v0)

    rng = np.random.default_rng(seed)
    # The model is simulated for several times as many stations as the data has
    # (resampling their electorates), so that its own noise is small.
    size = min(MAX_SIMULATED, max(4 * n, 5000))
    sample = rng.choice(registered, size, replace=n < size)
    scale = n / sample.size
    model = _Model(sample, t0=t0, st=st, v0=v0, sv=sv, seed=seed)
    observed = _histogram(turnout, share, FIT_BINS)

    def loss(f_inc: float, f_ext: float, alpha: float, theta: float) -> float:
        t, v = model.simulate(f_inc, f_ext, alpha, theta)
        return _loss(_histogram(t, v, FIT_BINS) * scale, observed)

    best = (np.inf, 0.0, 0.0, 1.0, 0.2)
    for alpha in (0.5, 1.0, 2.0, 4.0):
        for theta in (0.1, 0.2, 0.35):
            for f_ext in (0.0, 0.005, 0.01, 0.02, 0.04, 0.08):
                for f_inc in np.arange(0.0, 0.61, 0.025):
                    if f_inc == 0.0 and f_ext == 0.0 and (alpha, theta) != (0.5, 0.1):
                        continue  # without fraud alpha and theta do not matter
                    value = loss(float(f_inc), f_ext, alpha, theta)
                    if value < best[0]:
                        best = (value, float(f_inc), f_ext, alpha, theta)
    _, f_inc0, f_ext0, alpha, theta = best
    for f_ext in np.unique(
        np.clip(f_ext0 + np.array([-0.01, -0.005, -0.0025, 0, 0.0025, 0.005, 0.01]), 0, 1)
    ):
        for f_inc in np.unique(np.clip(f_inc0 + np.arange(-0.025, 0.0251, 0.005), 0, 1)):
            value = loss(float(f_inc), float(f_ext), alpha, theta)
            if value < best[0]:
                best = (value, float(f_inc), float(f_ext), alpha, theta)
    value, f_inc, f_ext, alpha, theta = best
    t, v = model.simulate(f_inc, f_ext, alpha, theta)
    return KlimekFit(
        f_incremental=round(f_inc, 4),
        f_extreme=round(f_ext, 4),
        alpha=alpha,
        theta=theta,
        clean_turnout=t0,
        clean_turnout_sd=st,
        clean_share=v0,
        clean_share_sd=sv,
        loss=value,
        loss_without_fraud=loss(0.0, 0.0, alpha, theta),
        histogram=_histogram(turnout, share, PLOT_BINS).astype(np.int64),
        model_histogram=_histogram(t, v, PLOT_BINS) * scale,
        used_stations=n,
    )
