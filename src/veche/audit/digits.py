"""Second-digit Benford test (2BL) per candidate, after Mebane (2006, 2008).

Mebane argued that vote counts produced by many independent choices follow
Benford's law for the second significant digit approximately, and that some
kinds of manipulation break it. For each candidate the second digits of the
per-station counts (counts of at least 10) are compared with the 2BL
frequencies by a chi-square test with 9 degrees of freedom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from veche.audit.protocol import FloatArray, IntArray, OfficialProtocol

__all__ = ["BENFORD_SECOND_DIGIT", "SecondDigitTest", "second_digit", "second_digit_tests"]

# P(second digit = d) = sum over first digits k of log10(1 + 1/(10k + d)).
BENFORD_SECOND_DIGIT: FloatArray = np.array(
    [sum(np.log10(1 + 1 / (10 * k + d)) for k in range(1, 10)) for d in range(10)]
)
DETECTION_P_VALUE = 0.001
MIN_COUNTS = 100
ASSUMPTIONS = (
    "Per-station counts of at least 10 votes are used (they have a second digit).",
    "Honest counts follow the second-digit Benford law (2BL) approximately; a chi-square "
    f"test with 9 degrees of freedom measures the departure; a candidate is flagged when "
    f"p < {DETECTION_P_VALUE} with at least {MIN_COUNTS} counts.",
)
LIMITS = (
    "2BL is a weak and disputed test: honest counts from stations of similar size can "
    "depart from it, and many kinds of fraud leave it intact (Deckert, Myagkov & "
    "Ordeshook 2011). A departure is a question, not proof; agreement proves nothing.",
    "With many stations the test detects tiny, harmless departures; read the mean second "
    "digit (4.187 under 2BL) alongside the p-value.",
)


@dataclass(frozen=True, slots=True, eq=False)
class SecondDigitTest:
    """The 2BL test of one candidate's per-station counts."""

    candidate: str
    counts_used: int
    observed: IntArray  # how many counts have second digit 0..9
    expected: FloatArray  # 2BL frequencies times counts_used
    mean_digit: float
    chi2: float
    p_value: float
    assumptions: tuple[str, ...] = ASSUMPTIONS
    limits: tuple[str, ...] = LIMITS

    @property
    def detected(self) -> bool:
        return self.counts_used >= MIN_COUNTS and self.p_value < DETECTION_P_VALUE


_POWERS = 10 ** np.arange(1, 19, dtype=np.int64)


def second_digits(values: IntArray) -> IntArray:
    """Second significant digit of each value ≥ 10 (exact: no floating-point logs)."""
    values = np.asarray(values, dtype=np.int64)
    digits = np.searchsorted(_POWERS, values, side="right")  # number of digits minus 1
    scale = 10 ** np.maximum(digits - 1, 0)
    return np.asarray((values // scale) % 10, dtype=np.int64)


def second_digit(candidate: str, counts: IntArray) -> SecondDigitTest:
    used = counts[counts >= 10]
    observed = np.bincount(second_digits(used), minlength=10).astype(np.int64)
    n = int(used.size)
    expected = BENFORD_SECOND_DIGIT * n
    if n == 0:
        return SecondDigitTest(candidate, 0, observed, expected, float("nan"), float("nan"), 1.0)
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    return SecondDigitTest(
        candidate=candidate,
        counts_used=n,
        observed=observed,
        expected=expected,
        mean_digit=float((observed * np.arange(10)).sum() / n),
        chi2=chi2,
        p_value=float(stats.chi2.sf(chi2, df=9)),
    )


def second_digit_tests(official: OfficialProtocol) -> tuple[SecondDigitTest, ...]:
    """Run the 2BL test for every candidate."""
    return tuple(
        second_digit(name, official.votes[:, j]) for j, name in enumerate(official.candidates)
    )
