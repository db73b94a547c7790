"""'Sync now' runs in the background, one sync per peer at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from tests.factories import PASS, World, sign_in

from veche.apps.accounts.actions import create_account
from veche.apps.accounts.models import Account
from veche.apps.sync import runner
from veche.apps.sync.models import Peer
from veche.web import background

UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: nothing answers, quickly


def _operator() -> Client:
    world = World()
    world.committee("Sokol", name="Kozlova strike committee")
    sokol, _ = create_account("Sokol", PASS, world.person("Sokol"))
    Account.objects.filter(pk=sokol.pk).update(is_operator=True)
    return sign_in("Sokol")


@pytest.mark.django_db
@pytest.mark.usefixtures("queued_tasks")
def test_sync_now_answers_at_once_and_the_worker_records_the_result() -> None:
    client = _operator()
    peer = Peer.objects.create(url=UNREACHABLE)
    response = client.post(f"/sync/peers/{peer.id}/sync/", follow=True)
    assert response.status_code == 200
    assert "Sync started" in response.content.decode()
    peer.refresh_from_db()
    assert peer.running_since is not None and peer.status == Peer.Status.NEW
    page = client.get("/sync/").content.decode()
    assert 'http-equiv="refresh"' in page and "running since" in page
    # A second press while it runs starts nothing.
    again = client.post(f"/sync/peers/{peer.id}/sync/", follow=True)
    assert "already running" in again.content.decode()
    assert background.run_pending() == 1
    peer.refresh_from_db()
    assert peer.running_since is None
    assert peer.status == Peer.Status.FAILED and "unreachable" in peer.last_result
    assert peer.last_sync is not None
    assert 'http-equiv="refresh"' not in client.get("/sync/").content.decode()


@pytest.mark.django_db
def test_a_claim_is_refused_while_running_and_retaken_when_stale() -> None:
    peer = Peer.objects.create(url=UNREACHABLE)
    assert runner.claim(peer.id)
    assert not runner.claim(peer.id)
    Peer.objects.filter(id=peer.id).update(
        running_since=datetime.now(UTC) - runner.STALE_AFTER - timedelta(seconds=1)
    )
    assert runner.claim(peer.id)
    assert not runner.claim(999_999)


@pytest.mark.django_db
def test_sync_in_the_request_reports_its_result_at_once() -> None:
    client = _operator()
    peer = Peer.objects.create(url=UNREACHABLE)
    response = client.post(f"/sync/peers/{peer.id}/sync/", follow=True)
    assert "Sync failed" in response.content.decode()
    peer.refresh_from_db()
    assert peer.running_since is None and peer.status == Peer.Status.FAILED


@pytest.mark.django_db
def test_a_peer_forgotten_while_its_sync_runs_stays_forgotten() -> None:
    peer = Peer.objects.create(url=UNREACHABLE)
    assert runner.claim(peer.id)
    Peer.objects.filter(id=peer.id).delete()
    runner.execute(peer.id, [])  # nothing to sync with, nothing written back
    runner.record_outcome(peer.id, Peer.Status.FAILED, "late", release=True)
    assert not Peer.objects.exists()


@pytest.mark.django_db
def test_an_outcome_pins_a_node_key_only_once_and_keeps_a_running_mark() -> None:
    peer = Peer.objects.create(url=UNREACHABLE, node_key="P" * 43)
    assert runner.claim(peer.id)
    runner.record_outcome(peer.id, Peer.Status.OK, "done", node_key="Q" * 43)
    peer.refresh_from_db()
    assert peer.node_key == "P" * 43 and peer.status == Peer.Status.OK
    assert peer.running_since is not None  # the CLI's outcome does not end the page's run
