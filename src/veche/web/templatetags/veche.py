"""Template filters shared by every app."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter
def when(value: str | None) -> str:
    """An event time (``2020-08-11T18:00:00Z``) in the reader's language and time zone."""
    if not value:
        return ""
    try:
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return str(value)
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
