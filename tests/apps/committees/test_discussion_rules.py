"""Discussion as signed events (event-v1 §15): who may comment, answer, amend, withdraw
and mark, what each refusal says, and the same state whatever order events arrive in."""

from __future__ import annotations

import random

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.factories import World

from veche.apps.committees import actions, comments
from veche.apps.committees.models import Comment, CommentMark
from veche.apps.store.log import ingest, rebuild, state_digest
from veche.apps.store.models import MissingDependency, StoredEvent
from veche.events import RuleViolation

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(world: World) -> dict[str, str]:
    space = world.committee("Sokol", ("Zubr", "Rusalka"), name="MTZ")
    motion = actions.propose(world.person("Sokol"), space, kind="general", title="Tea", text="?")
    post = actions.post(world.person("Zubr"), space, "Meeting at 18:00 by gate 3")
    return {"space": space, "motion": motion.id, "post": post.id}


def _refused(message: str) -> pytest.RaisesContext[RuleViolation]:
    return pytest.raises(RuleViolation, match=message)


def test_a_thread_with_replies_quotes_amends_withdrawals_and_marks(
    world: World, club: dict[str, str]
) -> None:
    space, motion = club["space"], club["motion"]
    first = comments.write_comment(
        world.person("Zubr"), space, subject="motion", on=motion, text="Tea is too hot today"
    )
    reply = comments.write_comment(
        world.person("Rusalka"),
        space,
        subject="motion",
        on=motion,
        text="Agreed, wait 10 minutes",
        reply_to=first.id,
        quote="too hot",
    )
    comments.amend_comment(world.person("Zubr"), space, first.id, "Tea is far too hot")
    comments.mark_comment(world.person("Rusalka"), space, first.id, "agree")
    comments.mark_comment(world.person("Sokol"), space, first.id, "agree")
    comments.mark_comment(world.person("Sokol"), space, first.id, "disagree")  # changed
    comments.withdraw_comment(world.person("Rusalka"), space, reply.id)

    row = Comment.objects.get(event=first.id)
    assert (row.text, row.version, row.withdrawn) == ("Tea is far too hot", 1, False)
    assert Comment.objects.get(event=reply.id).withdrawn
    assert Comment.objects.get(event=reply.id).quote == "too hot"
    marks = dict(CommentMark.objects.filter(comment=first.id).values_list("person", "mark"))
    assert sorted(marks.values()) == ["agree", "disagree"]
    # The log keeps what was said: the first text is still in the write event.
    raw = bytes(StoredEvent.objects.get(id=first.id).raw)
    assert b"Tea is too hot today" in raw
    found = comments.thread(space, "motion", motion, None)
    assert [e.comment.event for e in comments.flatten(found.entries)] == [first.id, reply.id]
    assert found.entries[0].replies[0].replying_to == "Zubr"


def test_comments_on_a_post_and_replies_stay_in_their_thread(
    world: World, club: dict[str, str]
) -> None:
    space = club["space"]
    on_post = comments.write_comment(
        world.person("Sokol"), space, subject="post", on=club["post"], text="I will be there"
    )
    with _refused("a reply answers a comment of the same thread"):
        comments.write_comment(
            world.person("Zubr"),
            space,
            subject="motion",
            on=club["motion"],
            text="wrong thread",
            reply_to=on_post.id,
        )
    with _refused("name a motion, a post or an election of this committee"):
        comments.write_comment(
            world.person("Zubr"), space, subject="motion", on=club["post"], text="a post"
        )


def test_refusals_with_fixed_reasons(world: World, club: dict[str, str]) -> None:
    space, motion = club["space"], club["motion"]
    first = comments.write_comment(
        world.person("Zubr"), space, subject="motion", on=motion, text="first"
    )
    world.person("Stranger")
    with _refused("only members of the committee may do this"):
        comments.write_comment(
            world.person("Stranger"), space, subject="motion", on=motion, text="hi"
        )
    with _refused("only its author amends or withdraws a comment"):
        comments.amend_comment(world.person("Sokol"), space, first.id, "forged")
    with _refused("only its author amends or withdraws a comment"):
        comments.withdraw_comment(world.person("Sokol"), space, first.id)
    with _refused("nobody marks their own comment"):
        comments.mark_comment(world.person("Zubr"), space, first.id, "agree")
    with _refused("the quote is not in the comment answered"):
        comments.write_comment(
            world.person("Sokol"),
            space,
            subject="motion",
            on=motion,
            text="misquote",
            reply_to=first.id,
            quote="something else",
        )
    with _refused("a quote comes from the comment answered"):
        comments.write_comment(
            world.person("Sokol"), space, subject="motion", on=motion, text="x", quote="first"
        )
    comments.withdraw_comment(world.person("Zubr"), space, first.id)
    for act in (
        lambda: comments.mark_comment(world.person("Sokol"), space, first.id, "agree"),
        lambda: comments.amend_comment(world.person("Zubr"), space, first.id, "again"),
        lambda: comments.write_comment(
            world.person("Sokol"), space, subject="motion", on=motion, text="r", reply_to=first.id
        ),
    ):
        with _refused("the comment was withdrawn"):
            act()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "must not be empty|the text is empty"),
        ("   \n\t ", "the text is empty"),
        ("x" * 5001, "the text is too long"),
        ("title \u202e2020-08-09", "reverse the direction"),
        ("isolate \u2066x\u2069", "reverse the direction"),
        ("bell \x07", "control characters"),
        ("carriage\r\nreturn", "control characters"),
    ],
)
def test_bad_text_is_refused_by_the_rule(
    world: World, club: dict[str, str], text: str, message: str
) -> None:
    with _refused(message):
        comments.write_comment(
            world.person("Zubr"), club["space"], subject="motion", on=club["motion"], text=text
        )


def test_a_comment_at_the_limit_is_taken(world: World, club: dict[str, str]) -> None:
    event = comments.write_comment(
        world.person("Zubr"),
        club["space"],
        subject="motion",
        on=club["motion"],
        text="ж" * 5000,
    )
    assert len(Comment.objects.get(event=event.id).text) == 5000


def _discussion_log() -> list[bytes]:
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka", "Lyubava"), name="MTZ")
    motion = actions.propose(w.person("Sokol"), space, kind="general", title="Tea", text="?").id
    first = comments.write_comment(w.person("Zubr"), space, subject="motion", on=motion, text="a")
    second = comments.write_comment(
        w.person("Rusalka"), space, subject="motion", on=motion, text="b", reply_to=first.id
    )
    comments.amend_comment(w.person("Zubr"), space, first.id, "a, amended")
    comments.mark_comment(w.person("Rusalka"), space, first.id, "agree")
    comments.mark_comment(w.person("Lyubava"), space, first.id, "disagree")
    comments.mark_comment(w.person("Lyubava"), space, first.id, "agree")
    comments.mark_comment(w.person("Sokol"), space, second.id, "agree")
    comments.withdraw_comment(w.person("Rusalka"), space, second.id)
    comments.write_comment(w.person("Lyubava"), space, subject="motion", on=motion, text="c")
    return [bytes(r) for r in StoredEvent.objects.values_list("raw", flat=True)]


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32), batches=st.integers(1, 6))
def test_discussion_converges_under_shuffled_arrival(seed: int, batches: int) -> None:
    with transaction.atomic():
        raws = _discussion_log()
        expected = state_digest()
        assert CommentMark.objects.filter(mark="agree").count() == 3
        statuses = dict(StoredEvent.objects.values_list("id", "status"))
        rebuild()
        assert state_digest() == expected
        StoredEvent.objects.all().delete()
        MissingDependency.objects.all().delete()
        rebuild()
        order = raws[:]
        random.Random(seed).shuffle(order)
        cuts = sorted(random.Random(seed ^ 7).sample(range(1, len(order)), batches - 1))
        for start, end in zip([0, *cuts], [*cuts, len(order)], strict=True):
            ingest(order[start:end], source="shuffled")
        assert dict(StoredEvent.objects.values_list("id", "status")) == statuses
        assert state_digest() == expected
        transaction.set_rollback(True)
