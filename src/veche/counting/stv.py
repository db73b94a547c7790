"""Single transferable vote under the Scottish STV rules (SSI 2007/42, rules 45-52).

The Scottish Local Government Elections Order 2007, Schedule 1, rules 45-52,
as a pure function of the ballots: Droop quota on the valid papers (rule 46),
election on reaching the quota (rule 47), transfer of every paper of an
elected candidate at a transfer value truncated to five decimal places -- the
weighted inclusive Gregory method (rule 48), largest surplus first with the
look-back and lot tie rules (rule 49), exclusion of the lowest candidate with
their papers passed on at the value they came with (rules 50-51), and the
filling of the last vacancies (rule 52). All vote arithmetic is integer, in
units of 1/100000 of a vote, so the five-decimal truncation of rule 48(3) is
exact and the count is the same on every machine. Each stage is recorded so a
result page can show the count as a returning officer's sheet would.

The "lot" of rules 49(3) and 51(2)(b) is drawn deterministically from a seed
(by default the SHA-256 digest of the ballots), so anyone holding the ballots
and the seed can redraw it: each tied candidate gets the ticket
SHA-256("veche-stv-lot-v1|<seed>|<stage>|<tied indices>|<candidate index>") and
the smallest ticket is drawn.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from veche.counting.ballots import NO_PREFERENCE, RankedBallots

__all__ = [
    "SCALE",
    "STVError",
    "STVResult",
    "Stage",
    "TieBreak",
    "count_stv",
    "format_votes",
    "lot_ticket",
]

# Votes are integers in units of 1/SCALE: rule 48(3) works to five decimal places.
SCALE = 100_000

Action = Literal["first", "surplus", "exclusion"]


class STVError(ValueError):
    """The count cannot be run as asked (no seats, no candidates...)."""


@dataclass(frozen=True, slots=True)
class Stage:
    """The state at the end of one stage of the count (rule 2, "stage of the count").

    ``votes`` and the totals are in units of 1/100000 of a vote (see
    :func:`format_votes`). ``non_transferable`` and ``rounding_loss`` are
    cumulative, so at every stage ``sum(votes) + non_transferable +
    rounding_loss`` equals the valid votes times 100000.
    """

    number: int
    action: Action
    candidate: int | None  # whose surplus was transferred, or who was excluded
    transfer_value: int | None  # for a surplus of first-preference papers only: value of 1 vote
    votes: tuple[int, ...]
    non_transferable: int
    rounding_loss: int
    quota: int
    elected: tuple[int, ...]  # deemed elected at the end of this stage, in order
    elected_by_rule_52: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class TieBreak:
    """How one tie was decided, and by which rule."""

    stage: int  # the stage at whose end the tie arose
    purpose: Literal["surplus", "exclusion", "order of election"]
    tied: tuple[int, ...]
    chosen: int
    rule: str  # e.g. "49(2)", "49(3)", "51(2)(a)", "51(2)(b)"
    looked_back_to: int | None  # the earlier stage that decided it, if any
    explanation: str


@dataclass(frozen=True, slots=True)
class STVResult:
    """The outcome of a count: who was elected, in order, and every stage."""

    candidates: tuple[str, ...]
    seats: int
    quota: int
    valid_votes: int
    invalid_papers: int  # papers with no first preference for a candidate standing
    elected: tuple[int, ...]
    stages: tuple[Stage, ...]
    tie_breaks: tuple[TieBreak, ...]
    seed: str

    @property
    def winners(self) -> tuple[str, ...]:
        """Names of the elected candidates in order of election."""
        return tuple(self.candidates[c] for c in self.elected)


def format_votes(units: int) -> str:
    """Render a vote total held in 1/100000 units as a decimal string ("12.34567")."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), SCALE)
    return f"{sign}{whole}.{frac:05d}"


def lot_ticket(seed: str, stage: int, tied: Sequence[int], candidate: int) -> bytes:
    """The lot ticket of one tied candidate; the smallest ticket is drawn."""
    members = ",".join(str(c) for c in sorted(tied))
    text = f"veche-stv-lot-v1|{seed}|{stage}|{members}|{candidate}"
    return hashlib.sha256(text.encode("utf-8")).digest()


def _sum_by(index: npt.NDArray[np.int64], amounts: npt.NDArray[np.int64], n: int) -> list[int]:
    """Exact integer sums of ``amounts`` grouped by ``index`` (0..n-1)."""
    if amounts.size == 0:
        return [0] * n
    total = int(amounts.sum())
    if total < 2**53:
        # float64 holds every integer below 2**53 exactly, and bincount is fast.
        sums = np.bincount(index, weights=amounts.astype(np.float64), minlength=n)
        return [round(x) for x in sums.tolist()]
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, index, amounts)
    return [int(x) for x in out.tolist()]


class _Count:
    """Mutable state of one count; :func:`count_stv` is its only user."""

    def __init__(self, ballots: RankedBallots, seats: int, seed: str) -> None:
        self.names = ballots.candidates
        self.n = len(ballots.candidates)
        self.seats = seats
        self.seed = seed
        self.rankings = ballots.rankings
        self.weights = ballots.weights
        # continuing[c] for c in 0..n-1; the extra last slot is False so that a
        # padding value of -1 indexes it and reads as "not continuing".
        self.continuing = np.ones(self.n + 1, dtype=bool)
        self.continuing[self.n] = False
        for c in ballots.withdrawn:
            self.continuing[c] = False
        rows = self.rankings.shape[0]
        self.position = np.full(rows, -1, dtype=np.int64)
        self.holder = np.full(rows, NO_PREFERENCE, dtype=np.int64)
        self.value = np.full(rows, SCALE, dtype=np.int64)
        self.votes = [0] * self.n
        self.non_transferable = 0
        self.rounding_loss = 0
        self.elected: list[int] = []
        self.pending_surplus: list[int] = []
        self.stages: list[Stage] = []
        self.tie_breaks: list[TieBreak] = []
        self.quota = 0

    # -- moving papers ---------------------------------------------------------

    def _advance(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Next available preference (rule 2) for each of ``rows``, or -1 if none."""
        if rows.size == 0:
            return np.empty(0, dtype=np.int64)
        sub = self.rankings[rows]
        available = self.continuing[sub]
        later = np.arange(sub.shape[1])[None, :] > self.position[rows][:, None]
        available &= later
        has_next = available.any(axis=1)
        nxt = available.argmax(axis=1)
        self.position[rows] = np.where(has_next, nxt, sub.shape[1])
        picked = sub[np.arange(rows.size), nxt].astype(np.int64)
        return np.where(has_next, picked, NO_PREFERENCE)

    def _move(
        self, rows: npt.NDArray[np.int64], new_value: npt.NDArray[np.int64]
    ) -> tuple[int, int]:
        """Pass ``rows`` to their next available preference at ``new_value``.

        Returns (value credited to continuing candidates, value set aside as
        non-transferable), both in 1/SCALE units.
        """
        targets = self._advance(rows)
        self.value[rows] = new_value
        self.holder[rows] = targets
        amounts = self.weights[rows] * new_value
        going = targets != NO_PREFERENCE
        credited = _sum_by(targets[going], amounts[going], self.n)
        for c, units in enumerate(credited):
            self.votes[c] += units
        transferred = sum(credited)
        dead = int(amounts[~going].sum())
        self.non_transferable += dead
        return transferred, dead

    # -- ties ------------------------------------------------------------------

    def _break_tie(
        self,
        tied: Sequence[int],
        *,
        highest: bool,
        purpose: Literal["surplus", "exclusion", "order of election"],
    ) -> int:
        """Rules 49(2)-(3) (``highest``) and 51(2) (lowest): look back, then lot."""
        group = sorted(tied)
        current = self.stages[-1].number
        looked_back: int | None = None
        look_back_rule = "51(2)(a)" if purpose == "exclusion" else "49(2)"
        lot_rule = "51(2)(b)" if purpose == "exclusion" else "49(3)"
        names = ", ".join(self.names[c] for c in group)
        # "the most recent preceding stage at which they had unequal numbers of
        # votes": walk back from the stage before this one. With three or more
        # tied, a stage that separates only some of them narrows the group and
        # the walk goes on among those still level.
        for stage in reversed(self.stages[:-1]):
            values = [stage.votes[c] for c in group]
            if len(set(values)) > 1:
                best = max(values) if highest else min(values)
                group = [c for c, v in zip(group, values, strict=True) if v == best]
                looked_back = stage.number
                if len(group) == 1:
                    chosen = group[0]
                    side = "most" if highest else "fewest"
                    self.tie_breaks.append(
                        TieBreak(
                            stage=current,
                            purpose=purpose,
                            tied=tuple(sorted(tied)),
                            chosen=chosen,
                            rule=look_back_rule,
                            looked_back_to=looked_back,
                            explanation=(
                                f"{names} were equal at stage {current}; "
                                f"{self.names[chosen]} had the {side} votes at stage "
                                f"{looked_back}, the most recent stage at which they "
                                f"differed (rule {look_back_rule})"
                            ),
                        )
                    )
                    return chosen
        chosen = min(group, key=lambda c: lot_ticket(self.seed, current, group, c))
        self.tie_breaks.append(
            TieBreak(
                stage=current,
                purpose=purpose,
                tied=tuple(sorted(tied)),
                chosen=chosen,
                rule=lot_rule,
                looked_back_to=looked_back,
                explanation=(
                    f"{', '.join(self.names[c] for c in group)} were equal at every "
                    f"stage considered; {self.names[chosen]} was drawn by lot "
                    f"(rule {lot_rule}; seeded lot, seed {self.seed})"
                ),
            )
        )
        return chosen

    def _order_by_votes(self, group: Sequence[int]) -> list[int]:
        """Most votes first; equal totals are ordered by rule 49's tie rules."""
        ordered: list[int] = []
        remaining = list(group)
        while remaining:
            top = max(self.votes[c] for c in remaining)
            level = [c for c in remaining if self.votes[c] == top]
            pick = (
                level[0]
                if len(level) == 1
                else self._break_tie(level, highest=True, purpose="order of election")
            )
            ordered.append(pick)
            remaining.remove(pick)
        return ordered

    # -- stages ----------------------------------------------------------------

    def _close_stage(
        self,
        action: Action,
        candidate: int | None,
        transfer_value: int | None,
    ) -> None:
        """Record the stage, then apply rules 47 and 52 to its result."""
        number = len(self.stages) + 1
        # Record first (so tie rules can look at this stage), then amend the
        # record with who was elected at its end.
        self.stages.append(
            Stage(
                number=number,
                action=action,
                candidate=candidate,
                transfer_value=transfer_value,
                votes=tuple(self.votes),
                non_transferable=self.non_transferable,
                rounding_loss=self.rounding_loss,
                quota=self.quota,
                elected=(),
                elected_by_rule_52=(),
            )
        )
        quota_units = self.quota * SCALE
        reached = [c for c in range(self.n) if self.continuing[c] and self.votes[c] >= quota_units]
        newly: list[int] = []
        for c in self._order_by_votes(reached):
            if len(self.elected) >= self.seats:
                break
            self.continuing[c] = False
            self.elected.append(c)
            newly.append(c)
            if self.votes[c] > quota_units:
                self.pending_surplus.append(c)
        by_rule_52: list[int] = []
        vacancies = self.seats - len(self.elected)
        still = [c for c in range(self.n) if self.continuing[c]]
        if vacancies > 0 and len(still) <= vacancies:
            # Rule 52: as many continuing candidates as vacancies left.
            for c in self._order_by_votes(still):
                self.continuing[c] = False
                self.elected.append(c)
                by_rule_52.append(c)
        last = self.stages[-1]
        self.stages[-1] = Stage(
            number=last.number,
            action=last.action,
            candidate=last.candidate,
            transfer_value=last.transfer_value,
            votes=last.votes,
            non_transferable=last.non_transferable,
            rounding_loss=last.rounding_loss,
            quota=last.quota,
            elected=tuple(newly),
            elected_by_rule_52=tuple(by_rule_52),
        )

    def first_stage(self) -> tuple[int, int]:
        """Rules 45-46: first preferences, valid papers and the quota."""
        rows = np.arange(self.rankings.shape[0], dtype=np.int64)
        targets = self._advance(rows)
        self.holder[:] = targets
        valid = targets != NO_PREFERENCE
        valid_votes = int(self.weights[valid].sum())
        invalid = int(self.weights[~valid].sum())
        # Papers with no first preference for a standing candidate are not
        # valid papers (rule 43) and take no part in the count.
        self.holder[~valid] = NO_PREFERENCE
        self.value[~valid] = 0
        self.quota = valid_votes // (self.seats + 1) + 1
        credited = _sum_by(targets[valid], self.weights[valid] * SCALE, self.n)
        self.votes = credited
        self._close_stage("first", None, None)
        return valid_votes, invalid

    def transfer_surplus(self) -> None:
        """Rules 48-49: transfer every paper of the candidate with the largest surplus."""
        quota_units = self.quota * SCALE
        top = max(self.votes[c] for c in self.pending_surplus)
        level = [c for c in self.pending_surplus if self.votes[c] == top]
        source = (
            level[0] if len(level) == 1 else self._break_tie(level, highest=True, purpose="surplus")
        )
        self.pending_surplus.remove(source)
        total = self.votes[source]
        surplus = total - quota_units
        rows = np.flatnonzero(self.holder == source).astype(np.int64)
        values = self.value[rows]
        # Rule 48(3): transfer value = surplus x value of the paper / total
        # votes of the candidate, to five decimal places, remainder ignored.
        if rows.size and surplus * int(values.max()) < 2**62:
            new_values = (surplus * values) // total
        else:
            new_values = np.array(
                [surplus * int(v) // total for v in values.tolist()], dtype=np.int64
            )
        transferred, dead = self._move(rows, new_values)
        self.votes[source] = quota_units
        self.rounding_loss += surplus - transferred - dead
        self._close_stage("surplus", source, surplus * SCALE // total)

    def exclude_lowest(self) -> None:
        """Rules 50-51: exclude the lowest continuing candidate, papers at their value."""
        still = [c for c in range(self.n) if self.continuing[c]]
        low = min(self.votes[c] for c in still)
        level = [c for c in still if self.votes[c] == low]
        loser = (
            level[0]
            if len(level) == 1
            else self._break_tie(level, highest=False, purpose="exclusion")
        )
        self.continuing[loser] = False
        rows = np.flatnonzero(self.holder == loser).astype(np.int64)
        self._move(rows, self.value[rows])
        self.votes[loser] = 0
        self._close_stage("exclusion", loser, None)

    def run(self) -> None:
        while len(self.elected) < self.seats:
            if not self.continuing[: self.n].any():
                break  # fewer candidates than seats: nobody left to elect
            if self.pending_surplus:
                self.transfer_surplus()
            else:
                self.exclude_lowest()


def count_stv(ballots: RankedBallots, seats: int, *, seed: str | None = None) -> STVResult:
    """Count ``ballots`` for ``seats`` vacancies under the Scottish STV rules.

    ``seed`` fixes the lot used for ties that the look-back rules cannot
    break; by default it is the SHA-256 digest of the ballots, so the same
    ballots always give the same result.
    """
    if seats < 1:
        raise STVError("the number of seats must be at least 1")
    if not ballots.candidates:
        raise STVError("there are no candidates to count")
    lot_seed = seed if seed is not None else ballots.digest()
    count = _Count(ballots, seats, lot_seed)
    valid_votes, invalid = count.first_stage()
    count.run()
    return STVResult(
        candidates=ballots.candidates,
        seats=seats,
        quota=count.quota,
        valid_votes=valid_votes,
        invalid_papers=invalid,
        elected=tuple(count.elected),
        stages=tuple(count.stages),
        tie_breaks=tuple(count.tie_breaks),
        seed=lot_seed,
    )
