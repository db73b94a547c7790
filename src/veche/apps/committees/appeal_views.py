"""Appeal pages: the leaflets and QR codes of an appeal for its committee's readers, and
the public pages of passed appeals, which anyone reads without signing in (an appeal is
public once passed, by its kind's rule: its words, audience, committee, date and counts;
never who proposed it or how anyone voted)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from veche.apps.committees.access import access_motion_by_event
from veche.apps.committees.appeals import (
    Appeal,
    appeal_of,
    leaflet_pdf,
    passed_appeal,
    passed_appeals,
    qr_image,
)
from veche.apps.committees.labels import AUDIENCE_LABELS
from veche.web.labels import label
from veche.web.viewer import viewer

# The files of an appeal, by the name in its address: (content type, how it is drawn).
FILES: dict[str, tuple[str, Callable[[Appeal], bytes]]] = {
    "leaflet-a4.pdf": ("application/pdf", lambda a: leaflet_pdf(a, "a4")),
    "leaflet-a5.pdf": ("application/pdf", lambda a: leaflet_pdf(a, "a5")),
    "qr.png": ("image/png", lambda a: qr_image(a, "png")),
    "qr.svg": ("image/svg+xml", lambda a: qr_image(a, "svg")),
}


def _file(appeal: Appeal, name: str) -> HttpResponse:
    if name not in FILES:
        raise Http404
    content_type, draw = FILES[name]
    response = HttpResponse(draw(appeal), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="appeal-{appeal.event[:10]}-{name}"'
    return response


@login_required
@require_safe
def appeal_file(request: HttpRequest, space: str, motion: str, name: str) -> HttpResponse:
    """A leaflet or QR code of an appeal in any state, for those who may read its
    committee (a draft's leaflet says it is not passed yet)."""
    committee, row = access_motion_by_event(viewer(request), space, motion)
    if row.kind != "appeal":
        raise Http404
    return _file(appeal_of(row, committee.name), name)


def _passed(event: str) -> Appeal:
    appeal = passed_appeal(event)
    if appeal is None:
        raise Http404
    return appeal


@require_safe
def public_list(request: HttpRequest) -> HttpResponse:
    """Public: every passed appeal this node holds, newest first."""
    appeals = passed_appeals()
    return render(
        request,
        "committees/appeals.html",
        {"appeals": [(a, label(AUDIENCE_LABELS, a.audience)) for a in appeals]},
    )


@require_safe
def public_page(request: HttpRequest, event: str) -> HttpResponse:
    """Public: one passed appeal; 404 for anything else (an open or failed appeal, another
    kind of motion, an unknown id)."""
    appeal = _passed(event)
    return render(
        request,
        "committees/appeal.html",
        {"appeal": appeal, "audience": label(AUDIENCE_LABELS, appeal.audience)},
    )


@require_safe
def public_file(request: HttpRequest, event: str, name: str) -> HttpResponse:
    return _file(_passed(event), name)
