"""Only the node's operators manage its peers.

A peer is an address this node dials, and its row holds the node key pinned on
the first sync: a member who could add peers would make the node dial anything
on its network, and one who could forget a peer would let a rogue node take its
place. Operators are named on the command line only (``veche node operator``).
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from tests.factories import PASS, World, sign_in

from veche.apps.accounts.actions import create_account
from veche.apps.accounts.models import Account
from veche.apps.sync.models import Peer, check_peer_url
from veche.cli import main

pytestmark = pytest.mark.django_db
PINNED = "P" * 43
UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: nothing answers, quickly


def _world() -> tuple[World, Peer]:
    world = World()
    world.committee("Sokol", ("Zubr",), name="Kozlova strike committee")
    sokol, _ = create_account("Sokol", PASS, world.person("Sokol"))
    create_account("Zubr", PASS, world.person("Zubr"))
    Account.objects.filter(pk=sokol.pk).update(is_operator=True)
    peer = Peer.objects.create(url="http://192.168.1.20:8000/", node_key=PINNED)
    return world, peer


def _client(who: str) -> Client:
    if who == "anonymous":
        return Client()
    return sign_in({"operator": "Sokol", "member": "Zubr"}[who])


def _untouched(peer: Peer) -> None:
    assert list(Peer.objects.values_list("url", "node_key", "status", "last_sync")) == [
        (peer.url, PINNED, Peer.Status.NEW, None)
    ]


# -- who may do what ---------------------------------------------------------------------


def test_operator_lists_adds_syncs_and_forgets_peers() -> None:
    _, peer = _world()
    client = _client("operator")
    page = client.get("/sync/")
    assert page.status_code == 200
    assert peer.url.encode() in page.content
    assert client.post("/sync/", {"url": UNREACHABLE}).status_code == 302
    added = Peer.objects.get(url=UNREACHABLE)
    assert client.post(f"/sync/peers/{added.id}/sync/").status_code == 302
    added.refresh_from_db()
    assert added.status == Peer.Status.FAILED and added.last_sync is not None
    assert client.get(f"/sync/peers/{added.id}/sync/").status_code == 405
    assert client.get(f"/sync/peers/{peer.id}/forget/").status_code == 405
    assert client.post(f"/sync/peers/{peer.id}/forget/").status_code == 302
    assert list(Peer.objects.values_list("url", flat=True)) == [UNREACHABLE]
    assert client.post("/sync/peers/999999/forget/").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/sync/"),
        ("post", "/sync/"),
        ("get", "/sync/peers/{id}/sync/"),
        ("post", "/sync/peers/{id}/sync/"),
        ("get", "/sync/peers/{id}/forget/"),
        ("post", "/sync/peers/{id}/forget/"),
        ("post", "/sync/peers/999999/forget/"),  # 403 too: no telling which ids exist
        ("post", "/sync/peers/999999/sync/"),
    ],
)
def test_a_member_is_refused_every_peers_url(method: str, path: str) -> None:
    _, peer = _world()
    client = _client("member")
    response = getattr(client, method)(path.format(id=peer.id), {"url": UNREACHABLE})
    assert response.status_code == 403
    assert peer.url.encode() not in response.content
    _untouched(peer)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/sync/"),
        ("post", "/sync/"),
        ("get", "/sync/peers/{id}/sync/"),
        ("post", "/sync/peers/{id}/sync/"),
        ("get", "/sync/peers/{id}/forget/"),
        ("post", "/sync/peers/{id}/forget/"),
    ],
)
def test_anonymous_is_sent_to_sign_in(method: str, path: str) -> None:
    _, peer = _world()
    response = getattr(_client("anonymous"), method)(path.format(id=peer.id), {"url": UNREACHABLE})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")
    _untouched(peer)


def test_a_member_cannot_unpin_a_peers_key_to_let_a_rogue_node_in() -> None:
    """The attack: forget the peer (dropping its pinned key), add the same address
    again, and the next sync would pin whatever node answers there."""
    _, peer = _world()
    client = Client(enforce_csrf_checks=True)
    sign_in = client.get("/accounts/sign-in/")
    token = sign_in.cookies["csrftoken"].value
    client.post(
        "/accounts/sign-in/",
        {"pseudonym": "Zubr", "passphrase": PASS, "csrfmiddlewaretoken": token},
    )
    token = client.cookies["csrftoken"].value
    forget = client.post(f"/sync/peers/{peer.id}/forget/", {"csrfmiddlewaretoken": token})
    assert forget.status_code == 403
    add = client.post("/sync/", {"url": peer.url, "csrfmiddlewaretoken": token})
    assert add.status_code == 403
    assert Peer.objects.get(id=peer.id).node_key == PINNED
    _untouched(peer)


def test_a_member_cannot_make_the_node_dial_an_address() -> None:
    _world()
    unpinned = Peer.objects.create(url=UNREACHABLE)
    client = _client("member")
    assert client.post("/sync/", {"url": "http://10.0.0.1:22/"}).status_code == 403
    assert client.post(f"/sync/peers/{unpinned.id}/sync/").status_code == 403
    unpinned.refresh_from_db()
    assert unpinned.last_sync is None and unpinned.status == Peer.Status.NEW
    assert not Peer.objects.filter(url="http://10.0.0.1:22/").exists()


# -- what members still see ----------------------------------------------------------------


def test_the_sync_link_leads_members_to_bundles_and_operators_to_peers() -> None:
    _, _peer = _world()
    member = _client("member")
    home = member.get("/").content.decode()
    assert 'href="/sync/bundles/"' in home and 'href="/sync/"' not in home
    bundles = member.get("/sync/bundles/")
    assert bundles.status_code == 200
    assert b"Kozlova strike committee" in bundles.content
    assert b'href="/sync/"' not in bundles.content
    operator = _client("operator")
    assert 'href="/sync/"' in operator.get("/").content.decode()
    assert b'href="/sync/"' in operator.get("/sync/bundles/").content


def test_bundles_stay_per_committee_for_members() -> None:
    world, _peer = _world()
    other = world.committee("Lis", name="Not Zubr's committee")
    member = _client("member")
    assert member.post("/sync/bundles/download/", {"space": other}).status_code == 400
    assert b"Not Zubr" not in member.get("/sync/bundles/").content


# -- peer addresses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("http://192.168.1.20:8000", "http://192.168.1.20:8000/"),
        ("10.0.0.2:8000", "http://10.0.0.2:8000/"),  # nodes on a LAN rarely have certificates
        ("https://hub.example.org/veche/", "https://hub.example.org/veche/"),
        ("HTTP://Node.LAN:8000/", "http://node.lan:8000/"),
        ("http://[::1]:8000", "http://[::1]:8000/"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/"),
    ],
)
def test_operators_add_http_addresses_including_lan_ones(given: str, stored: str) -> None:
    _world()
    assert _client("operator").post("/sync/", {"url": given}).status_code == 302
    assert Peer.objects.filter(url=stored).exists()


@pytest.mark.parametrize(
    "given",
    [
        "ftp://192.168.1.20/",
        "file:///etc/passwd",
        "gopher://192.168.1.20:70/",
        "http://admin:secret@192.168.1.1/",
        "http://admin@192.168.1.1/",
        "http://192.168.1.20:8000/?next=/admin",
        "http://192.168.1.20:8000/#x",
    ],
)
def test_other_addresses_are_refused(given: str) -> None:
    _world()
    response = _client("operator").post("/sync/", {"url": given})
    assert response.status_code == 200
    assert b'class="error" role="alert"' in response.content
    assert Peer.objects.count() == 1


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("http://user:pw@10.0.0.2/", "credentials"),
        ("https://user@10.0.0.2/", "credentials"),
        ("ftp://10.0.0.2/", "address"),
        ("javascript:alert(1)", "address"),
        ("http://10.0.0.2:notaport/", "address"),
        ("http://10.0.0.2/ x", "address"),
        ("http://10.0.0.2/\x00", "address"),
        ("http:///path", "address"),
    ],
)
def test_check_peer_url(given: str, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        check_peer_url(given)
    assert error.value.code == code


# -- the command line ------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_operator_commands(capsys: pytest.CaptureFixture[str]) -> None:
    world = World()
    create_account("Zubr", PASS, world.person("Zubr"))
    create_account("Sokol", PASS, world.person("Sokol"))
    code, out, _ = _run(capsys, "node", "operator", "list", "--json")
    assert code == 0 and json.loads(out) == {"operators": []}
    code, out, _ = _run(capsys, "node", "operator", "add", "Zubr", "--json")
    assert code == 0
    assert json.loads(out) == {
        "pseudonym": "Zubr",
        "key": world.person("Zubr").public,
        "operator": True,
        "changed": True,
    }
    assert Account.objects.get(pseudonym="Zubr").is_operator
    assert not Account.objects.get(pseudonym="Sokol").is_operator
    code, out, _ = _run(capsys, "node", "operator", "add", "Zubr")
    assert code == 0 and "unchanged" in out
    code, out, _ = _run(capsys, "node", "operator", "list")
    assert out.split() == ["Zubr", world.person("Zubr").public]
    # The new operator may manage peers at once; no restart.
    client = sign_in("Zubr")
    assert client.get("/sync/").status_code == 200
    code, out, _ = _run(capsys, "node", "operator", "remove", "Zubr", "--json")
    assert code == 0 and json.loads(out)["operator"] is False
    assert not Account.objects.filter(is_operator=True).exists()
    assert client.get("/sync/").status_code == 403
    code, _, err = _run(capsys, "node", "operator", "add", "Nobody")
    assert code == 2 and "no account 'Nobody'" in err


def test_veche_sync_refuses_an_address_that_is_not_http(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _run(capsys, "sync", "file:///etc/passwd")
    assert code == 2 and "http://" in err
    code, _, err = _run(capsys, "sync", "http://user:pw@10.0.0.2:8000/")
    assert code == 2 and "user name and password" in err
    assert not Peer.objects.exists()
