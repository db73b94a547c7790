"""How a committee's motions are decided: the arithmetic every node redoes.

A closing event carries its motion's result, and every node recomputes it from the
votes it holds before accepting the close (docs/architecture.md, "Results are
recomputed, not trusted"). That arithmetic lives here, over plain values, with no
Django: what a motion may be (``terms``), what a ballot must say (``ballot``), who is
counted and with what weight (``electorate``), which delegates a recall withdraws
(``recalls``), and the result itself (``result``). The committees app reads the
projections and calls these; the pages and the benchmarks call the same functions.
"""

from veche.decisions.ballot import ballot_choice, check_options
from veche.decisions.electorate import seat_weight, weighted_electorate
from veche.decisions.recalls import Recalled, not_recalled, withdraws
from veche.decisions.result import compute_result
from veche.decisions.terms import (
    CHOICES,
    METHODS,
    MOTION_KINDS,
    TARGET_FIELDS_NEEDED,
    Choice,
    MotionTerms,
)

__all__ = [
    "CHOICES",
    "METHODS",
    "MOTION_KINDS",
    "TARGET_FIELDS_NEEDED",
    "Choice",
    "MotionTerms",
    "Recalled",
    "ballot_choice",
    "check_options",
    "compute_result",
    "not_recalled",
    "seat_weight",
    "weighted_electorate",
    "withdraws",
]
