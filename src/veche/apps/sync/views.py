"""Sync pages and the node-to-node API.

The API (``/sync/v1/…``) is exempt from CSRF because it carries no cookies and
authenticates every message by signatures and session keys instead; everything
else is an ordinary signed-in page. The peers pages (list, add, sync, forget)
are for the node's operators only (``veche node operator add``): a peer is an
address the node dials, and forgetting one drops its pinned node key, so no
ordinary member, who may be an infiltrator, may touch them (others get 403).
Bundles are for every member, for the committees they may hold; a bundle file is
written in the background (``exports``) and offered to the member who asked for it
alone. Views are thin: check access, call ``service``, ``bundles`` or ``exports``,
render.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from collections.abc import Callable, Iterable
from datetime import UTC
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from veche.apps.accounts.unlock import identity_of
from veche.apps.committees.access import readable_committees
from veche.apps.sync import access, exports, runner
from veche.apps.sync.access import access_peer_by_id, peers_by_address
from veche.apps.sync.bundles import export_bundle, import_bundle
from veche.apps.sync.gate import Source
from veche.apps.sync.labels import bundle_reason, image_problem, qr_reason
from veche.apps.sync.models import BundleExport, Peer, check_peer_url
from veche.apps.sync.node import node_identity
from veche.apps.sync.service import serve_auth, serve_hello, serve_session
from veche.events import Identity
from veche.sync import fountain
from veche.sync.bundle import MAX_BUNDLE_BYTES
from veche.sync.errors import BundleError, QrError, SyncError
from veche.sync.session import MAX_FRAME
from veche.web.db.sealed import SealedFileError
from veche.web.viewer import account, unlocked

# -- node-to-node API ---------------------------------------------------------------------

_FORBIDDEN = {"signature", "certificate", "certificate-expired", "wrong-peer", "ticket", "expired"}


def _api(handler: Callable[[HttpRequest, bytes], bytes]) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_exempt
    @require_POST
    def view(request: HttpRequest) -> HttpResponse:
        length = int(request.headers.get("Content-Length") or 0)
        if length > MAX_FRAME:
            return _problem("too-large", f"message exceeds {MAX_FRAME} bytes", 413)
        # Read the stream directly: request.body would refuse anything above
        # DATA_UPLOAD_MAX_MEMORY_SIZE, and batches are larger than that.
        body = request.read(MAX_FRAME + 1)
        try:
            answer = handler(request, body)
        except SyncError as error:
            return _problem(error.reason, error.message, 403 if error.reason in _FORBIDDEN else 400)
        return HttpResponse(answer, content_type="application/octet-stream")

    return view


def _problem(reason: str, message: str, status: int) -> HttpResponse:
    return HttpResponse(
        json.dumps({"reason": reason, "message": message}),
        status=status,
        content_type="application/json",
    )


api_hello = _api(lambda request, body: serve_hello(body, request.get_host()))
api_auth = _api(lambda request, body: serve_auth(body))
api_session = _api(lambda request, body: serve_session(body))


# -- peers ------------------------------------------------------------------------------------


class PeerForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Peer address"),
        help_text=gettext_lazy("For example http://192.168.1.20:8000/"),
        max_length=500,
        assume_scheme="http",  # nodes on a LAN rarely have certificates
    )

    def clean_url(self) -> str:
        return check_peer_url(self.cleaned_data["url"])


View = Callable[..., HttpResponse]


def operators_only(view: View) -> View:
    """Signed-in operators only; anyone else signed in gets 403, whatever the method.

    The check comes before anything else (the method, the peer's id), so a
    member learns nothing about the peers from the answers.
    """

    @login_required
    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request.user, "is_operator", False):
            # The site's 403 page, with the reason, in the reader's language.
            raise PermissionDenied(_("Only this node's operators manage its peers."))
        return view(request, *args, **kwargs)

    return checked


@operators_only
def peers(request: HttpRequest) -> HttpResponse:
    form = PeerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        Peer.objects.get_or_create(url=form.cleaned_data["url"])
        messages.success(request, _("Peer added."))
        return redirect("sync:peers")
    peers = peers_by_address()
    return render(
        request,
        "sync/peers.html",
        {
            "form": form,
            "peers": peers,
            "running": any(p.running_since is not None for p in peers),
            "node_key": node_identity().public,
        },
    )


@operators_only
@require_POST
def peer_sync(request: HttpRequest, peer_id: int) -> HttpResponse:
    """Start a sync with the peer; the peers page shows it running, then its result."""
    peer = access_peer_by_id(peer_id)
    identity = unlocked(request)
    members = [identity] if identity is not None else []
    if not runner.start(peer.id, members):
        messages.info(request, _("A sync with this peer is already running."))
        return redirect("sync:peers")
    peer.refresh_from_db()
    if peer.running_since is not None:
        messages.info(request, _("Sync started; this page shows its result when it ends."))
    elif peer.status == Peer.Status.OK:
        messages.success(request, _("Synced: %(result)s") % {"result": peer.last_result})
    else:
        messages.error(request, _("Sync failed: %(reason)s") % {"reason": peer.last_result})
    return redirect("sync:peers")


@operators_only
@require_POST
def peer_forget(request: HttpRequest, peer_id: int) -> HttpResponse:
    """Drop a peer and the key pinned for it (after it was reinstalled, say)."""
    access_peer_by_id(peer_id).delete()
    messages.success(request, _("Peer removed."))
    return redirect("sync:peers")


# -- bundles ------------------------------------------------------------------------------------


def _exportable(request: HttpRequest) -> list[tuple[str, str]]:
    key = request.user.public_key  # type: ignore[union-attr]
    # A key may hold a space's log exactly where it may read it (committees.access.
    # may_hold_space): the readable committees, found with one walk, not one per row.
    return [(c.space, c.name) for c in readable_committees(key)]


@login_required
def bundles(request: HttpRequest) -> HttpResponse:
    committees = _exportable(request)
    names = dict(committees)
    mine = access.exports_of(account(request), exports.SHOWN)
    return render(
        request,
        "sync/bundles.html",
        {
            "committees": committees,
            # A file is offered while its owner may still hold the committee.
            "exports": [(export, names.get(export.space)) for export in mine],
            "running": any(not export.finished for export in mine),
        },
    )


def _chosen_space(request: HttpRequest) -> str | None:
    space = request.POST.get("space", "")
    if space not in {s for s, _ in _exportable(request)}:
        return None
    return space


@login_required
@require_POST
def bundle_download(request: HttpRequest) -> HttpResponse:
    """Ask for the committee's bundle file: it is written in the background, and the
    Bundles page offers it when it is ready."""
    space = _chosen_space(request)
    if space is None:
        return HttpResponseBadRequest(_("Choose one of your committees."))
    if exports.pending(account(request).pk, space) is not None:
        messages.info(request, _("A bundle of this committee is already being made."))
        return redirect("sync:bundles")
    export = exports.start(account(request).pk, space)
    if export.status == BundleExport.Status.DONE:
        messages.success(request, _("The bundle is ready: download it below."))
    elif export.status == BundleExport.Status.FAILED:
        messages.error(
            request, _("The bundle could not be made: %(reason)s") % {"reason": _(export.error)}
        )
    else:
        messages.info(request, _("The bundle is being made; this page offers it when it is ready."))
    return redirect("sync:bundles")


@login_required
@require_GET
def bundle_file(request: HttpRequest, public_id: str) -> HttpResponseBase:
    """A finished export's file, for its owner alone, while they may hold the committee
    (404 for anyone else, as for an unknown id)."""
    export = access.access_export_by_public_id(account(request), public_id)
    if export.path is None or export.space not in {s for s, _ in _exportable(request)}:
        raise Http404
    try:
        data = exports.read_file(export.path)
    except (OSError, SealedFileError):
        raise Http404 from None
    made = (export.finished_at or export.created_at).astimezone(UTC)
    stamp = made.strftime("%Y%m%d-%H%M")
    response = FileResponse(io.BytesIO(data), content_type="application/octet-stream")
    response["Content-Disposition"] = (
        f'attachment; filename="veche-{export.space[:8]}-{stamp}.bundle"'
    )
    return response


def _keys(request: HttpRequest) -> list[Identity]:
    identity = identity_of(request)
    return [identity] if identity is not None else []


def _import(request: HttpRequest, data: bytes) -> None:
    """Open the bundle with the node's and the member's keys; the gate lets in only the
    committees the signed-in member may hold here (docs/sync.md, "What a node accepts")."""
    key = request.user.public_key  # type: ignore[union-attr]
    try:
        result = import_bundle(data, _keys(request), source=Source.member(key))
    except BundleError as error:
        messages.error(request, _("Bundle rejected: %(reason)s") % {"reason": bundle_reason(error)})
        return
    if result.refused:
        messages.warning(request, _("Bundle imported: %(result)s") % {"result": result.text()})
    else:
        messages.success(request, _("Bundle imported: %(result)s") % {"result": result.text()})


@login_required
@require_POST
def bundle_upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("bundle")
    if upload is None:
        messages.error(request, _("Choose a bundle file."))
    elif upload.size is not None and upload.size > MAX_BUNDLE_BYTES:
        messages.error(request, _("That file is larger than any bundle may be."))
    else:
        _import(request, upload.read())
    return redirect("sync:bundles")


# Mixed frames shown past the fragments: half as many again, and at least this many.
# A receiver that misses a fifth of one loop then rebuilds a small bundle at once in
# about 49 tries of 50 (of 5 fragments: 13 codes, not 8, where 1 try in 4 fails);
# whatever it still lacks comes round in the next loop.
MIN_MIXED_SHOWN = 8


def _frames_shown(length: int) -> int:
    count = -(-length // fountain.fragment_length(length))
    return count + max(MIN_MIXED_SHOWN, -(-count // 2))


@login_required
@require_POST
def bundle_qr(request: HttpRequest) -> HttpResponse:
    """The committee's bundle as an animated sequence of v2 (fountain) codes: the
    fragments, then mixed frames (``_frames_shown``), shown in a loop one at a time
    (qr_send.js); the receiver needs about as many codes as fragments, any of them."""
    from veche.sync.qr import frame_svg

    space = _chosen_space(request)
    if space is None:
        return HttpResponseBadRequest(_("Choose one of your committees."))
    try:
        # Every code is a person holding a camera up: spend the CPU on lzma.
        data, count = export_bundle(spaces=[space], compression="lzma")
        frames = fountain.encode(data, _frames_shown(len(data)))
    except BundleError as error:
        messages.error(request, bundle_reason(error))
        return redirect("sync:bundles")
    except QrError as error:
        messages.error(request, qr_reason(error))
        return redirect("sync:bundles")
    return render(
        request,
        "sync/qr.html",
        {
            "frames": [(frame.seq, frame_svg(frame)) for frame in frames],
            "total": len(frames),
            "needed": frames[0].count,
            "events": count,
            "size": len(data),
        },
    )


@login_required
@require_POST
def bundle_scan(request: HttpRequest) -> HttpResponse:
    from veche.sync.qr import assemble, read_images

    images = request.FILES.getlist("images")[:4000]
    parts, problems = read_images(image.read() for image in images)
    for problem in problems[:20]:
        messages.warning(request, image_problem(problem))
    try:
        data = assemble(parts)
    except QrError as error:
        messages.error(request, qr_reason(error))
    else:
        _import(request, data)
    return redirect("sync:bundles")


# -- receiving a bundle by QR codes -----------------------------------------------------------
#
# The frames a member has shown so far are kept in their session (docs/sync.md, "With QR
# codes"): only those that taught the decoder something, so at most a bundle's worth,
# and the numbers of all seen. Each request rebuilds the decoder from them, adds the new
# frames and stores the session again; a frame that does not fit is reported and
# dropped, and nothing already received is lost. A finished bundle is imported at
# once and the state cleared.

RECEIVING = "sync.qr-receive"
# A bundle of more fragments than this is carried as a file (about 500 KB of frames).
MAX_RECEIVE_FRAGMENTS = 400
MAX_FRAMES_PER_REQUEST = 64
MAX_IMAGES_PER_REQUEST = 200
MAX_SEEN = 10 * MAX_RECEIVE_FRAGMENTS


class _Receiver:
    def __init__(self, request: HttpRequest) -> None:
        state = request.session.get(RECEIVING) or {}
        self.request = request
        self.frames: list[str] = list(state.get("frames", []))
        self.seen: list[int] = list(state.get("seen", []))
        self.decoder = fountain.Decoder()
        for frame in self.frames:
            self.decoder.add(fountain.parse_frame(base64.b64decode(frame)))

    def take(self, part: object) -> None:
        """Add one code; QrError (with nothing changed) if it does not fit."""
        if not isinstance(part, fountain.Frame):
            raise QrError("v1", "a v1 part")
        if part.count > MAX_RECEIVE_FRAGMENTS:
            raise QrError("too-large", "too many fragments")
        if self.decoder.add(part):
            self.frames.append(base64.b64encode(part.encode()).decode("ascii"))
        if part.seq not in self.seen and len(self.seen) < MAX_SEEN:
            self.seen.append(part.seq)

    def save(self) -> None:
        if self.frames:
            self.request.session[RECEIVING] = {"frames": self.frames, "seen": self.seen}
        else:
            self.clear()

    def clear(self) -> None:
        self.frames, self.seen = [], []
        self.request.session.pop(RECEIVING, None)

    def progress(self) -> dict[str, int]:
        return {
            "solved": self.decoder.solved,
            "needed": self.decoder.count,
            "received": len(self.seen),
        }


def _payloads(request: HttpRequest) -> Iterable[tuple[object, str | None]]:
    """(a part or a QrError, a problem already put in words) for every code sent."""
    from veche.sync.qr import parse_part, read_images

    for text in request.POST.getlist("frame")[:MAX_FRAMES_PER_REQUEST]:
        try:
            payload = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            yield QrError("not-veche", "not base64"), None
            continue
        try:
            yield parse_part(payload), None
        except QrError as error:
            yield error, None
    images = request.FILES.getlist("images")[:MAX_IMAGES_PER_REQUEST]
    if images:
        parts, problems = read_images(image.read() for image in images)
        for part in parts:
            yield part, None
        for problem in problems:
            yield None, image_problem(problem)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _answer(
    request: HttpRequest, receiver: _Receiver, problems: list[str], *, done: bool = False
) -> HttpResponse:
    if not _wants_json(request):
        for problem in problems[:20]:
            messages.warning(request, problem)
        return redirect("sync:bundle-receive")
    said = [
        {"level": message.level_tag, "text": str(message)}
        for message in messages.get_messages(request)
    ]
    return JsonResponse(
        {**receiver.progress(), "done": done, "problems": problems, "messages": said}
    )


@login_required
@require_GET
def bundle_receive(request: HttpRequest) -> HttpResponse:
    """Receive a bundle shown as animated QR codes: the camera (qr_receive.js, jsQR)
    where the browser allows it, photos of the codes always."""
    return render(request, "sync/receive.html", _Receiver(request).progress())


@login_required
@require_POST
def bundle_receive_frames(request: HttpRequest) -> HttpResponse:
    """Codes read on the phone (``frame``: base64 of a code's bytes) or photos of them
    (``images``); answers the progress (JSON to the page's script, else a redirect)."""
    receiver = _Receiver(request)
    problems: list[str] = []
    for part, said in _payloads(request):
        if said is not None:
            problems.append(said)
            continue
        try:
            if isinstance(part, QrError):
                raise part
            receiver.take(part)
        except QrError as error:
            problems.append(qr_reason(error))
    done = receiver.decoder.done
    if done:
        try:
            data = receiver.decoder.result()
        except QrError as error:
            messages.error(request, qr_reason(error))
            receiver.clear()
        else:
            receiver.clear()
            _import(request, data)
    elif receiver.frames and not _wants_json(request):
        progress = receiver.progress()
        messages.info(
            request,
            ngettext(
                "%(solved)d of %(needed)d part received: show more codes.",
                "%(solved)d of %(needed)d parts received: show more codes.",
                progress["needed"],
            )
            % progress,
        )
    receiver.save()
    return _answer(request, receiver, problems, done=done)


@login_required
@require_POST
def bundle_receive_reset(request: HttpRequest) -> HttpResponse:
    """Forget the codes received so far."""
    receiver = _Receiver(request)
    receiver.clear()
    messages.info(request, _("Started over: no codes received yet."))
    return _answer(request, receiver, [])
