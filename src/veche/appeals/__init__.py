"""Appeals: a committee's short public text to people outside it (police and army
conscripts, the workers of a plant not yet on strike, the public), passed as a motion of
kind ``appeal`` and printed as a leaflet with a QR code.

What an appeal's proposal may say is checked here over plain values (``problems``), so
every node refuses the same proposals with the same sentences
(src/veche/apps/store/reasons.py lists them); ``leaflet`` draws the printable PDF.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# To whom an appeal speaks: the codes its ``target.audience`` takes.
AUDIENCES = ("police_army", "workers", "public")
# A leaflet holds the appeal's words at a readable size on A5: this many characters and
# lines at most, under a title of this many characters at most.
TEXT_MAX_CHARS = 1200
TEXT_MAX_LINES = 25
TITLE_MAX_CHARS = 120
# The mirror a QR code points to, when the committee gives one.
MIRROR_MAX_CHARS = 300
# With no mirror the QR code carries the title and the text themselves: at most this
# many bytes of UTF-8 (a version-40 code holds 2,953; fewer keep it readable on paper).
QR_TEXT_MAX_BYTES = 2000

UNKNOWN_AUDIENCE = "an appeal speaks to police and army conscripts, workers or the public"
TITLE_TOO_LONG = "an appeal's title must fit a leaflet: at most %(chars)d characters"
TOO_LONG = "an appeal's text must fit a leaflet: at most %(chars)d characters in %(lines)d lines"
BAD_MIRROR = "the mirror of an appeal is an http:// or https:// address with no spaces"
QR_TOO_LONG = (
    "without a mirror address the QR code carries the appeal itself: "
    "its title and text must fit in %(bytes)d bytes"
)


def qr_payload(title: str, text: str, target: Mapping[str, Any]) -> str:
    """What the appeal's QR code says: the mirror's address, or the appeal itself."""
    mirror = str(target.get("mirror") or "")
    return mirror or f"{title}\n\n{text}"


def text_problem(title: str, text: str, target: Mapping[str, Any]) -> str | None:
    """Why a text does not fit this appeal (its leaflet, its QR code), or None."""
    if len(title) > TITLE_MAX_CHARS:
        return TITLE_TOO_LONG % {"chars": TITLE_MAX_CHARS}
    if len(text) > TEXT_MAX_CHARS or text.count("\n") + 1 > TEXT_MAX_LINES:
        return TOO_LONG % {"chars": TEXT_MAX_CHARS, "lines": TEXT_MAX_LINES}
    if len(qr_payload(title, text, target).encode()) > QR_TEXT_MAX_BYTES:
        return QR_TOO_LONG % {"bytes": QR_TEXT_MAX_BYTES}
    return None


@dataclass(frozen=True)
class Problem:
    message: str  # an English sentence listed in apps/store/reasons.py
    field: str


def problems(title: str, text: str, target: Mapping[str, Any]) -> list[Problem]:
    """Each thing wrong with an appeal's proposal, first first."""
    found: list[Problem] = []
    if target.get("audience") not in AUDIENCES:
        found.append(Problem(UNKNOWN_AUDIENCE, "body.target.audience"))
    mirror = target.get("mirror")
    if mirror is not None and (
        not isinstance(mirror, str)
        or not mirror.startswith(("http://", "https://"))
        or len(mirror) > MIRROR_MAX_CHARS
        or any(c.isspace() for c in mirror)
    ):
        found.append(Problem(BAD_MIRROR, "body.target.mirror"))
    problem = text_problem(title, text, target)
    if problem is not None:
        found.append(Problem(problem, "body.text"))
    return found
