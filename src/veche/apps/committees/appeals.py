"""Passed appeals: what is public of them, and their leaflets and QR codes.

An ``appeal`` motion is public once passed, by its kind's rule: its title, text,
audience, the committee's name, when it passed and the counts (never who voted or who
proposed it). ``passed_appeals`` is what the static mirror and the feeds publish;
``leaflet_pdf`` draws the printable leaflet with its fixed lines in the active language
(the appeal's own words stay as the committee wrote them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from veche.appeals import qr_payload
from veche.appeals.leaflet import Leaflet, qr_png, qr_svg, render
from veche.apps.committees.labels import AUDIENCE_LABELS
from veche.apps.committees.models import Committee, Motion
from veche.web.labels import label
from veche.web.templatetags.veche import when


@dataclass(frozen=True)
class Appeal:
    """A passed appeal as anyone may read it."""

    event: str  # the proposal's event id (the motion's id)
    close_event: str
    space: str
    committee: str  # the committee's name
    audience: str  # a code of veche.appeals.AUDIENCES
    title: str
    text: str
    mirror: str  # "" if none
    passed_at: str
    result: dict[str, Any]

    @property
    def qr(self) -> str:
        return qr_payload(self.title, self.text, {"mirror": self.mirror})


def _appeal(motion: Motion, committee: str) -> Appeal:
    return Appeal(
        event=motion.event,
        close_event=motion.close_event,
        space=motion.space,
        committee=committee,
        audience=str(motion.target.get("audience", "")),
        title=motion.title,
        text=motion.text,
        mirror=str(motion.target.get("mirror", "")),
        passed_at=motion.closed_at,
        result=dict(motion.result),
    )


def passed_appeals(space: str | None = None) -> list[Appeal]:
    """Every passed appeal this node holds (of one committee if ``space`` is given),
    newest first: public by the appeal kind's rule."""
    query = Motion.objects.filter(kind="appeal", status=Motion.Status.PASSED)
    if space is not None:
        query = query.filter(space=space)
    motions = list(query.order_by("-closed_at", "event"))
    names = dict(
        Committee.objects.filter(space__in={m.space for m in motions}).values_list("space", "name")
    )
    return [_appeal(m, names.get(m.space, "")) for m in motions]


def passed_appeal(event: str) -> Appeal | None:
    """One passed appeal by its motion's id, or None (unknown, open, failed, another kind)."""
    motion = Motion.objects.filter(event=event, kind="appeal", status=Motion.Status.PASSED).first()
    if motion is None:
        return None
    name = Committee.objects.filter(space=motion.space).values_list("name", flat=True).first()
    return _appeal(motion, name or "")


def appeal_of(motion: Motion, committee: str) -> Appeal:
    """An appeal motion in any state, for its own committee's pages (a draft leaflet)."""
    return _appeal(motion, committee)


def footer(appeal: Appeal) -> tuple[str, ...]:
    """The leaflet's fixed lines, in the active language."""
    lines = []
    if appeal.passed_at:
        result = appeal.result
        lines.append(
            _("Passed by the committee “%(committee)s” on %(date)s.")
            % {"committee": appeal.committee, "date": when(appeal.passed_at)}
        )
        lines.append(
            _("Votes: %(yes)d yes, %(no)d no, %(abstain)d abstained.")
            % {
                "yes": int(result.get("yes", 0)),
                "no": int(result.get("no", 0)),
                "abstain": int(result.get("abstain", 0)),
            }
        )
    else:
        lines.append(
            _("Draft of the committee “%(committee)s”: not yet passed.")
            % {"committee": appeal.committee}
        )
    if appeal.mirror:
        lines.append(_("Read it and check it: %(address)s") % {"address": appeal.mirror})
    else:
        lines.append(_("The QR code holds the text of this appeal."))
    lines.append(_("Pass it on."))
    return tuple(lines)


def leaflet_pdf(appeal: Appeal, size: str) -> bytes:
    """The appeal's printable leaflet (``a4`` or ``a5``), its fixed lines in the active
    language."""
    return render(
        Leaflet(
            heading=label(AUDIENCE_LABELS, appeal.audience),
            title=appeal.title,
            text=appeal.text,
            footer=footer(appeal),
            qr=appeal.qr,
        ),
        size,
    )


def qr_image(appeal: Appeal, kind: str) -> bytes:
    """The appeal's QR code as ``png`` or ``svg``."""
    return qr_png(appeal.qr) if kind == "png" else qr_svg(appeal.qr)
