"""Issue 11, attack 1: an equivocation signed with a member's real key, by any member.

A member (an ordinary one, a delegate, the founder, a key already revoked by a passed
revocation motion or by ``key.revoke``, a voter or a trustee of a secret ballot) signs
a second, different event at a (space, seq) they already used, and it reaches a node
through every public path: ``veche log import``, ``veche bundle import``, the web
Bundles upload, and HTTP sync between two separate nodes. Per event-v1 §8 and §14:

- every passed motion, delegate (mandate and seat), decided election and the
  committee's member list stay exactly as they were;
- the author is flagged (an ``EquivocationRecord``), the fork is *held* with a reason
  that says why, on the event page and in ``veche log show``; the event the others
  built on at that seq stays applied;
- the state digest equals a fresh ``rebuild()``, and is the same when the fork
  arrives first and the honest log after it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.adversary.helpers import (
    ATTACK_TIME,
    Federation,
    at_seq,
    bundle_of,
    chain,
    decisions,
    deliver,
    equivocate,
    fork_first,
    is_flagged,
    last,
    members_of,
    reason_of,
    rebuild_agrees,
    says_equivocation,
    space_flags,
    status_of,
    statuses,
    stored,
    stranger,
    wipe_store,
    write_lines,
)

from veche.apps.committees.models import Committee, Member
from veche.apps.store.log import ingest, state_digest
from veche.apps.store.reasons import explain
from veche.events import Event, Identity, build_event

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Attack:
    """Forged events (``events[0]`` is the fork at ``seq``) and the honest event that
    holds that (space, author, seq) and must stay applied."""

    events: list[Event]
    author: Identity
    space: str
    seq: int
    original: str

    @property
    def fork(self) -> Event:
        return self.events[0]


def _attack(author: Identity, original: Event, *events: Event) -> Attack:
    return Attack(list(events), author, original.space_id, original.seq, original.id)


def _member_leaves_at_seq_1(f: Federation) -> Attack:
    """Zubr, MTZ's delegate, signs a ``member.leave`` at seq 1: a second seq 1."""
    zubr = f.person("Zubr")
    return _attack(zubr, at_seq(f.mtz, zubr, 1), fork_first(zubr, f.mtz, deps=[f.mtz]))


def _member_changes_a_counted_vote(f: Federation) -> Attack:
    """Rusalka's yes on the strike call, forked into a no with the same prev and deps."""
    rusalka = f.person("Rusalka")
    vote = next(e for e in chain(f.mtz, rusalka) if e.kind == "motion.vote")
    body = {"motion": f.strike, "version": 0, "choice": "no"}
    return _attack(rusalka, vote, equivocate(rusalka, vote, kind="motion.vote", body=body))


def _founder_forks_seq_1(f: Federation) -> Attack:
    """Sokol, the founder: a non-create event in MTZ at seq 1, prev null (his seq 1
    there is the ``space.create``)."""
    sokol = f.person("Sokol")
    fork = fork_first(sokol, f.mtz, kind="member.leave")
    return _attack(sokol, stored(f.mtz), fork)


def _founder_forks_a_decision(f: Federation) -> Attack:
    """Sokol signs a second close of the strike call at the close's seq, saying it failed."""
    sokol = f.person("Sokol")
    close = stored(f.strike_close)
    result = dict(close.body["result"], passed=False, yes=0, no=close.body["result"]["cast"])
    body = {"motion": f.strike, "result": result}
    return _attack(sokol, close, equivocate(sokol, close, kind="motion.close", body=body))


def _council_founder_forks_seq_1(f: Federation) -> Attack:
    """The council's founder posts at seq 1 in the council: a second seq 1."""
    chair = f.person("Chair")
    fork = fork_first(chair, f.council, kind="space.post", body={"text": "The council is over."})
    return _attack(chair, stored(f.council), fork)


def _delegate_forks_the_seat(f: Federation) -> Attack:
    """Zubr signs a second seat at his seat's seq, claiming 1000 more represented."""
    zubr = f.person("Zubr")
    seat = stored(f.seat)
    body = dict(seat.body, represented=seat.body["represented"] + 1000)
    return _attack(zubr, seat, equivocate(zubr, seat, kind="delegate.seat", body=body))


def _revoked_key_forks_at_after_seq(f: Federation) -> Attack:
    """Lis's key, revoked by the committee's motion: a fork at ``after_seq`` itself."""
    lis = f.person("Lis")
    original = at_seq(f.mtz, lis, f.revoked_after)
    fork = equivocate(lis, original, body={"text": "The strike is called off. — Lis"})
    return _attack(lis, original, fork)


def _revoked_key_forks_seq_1(f: Federation) -> Attack:
    """Lis's revoked key signs a ``member.leave`` at seq 1 (below ``after_seq``)."""
    lis = f.person("Lis")
    return _attack(lis, at_seq(f.mtz, lis, 1), fork_first(lis, f.mtz, deps=[f.mtz]))


def _revoked_device_forks(f: Federation) -> Attack:
    """Rusalka's phone, revoked with ``key.revoke``: a fork of its post at ``after_seq``."""
    phone = f.phone
    original = at_seq(f.mtz, phone, f.device_after)
    fork = equivocate(phone, original, body={"text": "Go home, it is over."})
    return _attack(phone, original, fork)


COMMITTEE_ATTACKS: dict[str, Callable[[Federation], Attack]] = {
    "member-leaves-at-seq-1": _member_leaves_at_seq_1,
    "member-changes-a-counted-vote": _member_changes_a_counted_vote,
    "founder-forks-seq-1": _founder_forks_seq_1,
    "founder-forks-a-decision": _founder_forks_a_decision,
    "council-founder-forks-seq-1": _council_founder_forks_seq_1,
    "delegate-forks-the-seat": _delegate_forks_the_seat,
    "revoked-key-forks-at-after-seq": _revoked_key_forks_at_after_seq,
    "revoked-key-forks-seq-1": _revoked_key_forks_seq_1,
    "revoked-device-forks": _revoked_device_forks,
}


def _voter_casts_a_second_ballot(f: Federation) -> Attack:
    """Zubr, a voter of the decided election, signs another ballot at his ballot's seq."""
    from veche.apps.elections.kinds import state_of
    from veche.apps.store.context import Context
    from veche.crypto.ballot import encrypt_ballot

    zubr = f.person("Zubr")
    cast = at_seq(f.election, zubr, 1)
    ballot, _ = encrypt_ballot(state_of(Context(), f.election).crypto_election(), [[1, 0]])
    fork = equivocate(zubr, cast, kind="ballot.cast", body={"ballot": ballot.to_json()})
    return _attack(zubr, cast, fork)


def _election_creator_forks_seq_1(f: Federation) -> Attack:
    """Sokol, who created the election, signs a non-create event at seq 1 in it."""
    sokol = f.person("Sokol")
    fork = fork_first(sokol, f.election, kind="space.post", body={"text": "Annulled."})
    return _attack(sokol, stored(f.election), fork)


def _trustee_forks_a_decryption(f: Federation) -> Attack:
    """A trustee signs its partial decryption again at another time: same body, other id."""
    trustee = f.trustees[0].identity
    share = last(f.election, trustee)
    fork = equivocate(trustee, share, kind=share.kind, body=share.body)
    return _attack(trustee, share, fork)


ELECTION_ATTACKS: dict[str, Callable[[Federation], Attack]] = {
    "voter-casts-a-second-ballot": _voter_casts_a_second_ballot,
    "election-creator-forks-seq-1": _election_creator_forks_seq_1,
    "trustee-forks-a-decryption": _trustee_forks_a_decryption,
}


# -- what every path must leave behind ------------------------------------------------------


def _contained(attack: Attack, before: dict[str, Any]) -> None:
    """Nothing decided changed, the author is flagged, the fork is held and says why,
    the event others built on is applied, and the state is what a rebuild gives."""
    assert decisions() == before
    assert is_flagged(attack.space, attack.author, attack.seq)
    assert status_of(attack.fork.id) == "held", reason_of(attack.fork.id)
    assert says_equivocation(reason_of(attack.fork.id)), reason_of(attack.fork.id)
    assert status_of(attack.original) == "applied", reason_of(attack.original)
    now, rebuilt = rebuild_agrees()
    assert now == rebuilt


def _held_sentence(event_id: str) -> str:
    explained = explain(reason_of(event_id))
    assert explained is not None and explained.message, reason_of(event_id)
    return explained.message


def _shown_in_log_show(cli: Any, attack: Attack) -> None:
    """``veche log show`` prints the fork as held, with the reason in words."""
    code, out, err = cli("log", "show", f"--space={attack.space}", "--limit", "100000")
    assert code == 0, err
    lines = out.splitlines()
    index = next(i for i, line in enumerate(lines) if attack.fork.id in line)
    shown = lines[index] + "".join(
        line for line in lines[index + 1 : index + 3] if line[:1].isspace()
    )
    assert "held" in shown, shown
    assert _held_sentence(attack.fork.id) in shown, shown


def _shown_on_the_event_page(signed_in: Any, f: Federation, attack: Attack) -> None:
    """The event page, read by a member of the committee, says held and why."""
    client = signed_in(f.person("Sokol"), "Sokol")
    page = client.get(f"/events/{attack.fork.id}/")
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert "Held" in text
    assert _held_sentence(attack.fork.id) in text


# -- veche log import ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(COMMITTEE_ATTACKS))
def test_log_import_of_an_equivocation_changes_no_decision_in_either_order(
    name: str, federation: Federation, cli: Any, signed_in: Any, tmp_path: Path
) -> None:
    f = federation
    before = decisions()
    attack = COMMITTEE_ATTACKS[name](f)
    forks = write_lines(tmp_path / "fork.jsonl", attack.events)
    code, out, err = cli("log", "import", forks, "--json")
    assert code == 0, err
    assert [o["status"] for o in json.loads(out)["outcomes"]] == ["held"] * len(attack.events)
    _contained(attack, before)
    _shown_in_log_show(cli, attack)
    _shown_on_the_event_page(signed_in, f, attack)
    honest_first = (state_digest(), statuses())

    # A node that receives the fork first and the honest log after it (the operator
    # names the committees, new to this node).
    wipe_store()
    spaces = space_flags(f.raws)
    assert cli("log", "import", forks, *spaces)[0] == 0
    assert cli("log", "import", write_lines(tmp_path / "honest.jsonl", f.raws), *spaces)[0] == 0
    assert (state_digest(), statuses()) == honest_first
    _contained(attack, before)


@pytest.mark.parametrize("name", list(ELECTION_ATTACKS))
def test_an_equivocation_in_a_decided_election_changes_nothing_decided(
    name: str, federation_with_election: Federation, cli: Any, tmp_path: Path
) -> None:
    f = federation_with_election
    before = decisions()
    assert any(row[1] == "decided" for row in before["elections"])
    attack = ELECTION_ATTACKS[name](f)
    forks = write_lines(tmp_path / "fork.jsonl", attack.events)
    code, _, err = cli("log", "import", forks)
    assert code == 0, err
    _contained(attack, before)
    _shown_in_log_show(cli, attack)
    honest_first = (state_digest(), statuses())
    wipe_store()
    spaces = space_flags(f.raws)
    assert cli("log", "import", forks, *spaces)[0] == 0
    assert cli("log", "import", write_lines(tmp_path / "honest.jsonl", f.raws), *spaces)[0] == 0
    assert (state_digest(), statuses()) == honest_first
    _contained(attack, before)


def test_the_founders_fork_of_seq_1_leaves_the_committee_standing(
    federation: Federation, cli: Any, tmp_path: Path
) -> None:
    f = federation
    members = members_of(f.mtz)
    attack = _founder_forks_seq_1(f)
    assert cli("log", "import", write_lines(tmp_path / "fork.jsonl", attack.events))[0] == 0
    committee = Committee.objects.get(space=f.mtz)
    assert committee.founder == f.person("Sokol").public
    assert status_of(f.mtz) == "applied"
    assert members_of(f.mtz) == members
    active = set(
        Member.objects.filter(space=f.mtz, status="active").values_list("pseudonym", flat=True)
    )
    assert active == {"Sokol", "Zubr", "Rusalka", "Busel"}
    assert is_flagged(f.mtz, f.person("Sokol"), 1)


def test_every_key_of_a_committee_but_one_equivocating_at_once_changes_no_decision(
    federation: Federation, cli: Any, tmp_path: Path
) -> None:
    """A coalition: every MTZ key but Busel's (who keeps building on the honest log)
    and the council's founder equivocate together, in one file."""
    f = federation
    before = decisions()
    attacks = [
        COMMITTEE_ATTACKS[name](f)
        for name in (
            "member-leaves-at-seq-1",
            "member-changes-a-counted-vote",
            "founder-forks-seq-1",
            "founder-forks-a-decision",
            "council-founder-forks-seq-1",
            "revoked-key-forks-seq-1",
            "revoked-device-forks",
        )
    ]
    events = [e for a in attacks for e in a.events]
    assert cli("log", "import", write_lines(tmp_path / "forks.jsonl", events))[0] == 0
    for attack in attacks:
        _contained(attack, before)


# -- veche bundle import ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["founder-forks-seq-1", "member-changes-a-counted-vote", "revoked-key-forks-seq-1"]
)
def test_bundle_import_of_an_equivocation_changes_no_decision(
    name: str, federation: Federation, cli: Any, key_file: Any, tmp_path: Path
) -> None:
    f = federation
    before = decisions()
    attack = COMMITTEE_ATTACKS[name](f)
    zubr = f.person("Zubr")
    bundle = tmp_path / "from-the-adversary.bundle"
    bundle.write_bytes(bundle_of(attack.events, to=[zubr.public]))
    code, out, err = cli("bundle", "import", bundle, "--as", key_file(zubr, "zubr"), "--json")
    assert code == 0, err
    assert json.loads(out)["outcomes"] == {"held": len(attack.events)}
    _contained(attack, before)
    _shown_in_log_show(cli, attack)


# -- the web Bundles page -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["member-leaves-at-seq-1", "founder-forks-a-decision"])
def test_web_bundle_upload_of_an_equivocation_changes_no_decision(
    name: str, federation: Federation, signed_in: Any
) -> None:
    f = federation
    before = decisions()
    attack = COMMITTEE_ATTACKS[name](f)
    sokol = f.person("Sokol")
    client = signed_in(sokol, "Sokol")
    upload = SimpleUploadedFile("fork.bundle", bundle_of(attack.events, to=[sokol.public]))
    page = client.post("/sync/bundles/upload/", {"bundle": upload}, follow=True)
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert "Bundle imported" in text and "held" in text, text
    _contained(attack, before)
    _shown_on_the_event_page(signed_in, f, attack)


# -- HTTP sync between two separate nodes --------------------------------------------------------

_DECIDED_SQL = {
    "committees": "SELECT space, name, founder, parent FROM committees_committee",
    "members": "SELECT space, key, person, pseudonym, status FROM committees_member",
    "motions": "SELECT space, event, status, result, close_event FROM committees_motion"
    " WHERE status != 'open'",
    "mandates": "SELECT space, event, key, parent, recalled_by FROM committees_mandate",
    "seats": "SELECT space, key, mandate, child, weight FROM committees_seat",
    "links": "SELECT space, child, accepted_by FROM committees_federationlink",
}


def _read(node: Any, sql: str) -> list[tuple[Any, ...]]:
    """Rows of the node's own database (SQLite or PostgreSQL), sorted."""
    return sorted(node.query(sql), key=repr)


def _node_decisions(node: Any) -> dict[str, list[tuple[Any, ...]]]:
    return {name: _read(node, sql) for name, sql in _DECIDED_SQL.items()}


def _node_statuses(node: Any) -> dict[str, tuple[str, str]]:
    rows = _read(node, "SELECT id, status, reason FROM store_storedevent")
    return {i: (s, r) for i, s, r in rows}


@pytest.mark.slow
def test_http_sync_carries_an_equivocation_that_changes_no_decision(
    federation: Federation, nodes: Any, key_file: Any, tmp_path: Path
) -> None:
    """Node A (``veche serve``) holds the honest log and the forks (imported with
    ``veche log import``); node B holds the honest log and syncs with A over HTTP as
    members; node C got the forks first and syncs with A after. All three end in one state, with nothing
    decided changed and every fork held."""
    f = federation
    attacks = [
        COMMITTEE_ATTACKS[name](f)
        for name in (
            "founder-forks-seq-1",
            "member-changes-a-counted-vote",
            "council-founder-forks-seq-1",
        )
    ]
    forks = write_lines(tmp_path / "forks.jsonl", [e for a in attacks for e in a.events])
    honest = write_lines(tmp_path / "honest.jsonl", f.raws)
    # Sokol is a member of MTZ, Zubr also holds a seat in the council.
    members = ("--as", str(key_file(f.person("Sokol"), "sokol")))
    members += ("--as", str(key_file(f.person("Zubr"), "zubr")))
    a, b, c = nodes("A", serve=True), nodes("B"), nodes("C")
    spaces = space_flags(f.raws)  # the committees, new to each node, named by its operator
    a.veche("log", "import", str(honest), *spaces)
    a.veche("log", "import", str(forks))
    b.veche("log", "import", str(honest), *spaces)
    c.veche("log", "import", str(forks), *spaces)
    before = _node_decisions(b)
    assert before == _node_decisions(a)

    pulled = b.json("sync", a.url, *members)
    assert {f.mtz, f.council} <= set(pulled["spaces"])
    c.json("sync", a.url, *members)
    for node in (a, b, c):
        assert _node_decisions(node) == before, f"node {node.folder.name}"
        held = _node_statuses(node)
        for attack in attacks:
            status, reason = held[attack.fork.id]
            assert status == "held" and says_equivocation(reason), (status, reason)
            assert held[attack.original][0] == "applied"
        flagged = _read(node, "SELECT space, author, seq FROM store_equivocationrecord")
        for attack in attacks:
            assert (attack.space, attack.author.public, attack.seq) in flagged
        rebuilt = node.json("log", "rebuild")
        assert rebuilt["digest_before"] == rebuilt["digest_after"]
    assert a.digest() == b.digest() == c.digest()


# -- a fork someone else names -------------------------------------------------------------------


@pytest.mark.parametrize("minute", [0, 1, 2])  # the fork's claimed time: other ids, other ties
@pytest.mark.parametrize("where", ["council", "mtz"])
def test_a_rejected_event_naming_a_fork_does_not_make_it_count(
    where: str, minute: int, federation: Federation, cli: Any, tmp_path: Path
) -> None:
    """The council's founder forks the proposal that accepted MTZ into a ``member.leave``;
    an outsider's post (rejected: no member) names the fork. Only an *applied* event of
    another person acknowledges (§14.3): the fork stays held, nothing decided changes,
    and the import goes through (found by test_properties.py: it raised; then, for most
    ids of the fork, the federation link, the seat and the council's decisions went)."""
    f = federation
    before = decisions()
    chair = f.person("Chair")
    original = at_seq(f.council, chair, 2)
    assert original.kind == "motion.propose"
    fork = equivocate(
        chair, original, kind="member.leave", body={}, at=ATTACK_TIME + timedelta(minutes=minute)
    )
    space = f.council if where == "council" else f.mtz
    outsider = build_event(
        stranger("infiltrator"),
        space=space,
        seq=1,
        prev=None,
        kind="space.post",
        body={"text": "The council is dissolved."},
        deps=[space, fork.id],
    )
    code, _, err = cli("log", "import", write_lines(tmp_path / "forks.jsonl", [fork, outsider]))
    assert code == 0, err
    assert status_of(outsider.id) == "rejected"
    _contained(_attack(chair, original, fork), before)


@pytest.mark.parametrize(("seed", "batches"), [(1, 2), (2, 3), (3, 2)])
def test_colluding_forks_change_no_decision_in_any_arrival_order(
    federation: Federation, seed: int, batches: int
) -> None:
    """Sokol forks the strike call's proposal into a ``member.leave``; Rusalka forks her
    join into a leave that names Sokol's fork; Sokol forks the same slot again, naming
    Rusalka's. A node that had the honest log holds all three and changes nothing; a
    node that gets the same events shuffled and in batches must end in the same state
    (found by test_properties.py: the delegate's seat, his votes and the council's
    decision were rejected there)."""
    f = federation
    sokol, rusalka = f.person("Sokol"), f.person("Rusalka")
    strike, join = stored(f.strike), at_seq(f.mtz, rusalka, 1)
    leave = equivocate(sokol, strike, kind="member.leave", body={})
    theirs = equivocate(rusalka, join, kind="member.leave", body={}, deps=[*join.deps, leave.id])
    again = equivocate(sokol, strike, body={"text": "No strike."}, deps=[*strike.deps, theirs.id])
    forks = [leave, theirs, again]
    before = decisions()
    ingest([e.raw for e in forks], source="colluders")
    assert [status_of(e.id) for e in forks] == ["held"] * 3
    assert decisions() == before
    expected = (state_digest(), statuses())
    wipe_store()
    deliver([*f.raws, *(e.raw for e in forks)], seed=seed, batches=batches)
    assert decisions() == before
    assert (state_digest(), statuses()) == expected
