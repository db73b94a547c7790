"""The unlock page: what an encrypted node serves, and all it serves, until its
operator types the node passphrase (docs/node.md, "Encryption at rest").

``veche serve`` runs it when the node is encrypted under a passphrase and neither
``$VECHE_NODE_PASSPHRASE`` nor a terminal gives one (a service started by systemd).
A small WSGI application on the address ``veche serve`` was given, one process, one
request at a time, nothing of Django's but its settings, templates and translations
(no database: it is locked). Every path but ``/`` answers 503 with the same page.

- CSRF: a random token per visitor, in a cookie (``SameSite=Strict``, ``HttpOnly``)
  and in the form; a POST whose field and cookie differ, or whose ``Origin`` names
  another host, is refused.
- Throttle: a wrong passphrase is answered after a pause of two seconds (the server
  answers nobody meanwhile), and ``unlock-tries`` in the data folder keeps the times
  of the last failures: at most five a minute, across restarts.
- The node passphrase opens the node: the page says so, and the caller starts the
  real server in the same process with the key held. The duress passphrase wipes the
  folder and makes a new, empty node under it, which then starts the same way.
"""

from __future__ import annotations

import json
import secrets
import socket
import time
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from veche.web.db import encryption

__all__ = ["MAX_TRIES", "TRIES_FILE", "UnlockApp", "serve_until_unlocked"]

TRIES_FILE = "unlock-tries"
MAX_TRIES = 5
WINDOW = 60.0
WRONG_PAUSE = 2.0
COOKIE = "veche-unlock"
_MAX_BODY = 8192

StartResponse = Callable[..., Any]


class UnlockApp:
    """The WSGI application; ``opened`` is set once the right (or the duress)
    passphrase was given."""

    def __init__(self, data_dir: Path, *, pause: float = WRONG_PAUSE) -> None:
        self.data_dir = Path(data_dir)
        self.pause = pause
        self.opened: encryption.Opened | None = None

    # -- throttle ---------------------------------------------------------------
    def _tries(self) -> list[float]:
        try:
            times = json.loads((self.data_dir / TRIES_FILE).read_text(encoding="ascii"))
        except (OSError, ValueError):
            return []
        now = time.time()
        if not isinstance(times, list):
            return []
        return [t for t in times if isinstance(t, int | float) and now - WINDOW < t <= now]

    def _failed(self, tries: list[float]) -> None:
        path = self.data_dir / TRIES_FILE
        path.write_text(json.dumps([*tries, time.time()][-MAX_TRIES:]), encoding="ascii")
        path.chmod(0o600)

    # -- WSGI --------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        with translation.override(_language(environ, query.get("lang", [""])[0])):
            status, context, token = self._respond(environ)
            context.setdefault("csrf", token)
            context["lang"] = translation.get_language()
            body = render_to_string("veche/node/unlock.html", context).encode("utf-8")
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),  # "no-referrer" would make Origin "null"
            (
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline';"
                " form-action 'self'; frame-ancestors 'none'",
            ),
            ("Set-Cookie", f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"),
        ]
        if status.startswith("503"):
            headers.append(("Retry-After", "30"))
        start_response(status, headers)
        return [body]

    def _respond(self, environ: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        known = cookie[COOKIE].value if COOKIE in cookie else ""
        token = known if _token_shaped(known) else secrets.token_urlsafe(24)
        if self.opened is not None:
            return "200 OK", {"done": True, "refresh": 5}, token
        if environ.get("PATH_INFO", "/") != "/":
            return "503 Service Unavailable", {"refresh": 0}, token
        if environ.get("REQUEST_METHOD") != "POST":
            return "200 OK", {}, token
        form = _form(environ)
        if not (
            _token_shaped(known)
            and secrets.compare_digest(form.get("csrf", ""), known)
            and _same_origin(environ)
        ):
            return "403 Forbidden", {"error": _("The form expired. Try again.")}, token
        tries = self._tries()
        if len(tries) >= MAX_TRIES:
            wait = max(1, int(tries[0] + WINDOW - time.time()) + 1)
            message = ngettext(
                "Too many wrong tries. Wait %(seconds)d second and try again.",
                "Too many wrong tries. Wait %(seconds)d seconds and try again.",
                wait,
            ) % {"seconds": wait}
            return "429 Too Many Requests", {"error": message}, token
        passphrase = form.get("passphrase", "")
        try:
            opened = encryption.open_node(self.data_dir, passphrase=passphrase)
        except encryption.EncryptionError:
            self._failed(tries)
            time.sleep(self.pause)
            return (
                "200 OK",
                {"error": _("Wrong node passphrase. Nothing was changed.")},
                token,
            )
        (self.data_dir / TRIES_FILE).unlink(missing_ok=True)
        self.opened = opened
        return "200 OK", {"done": True, "refresh": 5}, token


def _token_shaped(value: str) -> bool:
    return 20 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


def _form(environ: dict[str, Any]) -> dict[str, str]:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), _MAX_BODY)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


def _same_origin(environ: dict[str, Any]) -> bool:
    """A browser's ``Origin`` (when it sends one) must name the host it asked."""
    origin = str(environ.get("HTTP_ORIGIN", ""))
    if not origin or origin == "null":
        return not origin
    return origin.split("://", 1)[-1] == str(environ.get("HTTP_HOST", ""))


def _language(environ: dict[str, Any], asked: str) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    if asked in codes:
        return asked
    from django.utils.translation.trans_real import parse_accept_lang_header

    for code, _quality in parse_accept_lang_header(environ.get("HTTP_ACCEPT_LANGUAGE", "")):
        base = code.split("-", 1)[0].lower()
        if base in codes:
            return base
    return str(settings.LANGUAGE_CODE).split("-", 1)[0]


class _Quiet(WSGIRequestHandler):
    timeout = 10  # a client that sends nothing does not hold the page for long

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: it would hold addresses (Django's keyed log is not running)."""


class _Server6(WSGIServer):
    address_family = socket.AF_INET6


def serve_until_unlocked(
    host: str, port: int, data_dir: Path, *, announce: Callable[[str], None] = print
) -> encryption.Opened:
    """Serve the unlock page on ``host:port`` until the node passphrase (or the duress
    one) is given; return what it opened. The socket is closed before returning."""
    app = UnlockApp(data_dir)
    server_class = _Server6 if ":" in host else WSGIServer
    with make_server(host, port, app, server_class=server_class, handler_class=_Quiet) as server:
        announce(f"Locked: the unlock page is on http://{host}:{port}/ (type the node passphrase)")
        server.timeout = 1.0
        while app.opened is None:
            server.handle_request()
    return app.opened
