"""The audit's codes in the reader's language: each method's name and the stage it is
shown as while it runs, the plots' titles, and the run's other stages. The pure core
(``veche.audit``) and the run's summary keep the codes; pages show these labels through
``veche.web.labels.label``."""

from __future__ import annotations

from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Method(NamedTuple):
    """An audit method: its name in a report, what the progress page says while it runs,
    and the plot it draws as (file stem, title); ``None`` where it has no stage or plot
    of its own."""

    name: Promise
    stage: Promise | None
    plot: tuple[str, Promise] | None


# veche.audit's signals, in the order the runner takes them.
METHODS = {
    "witnesses": Method(
        name=_("Witnessed votes against the protocol"),
        stage=_("Comparing witnessed votes"),
        plot=("witnesses", _("Stations where witnesses prove falsification")),
    ),
    "observers": Method(name=_("Observers' counts of voters"), stage=None, plot=None),
    "klimek": Method(
        name=_("Turnout and share fingerprint (Klimek et al.)"),
        stage=_("Fitting the fraud model"),
        plot=("fingerprint", _("Turnout against the leader's share")),
    ),
    "integers": Method(
        name=_("Integer percentages (Kobak et al.)"),
        stage=_("Resampling integer percentages"),
        plot=("integers", _("Stations on integer percentages")),
    ),
    "second_digit": Method(
        name=_("Second digit of vote counts (2BL)"),
        stage=_("Testing second digits"),
        plot=("second_digit", _("Second digits of vote counts")),
    ),
    "turnout": Method(
        name=_("Votes by turnout (Shpilkin)"),
        stage=_("Estimating anomalous votes"),
        plot=("turnout", _("Votes by turnout")),
    ),
    "regions": Method(
        name=_("Regional outliers"),
        stage=_("Comparing regions"),
        plot=("regions", _("Regions")),
    ),
}
METHOD_NAMES = {code: method.name for code, method in METHODS.items()}
PLOT_TITLES = dict(method.plot for method in METHODS.values() if method.plot is not None)

# runner's stage codes (``AuditRun.stage`` up to its first ":").
STAGES = {
    "reading": _("Reading the files"),
    **{code: method.stage for code, method in METHODS.items() if method.stage is not None},
    "plots": _("Drawing the plots"),
    "html": _("Writing the report"),
    "done": _("Finishing"),
    "restarted": _("Starting again after the node restarted"),
}
