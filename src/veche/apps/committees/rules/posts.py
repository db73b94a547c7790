"""Members' posts to their committee (``space.post``)."""

from __future__ import annotations

from veche.apps.committees.models import Post
from veche.apps.committees.rules.roster import require_member
from veche.apps.store.context import Context
from veche.apps.store.kinds import projection, register
from veche.events import Event
from veche.events.schema import Obj, Str


def check_post(ctx: Context, event: Event) -> None:
    require_member(ctx, event)


def apply_post(ctx: Context, event: Event) -> None:
    ctx.insert_values(
        Post,
        {
            "space": event.space_id,
            "event": event.id,
            "author": event.author,
            "text": event.body["text"],
            "at": event.at,
        },
    )


def register_all() -> None:
    register(
        "space.post",
        body=Obj(required={"text": Str(min_length=1, max_length=10000)}),
        rule=check_post,
        apply=apply_post,
        summary="a member posts a message to the committee",
    )
    # ``text`` is content (event-v1 §16): the digest covers it through the event id
    projection(Post, digest=("space", "event", "author", "at"), order=("event",))
