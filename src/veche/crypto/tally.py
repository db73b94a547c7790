"""The encrypted tally of an election: one ciphertext per (question, option).

Ballots are summed homomorphically, option by option; the tally is a flat list
in question order, then option order, and that list's positions are the
``position`` context of the trustees' partial decryptions (format v1, §8).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from veche.crypto.ballot import Ballot, Election
from veche.crypto.elgamal import Ciphertext
from veche.crypto.errors import BallotInvalid
from veche.crypto.group import PointSum

__all__ = ["counts_by_question", "tally_ballots"]


def tally_ballots(election: Election, ballots: Iterable[Ballot]) -> list[Ciphertext]:
    """Sum verified ballots into the flat tally (question by question, option by option)."""
    shape = [q.options for q in election.questions]
    width = sum(shape)
    alphas = [PointSum() for _ in range(width)]
    betas = [PointSum() for _ in range(width)]
    for n, ballot in enumerate(ballots):
        if (
            ballot.election_id != election.election_id
            or [len(a.choices) for a in ballot.answers] != shape
        ):
            raise BallotInvalid(f"ballot {n} does not have this election's shape", item="ballot")
        position = 0
        for answer in ballot.answers:
            for ct in answer.choices:
                alphas[position].add(ct.alpha.data)
                betas[position].add(ct.beta.data)
                position += 1
    return [Ciphertext(a.value(), b.value()) for a, b in zip(alphas, betas, strict=True)]


def counts_by_question(election: Election, counts: Sequence[int]) -> list[list[int]]:
    """Split the flat decrypted counts back into one list per question."""
    if len(counts) != sum(q.options for q in election.questions):
        raise ValueError("one count per option of every question")
    out = []
    position = 0
    for question in election.questions:
        out.append(list(counts[position : position + question.options]))
        position += question.options
    return out
