"""The result of a motion from its counted votes, as a closing event records it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from veche.counting.ballots import RankedBallots
from veche.counting.schulze import schulze
from veche.counting.simple import approval, decide_motion
from veche.counting.stv import count_stv
from veche.decisions.terms import CHOICES, Choice, MotionTerms


def compute_result(
    motion: MotionTerms,
    votes: Sequence[tuple[Choice, int]],
    electorate_weight: int,
    rules: Mapping[str, Any],
    represented: int,
) -> dict[str, Any]:
    """The result of a motion from its counted votes: (choice, weight) pairs.

    ``rules`` are the committee's decision rules (quorum, majority). Pure arithmetic
    over plain values, so the close rule, the pages and the benchmarks all compute
    it the same way.
    """
    cast = sum(w for _, w in votes)
    quorum = Fraction(int(rules.get("quorum_percent", 50)), 100)
    needed = -((-quorum.numerator * electorate_weight) // quorum.denominator)
    quorum_met = cast >= needed and cast > 0
    result: dict[str, Any] = {
        "kind": motion.kind,
        "method": motion.method,
        "cast": cast,
        "electorate": electorate_weight,
        "quorum": needed,
    }
    options = [str(i) for i in range(len(motion.options))]
    if motion.method == "yes_no":
        totals = dict.fromkeys(CHOICES, 0)
        for choice, weight in votes:
            totals[choice] += weight
        decided = decide_motion(
            yes=totals["yes"],
            no=totals["no"],
            abstain=totals["abstain"],
            members=max(electorate_weight, cast),
            quorum=quorum,
            majority=rules.get("majority", "simple"),
        )
        result.update(totals)
        result["passed"] = decided.passed
    elif motion.method == "approval":
        tally = approval(
            options, ((tuple(str(i) for i in c), w) for c, w in votes), seats=motion.seats
        )
        result["votes"] = list(tally.votes)
        winners = [int(w) for w in tally.winners]
        result["winners"] = winners
        result["passed"] = quorum_met and bool(winners) and not tally.tied
        if motion.kind == "delegate_election":
            result["elected"] = winners if result["passed"] else []
    elif motion.method == "ranked":
        counted = schulze(options, (([[str(i) for i in g] for g in c], w) for c, w in votes))
        result["ranking"] = [[int(o) for o in tier] for tier in counted.ranking]
        result["passed"] = quorum_met and len(counted.winners) == 1
    else:  # stv
        ballots = (
            RankedBallots.from_rankings(
                motion.options, ((tuple(g[0] for g in c), w) for c, w in votes)
            )
            if votes
            else None
        )
        elected: list[int] = []
        if ballots is not None and ballots.total_weight > 0:
            counted_stv = count_stv(ballots, motion.seats, seed=motion.event)
            elected = [int(c) for c in counted_stv.elected]
            result["quota"] = counted_stv.quota
            result["stages"] = len(counted_stv.stages)
        result["elected"] = elected
        result["passed"] = quorum_met and len(elected) == motion.seats
    if motion.kind == "delegate_election":
        chosen = result.get("elected", [])
        result["elected_keys"] = [motion.options[i] for i in chosen] if result["passed"] else []
        result["parent"] = motion.target.get("parent", "")
        result["represented"] = represented
    if motion.kind == "recall":
        # One delegate: others elected in the same election keep their mandates.
        result["mandate"] = motion.target["mandate"]
        result["key"] = motion.target["key"]
    if motion.kind == "federation_join":
        result["parent"] = motion.target["parent"]
    return result
