"""Status and region names in the reader's language (the pure core keeps English ones).

Pages look them up with ``veche.web.labels.label`` (a whole table: ``translated``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from veche.solidarity.drawing import MapMarker, strike_map, strikers_chart
from veche.solidarity.strike import DayTotals
from veche.web.labels import translated

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


# Thousands as the reader's language writes them: "31 590" (a narrow no-break space)
# in Belarusian and Russian, "31,590" in English.
_GROUPING = {"be": "\u202f", "ru": "\u202f"}


def number(value: int) -> str:
    separator = _GROUPING.get((get_language() or "en").split("-")[0], ",")
    return f"{value:,}".replace(",", separator)


def map_totals(plants: int, workers: int) -> str:
    """A region's line on the map: workplaces out, workers out."""
    return ngettext(
        "%(plants)s out, %(workers)s workers",
        "%(plants)s out, %(workers)s workers",
        plants,
    ) % {"plants": plants, "workers": number(workers)}


def chart_point(day: DayTotals) -> str:
    return ngettext(
        "%(day)s: %(workers)s out at %(plants)s workplace",
        "%(day)s: %(workers)s out at %(plants)s workplaces",
        day.plants_out,
    ) % {
        "day": date_format(day.day, "SHORT_DATE_FORMAT"),
        "workers": number(day.workers_out),
        "plants": day.plants_out,
    }


def strike_map_svg(markers: Sequence[MapMarker]) -> str:
    """The strike map in the reader's language (names, statuses, totals, numbers)."""
    return strike_map(
        markers,
        title=map_title(),
        status_labels=translated(STATUS_LABELS),
        region_names=translated(REGION_NAMES),
        totals_text=map_totals,
        number=number,
    )


def strikers_chart_svg(days: Sequence[DayTotals]) -> str:
    """The strikers chart in the reader's language."""
    return strikers_chart(
        days, title=chart_title(), number=number, point_text=chart_point, empty=_("No data yet.")
    )
