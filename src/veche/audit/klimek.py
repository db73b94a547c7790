"""Turnout against the leader's share: the election fingerprint of Klimek et al. (2012).

An honest election gives one roughly Gaussian blob in the 2-D histogram of
(turnout, leader's share). Ballot stuffing smears it towards the top right
corner, and "extreme" fraud (almost everyone "voted", almost all for the leader)
makes a second blob near 100 %/100 %.

The fitted model is Klimek et al.'s: clean turnout a ~ N(t0, σa) and leader's
share v ~ N(v0, σv), both estimated from the low side of the data, which
stuffing does not reach (the 10th and 30th percentiles of turnout, and of the
leader's share at stations with turnout at or below the median). With probability
f_incremental a station is stuffed with a fraction x ~ |N(0, θ)| of its
non-voters' ballots for the leader, and a fraction x**alpha of the other
candidates' votes is moved to the leader; with probability f_extreme the same
happens with x = 1 - |N(0, 0.075)|.

Fitting method (our choice; Klimek et al. compared model and data histograms
too): the model is simulated for the stations' own electorate sizes (up to
100,000 of them, resampled) with fixed random numbers (common random numbers
make the loss a smooth function of the parameters); the simulated 2-D histogram
(20 × 20 bins), scaled to the number of stations, gives each bin's expected
count, and the observed counts are scored by their Poisson deviance (twice the
negative log-likelihood ratio against a perfect fit). (f_incremental,
f_extreme, alpha, θ) are found by an exhaustive search of a fine grid
(f_incremental in steps of 0.02 up to 0.7; f_extreme from 0 to 0.12; alpha
0.5, 1, 2 or 4; θ 0.15, 0.25 or 0.4), refined around the best point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from veche.audit.errors import AuditMethodError
from veche.audit.protocol import FloatArray, IntArray, OfficialProtocol

__all__ = ["KlimekFit", "klimek_fit"]

FIT_BINS = 20
PLOT_BINS = 100
MAX_SIMULATED = 100_000
DETECTION_FRAUD_SHARE = 0.05
DETECTION_DEVIANCE = 100.0
ASSUMPTIONS = (
    "Without fraud, turnout and the leader's share are each roughly normal across stations "
    "and independent of each other; their means and widths are estimated from the low "
    "side of the data (10th and 30th percentiles), which stuffing does not reach.",
    "Fraud follows the model of Klimek et al. (2012): incremental stuffing at a share "
    "f_incremental of stations, extreme stuffing at a share f_extreme, alpha sets how many "
    "votes are moved from the other candidates as well as added.",
    f"Flagged when f_incremental + f_extreme ≥ {DETECTION_FRAUD_SHARE} and the fraud model "
    f"lowers the Poisson deviance by at least {DETECTION_DEVIANCE:g} against the same model "
    "without fraud (calibrated on simulated clean elections of 1,000 stations and more).",
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
        return (
            self.f_incremental + self.f_extreme >= DETECTION_FRAUD_SHARE
            and self.loss_without_fraud - self.loss >= DETECTION_DEVIANCE
        )


def _low_side_normal(values: FloatArray) -> tuple[float, float]:
    """Mean and width of the clean normal from the 10th and 30th percentiles.

    Stuffing only moves stations up, so the low side of the distribution is the
    clean one; percentiles are far steadier than a mode in small samples.
    """
    q10, q30 = np.percentile(values, [10, 30])
    sd = max(float(q30 - q10) / (1.2816 - 0.5244), 0.005)
    return float(q30) + 0.5244 * sd, sd


def _histogram(
    turnout: FloatArray, share: FloatArray, bins: int, weights: FloatArray | None = None
) -> FloatArray:
    i = np.minimum((turnout * bins).astype(np.int64), bins - 1)
    j = np.minimum((share * bins).astype(np.int64), bins - 1)
    flat = np.bincount(i * bins + j, weights=weights, minlength=bins * bins)
    return flat.reshape(bins, bins).astype(np.float64)


class _Model:
    """Klimek's model simulated with fixed random numbers for the given electorates.

    Stations are sorted by the uniform number that decides whether they are
    defrauded, so the stuffed stations of any (f_incremental, f_extreme) are a
    prefix of the list; histograms of prefixes are computed once per
    (alpha, theta), and every grid point then costs one sum of three histograms.
    """

    def __init__(
        self, registered: FloatArray, *, t0: float, st: float, v0: float, sv: float, seed: int
    ) -> None:
        rng = np.random.default_rng(seed)
        m = registered.size
        a = stats.truncnorm.rvs(
            (0 - t0) / st, (1 - t0) / st, loc=t0, scale=st, size=m, random_state=rng
        )
        v = stats.truncnorm.rvs(
            (0 - v0) / sv, (1 - v0) / sv, loc=v0, scale=sv, size=m, random_state=rng
        )
        order = rng.random(m)
        z = np.abs(rng.normal(0, 1, m))
        extreme = np.clip(1 - np.abs(rng.normal(0, 0.075, m)), 0.0, 1.0)
        sort = np.argsort(order)
        self.u = order[sort]
        self.registered = registered[sort]
        self.leader = (registered * a * v)[sort]
        self.others = (registered * a * (1 - v))[sort]
        self.z_incremental = z[sort]
        self.x_extreme = extreme[sort]
        self.clean_bins = self._bins(np.zeros(m), 1.0)
        # Reused across grid searches: the clean stations' prefix histograms for a
        # set of cuts, and the extreme-fraud bins for each alpha.
        self._clean_prefixes: dict[bytes, FloatArray] = {}
        self._extreme_bins: dict[float, IntArray] = {}

    def _bins(self, x: FloatArray, alpha: float, bins: int = FIT_BINS) -> IntArray:
        turnout, share = self._apply(x, alpha)
        i = np.minimum((turnout * bins).astype(np.int64), bins - 1)
        j = np.minimum((share * bins).astype(np.int64), bins - 1)
        return np.asarray(i * bins + j, dtype=np.int64)

    def _apply(self, x: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray]:
        stolen = x**alpha * self.others
        leader = self.leader + x * (self.registered - self.leader - self.others) + stolen
        total = leader + self.others - stolen
        share = np.divide(leader, total, out=np.zeros_like(total), where=total > 0)
        return total / self.registered, share

    def simulate(
        self, f_inc: float, f_ext: float, alpha: float, theta: float
    ) -> tuple[FloatArray, FloatArray]:
        """Turnout and leader's share of every simulated station."""
        inc = self.u < f_inc
        ext = (self.u >= f_inc) & (self.u < f_inc + f_ext)
        x = np.where(inc, np.minimum(theta * self.z_incremental, 0.99), 0.0)
        x = np.where(ext, self.x_extreme, x)
        return self._apply(x, alpha)

    @staticmethod
    def _prefix_histograms(bins: IntArray, segment: IntArray, parts: int) -> FloatArray:
        """Row r: histogram of the stations before cut r (segment[i] is the first cut
        after station i; stations past the last cut have segment == parts)."""
        cells = FIT_BINS * FIT_BINS
        keep = segment < parts
        counts = np.bincount(segment[keep] * cells + bins[keep], minlength=parts * cells).reshape(
            parts, cells
        )
        return np.cumsum(counts, axis=0).astype(np.float64)

    def histograms(
        self, f_inc: FloatArray, f_ext: FloatArray, alpha: float, theta: float
    ) -> FloatArray:
        """Histograms (flattened, one row per pair) for pairs (f_inc[r], f_ext[r])."""
        k1 = np.searchsorted(self.u, f_inc)
        k2 = np.searchsorted(self.u, f_inc + f_ext)
        cuts, index = np.unique(np.concatenate([k1, k2, [self.u.size]]), return_inverse=True)
        i1, i2, last = index[: k1.size], index[k1.size : -1], index[-1]
        # Station i belongs to the first cut above it: cut r covers [cuts[r-1], cuts[r]).
        segment = np.repeat(np.arange(cuts.size + 1), np.diff(cuts, prepend=0, append=self.u.size))
        key = cuts.tobytes()
        if key not in self._clean_prefixes:
            self._clean_prefixes[key] = self._prefix_histograms(self.clean_bins, segment, cuts.size)
        clean = self._clean_prefixes[key]
        if alpha not in self._extreme_bins:
            self._extreme_bins[alpha] = self._bins(self.x_extreme, alpha)
        incremental = self._prefix_histograms(
            self._bins(np.minimum(theta * self.z_incremental, 0.99), alpha), segment, cuts.size
        )
        extreme = self._prefix_histograms(self._extreme_bins[alpha], segment, cuts.size)
        return np.asarray(
            incremental[i1] + extreme[i2] - extreme[i1] + clean[last] - clean[i2],
            dtype=np.float64,
        )


def _deviance(expected: FloatArray, observed: FloatArray) -> FloatArray:
    """Poisson deviance of the observed bin counts given the model's expected counts
    (the last axis runs over bins)."""
    expected = np.maximum(expected, 0.05)
    ratio = np.where(observed > 0, observed / expected, 1.0)
    return np.asarray(
        2.0 * (observed * np.log(ratio) - (observed - expected)).sum(axis=-1), dtype=np.float64
    )


ALPHAS = (0.5, 1.0, 2.0, 4.0)
THETAS = (0.15, 0.25, 0.4)
F_INCREMENTAL = np.round(np.arange(0.0, 0.701, 0.02), 4)
F_EXTREME = np.array([0.0, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.12])


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

    t0, st = _low_side_normal(turnout)
    # Stuffed stations have high turnout: the leader's clean share is read from
    # stations at or below the median turnout.
    v0, sv = _low_side_normal(share[turnout <= np.median(turnout)])

    rng = np.random.default_rng(seed)
    # The model is simulated for several times as many stations as the data has
    # (resampling their electorates), so that its own noise is small.
    size = min(MAX_SIMULATED, max(8 * n, 5000))
    sample = rng.choice(registered, size, replace=n < size)
    scale = n / sample.size
    model = _Model(sample, t0=t0, st=st, v0=v0, sv=sv, seed=seed)
    observed = _histogram(turnout, share, FIT_BINS).ravel()

    grid_inc, grid_ext = (a.ravel() for a in np.meshgrid(F_INCREMENTAL, F_EXTREME))
    best = (np.inf, 0.0, 0.0, 1.0, 0.25)
    for alpha in ALPHAS:
        for theta in THETAS:
            losses = _deviance(model.histograms(grid_inc, grid_ext, alpha, theta) * scale, observed)
            r = int(np.argmin(losses))
            if losses[r] < best[0]:
                best = (float(losses[r]), float(grid_inc[r]), float(grid_ext[r]), alpha, theta)
    # Refine f_incremental and f_extreme around the best point of the coarse grid.
    _, f_inc0, f_ext0, alpha, theta = best
    fine_inc = np.unique(np.clip(f_inc0 + np.arange(-0.02, 0.0201, 0.005), 0.0, 1.0))
    fine_ext = np.unique(np.clip(f_ext0 * np.array([0.5, 0.75, 1.0, 1.25, 1.5]), 0.0, 1.0))
    grid_inc, grid_ext = (a.ravel() for a in np.meshgrid(fine_inc, fine_ext))
    losses = _deviance(model.histograms(grid_inc, grid_ext, alpha, theta) * scale, observed)
    r = int(np.argmin(losses))
    if losses[r] < best[0]:
        best = (float(losses[r]), float(grid_inc[r]), float(grid_ext[r]), alpha, theta)
    value, f_inc, f_ext, alpha, theta = best
    without = float(
        _deviance(model.histograms(np.zeros(1), np.zeros(1), alpha, theta) * scale, observed)[0]
    )
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
        loss_without_fraud=without,
        histogram=_histogram(turnout, share, PLOT_BINS).astype(np.int64),
        model_histogram=_histogram(t, v, PLOT_BINS) * scale,
        used_stations=n,
    )
