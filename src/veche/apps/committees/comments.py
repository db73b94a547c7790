"""Discussion threads: the writers (one signed event each) and the thread a page shows.

The writers build the bodies of event-v1 §15 and name what they refer to in ``deps``;
the rules in ``rules/comments.py`` judge them. ``thread`` reads one subject's comments
for a reader that ``can_read_space`` let in: five queries whatever the thread's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Max, Q, Value, When

from veche.apps.committees.models import Comment, CommentMark, Member
from veche.apps.store.log import record
from veche.events import Event, Identity

#: The most comments one thread page shows (the oldest first).
THREAD_LIMIT = 500


def write_comment(
    identity: Identity,
    space: str,
    *,
    subject: str,
    on: str,
    text: str,
    reply_to: str = "",
    quote: str = "",
    at: Any = None,
) -> Event:
    body: dict[str, Any] = {"subject": subject, "on": on, "text": text}
    deps = [on]
    if reply_to:
        body["reply_to"] = reply_to
        deps.append(reply_to)
    if quote:
        body["quote"] = quote
    return record(identity, space=space, kind="comment.write", body=body, deps=deps, at=at)


def amend_comment(identity: Identity, space: str, comment: str, text: str, at: Any = None) -> Event:
    body = {"comment": comment, "text": text}
    return record(identity, space=space, kind="comment.amend", body=body, deps=[comment], at=at)


def withdraw_comment(identity: Identity, space: str, comment: str, at: Any = None) -> Event:
    body = {"comment": comment}
    return record(identity, space=space, kind="comment.withdraw", body=body, deps=[comment], at=at)


def mark_comment(identity: Identity, space: str, comment: str, mark: str, at: Any = None) -> Event:
    body = {"comment": comment, "mark": mark}
    return record(identity, space=space, kind="comment.mark", body=body, deps=[comment], at=at)


# -- reading ---------------------------------------------------------------------------


@dataclass
class Entry:
    """A comment as a thread shows it, with its replies."""

    comment: Comment
    pseudonym: str
    agree: int = 0
    disagree: int = 0
    my_mark: str = ""
    mine: bool = False
    replying_to: str = ""  # the answered comment's author's pseudonym
    replies: list[Entry] = field(default_factory=list)
    depth: int = 0
    indent: int = 0  # the depth a phone can show (at most 3)


@dataclass
class Thread:
    space: str
    subject: str
    on: str
    entries: list[Entry]  # the top-level comments, each with its replies
    count: int
    truncated: bool


def viewer_person(viewer: str | None, space: str) -> str | None:
    """The reader's person if they are an active member of ``space`` (may comment)."""
    if viewer is None:
        return None
    return (
        Member.objects.filter(space=space, key=viewer, status=Member.Status.ACTIVE)
        .values_list("person", flat=True)
        .first()
    )


def comment_counts(space: str, subjects: list[str]) -> dict[str, int]:
    """How many comments (withdrawn ones too) each subject has: one query."""
    rows = (
        Comment.objects.filter(space=space, subject__in=subjects)
        .values_list("subject")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def thread(space: str, subject: str, on: str, person: str | None) -> Thread:
    """The thread on ``on`` in ``space``; the caller checked that the reader may read the
    space. ``person`` is the reader's, for their own comments and marks."""
    comments = list(
        Comment.objects.filter(space=space, subject=on).order_by("at", "event")[: THREAD_LIMIT + 1]
    )
    truncated = len(comments) > THREAD_LIMIT
    comments = comments[:THREAD_LIMIT]
    ids = [c.event for c in comments]
    names = dict(
        Member.objects.filter(space=space, key__in={c.author for c in comments}).values_list(
            "key", "pseudonym"
        )
    )
    tallies: dict[str, tuple[int, int, str]] = {}
    if ids:
        mine = Max(Case(When(person=person or "", then="mark"), default=Value("")))
        for comment_id, agree, disagree, my_mark in (
            CommentMark.objects.filter(space=space, comment__in=ids)
            .values("comment")
            .annotate(
                agree=Count("id", filter=Q(mark="agree")),
                disagree=Count("id", filter=Q(mark="disagree")),
                mine=mine,
            )
            .values_list("comment", "agree", "disagree", "mine")
        ):
            tallies[comment_id] = (agree, disagree, "" if my_mark == "none" else my_mark)
    entries = {
        c.event: Entry(
            comment=c,
            pseudonym=names.get(c.author, c.author[:8]),
            agree=tallies.get(c.event, (0, 0, ""))[0],
            disagree=tallies.get(c.event, (0, 0, ""))[1],
            my_mark=tallies.get(c.event, (0, 0, ""))[2],
            mine=person is not None and c.person == person,
        )
        for c in comments
    }
    top: list[Entry] = []
    for entry in entries.values():
        parent = entries.get(entry.comment.reply_to)
        if parent is None:
            top.append(entry)
        else:
            entry.replying_to = parent.pseudonym
            parent.replies.append(entry)
    return Thread(space, subject, on, top, len(comments), truncated)


def flatten(entries: list[Entry]) -> list[Entry]:
    """The thread in reading order (each comment, then its replies), for templates,
    which cannot recurse cheaply."""
    out: list[Entry] = []
    stack = [(entry, 0) for entry in reversed(entries)]
    while stack:
        entry, depth = stack.pop()
        entry.depth = depth
        entry.indent = min(depth, 3)
        out.append(entry)
        stack.extend((reply, depth + 1) for reply in reversed(entry.replies))
    return out
