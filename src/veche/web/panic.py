"""The operators' panic button (``/node/panic/``): the node's data destroyed now.

An operator (``is_operator``) confirms on the page; the POST (CSRF-checked) wipes the
data folder as ``veche node wipe`` does (``veche.web.db.wipe``: the encryption header
first, then every file overwritten and unlinked), makes the header of a new, empty
node under the key encryption key this server holds (the same node passphrase, or
the same key file, opens it), has ``veche init`` make its database in a process of
its own, tells the browser to drop what it keeps of the site (``Clear-Site-Data``),
and stops the server: its processes hold the old key in memory. Everyone else gets
403 (docs/node.md, "Encryption at rest").
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from veche.web.db import encryption, wipe

__all__ = ["SERVER_PID_ENV", "panic", "panic_wipe"]

# Set by `veche serve` for its gunicorn workers: the process a panic stops.
SERVER_PID_ENV = "VECHE_SERVER_PID"


def panic_wipe(data_dir: Path) -> wipe.Wiped:
    """Wipe ``data_dir`` and start a new, empty node there (without waiting for it)."""
    wrapping = encryption.held_wrapping()
    encrypted = encryption.is_encrypted(data_dir)
    connections.close_all()
    done = wipe.wipe(data_dir)
    command = [sys.executable, "-m", "veche.cli", "init"]
    env = {**os.environ, "VECHE_DATA_DIR": str(data_dir)}
    env.pop("VECHE_NODE_PASSPHRASE", None)
    key_fd = None
    if encrypted and wrapping is not None:
        key = encryption.write_new_header(data_dir, wrapping)
        encryption.hold(key, wrapping)
        key_fd = encryption.key_to_pipe(key)
        command += ["--key-fd", str(key_fd)]
    elif encrypted:
        return done  # a key from a pipe, no wrapping: `veche init` makes the new node later
    else:
        command.append("--plain")
    try:
        # Its own session: it finishes when the server stops.
        subprocess.Popen(  # noqa: S603 - our own CLI
            command,
            env=env,
            pass_fds=() if key_fd is None else (key_fd,),
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        if key_fd is not None:
            os.close(key_fd)
    return done


def _stop_server() -> None:
    pid = os.environ.get(SERVER_PID_ENV, "")
    if pid.isdigit():
        os.kill(int(pid), signal.SIGTERM)


@login_required
def panic(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "is_operator", False):
        raise PermissionDenied(_("Only this node's operators can wipe it."))
    if connections["default"].vendor != "sqlite":
        # A hub's rows are in PostgreSQL: wiping the data folder would destroy its keys
        # and leave the members' data where it is. The page says so; no form.
        if request.method == "POST":
            raise PermissionDenied(_("This node keeps its data in PostgreSQL."))
        return render(request, "veche/node/panic.html", {"hub": True})
    if request.method != "POST" or request.POST.get("confirm") != "wipe":
        error = request.method == "POST"
        return render(request, "veche/node/panic.html", {"error": error}, status=200)
    done = panic_wipe(Path(settings.DATA_DIR))
    # Rendered without the request: no context processor may reach the database now.
    response = HttpResponse(
        render_to_string("veche/node/wiped.html", {"seconds": f"{done.seconds:.2f}"})
    )
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response["Cache-Control"] = "no-store"
    # Stopped once the answer is sent (Django's WSGI handler closes the response then).
    response._resource_closers.append(_stop_server)  # type: ignore[attr-defined]
    return response
