"""``{% thread space subject on %}``: a discussion thread on any page that shows its
subject (a motion, an election, a demands letter, a post), and ``{% committee_posts
committee %}``: the committee's posts with their authors and comment counts.

Each reads for the page's reader and shows nothing to a reader who may not read the
committee's space (a demands letter is public; its discussion is the committee's).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from veche.apps.committees import access, comments
from veche.apps.committees.access import can_read_space
from veche.apps.committees.discussion import thread_context
from veche.apps.committees.models import Committee, Member
from veche.web.viewer import viewer

register = template.Library()


@register.inclusion_tag("committees/_thread.html", takes_context=True)
def thread(context: template.Context, space: str, subject: str, on: str) -> dict[str, Any]:
    request: HttpRequest = context["request"]
    if not space or not on:
        return {"thread": None}
    key = viewer(request)
    person = comments.viewer_person(key, space)  # a member reads and writes
    if person is None and not can_read_space(key, space):
        return {"thread": None}
    shown = thread_context(request, space, subject, on, person=person)
    shown["request"] = request
    return shown


@register.inclusion_tag("committees/_posts.html", takes_context=True)
def committee_posts(context: template.Context, committee: Committee) -> dict[str, Any]:
    """The posts the committee page shows (the page checked the reader may read them)."""
    posts = list(access.posts(committee))
    names = dict(
        Member.objects.filter(space=committee.space, key__in={p.author for p in posts}).values_list(
            "key", "pseudonym"
        )
    )
    counts = comments.comment_counts(committee.space, [p.event for p in posts]) if posts else {}
    return {
        "committee": committee,
        "posts": [
            (post, names.get(post.author, post.author[:8]), counts.get(post.event, 0))
            for post in posts
        ],
    }
