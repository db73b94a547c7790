"""The consistency model's promises under random attack (event-v1 §14), with hypothesis.

One honest history (``helpers.Federation`` with Lis's key revoked from an early seq, so
that two of her events above ``after_seq`` were built on by others before the
revocation) is fixed. Each example draws adversarial events against it: equivocations
by any key but one faithful member's per space (some naming earlier forks, as
colluders would), a revoked key's late events, late posts of honest members from a
node that saw little, outsiders' posts (some naming forks), forged seats citing made-up
mandates, and tampered bytes. The honest and adversarial events are then delivered to
fresh stores in several random orders and batch splits. Every delivery must reach the
same statuses and state digest, equal to a fresh ``rebuild()``; and in that state

- every ``motion.close`` of the honest history is applied (a decision is final);
- every honest event that an applied honest event of another person has in its causal
  past is applied (§14.7: what others built on is never held);
- nothing decided differs from the honest history alone, and the attacks have no effect:
  forks and the revoked key's late events are held, outsiders' posts and forged seats
  are not applied.

Not generated: every member of a space equivocating at once. With nobody left to
build on the honest log, §14.3's rounds would hold its tail (and §14.7's finality of
closes is what would have to stop them); test_equivocation.py covers coalitions that
leave one faithful member.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from tests.adversary.helpers import (
    Federation,
    decisions,
    deliver,
    federation_log,
    made_up_id,
    rebuild_agrees,
    statuses,
    stranger,
    tampered,
    wipe_store,
)

from veche.apps.store.log import ingest, state_digest
from veche.events import Event, Identity, build_event, parse_event

pytestmark = pytest.mark.django_db

_ATTACK_TIME = "2020-08-26T04:00:00Z"


@dataclass
class History:
    """The honest log in memory: nothing here reads the store, which is wiped between
    deliveries."""

    f: Federation
    events: list[Event]
    by_id: dict[str, Event] = field(default_factory=dict)
    reach: dict[str, frozenset[str]] = field(default_factory=dict)
    persons: dict[str, str] = field(default_factory=dict)
    chains: dict[tuple[str, str], list[Event]] = field(default_factory=dict)
    keys: dict[str, Identity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {e.id: e for e in self.events}
        for event in self.events:
            self.chains.setdefault((event.space_id, event.author), []).append(event)
        for chain in self.chains.values():
            chain.sort(key=lambda e: e.seq)
            assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
        names = ("Sokol", "Zubr", "Rusalka", "Lis", "Busel", "Chair", "Rusalka-phone")
        self.keys = {self.f.person(n).public: self.f.person(n) for n in names}
        self.persons = self.f.persons()

    def space_events(self, space: str) -> list[Event]:
        return [e for e in self.events if e.space_id == space]

    def before(self, event_id: str) -> list[Event]:
        """Honest events of its space that come before it in the log."""
        space = self.by_id[event_id].space_id
        index = next(i for i, e in enumerate(self.events) if e.id == event_id)
        return [e for e in self.events[:index] if e.space_id == space]

    def ancestors(self, event_id: str) -> frozenset[str]:
        """Its causal past among the honest events (through ``prev`` and ``deps``)."""
        if event_id not in self.reach:
            self.reach[event_id] = _ancestors(self, event_id)
        return self.reach[event_id]

    def person(self, key: str) -> str:
        return self.persons.get(key, key)


def _ancestors(history: History, event_id: str) -> frozenset[str]:
    found: set[str] = set()
    stack = [event_id]
    while stack:
        event = history.by_id.get(stack.pop())
        if event is None:
            continue
        for parent in ((event.prev,) if event.prev else ()) + event.deps:
            if parent not in found and parent in history.by_id:
                found.add(parent)
                stack.append(parent)
    return frozenset(found)


@cache
def _history() -> History:
    f = federation_log(early_revocation=True)
    return History(f, [parse_event(raw, verify=False) for raw in f.raws])


def _faithful(history: History) -> dict[str, str]:
    """One member per space who never equivocates: Busel in MTZ, Zubr in the council."""
    return {history.f.mtz: history.f.person("Busel").public,
            history.f.council: history.f.person("Zubr").public}  # fmt: skip


# -- adversarial events, drawn ---------------------------------------------------------------

_pick = st.integers(0, 10**6)
_ATTACKS = st.one_of(
    st.tuples(st.just("fork"), _pick, _pick, st.sampled_from(("space.post", "member.leave")),
              st.booleans()),
    st.tuples(st.just("revoked"), st.sampled_from(("Lis", "Rusalka-phone")), st.integers(1, 3),
              _pick),
    st.tuples(st.just("late"), _pick, _pick),
    st.tuples(st.just("outsider"), _pick, st.booleans()),
    st.tuples(st.just("seat"), st.sampled_from(("made-up", "made-up-of-mtz", "not-elected",
                                                "stranger-with-real-mandate"))),
    st.tuples(st.just("tampered"), _pick),
)  # fmt: skip


@dataclass
class Attack:
    events: list[Event] = field(default_factory=list)
    expect: dict[str, str] = field(default_factory=dict)  # id -> held | not-applied
    garbage: list[bytes] = field(default_factory=list)


def _sign(
    who: Identity,
    space: str,
    seq: int,
    prev: str | None,
    kind: str,
    body: dict[str, Any],
    deps: list[str],
    n: int,
) -> Event:
    return build_event(
        who,
        space=space,
        seq=seq,
        prev=prev,
        kind=kind,
        body=body,
        deps=sorted(set(deps) - {prev} if prev else set(deps)),
        at=_ATTACK_TIME[:-3] + f"{n % 60:02d}Z",
    )


def _materialize(history: History, plan: list[tuple[Any, ...]]) -> Attack:
    f, attack = history.f, Attack()
    faithful = _faithful(history)
    revoked = {f.person("Lis").public: f.revocation, f.phone.public: f.device_revocation}
    forkable = sorted(
        (space, author)
        for space, author in history.chains
        if space in faithful and faithful[space] != author
    )
    active = sorted(
        (space, author)
        for space, author in history.chains
        if space in faithful and author not in revoked
    )
    next_seq: dict[tuple[str, str], int] = {k: len(v) + 1 for k, v in history.chains.items()}
    last: dict[tuple[str, str], str] = {k: v[-1].id for k, v in history.chains.items()}
    for n, step in enumerate(plan):
        what = step[0]
        if what == "fork":
            _, which, where, kind, collude = step
            space, author = forkable[which % len(forkable)]
            chain = history.chains[(space, author)]
            original = chain[where % len(chain)]
            deps = list(original.deps)
            if collude and attack.events:
                deps.append(attack.events[-1].id)
            body = {} if kind == "member.leave" else {"text": f"the other story {n}"}
            fork = _sign(history.keys[author], space, original.seq, original.prev, kind, body,
                         deps, n)  # fmt: skip
            attack.events.append(fork)
            attack.expect[fork.id] = "held"
        elif what == "revoked":
            _, name, count, seen = step
            who = f.person(name)
            key = (f.mtz, who.public)
            known = history.before(revoked[who.public])  # what the seized device had seen
            deps = [known[seen % len(known)].id]
            for _ in range(count):
                event = _sign(who, f.mtz, next_seq[key], last[key], "space.post",
                              {"text": f"seized {n}"}, deps, n)  # fmt: skip
                next_seq[key], last[key], deps = next_seq[key] + 1, event.id, []
                attack.events.append(event)
                attack.expect[event.id] = "held"
        elif what == "late":
            _, which, seen = step
            space, author = active[which % len(active)]
            key = (space, author)
            known = history.space_events(space)
            event = _sign(history.keys[author], space, next_seq[key], last[key], "space.post",
                          {"text": f"late {n}"}, [known[seen % len(known)].id], n)  # fmt: skip
            next_seq[key], last[key] = next_seq[key] + 1, event.id
            attack.events.append(event)
        elif what == "outsider":
            _, seen, collude = step
            space = (f.mtz, f.council)[seen % 2]
            known = history.space_events(space)
            deps = [known[seen % len(known)].id]
            if collude and attack.events:
                deps.append(attack.events[-1].id)
            event = _sign(stranger(f"outsider {n}"), space, 1, None, "space.post",
                          {"text": "Bring weapons."}, deps, n)  # fmt: skip
            attack.events.append(event)
            attack.expect[event.id] = "not-applied"
        elif what == "seat":
            variant = step[1]
            who = f.person("Rusalka") if variant == "not-elected" else stranger(f"seat {n}")
            mandate = f.mandate if variant in ("not-elected", "stranger-with-real-mandate") else (
                made_up_id(f"mandate {n}"))  # fmt: skip
            child = made_up_id(f"child {n}") if variant == "made-up" else f.mtz
            body = {"mandate": mandate, "child": child, "represented": 9000, "elected": 1}
            event = _sign(who, f.council, 1, None, "delegate.seat", body, [mandate, f.council], n)
            attack.events.append(event)
            attack.expect[event.id] = "not-applied"
        else:
            attack.garbage.append(tampered(history.events[step[1] % len(history.events)]))
    return attack


# -- the property ----------------------------------------------------------------------------


def _check_promises(history: History, attack: Attack, honest_decisions: dict[str, Any]) -> None:
    now = statuses()
    for close in (e.id for e in history.events if e.kind == "motion.close"):
        assert now[close] == "applied", (close, now[close])
    for event in history.events:
        if now[event.id] != "applied":
            continue
        who = history.person(event.author)
        for ancestor in history.ancestors(event.id):
            if history.person(history.by_id[ancestor].author) != who:
                assert now[ancestor] == "applied", (
                    f"{history.by_id[ancestor].kind} {ancestor} is {now[ancestor]} although "
                    f"{event.kind} {event.id} of another person built on it"
                )
    for event_id, expected in attack.expect.items():
        if expected == "held":
            assert now[event_id] == "held", (event_id, now[event_id])
        else:
            assert now[event_id] != "applied", event_id
    assert decisions() == honest_decisions


_HONEST: dict[str, Any] = {}


def _honest_decisions() -> dict[str, Any]:
    """What the honest history alone decides (computed once)."""
    if "decisions" not in _HONEST:
        wipe_store()
        report = ingest(_history().f.raws, source="honest")
        assert {str(o.status) for o in report.outcomes} == {"applied"}
        _HONEST["decisions"] = decisions()
    return dict(_HONEST["decisions"])


@settings(
    # Modest: at this writing one out-of-order batch costs the store about 1.5 s of
    # re-projection on this history; raise this when that gets cheaper.
    max_examples=12,
    deadline=None,
    # No shrinking: each example delivers the log several times, and shrinking a
    # failure took minutes. Add Phase.shrink here to minimise one while debugging.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=st.lists(_ATTACKS, min_size=1, max_size=8),
    shuffled=st.integers(0, 2**32 - 1),
    split=st.tuples(st.integers(0, 2**32 - 1), st.integers(2, 3)),
)
# Failures found so far (the history is the same bytes in every run, so they replay):
# the council's founder forks the proposal that accepted MTZ into a leave, and an
# outsider's post names the fork (ingest raised RuleViolation from a close's projector);
@example(
    plan=[("fork", 0, 1, "member.leave", False), ("outsider", 0, True)], shuffled=0, split=(1, 2)
)
# the revoked phone forks its post: split deliveries held the post, which Busel had
# built on (one-batch delivery and rebuild applied it);
@example(plan=[("fork", 3, 0, "space.post", False)], shuffled=3, split=(3, 3))
# Sokol forks the strike call's proposal twice and Rusalka her join, each naming the
# previous fork: split deliveries rejected Zubr's seat and the council's decision.
@example(
    plan=[("fork", 5, 8, "member.leave", False), ("fork", 4, 0, "member.leave", True),
          ("fork", 5, 8, "space.post", True)],
    shuffled=0,
    split=(6335758, 2),
)  # fmt: skip
def test_any_interleaving_of_attacks_converges_and_changes_no_decision(
    plan: list[tuple[Any, ...]], shuffled: int, split: tuple[int, int]
) -> None:
    history = _history()
    with transaction.atomic():
        honest_decisions = _honest_decisions()
        attack = _materialize(history, plan)
        adversarial = [e.raw for e in attack.events] + attack.garbage
        # A node that had the honest log receives the attacks.
        wipe_store()
        ingest(history.f.raws, source="honest")
        ingest(adversarial, source="adversary")
        expected = (state_digest(), statuses())
        _check_promises(history, attack, honest_decisions)
        now, rebuilt = rebuild_agrees()
        assert now == rebuilt == expected[0]
        # Nodes that got everything mixed: in one shuffled batch, and shuffled and cut
        # into batches.
        everything = list(history.f.raws) + adversarial
        for seed, batches in ((shuffled, 1), split):
            wipe_store()
            deliver(everything, seed=seed, batches=batches)
            assert (state_digest(), statuses()) == expected, (seed, batches)
        transaction.set_rollback(True)


def test_the_generator_makes_every_kind_of_attack() -> None:
    """A fixed plan with one of each: the events are well formed and distinct."""
    history = _history()
    plan: list[tuple[Any, ...]] = [
        ("fork", 0, 0, "member.leave", False),
        ("fork", 3, 5, "space.post", True),
        ("revoked", "Lis", 2, 7),
        ("revoked", "Rusalka-phone", 1, 3),
        ("late", 1, 4),
        ("outsider", 2, True),
        ("seat", "made-up"),
        ("seat", "made-up-of-mtz"),
        ("seat", "not-elected"),
        ("seat", "stranger-with-real-mandate"),
        ("tampered", 11),
    ]
    attack = _materialize(history, plan)
    ids = [e.id for e in attack.events]
    assert len(ids) == len(set(ids)) == 11 and len(attack.garbage) == 1
    assert not set(ids) & set(history.by_id)
