"""BLT files: the forms real files take, round trips, and malformed input with line numbers."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.counting.ballots import RankedBallots
from veche.counting.blt import BltElection, BltError, parse_blt, read_blt, write_blt

OPENSTV_STYLE = """\
# written by hand in the style of OpenSTV
5 3
-5
4 1 0
2 2 1 0
(ballot-7) 8 3 4 0
4 3 5 0
1 4 0
1 5 0   # a comment after a ballot
1 5 0

0
"orange"
pear
"chocolate"  # quoted, then a comment
"straw berry"
"bonbon"
"Wikipedia example"
"""


def as_dict(ballots: RankedBallots) -> dict[tuple[int, ...], int]:
    return dict(ballots.iter_rankings())


def test_reads_openstv_style_file() -> None:
    election = parse_blt(OPENSTV_STYLE)
    assert election.seats == 3
    assert election.candidates == ("orange", "pear", "chocolate", "straw berry", "bonbon")
    assert election.title == "Wikipedia example"
    assert election.ballots.withdrawn == frozenset({4})
    assert as_dict(election.ballots) == {
        (0,): 4,
        (1, 0): 2,
        (2, 3): 8,
        (2, 4): 4,
        (3,): 1,
        (4,): 2,
    }


def test_skipped_rank_ends_the_consecutive_preferences() -> None:
    election = parse_blt('3 1\n1 2 - 3 0\n0\n"a"\n"b"\n"c"\n"t"\n')
    assert as_dict(election.ballots) == {(1,): 1}


def test_title_is_optional_and_bom_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "x.blt"
    path.write_text("\ufeff2 1\n1 1 0\n0\nA\nB\n", encoding="utf-8")
    election = read_blt(path)
    assert election.candidates == ("A", "B") and election.title == ""


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("x 1\n", 1, "number of candidates"),
        ("3\n", 1, "CANDIDATES SEATS"),
        ("3 0\n", 1, "at least one seat"),
        ("3 1\n1 2 = 3 0\n0\n", 2, "equal rankings"),
        ("3 1\n1 2=3 0\n0\n", 2, "equal rankings"),
        ("3 1\n1 1 2\n0\n", 2, "end with 0"),
        ("3 1\n1 1 4 0\n0\n", 2, "not a candidate number"),
        ("3 1\n1 1 1 0\n0\n", 2, "more than once"),
        ("3 1\n0 1 0\n0\n", 2, "at least 1"),
        ("3 1\n1 1 0\n-1\n0\n", 3, "before the first ballot"),
        ("3 1\n-4\n1 1 0\n0\n", 2, "withdrawn"),
        ("3 1\n(7 1 1 0\n0\n", 2, "never closed"),
        ('2 1\n1 1 0\n0\n"A\n"B"\n', 4, "does not close"),
        ('2 1\n1 1 0\n0\n"A" B\n"B"\n', 4, "after the quoted"),
        ('2 1\n1 1 0\n0\n"A"\n"B"\n"T"\n"extra"\n', 7, "after the title"),
        ("2 1\n1 ١ 0\n0\nA\nB\n", 2, "whole number"),
    ],
)
def test_malformed_lines_are_named(text: str, line: int, fragment: str) -> None:
    with pytest.raises(BltError) as caught:
        parse_blt(text)
    assert caught.value.line == line
    assert fragment in str(caught.value)
    assert str(caught.value).startswith(f"line {line}:")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "first line"),
        ("3 1\n1 1 0\n", "'0' line"),
        ('3 1\n1 1 0\n0\n"a"\n', "name of candidate 2"),
    ],
)
def test_truncated_files(text: str, fragment: str) -> None:
    with pytest.raises(BltError, match=fragment):
        parse_blt(text)


names = st.text(
    alphabet=st.characters(
        blacklist_characters='"\r\n#', blacklist_categories=("Cs", "Zl", "Zp", "Cc")
    ),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() == s and s.strip() != "")


@st.composite
def blt_elections(draw: st.DrawFn) -> BltElection:
    candidates = draw(st.lists(names, min_size=1, max_size=7))
    n = len(candidates)
    ranking = st.permutations(list(range(n))).flatmap(
        lambda p: st.integers(0, len(p)).map(lambda k: tuple(p[:k]))
    )
    pairs = draw(st.lists(st.tuples(ranking, st.integers(1, 50)), max_size=25))
    withdrawn = draw(st.sets(st.integers(0, n - 1), max_size=n))
    title = draw(st.one_of(st.just(""), names))
    ballots = RankedBallots.from_rankings(candidates, pairs, withdrawn=withdrawn, title=title)
    return BltElection(ballots=ballots, seats=draw(st.integers(1, 5)))


@settings(max_examples=200, deadline=None)
@given(blt_elections())
def test_write_then_read_round_trips(election: BltElection) -> None:
    again = parse_blt(write_blt(election))
    assert again.seats == election.seats
    assert again.candidates == election.candidates
    assert again.title == election.title
    assert again.ballots.withdrawn == election.ballots.withdrawn
    assert as_dict(again.ballots) == as_dict(election.ballots)
    assert again.ballots.digest() == election.ballots.digest()


@settings(max_examples=200, deadline=None)
@given(blt_elections(), st.data())
def test_any_corrupted_ballot_line_is_rejected_with_its_number(
    election: BltElection, data: st.DataObject
) -> None:
    lines = write_blt(election).splitlines()
    first_ballot = 2 if election.ballots.withdrawn else 1
    n_ballots = len(election.ballots.weights)
    if n_ballots == 0:
        return
    target = data.draw(st.integers(first_ballot, first_ballot + n_ballots - 1))
    n = len(election.candidates)
    corruption = data.draw(
        st.sampled_from(
            [
                lambda s: s[: s.rfind(" ")] + " 9",  # no closing 0
                lambda s: s.replace(" ", f" {n + 1} ", 1),  # unknown candidate
                lambda s: "0 " + s,  # weight 0
                lambda s: s.replace(" ", " 1=2 ", 1),  # equal ranking
                lambda s: "w" + s,  # not a number
            ]
        )
    )
    lines[target] = corruption(lines[target])
    with pytest.raises(BltError) as caught:
        parse_blt("\n".join(lines) + "\n")
    assert caught.value.line == target + 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes(text: str) -> None:
    with contextlib.suppress(BltError):
        parse_blt(text)


def test_identical_lines_are_merged_with_weights() -> None:
    body = "3 2\n" + "1 1 2 0\n" * 1000 + "2 1 2 0\n" + "1 3 0\n" * 5 + "0\nA\nB\nC\n"
    ballots = parse_blt(body).ballots
    assert as_dict(ballots) == {(0, 1): 1002, (2,): 5}
    assert ballots.total_weight == 1007


@settings(max_examples=200, deadline=None)
@given(blt_elections(), st.integers(1, 4))
def test_fast_and_line_by_line_readers_agree(election: BltElection, copies: int) -> None:
    # Plain lines take the counted numpy path; "0 # end" defeats it, so the same
    # ballots are then read line by line. Both must give the same ballots.
    text = write_blt(election)
    head, _, tail = text.partition("\n0\n")
    keep = 2 if election.ballots.withdrawn else 1
    lines = head.splitlines()
    body = "\n".join(lines[:keep] + lines[keep:] * copies)
    fast = parse_blt(body + "\n0\n" + tail)
    slow = parse_blt(body + "\n0 # end\n" + tail)
    assert fast.ballots.digest() == slow.ballots.digest()
    assert as_dict(fast.ballots) == as_dict(slow.ballots)
