"""Two nodes on loopback: this test's live server, and a separate node (its own data
folder and database) that runs ``veche sync`` against it as one member."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from tests.apps.sync.logs import Log
from tests.apps.sync.nodes import Node, key_file, write_events
from tests.factories import World

from veche.apps.committees import actions
from veche.apps.store.log import state_digest
from veche.apps.store.models import StoredEvent
from veche.apps.sync.models import Peer
from veche.apps.sync.node import node_identity

pytestmark = [pytest.mark.django_db(transaction=True)]


def _spaces(node: Node) -> set[str]:
    return {row[0] for row in node.query("SELECT DISTINCT space FROM store_storedevent")}


def test_two_nodes_converge_and_other_spaces_are_not_sent(live_server: Any, tmp_path: Path) -> None:
    world = World()
    space = world.committee("Sokol", ("Zubr",), name="Belshina strike committee")
    for i in range(30):
        actions.post(world.person("Sokol"), space, f"Bulletin {i}")
    secret = world.committee("Lis", name="A committee Zubr does not belong to")
    zubr = world.person("Zubr")

    # The second node has one event the first lacks: Zubr's post, made offline.
    log = Log()
    last = StoredEvent.objects.filter(space=space).order_by("-height").first()
    assert last is not None
    log.heads[space] = last.id
    zubr_chain = StoredEvent.objects.filter(space=space, author=zubr.public).order_by("-seq")
    head = zubr_chain.first()
    assert head is not None
    log.chains[(space, zubr.public)] = (head.seq, head.id)
    offline = log.post(zubr, space, "Posted while the network was down")
    other = Node(tmp_path / "second")
    other.folder.mkdir()
    key = key_file(tmp_path, zubr, "zubr")

    # The second node first takes what it may hold (nothing yet) ...
    result = other.json("sync", live_server.url, "--as", str(key))
    assert result["spaces"] == [space]
    # Each event of the committee new there is counted once, and no fork is made up
    # (its events wait for the end of the transfer: not fetched again by the fork check).
    held = StoredEvent.objects.filter(space=space).count()
    assert (result["pulled"], result["forks_repaired"]) == ({"applied": held}, 0), result
    assert _spaces(other) == {space}
    # ... then makes its offline post and syncs again: it is pushed.
    other.veche("log", "import", str(write_events(tmp_path / "offline.jsonl", [offline])))
    again = other.json("sync", live_server.url)
    assert again["pushed"].get("applied") == 1
    assert StoredEvent.objects.filter(id=offline.id, status="applied").exists()
    assert other.json("state", "digest", f"--space={space}")["digest"] == state_digest(space)
    assert secret not in _spaces(other)
    third = other.json("sync", live_server.url)
    assert third["pulled"] == {} and third["pushed"] == {}


def test_a_peer_answering_with_another_key_is_refused(live_server: Any, tmp_path: Path) -> None:
    other = Node(tmp_path / "second")
    other.folder.mkdir()
    other.veche("sync", live_server.url)
    # The node's own database, SQLite or PostgreSQL (tests/apps/sync/nodes.py).
    pinned = other.python(
        "from veche.apps.sync.models import Peer\n"
        "print(Peer.objects.get().node_key)\n"
        "Peer.objects.update(node_key='A' * 43)\n"
    )
    assert pinned.strip() == node_identity().public
    failed = other.veche("sync", live_server.url, check=False)
    assert failed.returncode == 2
    assert "expected" in failed.stderr


def test_the_api_refuses_garbage_with_a_reason(client: Any) -> None:
    response = client.post("/sync/v1/hello", b"{not json", content_type="application/octet-stream")
    assert response.status_code == 400
    assert response.json()["reason"] == "handshake"
    response = client.post(
        "/sync/v1/session", b'{"v":1}\nxx', content_type="application/octet-stream"
    )
    assert response.status_code == 403
    assert response.json()["reason"] == "ticket"
    assert client.get("/sync/v1/hello").status_code == 405


def test_peers_page_adds_a_peer_and_reports_a_failed_sync(client: Any) -> None:
    from veche.apps.accounts.actions import create_account

    world = World()
    world.committee("Sokol")
    account, _ = create_account("Sokol", "correct horse battery", world.person("Sokol"))
    account.is_operator = True  # only operators manage peers (tests/apps/sync/test_peer_access.py)
    account.save()
    client.force_login(account)
    response = client.post("/sync/", {"url": "http://127.0.0.1:9/"})
    assert response.status_code == 302
    peer = Peer.objects.get()
    assert peer.url == "http://127.0.0.1:9/"
    client.post(f"/sync/peers/{peer.id}/sync/")
    peer.refresh_from_db()
    assert peer.status == Peer.Status.FAILED
    assert peer.last_result == '{"reason": "unreachable"}'  # a code, put into words when shown
    page = client.get("/sync/")
    assert b"http://127.0.0.1:9/" in page.content
    assert b"the peer could not be reached" in page.content
    assert b"Errno" not in page.content and b"urlopen" not in page.content
    client.post(f"/sync/peers/{peer.id}/forget/")
    assert not Peer.objects.exists()


def test_bundle_pages_download_upload_qr_and_scan(client: Any, tmp_path: Path) -> None:
    from veche.apps.accounts.actions import create_account
    from veche.apps.store.log import rebuild
    from veche.sync.qr import write_codes

    world = World()
    space = world.committee("Sokol", ("Zubr",), name="Grodno Azot")
    actions.post(world.person("Sokol"), space, "The night shift stops at 22:00")
    create_account("Zubr", "correct horse battery", world.person("Zubr"))
    client.post("/accounts/sign-in/", {"pseudonym": "Zubr", "passphrase": "correct horse battery"})
    assert b"Grodno Azot" in client.get("/sync/bundles/").content
    # The bundle is written in the background (at once here): the page then offers it.
    asked = client.post("/sync/bundles/download/", {"space": space}, follow=True)
    assert asked.status_code == 200 and b"The bundle is ready" in asked.content
    link = re.search(rb'href="(/sync/bundles/files/[^"/]+/)"', asked.content)
    assert link is not None
    download = client.get(link[1].decode())
    assert download.status_code == 200
    assert re.fullmatch(
        rf'attachment; filename="veche-{re.escape(space[:8])}-\d{{8}}-\d{{4}}\.bundle"',
        download["Content-Disposition"],
    )
    data = b"".join(download.streaming_content)
    assert data.startswith(b"VECHE-BUNDLE-v1\n")
    assert client.post("/sync/bundles/download/", {"space": "x" * 43}).status_code == 400
    qr = client.post("/sync/bundles/qr/", {"space": space})
    assert qr.content.count(b"<svg") >= 1

    digest = state_digest(space)
    StoredEvent.objects.filter(kind="space.post").delete()
    rebuild()
    (tmp_path / "b.bundle").write_bytes(data)
    with open(tmp_path / "b.bundle", "rb") as handle:
        page = client.post("/sync/bundles/upload/", {"bundle": handle}, follow=True)
    assert b"Bundle imported" in page.content
    assert state_digest(space) == digest

    write_codes(data, tmp_path / "codes")
    images = [open(p, "rb") for p in sorted((tmp_path / "codes").glob("qr-*.png"))]  # noqa: SIM115
    try:
        page = client.post("/sync/bundles/scan/", {"images": images}, follow=True)
    finally:
        for handle in images:
            handle.close()
    assert b"already held" in page.content
    with open(tmp_path / "b.bundle", "wb") as handle:
        handle.write(data[:-10])
    with open(tmp_path / "b.bundle", "rb") as handle:
        page = client.post("/sync/bundles/upload/", {"bundle": handle}, follow=True)
    assert b"Bundle rejected" in page.content and b"cut short" in page.content


def test_sync_every_repeats_until_interrupted(
    live_server: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import veche.cli.sync as sync_cli
    from veche.cli import main

    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(sync_cli.time, "sleep", nap)
    # This node syncs with itself (one database in this process): the loop is what is tested.
    assert main(["sync", live_server.url, "--every", "0.01"]) == 130
    assert naps == [1.0, 1.0]  # never faster than once a second
    assert capsys.readouterr().out.count("the peer named no committee") == 2
    peer = Peer.objects.get()
    assert peer.status == Peer.Status.OK and peer.node_key == node_identity().public


def test_an_expired_session_is_renewed_and_the_request_repeated(live_server: Any) -> None:
    from veche.apps.sync.service import http_transport, sync_with
    from veche.sync.errors import SyncError

    world = World()
    space = world.committee("Sokol", name="Atlant strike committee")
    real = http_transport()
    calls: list[str] = []

    def flaky(url: str, body: bytes) -> bytes:
        calls.append(url.rsplit("/", 1)[1])
        if calls.count("session") == 2 and calls[-1] == "session":
            raise SyncError("expired", "session ticket expired: start a new handshake")
        return real(url, body)

    # One database in this process: the node syncs with itself; the renewal is what is tested.
    result = sync_with(live_server.url, members=[world.person("Sokol")], transport=flaky)
    assert result.spaces == [space]
    assert calls.count("hello") == 2 and calls.count("auth") == 2
