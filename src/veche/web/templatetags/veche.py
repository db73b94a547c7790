"""Template filters shared by every app."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django import template
from django.utils import formats, timezone

register = template.Library()

EVENT_TIME = "%Y-%m-%dT%H:%M:%SZ"


@register.filter
def when(value: str | None) -> str:
    """An event time (``2020-08-11T18:00:00Z``) in the reader's language and time zone."""
    if not value:
        return ""
    try:
        moment = datetime.strptime(value, EVENT_TIME).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return str(value)
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@register.filter
def day(value: str | date | None) -> str:
    """A day (``2020-08-11``, or the local day of an event time) in the reader's format."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, date):
        text = str(value)
        try:
            if len(text) == len("2020-08-11"):
                value = date.fromisoformat(text)
            else:
                moment = datetime.strptime(text, EVENT_TIME).replace(tzinfo=UTC)
                value = timezone.localtime(moment).date()
        except ValueError:
            return text
    return formats.date_format(value, "DATE_FORMAT")
