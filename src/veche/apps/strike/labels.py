"""Status and region names in the reader's language (the pure core keeps English ones).

Pages look them up with ``veche.web.labels.label`` (a whole table: ``translated``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

STATUS_LABELS = {
    "working": gettext_lazy("working"),
    "warning_strike": gettext_lazy("warning strike"),
    "go_slow": gettext_lazy("go-slow (Italian strike)"),
    "partial": gettext_lazy("partial strike"),
    "full_strike": gettext_lazy("full strike"),
    "lockout": gettext_lazy("lockout"),
    "ended": gettext_lazy("strike ended"),
}
REGION_NAMES = {
    "minsk-city": gettext_lazy("Minsk city"),
    "brest": gettext_lazy("Brest region"),
    "vitebsk": gettext_lazy("Vitebsk region"),
    "gomel": gettext_lazy("Gomel region"),
    "grodno": gettext_lazy("Grodno region"),
    "minsk": gettext_lazy("Minsk region"),
    "mogilev": gettext_lazy("Mogilev region"),
}


def map_title() -> str:
    return _("Strike map of Belarus")


def chart_title() -> str:
    return _("Workers out per day")
