"""The deterministic order, chain links and equivocation, on real signed events."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.events.envelope import CREATE_KIND, Event, build_event
from veche.events.identity import Identity
from veche.events.order import (
    ChainError,
    Equivocation,
    check_link,
    equivocations,
    order_events,
    parents,
)

AT = "2020-08-23T12:00:00Z"
PEOPLE = [Identity(hashlib.blake2b(name.encode(), digest_size=32).digest()) for name in "abcd"]


def create(identity: Identity, name: str = "Камітэт") -> Event:
    return build_event(
        identity, space=None, seq=1, prev=None, kind=CREATE_KIND, at=AT, body={"name": name}
    )


def after(
    identity: Identity,
    space: str,
    previous: Event | None,
    deps: Iterable[Event] = (),
    text: str = "",
) -> Event:
    return build_event(
        identity,
        space=space,
        seq=previous.seq + 1 if previous else 1,
        prev=previous.id if previous else None,
        kind="space.post",
        at=AT,
        deps=[d.id for d in deps],
        body={"text": text},
    )


def random_log(size: int, seed: int) -> list[Event]:
    """A space with a few authors, each chained, with random deps on earlier events."""
    rng = random.Random(seed)
    root = create(PEOPLE[0])
    events = [root]
    last: dict[str, Event] = {PEOPLE[0].public: root}
    for index in range(size):
        author = rng.choice(PEOPLE)
        deps = rng.sample(events, k=min(len(events), rng.randint(0, 3)))
        event = after(author, root.id, last.get(author.public), deps, text=f"{seed}/{index}")
        last[author.public] = event
        events.append(event)
    return events


LOG = random_log(30, seed=2020)


def expected_heights(events: list[Event]) -> dict[str, int]:
    """Heights straight from the definition, on events given in causal order."""
    heights: dict[str, int] = {}
    for event in events:
        heights[event.id] = 1 + max((heights[p] for p in parents(event)), default=-1)
    return heights


def test_heights_follow_the_definition() -> None:
    result = order_events(LOG)
    assert dict(result.heights) == expected_heights(LOG)
    assert result.missing == {}
    assert result.heights[LOG[0].id] == 0


def test_order_is_by_height_then_id() -> None:
    result = order_events(LOG)
    keys = [(result.heights[e.id], e.id) for e in result.ordered]
    assert keys == sorted(keys)
    assert len(result.ordered) == len(LOG)


def test_order_is_topological() -> None:
    position = {e.id: i for i, e in enumerate(order_events(LOG).ordered)}
    for event in LOG:
        for parent in parents(event):
            assert position[parent] < position[event.id]


def test_ties_are_broken_by_id() -> None:
    root = create(PEOPLE[0])
    siblings = [after(person, root.id, None, [root], text=person.public) for person in PEOPLE]
    result = order_events(reversed([*siblings, root]))
    assert result.ordered[0] == root
    assert [e.id for e in result.ordered[1:]] == sorted(e.id for e in siblings)
    assert {result.heights[e.id] for e in siblings} == {1}


@settings(max_examples=50, deadline=None)
@given(st.permutations(LOG))
def test_any_arrival_order_gives_the_same_order(shuffled: list[Event]) -> None:
    assert order_events(shuffled).ordered == order_events(LOG).ordered


@settings(max_examples=50, deadline=None)
@given(st.sets(st.integers(0, len(LOG) - 1), max_size=4), st.randoms(use_true_random=False))
def test_events_with_absent_ancestors_are_left_out(dropped: set[int], rng: random.Random) -> None:
    held = [e for i, e in enumerate(LOG) if i not in dropped]
    absent = {LOG[i].id for i in dropped}
    waiting: set[str] = set()
    for event in LOG:  # causal order: a parent's fate is known before its child's
        if event.id not in absent and any(p in absent or p in waiting for p in parents(event)):
            waiting.add(event.id)
    rng.shuffle(held)
    result = order_events(held)
    assert set(result.missing) == waiting
    assert {e.id for e in result.ordered} == {e.id for e in held} - waiting
    for needs in result.missing.values():
        assert needs and all(n in absent or n in waiting for n in needs)
    # What is placed is ordered exactly as in the full log.
    full = [e.id for e in order_events(LOG).ordered]
    assert [e.id for e in result.ordered] == [i for i in full if i not in absent | waiting]


def test_missing_names_what_an_event_waits_for() -> None:
    root = create(PEOPLE[0])
    first = after(PEOPLE[1], root.id, None, [root])
    second = after(PEOPLE[1], root.id, first)
    third = after(PEOPLE[2], root.id, None, [second])
    result = order_events([root, second, third])
    assert result.missing == {second.id: (first.id,), third.id: (second.id,)}
    assert result.ordered == [root]


def test_duplicates_count_once() -> None:
    result = order_events(LOG + LOG[::-1])
    assert result.ordered == order_events(LOG).ordered


def test_a_long_chain_does_not_exhaust_the_stack() -> None:
    root = create(PEOPLE[0])
    events = [root]
    for _ in range(2000):
        events.append(after(PEOPLE[0], root.id, events[-1] if len(events) > 1 else None, [root]))
    result = order_events(reversed(events))
    assert result.heights[events[-1].id] == 2000
    assert result.ordered == events


# -- chains -----------------------------------------------------------------------------


def test_check_link() -> None:
    root = create(PEOPLE[0])
    first = after(PEOPLE[1], root.id, None, [root])
    second = after(PEOPLE[1], root.id, first)
    check_link(first, None)
    check_link(second, first)
    other_space = create(PEOPLE[1], "Іншы")
    cases = [
        (second, None, "chain-missing"),
        (second, root, "chain-author"),
        (after(PEOPLE[1], other_space.id, first), first, "chain-space"),
        (after(PEOPLE[1], root.id, second), first, "chain-seq"),
    ]
    for event, previous, rule in cases:
        with pytest.raises(ChainError) as caught:
            check_link(event, previous)
        assert (caught.value.field, caught.value.rule) == ("prev", rule)


def test_the_creators_chain_starts_at_space_create() -> None:
    root = create(PEOPLE[0])
    check_link(after(PEOPLE[0], root.id, root), root)


# -- equivocation ---------------------------------------------------------------------------


def test_two_events_in_one_slot_are_an_equivocation() -> None:
    root = create(PEOPLE[0])
    first = after(PEOPLE[1], root.id, None, [root])
    honest = after(PEOPLE[1], root.id, first, text="Страйк заўтра")
    forked = after(PEOPLE[1], root.id, first, text="Страйку не будзе")
    later = after(PEOPLE[1], root.id, forked)
    found = equivocations([later, honest, root, forked, first])
    assert found == [
        Equivocation(root.id, PEOPLE[1].public, 2, tuple(sorted([honest.id, forked.id])))
    ]


def test_three_way_fork_is_one_equivocation() -> None:
    root = create(PEOPLE[0])
    forks = [after(PEOPLE[0], root.id, root, text=str(i)) for i in range(3)]
    (found,) = equivocations([root, *forks])
    assert found.event_ids == tuple(sorted(e.id for e in forks))


def test_the_same_event_twice_is_not_an_equivocation() -> None:
    # Regression: a duplicate (the same event from two peers) was reported as a fork.
    root = create(PEOPLE[0])
    first = after(PEOPLE[1], root.id, None, [root])
    assert equivocations([root, first, first, root]) == []


def test_same_seq_in_other_spaces_or_by_others_is_not_an_equivocation() -> None:
    one, two = create(PEOPLE[0], "Адзін"), create(PEOPLE[0], "Два")
    events = [
        one,
        two,  # the same author's seq 1, but two spaces
        after(PEOPLE[0], one.id, one),
        after(PEOPLE[0], two.id, two),
        after(PEOPLE[1], one.id, None),
        after(PEOPLE[2], one.id, None),
    ]
    assert equivocations(events) == []
    assert equivocations(LOG) == []


def test_place_counts_known_parents_and_skips_unplaced_ones() -> None:
    from veche.events import Identity, build_event
    from veche.events.order import place

    author = Identity(b"\x07" * 32)
    outside = "A" * 42 + "E"  # a parent already placed elsewhere, at height 5
    missing = "B" * 42 + "E"  # a citation not placed: not counted
    first = build_event(author, space=None, seq=1, prev=None, kind="space.create",
                        body={"type": "x"}, deps=[])  # fmt: skip
    second = build_event(author, space=first.id, seq=2, prev=first.id, kind="space.post",
                         body={}, deps=sorted([outside, missing]))  # fmt: skip
    third = build_event(author, space=first.id, seq=3, prev=second.id, kind="space.post",
                        body={}, deps=[])  # fmt: skip
    events = {e.id: e for e in (third, second, first)}  # any order
    assert place(events, {outside: 5}) == {first.id: 0, second.id: 6, third.id: 7}
