"""Run "Sync now" in the background and record its outcome on the peer's row.

A sync with a distant node can take minutes; done inside the web request it would
hold one of the server's few workers and be cut off by the worker timeout. The page
queues it instead (a task in the database: ``veche.web.background``) and shows it as
running until the row says how it ended. One sync per peer at a time, across
processes: the row is claimed with a single conditional UPDATE. A sync whose process
died runs again when the worker next starts (a sync is resumable); interrupted twice,
it is recorded as failed and the claim released, so "Sync now" retries it. A claim
older than ``STALE_AFTER`` is taken as over whatever happened to its task.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_noop
from django_tasks import task

from veche.apps.sync.models import Peer
from veche.apps.sync.service import failure_record, sync_with
from veche.events import Identity
from veche.sync.errors import SyncError
from veche.web.background import on_interrupted

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=30)
# A sync stops by then (resumable: the next one goes on), well before it would
# count as stale.
DEADLINE = timedelta(minutes=25)
# Stored as written; the peers page shows them in the reader's language.
INTERNAL_ERROR = gettext_noop("internal error; the node's log has the details")
INTERRUPTED = gettext_noop("interrupted twice by a restart of this node; sync again")


def claim(peer_id: int) -> bool:
    """Mark the peer's sync as running, unless one already is (True if claimed)."""
    now = datetime.now(UTC)
    free = Q(running_since__isnull=True) | Q(running_since__lt=now - STALE_AFTER)
    return Peer.objects.filter(free, id=peer_id).update(running_since=now) == 1


def start(peer_id: int, members: Sequence[Identity]) -> bool:
    """Claim the peer and queue the sync with it (run at once, with the immediate
    backend of the tests). Returns False when a sync with this peer is already running.

    The members' keys never leave the request: their node certificates, all the sync
    needs of them, are issued here.
    """
    from veche.apps.sync.node import certify

    if not claim(peer_id):
        return False
    for member in members:
        certify(member)
    try:
        sync_peer.enqueue(peer_id)
    except Exception:
        record_outcome(peer_id, Peer.Status.FAILED, INTERNAL_ERROR, release=True)
        raise
    return True


@task()
def sync_peer(peer_id: int) -> None:
    """The queued sync: run it, write how it went on the peer's row."""
    execute(peer_id)


@on_interrupted("veche.apps.sync.runner.sync_peer")
def _interrupted(args: list[Any], _kwargs: dict[str, Any], gave_up: bool) -> None:
    if gave_up and args:
        record_outcome(int(args[0]), Peer.Status.FAILED, INTERRUPTED, release=True)


def execute(peer_id: int, members: Sequence[Identity] = ()) -> None:
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
        record_outcome(peer_id, Peer.Status.FAILED, failure_record(error), release=True)
    except Exception:
        log.exception("sync with peer %s failed", peer_id)
        record_outcome(peer_id, Peer.Status.FAILED, INTERNAL_ERROR, release=True)
    else:
        record_outcome(
            peer_id, Peer.Status.OK, result.record(), node_key=result.peer_node, release=True
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
