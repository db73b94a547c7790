"""Shpilkin's turnout-based estimate of the leader's anomalous votes.

In an honest election a candidate's share of the vote hardly depends on the
station's turnout, and turnout has one bell-shaped mode. Where ballots are
stuffed, turnout rises and every added ballot goes to one candidate, so the
leader's votes grow with turnout while the others' do not.

Method (stated so that anyone can redo it): (1) find the mode t0 of the
turnout distribution of valid votes (1-point bins smoothed by a Gaussian
kernel of 2 points; peaks at 95 % or more are ignored), and fit its width from
the stations below it; (2) take every candidate's share of valid votes among
stations with turnout ≤ t0 as the clean shares s_c; (3) at stations with
turnout above t0, assume the other candidates' votes O are genuine, so the
genuine valid votes are O / (1 - s_leader); (4) the leader's anomalous votes
are the leader's official votes there minus s_leader times those genuine votes.
For another candidate c the same step gives V_c - s_c·O/(1 - s_leader), which
shows votes shifted between the others (these sum to zero).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from veche.audit.errors import AuditMethodError
from veche.audit.protocol import FloatArray, OfficialProtocol

__all__ = ["TurnoutEstimate", "turnout_estimate"]

BIN_WIDTH = 0.01
SMOOTHING_BINS = 2.0
DETECTION_SHARE = 0.03
DETECTION_SE = 3.0
ASSUMPTIONS = (
    "Without fraud, candidates' shares do not depend on turnout and turnout has one mode; "
    "stations at or below the mode are taken as clean.",
    "The other candidates' votes above the mode are genuine; the leader's votes in excess "
    "of the clean share are anomalous (added ballots or votes moved to the leader).",
    f"Flagged when the anomalous votes exceed {DETECTION_SHARE:.0%} of the leader's votes and "
    f"{DETECTION_SE:g} standard errors; the standard error comes from linearising the "
    "estimate and summing its terms per region (per district, or per station, when there "
    "are fewer than 5 regions), so that habits shared by a region's stations count as "
    "noise, not as fraud.",
)
LIMITS = (
    "If turnout and support are linked for honest reasons (rural areas vote more and "
    "differently), the estimate includes that link; compare regions before concluding.",
    "Fraud at stations below the mode is missed and biases the clean share upwards; votes "
    "moved from others are counted with a factor 1/(1 - clean share); the figure is an "
    "estimate, not a count.",
)


@dataclass(frozen=True, slots=True, eq=False)
class TurnoutEstimate:
    """Anomalous votes estimated from the turnout distribution."""

    leader: str
    candidates: tuple[str, ...]
    mode_turnout: float
    mode_sd: float  # width of the low-turnout mode, fitted from stations below it
    clean_stations: int
    clean_shares: FloatArray  # per candidate, among stations at or below the mode
    anomalous_votes: FloatArray  # per candidate
    leader_votes: int
    standard_error: float  # of the leader's anomalous votes, clustered by region
    bin_edges: FloatArray  # turnout bins (fractions)
    votes_by_turnout: FloatArray  # (candidates, bins): valid votes per bin
    expected_leader_by_turnout: FloatArray  # what the clean share predicts per bin
    assumptions: tuple[str, ...] = ASSUMPTIONS
    limits: tuple[str, ...] = LIMITS

    @property
    def leader_anomalous_votes(self) -> float:
        return float(self.anomalous_votes[self.candidates.index(self.leader)])

    @property
    def anomalous_share_of_leader(self) -> float:
        return self.leader_anomalous_votes / self.leader_votes if self.leader_votes else 0.0

    @property
    def detected(self) -> bool:
        return (
            self.anomalous_share_of_leader > DETECTION_SHARE
            and self.leader_anomalous_votes > DETECTION_SE * self.standard_error
        )


def turnout_estimate(official: OfficialProtocol) -> TurnoutEstimate:
    """Estimate the leader's anomalous votes with Shpilkin's turnout method."""
    votes = official.votes.astype(np.float64)
    valid = votes.sum(axis=1)
    use = (official.registered > 0) & (valid > 0)
    if use.sum() < 10:
        raise AuditMethodError("the turnout estimate needs at least 10 stations with votes")
    turnout = np.clip(official.turnout[use], 0.0, 1.0)
    votes = votes[use]
    valid = valid[use]
    leader = official.leader
    edges = np.linspace(0.0, 1.0, round(1 / BIN_WIDTH) + 1)
    which = np.minimum((turnout / BIN_WIDTH).astype(np.int64), edges.size - 2)
    bins = edges.size - 1
    per_bin = np.stack(
        [np.bincount(which, weights=votes[:, j], minlength=bins) for j in range(votes.shape[1])]
    ).astype(np.float64)
    density = ndimage.gaussian_filter1d(per_bin.sum(axis=0), SMOOTHING_BINS, mode="constant")
    density[edges[:-1] >= 0.95] = 0.0
    mode_bin = int(np.argmax(density))
    mode = float(edges[mode_bin + 1])  # stations in the mode bin count as clean
    clean = turnout <= mode
    if clean.sum() < 5 or valid[clean].sum() == 0:
        raise AuditMethodError("too few stations at or below the turnout mode")
    below = turnout[clean]
    mode_sd = float(np.sqrt(np.mean((below - mode) ** 2)))
    clean_shares = votes[clean].sum(axis=0) / valid[clean].sum()
    high = ~clean
    s_leader = float(clean_shares[leader])
    others = valid[high] - votes[high, leader]
    genuine = others.sum() / max(1.0 - s_leader, 1e-9)
    anomalous = votes[high].sum(axis=0) - clean_shares * genuine
    # Standard error: the estimate is linear in each station's residual
    # L - r·O (r = clean odds), with weight 1 above the mode and -ΣO_high/ΣO_clean
    # at or below it; residuals are summed per region (the cluster).
    all_others = valid - votes[:, leader]
    odds = s_leader / max(1.0 - s_leader, 1e-9)
    residual = votes[:, leader] - odds * all_others
    weight = np.where(high, 1.0, -others.sum() / max(float(all_others[clean].sum()), 1e-9))
    # Dense cluster numbers among the stations used (integer codes sort fast).
    _, cluster = np.unique(official.group_codes("regions")[1][use], return_inverse=True)
    if cluster.max() + 1 < 5 and official.districts is not None:
        _, cluster = np.unique(official.group_codes("districts")[1][use], return_inverse=True)
    if cluster.max() + 1 < 5:
        cluster = np.arange(residual.size)
    sums = np.bincount(cluster, weights=weight * residual)
    g = sums.size
    standard_error = float(np.sqrt(g / max(g - 1, 1) * ((sums - sums.mean()) ** 2).sum()))
    other_per_bin = per_bin.sum(axis=0) - per_bin[leader]
    expected = other_per_bin * s_leader / max(1.0 - s_leader, 1e-9)
    return TurnoutEstimate(
        leader=official.candidates[leader],
        candidates=official.candidates,
        mode_turnout=mode,
        mode_sd=mode_sd,
        clean_stations=int(clean.sum()),
        clean_shares=clean_shares,
        anomalous_votes=anomalous,
        leader_votes=int(official.votes[:, leader].sum()),
        standard_error=standard_error,
        bin_edges=edges,
        votes_by_turnout=per_bin,
        expected_leader_by_turnout=expected,
    )
