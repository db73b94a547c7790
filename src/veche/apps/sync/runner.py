"""Run "Sync now" in the background and record its outcome on the peer's row.

A sync with a distant node can take minutes; done inside the web request it would
hold one of the server's few workers and be cut off by the worker timeout. The
page starts it here instead and shows it as running until the row says how it
ended. One sync per peer at a time, across processes: the row is claimed with a
single conditional UPDATE. A run whose process died is taken as over after
``STALE_AFTER``. Tests (or an operator who prefers it) can set
``VECHE_SYNC_BACKGROUND = False`` to run it within the request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Q

from veche.apps.sync.models import Peer
from veche.apps.sync.service import sync_with
from veche.events import Identity
from veche.sync.errors import SyncError

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=30)
# A sync stops by then (resumable: the next one goes on), well before it would
# count as stale.
DEADLINE = timedelta(minutes=25)


def claim(peer_id: int) -> bool:
    """Mark the peer's sync as running, unless one already is (True if claimed)."""
    now = datetime.now(UTC)
    free = Q(running_since__isnull=True) | Q(running_since__lt=now - STALE_AFTER)
    return Peer.objects.filter(free, id=peer_id).update(running_since=now) == 1


def start(peer_id: int, members: Sequence[Identity]) -> bool:
    """Claim the peer and sync with it in a thread (or now, if the settings say so).

    Returns False when a sync with this peer is already running.
    """
    if not claim(peer_id):
        return False
    if getattr(settings, "VECHE_SYNC_BACKGROUND", True):
        thread = threading.Thread(
            target=_background, args=(peer_id, list(members)), name=f"sync-peer-{peer_id}"
        )
        thread.daemon = True
        thread.start()
    else:
        execute(peer_id, members)
    return True


def _background(peer_id: int, members: list[Identity]) -> None:
    close_old_connections()
    try:
        execute(peer_id, members)
    finally:
        connection.close()


def execute(peer_id: int, members: Sequence[Identity]) -> None:
    """Sync with the (claimed) peer and write how it went on its row."""
    peer = Peer.objects.filter(id=peer_id).first()
    if peer is None:  # forgotten meanwhile
        return
    try:
        result = sync_with(
            peer.url,
            members=list(members),
            expected_node=peer.node_key or None,
            deadline=time.monotonic() + DEADLINE.total_seconds(),
        )
    except SyncError as error:
        record_outcome(peer_id, Peer.Status.FAILED, error.message, release=True)
    except Exception:
        log.exception("sync with peer %s failed", peer_id)
        record_outcome(
            peer_id,
            Peer.Status.FAILED,
            "internal error; the node's log has the details",
            release=True,
        )
    else:
        record_outcome(
            peer_id, Peer.Status.OK, result.text(), node_key=result.peer_node, release=True
        )


def record_outcome(
    peer_id: int, status: str, text: str, *, node_key: str = "", release: bool = False
) -> None:
    """Write a sync's outcome on the peer's row, if the peer is still there (an
    operator may forget it meanwhile: an update, never a save, so it stays gone).
    A node key is pinned only if none was; ``release`` ends the running mark."""
    fields: dict[str, object] = {
        "status": status,
        "last_result": text,
        "last_sync": datetime.now(UTC),
    }
    if release:
        fields["running_since"] = None
    Peer.objects.filter(id=peer_id).update(**fields)
    if node_key:
        Peer.objects.filter(id=peer_id, node_key="").update(node_key=node_key)
