"""Atom feeds of what is public on this node (issue 19 item 3): one of the node and one
per committee, through Django's syndication framework.

A feed lists only what the node's public pages already show without signing in: passed
appeals (public by their kind's rule) and passed demands letters (public on the strike
pages). Nothing else of a committee (its posts, open or failed motions, other decisions,
who voted) ever reaches a feed; a committee's feed is readable by anyone for the same
reason, and a space that is no committee here is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from veche.apps.committees.appeals import passed_appeals
from veche.apps.committees.labels import AUDIENCE_LABELS
from veche.apps.committees.models import Committee, Motion
from veche.web.labels import label
from veche.web.templatetags.veche import EVENT_TIME

FEED_LENGTH = 50


@dataclass(frozen=True)
class Entry:
    key: str  # the event the entry is about: its id in the feed
    title: str
    text: str
    link: str
    at: datetime
    committee: str


def _moment(value: str) -> datetime:
    try:
        return datetime.strptime(value, EVENT_TIME).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return datetime(1970, 1, 1, tzinfo=UTC)


def public_entries(space: str | None = None) -> list[Entry]:
    """The public things of the node (or of one committee), newest first."""
    entries = [
        Entry(
            key=a.event,
            title=f"{label(AUDIENCE_LABELS, a.audience)}: {a.title}",
            text=a.text,
            link=reverse("appeals:page", args=[a.event]),
            at=_moment(a.passed_at),
            committee=a.committee,
        )
        for a in passed_appeals(space)
    ]
    letters = Motion.objects.filter(kind="demands", status=Motion.Status.PASSED)
    if space is not None:
        letters = letters.filter(space=space)
    letters = letters.order_by("-closed_at", "event")[:FEED_LENGTH]
    names = dict(
        Committee.objects.filter(space__in={m.space for m in letters}).values_list("space", "name")
    )
    entries += [
        Entry(
            key=m.event,
            title=_("Demands: %(title)s") % {"title": m.title},
            text=m.text,
            link=reverse("strike:letter", args=[m.event]),
            at=_moment(m.closed_at),
            committee=names.get(m.space, ""),
        )
        for m in letters
    ]
    entries.sort(key=lambda e: (e.at, e.key), reverse=True)
    return entries[:FEED_LENGTH]


class _PublicFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def item_title(self, item: Entry) -> str:
        return item.title

    def item_description(self, item: Entry) -> str:
        return item.text

    def item_link(self, item: Entry) -> str:
        return item.link

    def item_guid(self, item: Entry) -> str:
        return f"urn:veche:event:{item.key}"

    def item_guid_is_permalink(self, item: Entry) -> bool:
        return False

    def item_pubdate(self, item: Entry) -> datetime:
        return item.at

    def item_updateddate(self, item: Entry) -> datetime:
        return item.at

    def item_author_name(self, item: Entry) -> str:
        return item.committee


class NodeFeed(_PublicFeed):
    def title(self) -> str:
        return _("Veche: appeals and demands published on this node")

    def link(self) -> str:
        return reverse("appeals:list")

    def subtitle(self) -> str:
        return _("Passed appeals and demands letters of the committees this node holds.")

    def items(self) -> list[Entry]:
        return public_entries()


class CommitteeFeed(_PublicFeed):
    def get_object(self, request: HttpRequest, space: str) -> Committee:
        committee = Committee.objects.filter(space=space).first()
        if committee is None:
            raise Http404
        return committee

    def title(self, obj: Committee) -> str:
        return _("%(committee)s: appeals and demands") % {"committee": obj.name}

    def link(self, obj: Committee) -> str:
        return reverse("appeals:list") + f"?committee={obj.space}"

    def subtitle(self, obj: Committee) -> str:
        return _("Passed appeals and demands letters of %(committee)s.") % {"committee": obj.name}

    def items(self, obj: Committee) -> list[Entry]:
        return public_entries(obj.space)
