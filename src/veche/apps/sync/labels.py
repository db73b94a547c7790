"""Sync reasons in the reader's language.

The pure core (``veche.sync``) raises ``BundleError`` and ``QrError`` with a reason code
and an English sentence for the command line; pages show these sentences instead,
chosen by the code (docs/formats/sync-v1.md §7 and docs/formats/qr-v2.md list the
codes), with the parameters the error carries.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from veche.sync import fountain
from veche.sync.errors import BundleError, QrError
from veche.sync.qr import ImageProblem

__all__ = ["bundle_reason", "image_problem", "qr_reason"]

# veche.sync.bundle (read_bundle, write_bundle) and veche.apps.sync.bundles
BUNDLE_REASONS = {
    "empty": gettext_lazy("this node holds no committees to put in a bundle"),
    "no-recipients": gettext_lazy("a private bundle needs at least one member to seal it to"),
    "oversized": gettext_lazy("the bundle is larger than a bundle may be"),
    "truncated": gettext_lazy("the file was cut short"),
    "not-a-bundle": gettext_lazy("this file is not a Veche bundle"),
    "header": gettext_lazy("the bundle's header is malformed"),
    "version": gettext_lazy("this bundle's format version is not understood here"),
    "trailing-data": gettext_lazy("there is data after the end of the bundle"),
    "tampered": gettext_lazy("the bundle was altered: its signature or seal does not verify"),
    "damaged": gettext_lazy("the bundle's contents are damaged"),
    "foreign": gettext_lazy(
        "this bundle is not for you: it was sealed to other members' keys; "
        "unlock your key, or ask for a bundle made after you joined"
    ),
}

# veche.sync.qr and veche.sync.fountain
QR_REASONS = {
    "truncated": gettext_lazy("this code is cut short: show it again"),
    "checksum": gettext_lazy("this code was misread (its checksum fails): show it again"),
    "length": gettext_lazy(
        "these codes disagree on the length of the bundle: one of them was altered"
    ),
    "conflict": gettext_lazy("this code contradicts the others although its checksum holds"),
    "framing": gettext_lazy("there is no such QR framing version (1 or 2)"),
    "not-veche": gettext_lazy("this QR code is not part of a Veche bundle"),
    "numbering": gettext_lazy("this code's numbering is not valid"),
    "mixed": gettext_lazy(
        "this code belongs to another bundle than the one being received: "
        "finish that one, or start over"
    ),
    "damaged": gettext_lazy("the codes do not add up to the bundle they name"),
    "empty": gettext_lazy("no Veche QR codes were found"),
    "too-large": gettext_lazy("the bundle is too large for QR codes: carry it as a file"),
    "v1": gettext_lazy(
        "this code is of the older, numbered kind: bring such codes in with "
        "“Bring in scanned QR codes” on the Bundles page"
    ),
}

# veche.sync.qr.ImageProblem reasons of its own
IMAGE_REASONS = {
    "too-large-image": gettext_lazy("the image is too large"),
    "unreadable": gettext_lazy("not a readable image"),
    "no-code": gettext_lazy("no QR code was found in it"),
}


def bundle_reason(error: BundleError) -> str:
    text = BUNDLE_REASONS.get(error.reason)
    if text is None:
        return _("the bundle could not be read (%(reason)s)") % {"reason": error.reason}
    return str(text)


def qr_reason(error: QrError) -> str:
    return _qr_code(error.reason, missing=len(error.missing))


def _qr_code(reason: str, *, missing: int = 0) -> str:
    if reason == "missing":
        return ngettext(
            "%(count)d part is still missing: keep scanning",
            "%(count)d parts are still missing: keep scanning",
            missing,
        ) % {"count": missing}
    if reason == "frame-size":
        return _("a frame must hold at least %(bytes)d bytes") % {"bytes": fountain.MIN_FRAME_BYTES}
    text = QR_REASONS.get(reason)
    if text is None:
        return _("the QR codes could not be read (%(reason)s)") % {"reason": reason}
    return str(text)


def image_problem(problem: ImageProblem) -> str:
    """'Image 3: no QR code was found in it'."""
    text = IMAGE_REASONS.get(problem.reason)
    why = str(text) if text is not None else _qr_code(problem.reason)
    return _("Image %(number)d: %(problem)s") % {"number": problem.number, "problem": why}
