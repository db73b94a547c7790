"""Reads of the node's peers, for its operators only: the views check that first
(``views.operators_only``: anyone else gets 403, whatever the peer), so these take no
viewer. An unknown peer is a 404."""

from __future__ import annotations

from django.http import Http404

from veche.apps.sync.models import Peer


def peers_by_address() -> list[Peer]:
    return list(Peer.objects.order_by("url"))


def access_peer_by_id(peer_id: int) -> Peer:
    """The peer, or 404 if this node has none by that id."""
    peer = Peer.objects.filter(id=peer_id).first()
    if peer is None:
        raise Http404
    return peer
