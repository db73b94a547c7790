"""Witnessed votes against the official protocol: proof of falsification, not statistics.

If more voters proved (with a photo of their ballot) that they voted for a
candidate at a station than the official protocol gives that candidate there,
the protocol of that station is false: at least the difference was taken from
that candidate. This is the method of the Golos platform in 2020. Observers'
counts of voters are compared with the official turnout in the same spirit,
with a tolerance because observers can miss voters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from veche.audit.protocol import IntArray, ObserverReports, OfficialProtocol, WitnessReports

__all__ = ["ObserverComparison", "WitnessComparison", "compare_observers", "compare_witnesses"]

WITNESS_ASSUMPTIONS = (
    "Each witness report is one real vote at that station, proven by evidence checked "
    "by the platform; one piece of evidence counts once.",
    "A station is proven falsified when witnessed votes for a candidate exceed that "
    "candidate's official votes; the difference is the minimum number of falsified votes.",
    "Stations without witnesses prove nothing either way; coverage says how much of the "
    "election the proof can reach.",
)
WITNESS_LIMITS = (
    "Forged or duplicated witness reports would make false proofs; the proof is only as "
    "good as the evidence checks behind the witness file.",
    "The minimum is a lower bound: votes moved where too few voters sent evidence stay unseen.",
)
OBSERVER_TOLERANCE = 0.10
OBSERVER_SLACK = 10
OBSERVER_ASSUMPTIONS = (
    f"Observers count every voter who enters; a station is flagged when the official "
    f"number of voters exceeds the observed count by more than {OBSERVER_TOLERANCE:.0%} + "
    f"{OBSERVER_SLACK} voters (observers miss some voters, e.g. home voting).",
)
OBSERVER_LIMITS = (
    "Observers who watched only election day miss early voting; flagged stations are "
    "grounds for questions, not proof.",
)


@dataclass(frozen=True, slots=True, eq=False)
class WitnessComparison:
    """Stations whose protocols witnesses prove false, and how much of the election they cover."""

    proven_stations: IntArray  # indices of stations with a proven falsification
    excess: IntArray  # (stations, candidates): witnessed minus official where positive
    proven_min_falsified_votes: int
    impossible_stations: IntArray  # witnesses for one + official for others > ballots
    covered_stations: int
    station_coverage: float
    voter_coverage: float  # share of ballots cast at covered stations
    witnessed_votes: int
    assumptions: tuple[str, ...] = WITNESS_ASSUMPTIONS
    limits: tuple[str, ...] = WITNESS_LIMITS

    @property
    def detected(self) -> bool:
        return self.proven_stations.size > 0


def compare_witnesses(official: OfficialProtocol, witnesses: WitnessReports) -> WitnessComparison:
    """Find stations where witnessed votes exceed the official count."""
    w = witnesses.counts
    if w.shape != official.votes.shape:
        raise ValueError("witness counts are not aligned with the official protocol")
    excess = np.maximum(w - official.votes, 0)
    per_station = excess.sum(axis=1)
    proven = np.flatnonzero(per_station > 0)
    # Witnessed votes for one candidate plus the official votes of all the others
    # cannot exceed the ballots in the box if the protocol is true.
    others = official.votes.sum(axis=1, keepdims=True) - official.votes
    impossible = np.flatnonzero(
        ((w + others) > official.ballots[:, None]).any(axis=1) & (w.sum(axis=1) > 0)
    )
    covered = w.sum(axis=1) > 0
    total_ballots = max(int(official.ballots.sum()), 1)
    return WitnessComparison(
        proven_stations=proven,
        excess=excess,
        proven_min_falsified_votes=int(per_station.sum()),
        impossible_stations=impossible,
        covered_stations=int(covered.sum()),
        station_coverage=float(covered.mean()) if covered.size else 0.0,
        voter_coverage=float(official.ballots[covered].sum() / total_ballots),
        witnessed_votes=int(w.sum()),
    )


@dataclass(frozen=True, slots=True, eq=False)
class ObserverComparison:
    """Stations where the official number of voters exceeds what observers counted."""

    observed_stations: int
    flagged_stations: IntArray
    excess_voters: int  # official minus observed, summed over flagged stations
    assumptions: tuple[str, ...] = OBSERVER_ASSUMPTIONS
    limits: tuple[str, ...] = OBSERVER_LIMITS

    @property
    def detected(self) -> bool:
        return self.flagged_stations.size > 0


def compare_observers(official: OfficialProtocol, observers: ObserverReports) -> ObserverComparison:
    """Flag stations whose official voters exceed the observed count beyond the tolerance."""
    seen = observers.covered
    official_voters = official.voters
    limit = observers.observed * (1 + OBSERVER_TOLERANCE) + OBSERVER_SLACK
    flagged = np.flatnonzero(seen & (official_voters > limit))
    return ObserverComparison(
        observed_stations=int(seen.sum()),
        flagged_stations=flagged,
        excess_voters=int((official_voters[flagged] - observers.observed[flagged]).sum()),
    )
