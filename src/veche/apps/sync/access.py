"""Permission-checked reads of the sync app.

Peers are for the node's operators only: the views check that first
(``views.operators_only``: anyone else gets 403, whatever the peer), so the peer reads
take no viewer; an unknown peer is a 404. A bundle file is its owner's alone: any other
account gets the 404 of an unknown id."""

from __future__ import annotations

from django.http import Http404

from veche.apps.accounts.models import Account
from veche.apps.sync.models import BundleExport, Peer


def peers_by_address() -> list[Peer]:
    return list(Peer.objects.order_by("url"))


def access_peer_by_id(peer_id: int) -> Peer:
    """The peer, or 404 if this node has none by that id."""
    peer = Peer.objects.filter(id=peer_id).first()
    if peer is None:
        raise Http404
    return peer


def exports_of(owner: Account, limit: int) -> list[BundleExport]:
    """The account's own bundle files, newest first."""
    return list(BundleExport.objects.filter(owner=owner)[:limit])


def access_export_by_public_id(owner: Account, public_id: str) -> BundleExport:
    """The account's finished bundle file, or 404 (another's, unknown, unfinished alike)."""
    export = BundleExport.objects.filter(
        public_id=public_id, owner=owner, status=BundleExport.Status.DONE
    ).first()
    if export is None or export.path is None:
        raise Http404
    return export
