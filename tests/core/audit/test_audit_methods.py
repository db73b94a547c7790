"""Each method: known answers on hand-made data, and detection of injected fraud."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.audit import (
    AuditMethodError,
    OfficialProtocol,
    WitnessReports,
    compare_observers,
    compare_witnesses,
    integer_anomaly,
    klimek_fit,
    regional_outliers,
    second_digit_tests,
    simulate,
    turnout_estimate,
)
from veche.audit.digits import BENFORD_SECOND_DIGIT, second_digit, second_digits
from veche.audit.integers import _near_integer
from veche.audit.regions import robust_z


def protocol(votes: list[list[int]], ballots: list[int], registered: list[int]) -> OfficialProtocol:
    n = len(votes)
    return OfficialProtocol(
        source="hand.csv",
        stations=np.array([f"S{i}" for i in range(n)]),
        regions=np.array(["R"] * n),
        registered=np.array(registered, dtype=np.int64),
        ballots=np.array(ballots, dtype=np.int64),
        invalid=np.zeros(n, dtype=np.int64),
        candidates=("A", "B", "C"),
        votes=np.array(votes, dtype=np.int64),
    )


@pytest.fixture(scope="module")
def stuffed() -> object:
    return simulate(6000, seed=1, stuffing=0.2)


@pytest.fixture(scope="module")
def clean() -> object:
    return simulate(6000, seed=1)


# --- witnesses and observers -------------------------------------------------------


def test_witnessed_votes_above_the_official_count_prove_falsification() -> None:
    official = protocol([[500, 100, 50], [300, 300, 50], [200, 10, 5]], [650, 650, 215], [900] * 3)
    witnessed = np.array([[0, 130, 10], [0, 250, 0], [0, 12, 6]], dtype=np.int64)
    result = compare_witnesses(official, WitnessReports("w.csv", witnessed, 4, True))
    assert result.proven_stations.tolist() == [0, 2]
    assert result.proven_min_falsified_votes == 30 + 2 + 1
    assert result.excess[0].tolist() == [0, 30, 0]
    # Station 0: 130 witnessed for B + 550 official for A and C = 680 > 650 ballots.
    assert result.impossible_stations.tolist() == [0, 2]
    assert result.covered_stations == 3 and result.station_coverage == 1.0
    assert result.detected


def test_witness_and_observer_detection_on_simulated_stuffing(stuffed, clean) -> None:  # type: ignore[no-untyped-def]
    found = compare_witnesses(stuffed.official, stuffed.witnesses)
    assert found.detected and found.proven_min_falsified_votes > 0
    touched = set(stuffed.truth["touched_station_ids"]["stuffing"])
    assert set(stuffed.official.stations[found.proven_stations].tolist()) <= touched
    assert not compare_witnesses(clean.official, clean.witnesses).detected
    assert 0.6 < found.station_coverage < 0.8  # the simulator covers 70 % of stations
    observers = compare_observers(stuffed.official, stuffed.observers)
    assert observers.detected
    assert set(stuffed.official.stations[observers.flagged_stations].tolist()) <= touched
    assert not compare_observers(clean.official, clean.observers).detected


# --- Klimek fingerprint --------------------------------------------------------------


def test_klimek_fit_detects_stuffing_and_not_a_clean_election(stuffed, clean) -> None:  # type: ignore[no-untyped-def]
    fit = klimek_fit(stuffed.official)
    assert fit.detected
    assert fit.f_incremental + fit.f_extreme >= 0.05
    assert fit.f_extreme > 0  # the simulator's extreme stations sit at ~100 %/100 %
    assert fit.histogram.sum() == stuffed.official.station_count
    honest = klimek_fit(clean.official)
    assert not honest.detected
    assert honest.f_incremental + honest.f_extreme < fit.f_incremental + fit.f_extreme
    assert abs(honest.clean_turnout - float(np.median(clean.official.turnout))) < 0.03


def test_klimek_needs_enough_stations() -> None:
    with pytest.raises(AuditMethodError):
        klimek_fit(simulate(20, seed=1).official)


# --- Kobak integer percentages ---------------------------------------------------------


def test_near_integer_is_exact() -> None:
    numerator = np.array([1, 2, 200, 1999, 333, 1001, 1, 0])
    denominator = np.array([3, 3, 400, 2000, 1000, 2000, 2000, 7])
    # 33.33 %, 66.67 %, 50 %, 99.95 %, 33.3 %, 50.05 %, 0.05 %, 0 %
    assert _near_integer(numerator, denominator).tolist() == [
        False,
        False,
        True,
        True,
        False,
        True,
        True,
        True,
    ]


def test_integer_anomaly_detects_rewritten_protocols_only() -> None:
    rewritten = simulate(6000, seed=2, rewrite=0.05)
    found = integer_anomaly(rewritten.official, resamples=1000, seed=1)
    assert found.detected
    assert found.p_value < 0.005 and found.anomaly > 4 * found.sd
    touched = rewritten.truth["stations_touched"]["rewrite"]
    # Small stations cannot always hit a round percentage within ±0.05 points.
    assert 0.3 * touched < found.anomaly < 1.2 * touched
    honest = integer_anomaly(simulate(6000, seed=2).official, resamples=1000, seed=1)
    assert not honest.detected
    assert abs(honest.anomaly) < 4 * honest.sd


def test_integer_probability_matches_the_binomial_sum() -> None:
    from scipy.stats import binom

    from veche.audit.integers import integer_probability

    generator = np.random.default_rng(0)
    # Skewed rates (0.99, 0.005) at small stations have the heaviest tails.
    trials = np.concatenate(
        [[100, 250, 333, 1200, 3000, 57, 2001, 1, 100, 150, 120], generator.integers(100, 4000, 60)]
    )
    rates = np.concatenate(
        [[0.5, 0.31, 0.77, 0.66, 0.9, 0.2, 0.45, 0.3, 0.99, 0.995, 0.005], generator.random(60)]
    )
    exact = [
        binom.pmf(np.arange(n + 1), n, p)[_near_integer(np.arange(n + 1), np.full(n + 1, n))].sum()
        for n, p in zip(trials, rates, strict=True)
    ]
    assert integer_probability(trials, rates) == pytest.approx(exact, abs=1e-10)
    # Large stations' wide windows go through the distribution function.
    trials = np.array([33_000, 40_000, 64_001, 100_000, 250_000])
    rates = np.array([0.99, 0.3, 0.01, 0.77, 0.5])
    exact = [
        binom.pmf(np.arange(n + 1), n, p)[_near_integer(np.arange(n + 1), np.full(n + 1, n))].sum()
        for n, p in zip(trials, rates, strict=True)
    ]
    assert integer_probability(trials, rates) == pytest.approx(exact, abs=1e-10)


def test_absurdly_large_stations_cost_no_memory() -> None:
    """A typo of 10^12 voters must not make the test allocate by the voter."""
    from scipy.stats import norm

    from veche.audit.integers import integer_probability

    got = integer_probability(np.array([10**12, 10**10, 10**6]), np.array([0.3, 0.6, 0.41]))
    # The first two sit on 30 % and 60 % to many decimals; the third has a spread of
    # 0.049 points around 41 %.
    spread = 100 * np.sqrt(0.41 * 0.59 / 10**6)
    assert got[:2] == pytest.approx([1.0, 1.0], abs=1e-9)
    assert got[2] == pytest.approx(2 * norm.cdf(0.05 / spread) - 1, abs=2e-3)
    assert integer_probability(np.array([100]), np.array([0.37]))[0] == pytest.approx(1.0)


def test_exact_draws_give_the_same_distribution_as_binomial_draws() -> None:
    official = simulate(1500, seed=6, rewrite=0.03).official
    binomial = integer_anomaly(official, resamples=1000, seed=3, draw="binomial")
    exact = integer_anomaly(official, resamples=1000, seed=3, draw="exact")
    assert binomial.observed == exact.observed
    assert binomial.expected_exact == exact.expected_exact
    # Means of 1,000 draws agree with each other and with the exact mean within a few
    # standard errors; spreads within ~15 %.
    standard_error = exact.sd_exact / np.sqrt(1000)
    assert abs(binomial.expected - exact.expected) < 6 * standard_error
    assert abs(binomial.expected - exact.expected_exact) < 4 * standard_error
    assert abs(exact.expected - exact.expected_exact) < 4 * standard_error
    assert exact.sd == pytest.approx(binomial.sd, rel=0.15)
    assert exact.sd == pytest.approx(exact.sd_exact, rel=0.15)
    assert exact.detected == binomial.detected
    with pytest.raises(ValueError, match="draw"):
        integer_anomaly(official, draw="indicator")  # type: ignore[arg-type]


def _pmf_by_recursion(chance: np.ndarray) -> np.ndarray:
    pmf = np.array([1.0])
    for p in chance.tolist():
        pmf = np.concatenate([pmf * (1 - p), [0.0]]) + np.concatenate([[0.0], pmf * p])
    return pmf


@given(
    st.lists(
        st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.0, 1.0, 0.5, 1e-9])),
        max_size=300,
    )
)
@settings(max_examples=60, deadline=None)
def test_poisson_binomial_pmf_matches_the_recursion(chance: list[float]) -> None:
    from veche.audit.integers import poisson_binomial_pmf

    p = np.asarray(chance, dtype=np.float64)
    got = poisson_binomial_pmf(p)
    assert got.shape == (p.size + 1,)
    assert np.abs(got - _pmf_by_recursion(p)).max() < 1e-12
    assert got.sum() == pytest.approx(1.0)


def test_poisson_binomial_pmf_of_a_national_count_has_the_exact_moments() -> None:
    from veche.audit.integers import poisson_binomial_pmf

    p = np.random.default_rng(5).random(100_000) * 0.4
    pmf = poisson_binomial_pmf(p)
    support = np.arange(pmf.size)
    mean = float((support * pmf).sum())
    assert mean == pytest.approx(float(p.sum()), rel=1e-12)
    variance = float(((support - mean) ** 2 * pmf).sum())
    assert variance == pytest.approx(float((p * (1 - p)).sum()), rel=1e-9)
    assert pmf.min() >= 0


def test_integer_anomaly_is_reproducible_from_its_seed() -> None:
    official = simulate(800, seed=4).official
    first = integer_anomaly(official, resamples=200, seed=9)
    again = integer_anomaly(official, resamples=200, seed=9)
    other = integer_anomaly(official, resamples=200, seed=10)
    assert (first.expected, first.sd, first.p_value) == (again.expected, again.sd, again.p_value)
    assert first.expected != other.expected
    assert first.observed == other.observed


# --- second-digit Benford -------------------------------------------------------------------


def test_second_digits_known_answers() -> None:
    values = np.array([10, 19, 100, 109, 1000, 99999, 120_000_000_000, 5_432_109])
    assert second_digits(values).tolist() == [0, 9, 0, 0, 0, 9, 2, 4]
    assert abs(BENFORD_SECOND_DIGIT.sum() - 1) < 1e-12
    assert round(float(BENFORD_SECOND_DIGIT[0]), 4) == 0.1197
    assert round(float((BENFORD_SECOND_DIGIT * np.arange(10)).sum()), 3) == 4.187


def test_second_digit_test_passes_benford_counts_and_flags_fabricated_ones() -> None:
    rng = np.random.default_rng(5)
    # Log-uniform counts over four decades follow Benford's law for every digit.
    natural = np.floor(10 ** rng.uniform(1, 5, 6000)).astype(np.int64)
    assert not second_digit("natural", natural).detected
    # Counts invented by people favour round second digits: 0 and 5.
    fabricated = natural.copy()
    chosen = rng.random(fabricated.size) < 0.15
    tens = 10 ** np.maximum(np.floor(np.log10(fabricated)).astype(np.int64) - 1, 0)
    fabricated[chosen] = (fabricated[chosen] // (5 * tens[chosen])) * 5 * tens[chosen]
    result = second_digit("fabricated", fabricated)
    assert result.detected and result.p_value < 1e-6
    assert result.counts_used == 6000


def test_second_digit_tests_cover_every_candidate(clean) -> None:  # type: ignore[no-untyped-def]
    tests = second_digit_tests(clean.official)
    assert [t.candidate for t in tests] == list(clean.official.candidates)
    assert all(t.observed.sum() == t.counts_used for t in tests)


# --- Shpilkin turnout estimate ------------------------------------------------------------


def test_turnout_estimate_recovers_injected_votes(stuffed, clean) -> None:  # type: ignore[no-untyped-def]
    estimate = turnout_estimate(stuffed.official)
    injected = stuffed.truth["injected_leader_votes"]
    assert estimate.leader == stuffed.truth["leader"]
    assert estimate.detected
    assert abs(estimate.leader_anomalous_votes - injected) < 0.25 * injected
    assert (
        abs(float(estimate.anomalous_votes.sum()) - estimate.leader_anomalous_votes)
        < 1e-6 * injected + 1
    )
    honest = turnout_estimate(clean.official)
    assert not honest.detected
    assert abs(honest.leader_anomalous_votes) < 3 * honest.standard_error


def test_turnout_estimate_known_answer() -> None:
    # Four clean stations at 50 % turnout with A at 60 %; one station at 90 %
    # turnout where 100 ballots for A were added to a clean 500-ballot station.
    votes = [[300, 200, 0]] * 4 + [[400, 200, 0]]
    ballots = [500] * 4 + [600]
    registered = [1000] * 4 + [667]
    official = protocol([list(v) for v in votes] * 4, ballots * 4, registered * 4)
    estimate = turnout_estimate(official)
    assert estimate.leader == "A"
    assert estimate.clean_shares[0] == pytest.approx(0.6)
    assert estimate.mode_turnout == pytest.approx(0.51)  # the 50-51 % bin is the mode
    assert estimate.leader_anomalous_votes == pytest.approx(4 * 100)
    assert estimate.anomalous_votes[1] == pytest.approx(0)


# --- regional outliers ----------------------------------------------------------------------


def test_robust_z_known_answer() -> None:
    z = robust_z(np.array([1.0, 2.0, 3.0, 4.0, 100.0]))
    # median 3, MAD 1 → z = (x - 3) / 1.4826
    assert z.tolist() == pytest.approx([-2 / 1.4826, -1 / 1.4826, 0.0, 1 / 1.4826, 97 / 1.4826])
    assert robust_z(np.ones(4)).tolist() == [0.0] * 4


def test_regional_outliers_detect_stuffing(stuffed, clean) -> None:  # type: ignore[no-untyped-def]
    found = regional_outliers(stuffed.official)
    assert found.detected and found.outlier_share > 0.01
    touched = set(stuffed.truth["touched_station_ids"]["stuffing"])
    flagged = stuffed.official.stations[found.outlier_stations].tolist()
    assert sum(s in touched for s in flagged) > 0.8 * len(flagged)
    assert len(found.regions) == 7
    assert not regional_outliers(clean.official).detected


# --- simulator -------------------------------------------------------------------------------


def test_simulator_truth_adds_up() -> None:
    election = simulate(2000, seed=8, stuffing=0.1, rewrite=0.05, carousel=0.05)
    truth = election.truth
    official = election.official
    for name in official.candidates:
        assert (
            truth["official_votes"][name]
            == truth["true_votes"][name] + truth["votes_added"][name] + truth["votes_moved"][name]
        )
    assert sum(truth["votes_moved"].values()) == 0
    assert truth["injected_leader_votes"] == (
        truth["votes_added"][truth["leader"]] + truth["votes_moved"][truth["leader"]]
    )
    assert np.array_equal(official.votes.sum(axis=1) + official.invalid, official.ballots)
    assert (official.ballots <= official.registered).all()
    assert (election.witnesses.counts >= 0).all()
    same = simulate(2000, seed=8, stuffing=0.1, rewrite=0.05, carousel=0.05)
    assert np.array_equal(same.official.votes, official.votes)
    with pytest.raises(ValueError, match="stuffing"):
        simulate(10, seed=1, stuffing=1.5)


def test_inconsistent_protocols_are_listed_not_rejected() -> None:
    from veche.audit.report import flagged_rows, inconsistencies, report_json, run_audit

    official = protocol(
        [[500, 100, 50], [300, 300, 50], [200, 10, 5], [700, 100, 0]],
        [650, 600, 215, 800],
        [900, 900, 900, 700],
    )
    found = inconsistencies(official)
    assert found["votes_and_invalid_differ_from_ballots"].tolist() == [1]
    assert found["voters_exceed_registered"].tolist() == [3]
    assert "ballots_exceed_issued" not in found  # no 'issued' column
    report = run_audit(official, resamples=20)
    data = report_json(report)
    assert data["inconsistent_stations"]["voters_exceed_registered"] == ["S3"]
    reasons = {row["station"]: row["reasons"] for row in flagged_rows(report)}
    assert "votes_and_invalid_differ_from_ballots" in reasons["S1"]
    assert "voters_exceed_registered" in reasons["S3"]
