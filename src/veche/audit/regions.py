"""Regional outliers: robust z-scores of turnout and the leader's share.

Each region's turnout and leader's share (its totals) are compared with the
other regions', and each station with the other stations of its region, by a
robust z-score: (x - median) / (1.4826 · MAD), which outliers cannot drag the
way they drag a mean and a standard deviation (Iglewicz & Hoaglin 1993).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from veche.audit.protocol import FloatArray, IntArray, OfficialProtocol

__all__ = ["RegionalOutliers", "regional_outliers", "robust_z"]

Z_THRESHOLD = 3.5
DETECTION_STATION_SHARE = 0.01
ASSUMPTIONS = (
    "Stations of one region are alike: a station's turnout and leader's share are compared "
    "with the median of its region, scaled by 1.4826 × the median absolute deviation.",
    f"A station or region is an outlier when |z| > {Z_THRESHOLD} for turnout or the leader's "
    f"share; stations with fewer than 100 registered voters are not judged; the election "
    f"is flagged when more than {DETECTION_STATION_SHARE:.0%} of judged stations are outliers.",
)
LIMITS = (
    "Outliers are stations to look at (closed institutions, hospitals, military units "
    "vote differently), not proof of fraud.",
    "If fraud is everywhere, it becomes the median and no station stands out; with few "
    "regions, regional z-scores are rough.",
)


def robust_z(values: FloatArray) -> FloatArray:
    """(x - median) / (1.4826·MAD); zeros when the MAD is zero."""
    median = np.nanmedian(values)
    mad = 1.4826 * np.nanmedian(np.abs(values - median))
    if not np.isfinite(mad) or mad == 0:
        return np.zeros_like(values)
    return np.asarray((values - median) / mad, dtype=np.float64)


@dataclass(frozen=True, slots=True, eq=False)
class RegionalOutliers:
    """Regions and stations that stand out from their peers."""

    regions: tuple[str, ...]
    region_turnout: FloatArray
    region_share: FloatArray
    region_z_turnout: FloatArray
    region_z_share: FloatArray
    station_z_turnout: FloatArray  # per station, against its region; NaN when not judged
    station_z_share: FloatArray
    outlier_stations: IntArray  # indices of stations with |z| > threshold
    judged_stations: int
    assumptions: tuple[str, ...] = ASSUMPTIONS
    limits: tuple[str, ...] = LIMITS

    @property
    def outlier_regions(self) -> tuple[str, ...]:
        flagged = (np.abs(self.region_z_turnout) > Z_THRESHOLD) | (
            np.abs(self.region_z_share) > Z_THRESHOLD
        )
        return tuple(r for r, f in zip(self.regions, flagged.tolist(), strict=True) if f)

    @property
    def outlier_share(self) -> float:
        return self.outlier_stations.size / self.judged_stations if self.judged_stations else 0.0

    @property
    def detected(self) -> bool:
        return self.outlier_share > DETECTION_STATION_SHARE


def regional_outliers(official: OfficialProtocol) -> RegionalOutliers:
    """Robust z-scores per region and per station within its region."""
    names, region = official.group_codes("regions")
    leader = official.votes[:, official.leader].astype(np.float64)
    voters = official.voters.astype(np.float64)
    registered = official.registered.astype(np.float64)
    ballots = official.ballots.astype(np.float64)
    r_count = names.size
    sums = {
        name: np.bincount(region, weights=values, minlength=r_count)
        for name, values in (
            ("leader", leader),
            ("voters", voters),
            ("registered", registered),
            ("ballots", ballots),
        )
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        region_turnout = sums["voters"] / sums["registered"]
        region_share = sums["leader"] / sums["ballots"]
        turnout = voters / registered
        share = leader / ballots
    judged = (registered >= 100) & (ballots > 0)
    z_turnout = np.full(official.station_count, np.nan)
    z_share = np.full(official.station_count, np.nan)
    order = np.argsort(region, kind="stable")
    bounds = np.searchsorted(region[order], np.arange(r_count + 1))
    for r in range(r_count):
        members = order[bounds[r] : bounds[r + 1]]
        members = members[judged[members]]
        if members.size < 10:
            continue
        z_turnout[members] = robust_z(turnout[members])
        z_share[members] = robust_z(share[members])
    with np.errstate(invalid="ignore"):
        outlier = (np.abs(z_turnout) > Z_THRESHOLD) | (np.abs(z_share) > Z_THRESHOLD)
    return RegionalOutliers(
        regions=tuple(str(n) for n in names.tolist()),
        region_turnout=region_turnout,
        region_share=region_share,
        region_z_turnout=robust_z(region_turnout) if r_count >= 3 else np.zeros(r_count),
        region_z_share=robust_z(region_share) if r_count >= 3 else np.zeros(r_count),
        station_z_turnout=z_turnout,
        station_z_share=z_share,
        outlier_stations=np.flatnonzero(outlier),
        judged_stations=int(np.isfinite(z_turnout).sum()),
    )
