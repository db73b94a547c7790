"""Crafted discussion events, correctly signed, from people who lie (event-v1 §15).

A member's node would refuse these before signing; a modified node signs them anyway
and sends them. Every node refuses each with its fixed reason, on receipt and on
rebuild alike, and nothing of the state changes.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.adversary.helpers import made_up_id, reason_of, status_of, stranger
from tests.factories import World

from veche.apps.committees import actions, comments
from veche.apps.committees.models import Comment, CommentMark
from veche.apps.store.log import ingest, rebuild, state_digest
from veche.apps.store.models import StoredEvent, Tip
from veche.events import Identity, build_event

pytestmark = pytest.mark.django_db


def _send(identity: Identity, space: str, kind: str, body: dict[str, Any], deps: list[str]) -> str:
    """Sign ``body`` after the author's last event in ``space``, citing ``deps`` and the
    space's tips, and deliver it as a peer would."""
    last = StoredEvent.objects.filter(space=space, author=identity.public).order_by("-seq").first()
    tips = list(Tip.objects.filter(space=space).values_list("event", flat=True))
    event = build_event(
        identity,
        space=space,
        seq=(last.seq + 1) if last else 1,
        prev=last.id if last else None,
        kind=kind,
        body=body,
        deps=sorted({*deps, *tips} - {last.id if last else ""}),
    )
    ingest([event.raw], source="peer")
    return event.id


@pytest.fixture
def club(world: World) -> dict[str, str]:
    space = world.committee("Sokol", ("Zubr", "Rusalka"), name="MTZ")
    other = world.committee("Lyubava", ("Zubr",), name="Kozlova")
    motion = actions.propose(world.person("Sokol"), space, kind="general", title="Tea", text="?")
    elsewhere = actions.propose(
        world.person("Lyubava"), other, kind="general", title="Heat", text="."
    )
    first = comments.write_comment(
        world.person("Zubr"), space, subject="motion", on=motion.id, text="first"
    )
    foreign = comments.write_comment(
        world.person("Zubr"), other, subject="motion", on=elsewhere.id, text="over there"
    )
    return {
        "space": space,
        "other": other,
        "motion": motion.id,
        "elsewhere": elsewhere.id,
        "first": first.id,
        "foreign": foreign.id,
    }


def _discussion_rows() -> list[tuple[Any, ...]]:
    return sorted(Comment.objects.values_list("event", "text", "version", "withdrawn")) + sorted(
        CommentMark.objects.values_list("comment", "person", "mark")
    )


def _refused(event_id: str, reason: str) -> None:
    assert status_of(event_id) == "rejected", reason_of(event_id)
    assert reason in reason_of(event_id)


def test_lies_about_discussion_are_refused_with_fixed_reasons(
    world: World, club: dict[str, str]
) -> None:
    space, motion, first = club["space"], club["motion"], club["first"]
    before = _discussion_rows()
    attacks = [
        # A non-member comments (a stranger's well-signed event).
        (
            stranger(),
            "comment.write",
            {"subject": "motion", "on": motion, "text": "provocation"},
            [motion],
            "only members of the committee may do this",
        ),
        # A reply to a comment of another committee.
        (
            world.person("Zubr"),
            "comment.write",
            {"subject": "motion", "on": motion, "text": "x", "reply_to": club["foreign"]},
            [motion, club["foreign"]],
            "no such comment in this committee",
        ),
        # A comment on another committee's motion.
        (
            world.person("Zubr"),
            "comment.write",
            {"subject": "motion", "on": club["elsewhere"], "text": "x"},
            [club["elsewhere"]],
            "name a motion, a post or an election of this committee",
        ),
        # A comment that does not cite what it discusses.
        (
            world.person("Zubr"),
            "comment.write",
            {"subject": "motion", "on": motion, "text": "x"},
            [],
            "a comment names what it refers to in deps",
        ),
        # A made-up motion.
        (
            world.person("Zubr"),
            "comment.write",
            {"subject": "motion", "on": made_up_id("motion"), "text": "x"},
            [],
            "a comment names what it refers to in deps",
        ),
        # Someone else amends Zubr's comment (putting words in his mouth).
        (
            world.person("Sokol"),
            "comment.amend",
            {"comment": first, "text": "I call for violence"},
            [first],
            "only its author amends or withdraws a comment",
        ),
        (
            world.person("Sokol"),
            "comment.withdraw",
            {"comment": first},
            [first],
            "only its author amends or withdraws a comment",
        ),
        # A forged quote.
        (
            world.person("Rusalka"),
            "comment.write",
            {
                "subject": "motion",
                "on": motion,
                "text": "shame",
                "reply_to": first,
                "quote": "I call for violence",
            },
            [motion, first],
            "the quote is not in the comment answered",
        ),
        # Bidi override and a control character past the form.
        (
            world.person("Rusalka"),
            "comment.write",
            {"subject": "motion", "on": motion, "text": "Strike \u202eyadnoM no"},
            [motion],
            "reverse the direction",
        ),
        (
            world.person("Rusalka"),
            "comment.write",
            {"subject": "motion", "on": motion, "text": "x\x1b[2J"},
            [motion],
            "control characters",
        ),
        (
            world.person("Rusalka"),
            "comment.write",
            {"subject": "motion", "on": motion, "text": "x" * 5001},
            [motion],
            "the text is too long",
        ),
        # Self-praise.
        (
            world.person("Zubr"),
            "comment.mark",
            {"comment": first, "mark": "agree"},
            [first],
            "nobody marks their own comment",
        ),
    ]
    sent = []
    for identity, kind, body, deps, reason in attacks:
        event_id = _send(identity, space, kind, body, deps)
        _refused(event_id, reason)
        sent.append((event_id, reason))
    assert _discussion_rows() == before
    digest = state_digest()
    rebuild()
    for event_id, reason in sent:
        _refused(event_id, reason)
    assert _discussion_rows() == before
    assert state_digest() == digest
    assert Comment.objects.get(event=first).text == "first"


def test_a_mark_on_a_withdrawn_comment_is_refused_on_every_node(
    world: World, club: dict[str, str]
) -> None:
    space, first = club["space"], club["first"]
    comments.withdraw_comment(world.person("Zubr"), space, first)
    mark = _send(
        world.person("Rusalka"), space, "comment.mark", {"comment": first, "mark": "agree"}, [first]
    )
    _refused(mark, "the comment was withdrawn")
    rebuild()
    _refused(mark, "the comment was withdrawn")


def test_a_comment_on_an_election_this_node_does_not_hold_is_unverified(
    world: World, club: dict[str, str]
) -> None:
    election = made_up_id("an election elsewhere")
    event_id = _send(
        world.person("Zubr"),
        club["space"],
        "comment.write",
        {"subject": "election", "on": election, "text": "vote!"},
        [election],
    )
    assert status_of(event_id) == "unverified"
    assert not Comment.objects.filter(event=event_id).exists()
