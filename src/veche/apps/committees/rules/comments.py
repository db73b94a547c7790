"""Discussion as event kinds: comments on a committee's motions, posts and elections.

``comment.write`` opens or answers a thread (``reply_to``, with an optional ``quote``
of the comment answered); its author (any key of the same person) may
``comment.amend`` it or ``comment.withdraw`` it; members ``comment.mark`` others'
comments agree or disagree, one mark per person, the latest counting. All live in the
committee's space, members only. An election is its own space: a comment on it lives
in the committee that called it and cites the election's ``space.create`` in
``deps``; until this node holds that election, the comment is unverified (§14.6).

Every event a comment names (what it discusses, the comment it answers, amends,
withdraws or marks) must be in its ``deps``, so it sorts after them on every node.
The normative text is event-v1 §15.
"""

from __future__ import annotations

from veche.apps.committees.models import Comment, CommentMark, Motion, Post
from veche.apps.committees.rules.roster import require_member
from veche.apps.committees.text import COMMENT_LIMIT, Prose
from veche.apps.store.context import Context
from veche.apps.store.kinds import projection, register
from veche.events import Event, RuleViolation
from veche.events.schema import Enum, EventId, Obj

SUBJECTS = ("motion", "post", "election")
MARKS = ("agree", "disagree", "none")
QUOTE_LIMIT = 500


def _in_deps(event: Event, event_id: str, field: str) -> None:
    if event_id not in event.deps:
        raise RuleViolation("cite-in-deps", "a comment names what it refers to in deps", field)


def _check_subject(ctx: Context, event: Event) -> None:
    subject, on = event.body["subject"], event.body["on"]
    _in_deps(event, on, "body.on")
    if subject == "election":
        cited = ctx.cited(event, on, "body.on")  # unverified until the election is held
        body = cited.event.body
        if (
            cited.status == "applied"
            and cited.event.kind == "space.create"
            and body.get("type") == "election"
            and body.get("committee") == event.space_id
            and "call" in body
        ):
            return
    else:
        model: type[Motion] | type[Post] = Motion if subject == "motion" else Post
        if ctx.rows(model).filter(space=event.space_id, event=on).exists():
            return
    raise RuleViolation(
        "subject", "name a motion, a post or an election of this committee", "body.on"
    )


def _comment(ctx: Context, event: Event, comment_id: str, field: str) -> Comment:
    """The comment ``event`` names, in its space, not withdrawn."""
    _in_deps(event, comment_id, field)
    comment = ctx.rows(Comment).filter(space=event.space_id, event=comment_id).first()
    if comment is None:
        raise RuleViolation("comment", "no such comment in this committee", field)
    if comment.withdrawn:
        raise RuleViolation("withdrawn", "the comment was withdrawn", field)
    return comment


def check_write(ctx: Context, event: Event) -> None:
    require_member(ctx, event)
    _check_subject(ctx, event)
    body = event.body
    if "reply_to" in body:
        answered = _comment(ctx, event, body["reply_to"], "body.reply_to")
        if answered.subject != body["on"]:
            raise RuleViolation(
                "thread", "a reply answers a comment of the same thread", "body.reply_to"
            )
        # A redacted comment's text is gone (""): its quotes cannot be checked (§16.3).
        if "quote" in body and answered.text and body["quote"] not in answered.text:
            raise RuleViolation("quote", "the quote is not in the comment answered", "body.quote")
    elif "quote" in body:
        raise RuleViolation("quote", "a quote comes from the comment answered", "body.quote")


def apply_write(ctx: Context, event: Event) -> None:
    body = event.body
    ctx.insert_values(
        Comment,
        {
            "space": event.space_id,
            "event": event.id,
            "subject": body["on"],
            "subject_kind": body["subject"],
            "reply_to": body.get("reply_to", ""),
            "quote": body.get("quote", ""),
            "author": event.author,
            "person": require_member(ctx, event),
            "text": body["text"],
            "at": event.at,
            "version": 0,
            "amended_at": "",
            "withdrawn": False,
        },
    )


def _own_comment(ctx: Context, event: Event) -> Comment:
    person = require_member(ctx, event)
    comment = _comment(ctx, event, event.body["comment"], "body.comment")
    if comment.person != person:
        raise RuleViolation("author", "only its author amends or withdraws a comment", "author")
    return comment


_UPDATED = ("text", "version", "amended_at", "withdrawn")


def check_amend(ctx: Context, event: Event) -> None:
    _own_comment(ctx, event)


def apply_amend(ctx: Context, event: Event) -> None:
    comment = _own_comment(ctx, event)
    comment.text = event.body["text"]
    comment.version += 1
    comment.amended_at = event.at
    ctx.upsert(comment, key=("event",), update=_UPDATED)


def check_withdraw(ctx: Context, event: Event) -> None:
    _own_comment(ctx, event)


def apply_withdraw(ctx: Context, event: Event) -> None:
    comment = _own_comment(ctx, event)
    comment.withdrawn = True
    ctx.upsert(comment, key=("event",), update=_UPDATED)


def check_mark(ctx: Context, event: Event) -> None:
    person = require_member(ctx, event)
    comment = _comment(ctx, event, event.body["comment"], "body.comment")
    if comment.person == person:
        raise RuleViolation("own", "nobody marks their own comment", "body.comment")


def apply_mark(ctx: Context, event: Event) -> None:
    ctx.upsert(
        CommentMark(
            space=event.space_id,
            comment=event.body["comment"],
            person=require_member(ctx, event),
            mark=event.body["mark"],
            event=event.id,
        ),
        key=("comment", "person"),
        update=("mark", "event"),
    )


def _foreign(event: Event) -> dict[str, str]:
    """A comment on an election cites the election's ``space.create``: its id is the
    election's space."""
    body = event.body
    return {body["on"]: body["on"]} if body.get("subject") == "election" else {}


def register_all() -> None:
    register(
        "comment.write",
        body=Obj(
            required={"subject": Enum(SUBJECTS), "on": EventId(), "text": Prose(COMMENT_LIMIT)},
            optional={"reply_to": EventId(), "quote": Prose(QUOTE_LIMIT)},
        ),
        rule=check_write,
        apply=apply_write,
        summary="a member comments on a motion, a post or an election, or answers a comment",
        foreign=_foreign,
    )
    register(
        "comment.amend",
        body=Obj(required={"comment": EventId(), "text": Prose(COMMENT_LIMIT)}),
        rule=check_amend,
        apply=apply_amend,
        summary="a comment's author changes its text (the log keeps the earlier one)",
    )
    register(
        "comment.withdraw",
        body=Obj(required={"comment": EventId()}),
        rule=check_withdraw,
        apply=apply_withdraw,
        summary="a comment's author withdraws it (the log keeps what was said)",
    )
    register(
        "comment.mark",
        body=Obj(required={"comment": EventId(), "mark": Enum(MARKS)}),
        rule=check_mark,
        apply=apply_mark,
        summary="a member marks another's comment agree or disagree (none takes it back)",
    )
    projection(
        Comment,
        digest=(
            "space",
            "event",
            "subject",
            "subject_kind",
            "reply_to",
            # ``quote`` and ``text`` are content (event-v1 §16): the digest covers
            # them through the event ids, so it is the same after a redaction
            "author",
            "person",
            "at",
            "version",
            "amended_at",
            "withdrawn",
        ),
        order=("event",),
    )
    projection(
        CommentMark,
        digest=("space", "comment", "person", "mark", "event"),
        order=("comment", "person"),
    )
