"""Synthetic elections with known, configurable fraud, for tests, demos and teaching.

The clean election is shaped like Belarus 2020 (seven regions, districts, urban
and rural stations, about 1,200 voters per station on average): turnout and
candidate shares vary by region, district and station (beta and Dirichlet
draws), and votes are multinomial draws. In the clean election turnout and
shares are drawn independently, which is the assumption the turnout-based
methods rest on; real elections may break it (see docs/audit.md).

Three kinds of fraud can be injected, each at a given share of stations:

* ``stuffing`` follows the model of Klimek et al. (2012): at a touched station a
  fraction x of the non-voters' ballots is added for the leader and a fraction
  x**alpha (alpha = 2) of every other candidate's votes is moved to the leader;
  x ~ |N(0, 0.25)| ("incremental"), or, at one touched station in ten,
  x = 1 - |N(0, 0.075)| ("extreme");
* ``carousel``: people vote several times for the leader (they are real bodies,
  so observers count them, and the ballots are issued);
* ``rewrite``: the commission rewrites the protocol so that the leader's share
  of ballots lands on a round percentage, moving votes from the other candidates.

``truth`` says exactly what was injected, per candidate and per kind.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from veche.audit.protocol import IntArray, ObserverReports, OfficialProtocol, WitnessReports

__all__ = ["SimulatedElection", "simulate", "write_simulation"]

REGIONS: tuple[tuple[str, float, float], ...] = (
    # name, share of stations, share of urban stations
    ("Брестская область", 0.145, 0.45),
    ("Витебская область", 0.14, 0.45),
    ("Гомельская область", 0.15, 0.5),
    ("Гродненская область", 0.12, 0.45),
    ("г. Минск", 0.13, 1.0),
    ("Минская область", 0.18, 0.4),
    ("Могилёвская область", 0.125, 0.5),
)

# Clean national means of the share of valid votes (a simulation, not a claim
# about the real 2020 result).
CANDIDATES: tuple[tuple[str, float, float], ...] = (
    # name, mean share, share of its voters who send a witness photo
    ("Лукашенко", 0.46, 0.01),
    ("Тихановская", 0.38, 0.30),
    ("Дмитриев", 0.03, 0.20),
    ("Канопацкая", 0.025, 0.20),
    ("Черечень", 0.015, 0.20),
    ("Против всех", 0.06, 0.20),
)

STUFFING_ALPHA = 2.0
STUFFING_THETA = 0.25
EXTREME_SHARE = 0.1
WITNESS_COVERAGE = 0.7
OBSERVER_COVERAGE = 0.12


@dataclass(frozen=True, slots=True, eq=False)
class SimulatedElection:
    """A simulated election: what the commission published, what citizens saw, the truth."""

    official: OfficialProtocol
    witnesses: WitnessReports
    observers: ObserverReports
    truth: dict[str, Any]


def _candidates(count: int) -> list[tuple[str, float, float]]:
    base = list(CANDIDATES)
    if count < 2:
        raise ValueError("an election needs at least 2 candidates")
    if count <= len(base):
        return [*base[: count - 1], base[-1]] if count < len(base) else base
    extra = [(f"Кандидат {i}", 0.01, 0.2) for i in range(len(base) + 1, count + 1)]
    return base[:-1] + extra + [base[-1]]


def simulate(
    stations: int,
    seed: int,
    stuffing: float = 0.0,
    rewrite: float = 0.0,
    carousel: float = 0.0,
    *,
    candidates: int = len(CANDIDATES),
) -> SimulatedElection:
    """Simulate an election of ``stations`` polling stations with the given fraud.

    ``stuffing``, ``rewrite`` and ``carousel`` are the shares of stations touched
    by each kind of fraud (0 to 1); ``candidates`` counts the ballot's columns,
    "Против всех" (against all) included.
    """
    if stations < 1:
        raise ValueError("stations must be at least 1")
    for name, share in (("stuffing", stuffing), ("rewrite", rewrite), ("carousel", carousel)):
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1, got {share}")
    rng = np.random.default_rng(seed)
    roster = _candidates(candidates)
    names = tuple(name for name, _, _ in roster)
    k = len(names)
    leader = 0

    # Geography: regions, ~17 districts each, urban and rural stations.
    region_share = np.array([share for _, share, _ in REGIONS])
    region = rng.choice(len(REGIONS), size=stations, p=region_share / region_share.sum())
    district_in_region = rng.integers(0, 17, size=stations)
    district_id = region * 17 + district_in_region
    urban = rng.random(stations) < np.array([u for _, _, u in REGIONS])[region]
    registered = np.where(
        urban,
        np.clip(rng.normal(1800, 500, stations), 300, 3500),
        np.clip(rng.lognormal(np.log(330), 0.6, stations), 20, 2000),
    ).astype(np.int64)

    # Turnout: national mean, region and district effects, beta spread per station.
    region_turnout = 0.62 + rng.normal(0, 0.03, len(REGIONS))
    district_turnout = rng.normal(0, 0.02, len(REGIONS) * 17)
    mean_turnout = np.clip(region_turnout[region] + district_turnout[district_id], 0.2, 0.9)
    concentration = 40.0
    turnout = rng.beta(concentration * mean_turnout, concentration * (1 - mean_turnout))
    ballots = rng.binomial(registered, turnout)

    # Shares: region effects on the national means, Dirichlet spread per station.
    base = np.array([share for _, share, _ in roster])
    base = base / base.sum()
    region_means = base * np.exp(rng.normal(0, 0.1, (len(REGIONS), k)))
    region_means /= region_means.sum(axis=1, keepdims=True)
    alpha = 60.0 * region_means[region]
    gamma = rng.gamma(alpha)
    shares = gamma / gamma.sum(axis=1, keepdims=True)
    invalid = rng.binomial(ballots, 0.012)
    true_votes = rng.multinomial(ballots - invalid, shares).astype(np.int64)
    issued = ballots + rng.binomial(registered - ballots, 0.001)
    people = issued.copy()  # voters who physically came

    votes = true_votes.copy()
    added = np.zeros(k, dtype=np.int64)
    moved = np.zeros(k, dtype=np.int64)
    ids = np.array([f"{r + 1:02d}-{i + 1:05d}" for i, r in enumerate(region.tolist())])

    # Carousel voting: real people voting again, so observers count them.
    touched_carousel = rng.random(stations) < carousel
    extra = np.where(
        touched_carousel,
        rng.binomial(np.maximum(registered - issued, 0), rng.uniform(0.03, 0.12, stations)),
        0,
    )
    votes[:, leader] += extra
    ballots = ballots + extra
    issued = issued + extra
    people = people + extra
    added[leader] += int(extra.sum())

    # Ballot stuffing and stolen votes, after Klimek et al. (2012).
    fraud = rng.random(stations) < stuffing
    extreme = fraud & (rng.random(stations) < EXTREME_SHARE)
    x = np.minimum(np.abs(rng.normal(0, STUFFING_THETA, stations)), 0.95)
    x = np.where(extreme, np.maximum(1 - np.abs(rng.normal(0, 0.075, stations)), 0.5), x)
    x = np.where(fraud, x, 0.0)
    stuffed = np.floor(x * np.maximum(registered - issued, 0)).astype(np.int64)
    stolen = np.rint((x**STUFFING_ALPHA)[:, None] * votes).astype(np.int64)
    stolen[:, leader] = 0
    votes -= stolen
    votes[:, leader] += stuffed + stolen.sum(axis=1)
    ballots = ballots + stuffed
    issued = issued + stuffed
    added[leader] += int(stuffed.sum())
    moved -= stolen.sum(axis=0)
    moved[leader] += int(stolen.sum())

    # Rewritten protocols: the leader's share of ballots set to a round percentage.
    touched_rewrite = (rng.random(stations) < rewrite) & (ballots > 0)
    share_now = np.divide(votes[:, leader], ballots, out=np.zeros(stations), where=ballots > 0)
    target = np.minimum(np.ceil(share_now * 100) + rng.integers(3, 21, stations), 95)
    wanted = np.rint(target / 100 * ballots).astype(np.int64)
    others = votes.sum(axis=1) - votes[:, leader]
    shift = np.where(touched_rewrite, np.clip(wanted - votes[:, leader], 0, others), 0)
    other_votes = votes.copy()
    other_votes[:, leader] = 0
    taken = np.floor(
        other_votes * np.divide(shift, others, out=np.zeros(stations), where=others > 0)[:, None]
    ).astype(np.int64)
    # Rounding leaves a few votes; take them from the strongest other candidate.
    rest = shift - taken.sum(axis=1)
    strongest = np.argmax(other_votes - taken, axis=1)
    taken[np.arange(stations), strongest] += rest
    votes -= taken
    votes[:, leader] += taken.sum(axis=1)
    moved -= taken.sum(axis=0)
    moved[leader] += int(taken.sum())
    touched_rewrite &= shift > 0

    # Citizens' evidence: witness photos at covered stations, observers at a few.
    rates = np.array([rate for _, _, rate in roster])
    witnessed_station = rng.random(stations) < WITNESS_COVERAGE
    witnessed = rng.binomial(true_votes, rates[None, :] * witnessed_station[:, None]).astype(
        np.int64
    )
    observed_station = rng.random(stations) < OBSERVER_COVERAGE
    observed = np.where(observed_station, people - rng.binomial(people, 0.02), -1).astype(np.int64)

    early = rng.binomial(ballots, 0.4)
    at_home = rng.binomial(ballots - early, 0.06)
    region_names = np.array([REGIONS[r][0] for r in region.tolist()])
    district_names = np.array(
        [
            f"{REGIONS[r][0]}, округ {d + 1}"
            for r, d in zip(region.tolist(), district_in_region.tolist(), strict=True)
        ]
    )
    official = OfficialProtocol(
        source="official.csv",
        stations=ids,
        regions=region_names,
        registered=registered,
        ballots=ballots.astype(np.int64),
        invalid=invalid.astype(np.int64),
        candidates=names,
        votes=votes,
        issued=issued.astype(np.int64),
        early=early.astype(np.int64),
        at_home=at_home.astype(np.int64),
        districts=district_names,
        lines=np.arange(2, stations + 2, dtype=np.int64),
    )
    witnesses = WitnessReports(
        source="witness.csv", counts=witnessed, rows=int((witnessed > 0).sum()), aggregated=True
    )
    observers = ObserverReports(source="observer.csv", observed=observed)
    touched_any = touched_carousel | fraud | touched_rewrite
    truth: dict[str, Any] = {
        "simulated": True,
        "seed": seed,
        "stations": stations,
        "parameters": {"stuffing": stuffing, "rewrite": rewrite, "carousel": carousel},
        "leader": names[leader],
        "registered": int(registered.sum()),
        "true_votes": _per_candidate(names, true_votes.sum(axis=0)),
        "official_votes": _per_candidate(names, votes.sum(axis=0)),
        "stations_touched": {
            "stuffing": int(fraud.sum()),
            "stuffing_incremental": int((fraud & ~extreme).sum()),
            "stuffing_extreme": int(extreme.sum()),
            "carousel": int(touched_carousel.sum()),
            "rewrite": int(touched_rewrite.sum()),
            "any": int(touched_any.sum()),
        },
        "touched_station_ids": {
            "stuffing": ids[fraud].tolist(),
            "carousel": ids[touched_carousel].tolist(),
            "rewrite": ids[touched_rewrite].tolist(),
        },
        "votes_added": _per_candidate(names, added),
        "votes_moved": _per_candidate(names, moved),
        "injected_leader_votes": int(added[leader] + moved[leader]),
        "ballots_added": int(added[leader]),
        "klimek": {
            "f_incremental": float((fraud & ~extreme).mean()),
            "f_extreme": float(extreme.mean()),
            "alpha": STUFFING_ALPHA,
        },
    }
    return SimulatedElection(official, witnesses, observers, truth)


def _per_candidate(names: tuple[str, ...], values: IntArray) -> dict[str, int]:
    return {name: int(v) for name, v in zip(names, values.tolist(), strict=True)}


def write_simulation(election: SimulatedElection, directory: Path | str) -> dict[str, Path]:
    """Write official.csv, witness.csv (aggregated), observer.csv and truth.json."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    official = election.official
    paths = {
        "official": out / "official.csv",
        "witness": out / "witness.csv",
        "observer": out / "observer.csv",
        "truth": out / "truth.json",
    }
    assert official.issued is not None and official.early is not None
    assert official.at_home is not None and official.districts is not None
    with paths["official"].open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "station",
                "region",
                "district",
                "registered",
                "issued",
                "ballots",
                "early",
                "at_home",
                "invalid",
                *official.candidates,
            ]
        )
        columns = [
            official.stations.tolist(),
            official.regions.tolist(),
            official.districts.tolist(),
            official.registered.tolist(),
            official.issued.tolist(),
            official.ballots.tolist(),
            official.early.tolist(),
            official.at_home.tolist(),
            official.invalid.tolist(),
            *official.votes.T.tolist(),
        ]
        writer.writerows(zip(*columns, strict=True))
    counts = election.witnesses.counts
    with paths["witness"].open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["station", "candidate", "count"])
        rows, cols = np.nonzero(counts)
        names = official.candidates
        station_ids = official.stations.tolist()
        writer.writerows(
            (station_ids[r], names[c], int(counts[r, c]))
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
        )
    observed = election.observers.observed
    with paths["observer"].open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["station", "observed_turnout"])
        idx = np.flatnonzero(observed >= 0)
        writer.writerows(zip(official.stations[idx].tolist(), observed[idx].tolist(), strict=True))
    paths["truth"].write_text(
        json.dumps(election.truth, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return paths
