"""The shell's middleware: trusted proxies, the access log, the "busy" page, and
``Cache-Control: no-store`` on every page."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

from veche.web.busy import Busy
from veche.web.proxies import client_address, is_trusted

Handler = Callable[[HttpRequest], HttpResponse]

# Forwarding headers nobody but a trusted proxy may send.
_FORWARDING = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)

access_log = logging.getLogger("veche.access")


class TrustedProxyMiddleware:
    """Apply X-Forwarded-For and X-Forwarded-Proto when, and only when, a trusted
    proxy (``VECHE_TRUSTED_PROXIES``) sent them.

    Then ``REMOTE_ADDR`` is the client's address (the sign-in throttle counts per
    client, not per proxy) and the request is secure if the client came over TLS
    (CSRF's origin check, secure cookies and HSTS follow). The proxy's own address
    is kept in ``VECHE_PROXY_ADDR``. From anyone else the forwarding headers are
    dropped, so nothing further down can be fooled by them.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        networks = settings.VECHE_TRUSTED_PROXIES
        if networks and is_trusted(peer, networks):
            meta["VECHE_PROXY_ADDR"] = peer
            forwarded_for = meta.get("HTTP_X_FORWARDED_FOR", "")
            if forwarded_for:
                meta["REMOTE_ADDR"] = client_address(peer, forwarded_for, networks)
            # The last value is the one the nearest proxy set.
            proto = meta.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                meta["wsgi.url_scheme"] = proto
        else:
            for header in _FORWARDING:
                meta.pop(header, None)
        return self.get_response(request)


def _who(address: str) -> str:
    if settings.VECHE_ACCESS_LOG_ADDRESSES:
        return address or "-"
    # Keyed with the node's secret key: lines from one client can be told apart and
    # followed, but a seized log does not say who they are.
    return salted_hmac("veche.web.access-log", address, algorithm="sha256").hexdigest()[:12]


class AccessLogMiddleware:
    """One line per request on the ``veche.access`` logger::

        1f0c9a27b3de "POST /accounts/sign-in/" 302 0 211ms

    The client (a keyed hash of its address, see VECHE_ACCESS_LOG_ADDRESSES), the
    method and the path without its query string (which may carry invitation codes
    or ballot trackers), the status, the body's size and the time taken. Never
    cookies, headers or bodies.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not access_log.isEnabledFor(logging.INFO):
            return self.get_response(request)
        start = time.monotonic()
        response = self.get_response(request)
        took = (time.monotonic() - start) * 1000
        if response.streaming:
            size = response.get("Content-Length", "-")
        else:
            size = str(len(response.content))
        access_log.info(
            '%s "%s %s" %d %s %dms',
            _who(request.META.get("REMOTE_ADDR", "")),
            quote(request.method or "-", safe="")[:16],
            # Quoted: a path with a new line in it cannot forge a second log line.
            quote(request.path, safe="/:@!$&'()*+,;=-._~"),
            response.status_code,
            size,
            took,
        )
        return response


class BusyMiddleware:
    """A view that raised ``veche.web.busy.Busy``: 503, Retry-After, the busy page."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Busy):
            return None
        again = request.get_full_path()
        if not again.startswith("/") or again.startswith("//"):
            again = "/"  # a link on this site, never a protocol-relative one
        response = render(
            request,
            "veche/busy.html",
            {"retry_after": exception.retry_after, "again": again},
            status=503,
        )
        response["Retry-After"] = str(exception.retry_after)
        response["Cache-Control"] = "no-store"
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every answer that does not set its own.

    Pages show members' pseudonyms, committees, votes and fund entries; a browser's
    cache (or a proxy's) must not keep a copy a seized phone or laptop would give away
    (docs/node.md, "Encryption at rest"). Placed after WhiteNoise, which answers for
    the static files (public, cached for long) before this runs.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response
