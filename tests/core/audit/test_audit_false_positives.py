"""On 100 clean simulated elections with fixed seeds, at most 5 % may be flagged.

Small elections (1,000 stations) keep the test fast; the integer test runs with
200 resamples here (its p-value threshold of 0.005 stays reachable: 1/201).
The second-digit test is reported but is not a fraud signal (see digits.py),
so its departure rate is printed and not counted.
"""

from __future__ import annotations

import pytest

from veche.audit import run_audit, simulate

ELECTIONS = 100
STATIONS = 1000


@pytest.mark.slow
def test_clean_elections_are_rarely_flagged(capsys: pytest.CaptureFixture[str]) -> None:
    flagged = 0
    per_method: dict[str, int] = {}
    second_digit = 0
    for seed in range(1000, 1000 + ELECTIONS):
        election = simulate(STATIONS, seed)
        report = run_audit(
            election.official, election.witnesses, election.observers, seed=seed, resamples=200
        )
        assert not report.errors
        for name, found in report.signals().items():
            per_method[name] = per_method.get(name, 0) + int(found)
        second_digit += any(test.detected for test in report.second_digit)
        flagged += report.flagged
    rate = flagged / ELECTIONS
    with capsys.disabled():
        rates = ", ".join(f"{name} {count / ELECTIONS:.0%}" for name, count in per_method.items())
        print(
            f"\nfalse-positive rate on {ELECTIONS} clean elections of {STATIONS} stations: "
            f"{rate:.0%} ({rates}; 2BL departures, not a signal: {second_digit / ELECTIONS:.0%})"
        )
    assert set(per_method) == {"witnesses", "observers", "klimek", "integers", "turnout", "regions"}
    assert per_method["witnesses"] == 0  # honest witnesses can never exceed an honest count
    assert rate <= 0.05


def test_a_stuffed_election_is_flagged_by_every_method_that_looks_for_stuffing() -> None:
    election = simulate(STATIONS * 3, seed=77, stuffing=0.25)
    report = run_audit(election.official, election.witnesses, election.observers, resamples=100)
    signals = report.signals()
    assert report.flagged
    for name in ("witnesses", "observers", "klimek", "turnout", "regions"):
        assert signals[name], name
    assert not signals["integers"]  # stuffing writes no round percentages
