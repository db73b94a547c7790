"""Issue 11, attacks 1 and 4 on the loaded Belarus 2020 demo.

The demo is loaded (``veche demo`` does the same), one of its members' keys is revoked
by a passed ``revocation`` motion of their committee, and then members' own keys sign
equivocations that ``veche log import`` brings in, one file after another: the founder
of the Kozlova committee (the node's operator), the founder of the national council,
an ordinary MTZ member changing a counted vote, a delegate forking their seat in the
national council, and the revoked key (a fork at seq 1, a fork at ``after_seq`` and a
post the seized phone signed after it). After each, every passed motion, delegate,
decided election and every committee's member list are as they were, and the author
is flagged (event-v1 §8, §14).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.adversary.helpers import (
    after,
    at_seq,
    chain,
    decisions,
    equivocate,
    fork_first,
    is_flagged,
    last,
    reason_of,
    rebuild_agrees,
    says_equivocation,
    says_revoked,
    status_of,
    stored,
    write_lines,
)
from tests.demo_snapshot import load_demo_cached

from veche.apps.accounts.models import Account
from veche.apps.committees import actions
from veche.apps.committees.models import Committee, Member, Seat
from veche.apps.elections.models import Election
from veche.apps.store.models import RejectedInput
from veche.events import Event, Identity
from veche.events.identity import unseal

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _key(pseudonym: str) -> Identity:
    """A demo member's key, from their account (sealed under the demo passphrase)."""
    from veche.demo.load import DEMO_PASSPHRASE

    return Identity(unseal(Account.objects.get(pseudonym=pseudonym).sealed_seed, DEMO_PASSPHRASE))


def _space(key: str) -> str:
    """A demo committee by its key in the demo's text files."""
    from veche.demo.text import DemoText

    return Committee.objects.get(demo=True, name=DemoText().name(key)).space


def _revoke(space: str, pseudonym: str, voters: tuple[str, ...]) -> tuple[int, str]:
    """The committee revokes a member's seized key by a motion; a member posts after."""
    who = _key(pseudonym)
    after_seq = last(space, who).seq
    motion = actions.propose(
        _key(voters[0]),
        space,
        kind="revocation",
        title=f"Revoke {pseudonym}'s seized key",
        text="The phone was taken at the gate.",
        target={"key": who.public, "after_seq": after_seq},
    ).id
    for voter in voters:
        actions.vote(_key(voter), space, motion, choice="yes")
    close = actions.close(_key(voters[0]), space, motion).id
    actions.post(_key(voters[1]), space, "Minutes of the assembly.")
    return after_seq, close


def _import(cli: Any, path: Path, events: list[Event]) -> None:
    code, _, err = cli("log", "import", write_lines(path, events))
    assert code == 0, err


def _vote_on(space: str, who: Identity, motion: str) -> Event:
    return next(
        e for e in chain(space, who) if e.kind == "motion.vote" and e.body.get("motion") == motion
    )


def test_members_keys_equivocating_on_the_demo_change_no_decision(cli: Any, tmp_path: Path) -> None:
    from veche.apps.committees.models import Motion

    load_demo_cached()
    belaruskali = _space("belaruskali")
    # Every member but Glyba votes (the demo's pledge brought four workers in).
    others = tuple(
        Member.objects.filter(space=belaruskali, status=Member.Status.ACTIVE)
        .exclude(key=_key("Glyba").public)
        .order_by("pseudonym")
        .values_list("pseudonym", flat=True)
    )
    after_seq, _ = _revoke(belaruskali, "Glyba", others)
    before = decisions()
    assert Seat.objects.exists() and Election.objects.filter(stage="decided").exists()
    assert any(row[3] == "passed" for row in before["motions"])
    forged_call = RejectedInput.objects.count()

    kozlova, mtz, national = _space("kozlova"), _space("mtz"), _space("national")
    sokol, veche, yaryla, iskra = (_key(n) for n in ("Sokol", "Veche", "Yaryla", "Iskra"))
    glyba = _key("Glyba")
    strike = Motion.objects.get(space=mtz, kind="strike_call", status="passed").event
    seat = Seat.objects.get(space=national, key=iskra.public).event
    seat_event = stored(seat)
    yes = _vote_on(mtz, yaryla, strike)
    glyba_good = at_seq(belaruskali, glyba, after_seq)
    seized = after(glyba, glyba_good, body={"text": "The strike is over, go back to work."})
    attacks: list[tuple[str, list[Event], Identity, str, int, str]] = [
        # (what, forks, author, space, seq, the honest event at that seq)
        ("Kozlova's founder leaves at seq 1", [fork_first(sokol, kozlova)], sokol, kozlova, 1,
         kozlova),
        ("the national founder posts at seq 1",
         [fork_first(veche, national, kind="space.post", body={"text": "Strike called off."})],
         veche, national, 1, national),
        ("an MTZ member turns a counted yes into a no",
         [equivocate(yaryla, yes, kind="motion.vote", body=dict(yes.body, choice="no"))],
         yaryla, mtz, yes.seq, yes.id),
        ("a delegate forks their national seat",
         [equivocate(iskra, seat_event, kind="delegate.seat",
                     body=dict(seat_event.body, represented=100000))],
         iskra, national, seat_event.seq, seat),
        ("the revoked key forks seq 1", [fork_first(glyba, belaruskali, deps=[belaruskali])],
         glyba, belaruskali, 1, at_seq(belaruskali, glyba, 1).id),
        ("the revoked key forks at after_seq",
         [equivocate(glyba, glyba_good, body={"text": "Go home."})],
         glyba, belaruskali, after_seq, glyba_good.id),
    ]  # fmt: skip
    # The seized phone's post above after_seq: held as the revoked key's, no equivocation.
    _import(cli, tmp_path / "seized.jsonl", [seized])
    assert status_of(seized.id) == "held" and says_revoked(reason_of(seized.id))
    assert not is_flagged(belaruskali, glyba)
    assert decisions() == before
    for number, (what, forks, author, space, seq, original) in enumerate(attacks):
        _import(cli, tmp_path / f"attack-{number}.jsonl", forks)
        assert decisions() == before, what
        assert is_flagged(space, author, seq), what
        assert status_of(forks[0].id) == "held", (what, reason_of(forks[0].id))
        assert says_equivocation(reason_of(forks[0].id)), (what, reason_of(forks[0].id))
        assert status_of(original) == "applied", (what, reason_of(original))
    assert status_of(seized.id) == "held"
    assert RejectedInput.objects.count() == forged_call  # nothing new was unreadable
    now, rebuilt = rebuild_agrees()
    assert now == rebuilt
    assert decisions() == before
