"""The QR receiving page's endpoint: frames (as the page's script sends them, base64)
or photos of codes go in, the progress comes back, and the bundle is imported once
it is whole; bad codes are reported in words and lose nothing already received."""

from __future__ import annotations

import base64
import random
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.factories import World, sign_in, signed_in_client

from veche.apps.accounts.actions import create_account
from veche.apps.committees import actions
from veche.apps.store.log import rebuild, state_digest
from veche.apps.store.models import StoredEvent
from veche.apps.sync.bundles import export_bundle
from veche.sync import fountain
from veche.sync.qr import split, write_codes

pytestmark = [pytest.mark.django_db]

FRAMES = "/sync/bundles/receive/frames/"
RESET = "/sync/bundles/receive/reset/"
JSON = {"HTTP_ACCEPT": "application/json"}


def _committee_bundle() -> tuple[World, str, bytes, str]:
    """A committee with posts, its bundle, its digest; then the posts are gone here, as
    on a node that never had them."""
    world = World()
    space = world.committee("Sokol", ("Zubr",), name="Grodno Azot")
    for n in range(12):
        actions.post(world.person("Sokol"), space, f"Shift {n}: the night shift stops at 22:00")
    data, _ = export_bundle(spaces=[space], compression="lzma")
    digest = state_digest(space)
    StoredEvent.objects.filter(kind="space.post").delete()
    rebuild()
    assert state_digest(space) != digest
    return world, space, data, digest


def _send(client: Client, *frames: bytes) -> Any:
    response = client.post(
        FRAMES, {"frame": [base64.b64encode(f).decode() for f in frames]}, **JSON
    )
    assert response.status_code == 200, response.status_code
    return response.json()


def test_frames_in_any_order_with_some_missed_import_the_bundle() -> None:
    world, space, data, digest = _committee_bundle()
    client = signed_in_client(world.person("Zubr"), "Zubr")
    frames = fountain.encode(data, frame_bytes=300)
    count = frames[0].count
    assert count >= 5
    # Two plain fragments first (so the progress is known: 2 solved), then the rest in
    # a shuffled order, fragment 2 never seen: a mix stands in for it.
    plain = [f for f in frames if f.seq <= count and f.seq != 2]
    rest = [f for f in frames if f.seq != 2 and f not in plain[:2]]
    random.Random(7).shuffle(rest)
    kept = plain[:2] + rest

    first = _send(client, kept[0].encode(), kept[1].encode())
    assert first["solved"] == 2 and first["needed"] == count and first["received"] == 2
    assert not first["done"] and first["problems"] == []
    page = client.get("/sync/bundles/receive/")
    assert page.status_code == 200
    assert b'<progress id="qr-progress" max="%d" value="2">' % count in page.content

    # The same frame again teaches nothing and counts once.
    again = _send(client, kept[0].encode())
    assert again["solved"] == 2 and again["received"] == 2

    # Not a Veche code, a damaged one, one of another bundle: each said, nothing lost.
    damaged = bytearray(kept[2].encode())
    damaged[30] ^= 0xFF
    other = fountain.encode(b"another bundle entirely" * 40, frame_bytes=300)[0].encode()
    bad = _send(client, b"https://example.org/", bytes(damaged), other)
    assert bad["solved"] == 2 and bad["received"] == 2
    assert bad["problems"] == [
        "this QR code is not part of a Veche bundle",
        "this code was misread (its checksum fails): show it again",
        "this code belongs to another bundle than the one being received: "
        "finish that one, or start over",
    ]
    not_base64 = client.post(FRAMES, {"frame": "%%%"}, **JSON).json()
    assert not_base64["problems"] == ["this QR code is not part of a Veche bundle"]
    older = _send(client, split(data)[0].encode())
    assert older["problems"][0].startswith("this code is of the older, numbered kind")

    answer: dict[str, Any] = {}
    for frame in kept[2:]:
        answer = _send(client, frame.encode())
        if answer["done"]:
            break
    assert answer["done"]
    assert [m["level"] for m in answer["messages"]] == ["success"]
    assert answer["messages"][0]["text"].startswith("Bundle imported: ")
    assert state_digest(space) == digest
    # The state is cleared: the next code starts a new bundle.
    assert client.get("/sync/bundles/receive/").content.count(b'value="0"') == 1


def test_photos_without_the_script_and_start_over(tmp_path: Path) -> None:
    world, space, data, digest = _committee_bundle()
    client = signed_in_client(world.person("Zubr"), "Zubr")
    paths = write_codes(data, tmp_path, framing=2, frame_bytes=300)
    count = fountain.encode(data, 1, frame_bytes=300)[0].count

    with paths[0].open("rb") as one, (tmp_path / "index.html").open("rb") as junk:
        page = client.post(FRAMES, {"images": [one, junk]}, follow=True)
    assert page.redirect_chain == [("/sync/bundles/receive/", 302)]
    assert b"Image 2: not a readable image" in page.content
    assert f"1 of {count} parts received: show more codes.".encode() in page.content
    assert b'value="1"' in page.content

    started = client.post(RESET, follow=True)
    assert b"Started over" in started.content
    assert b"No codes received yet." in started.content
    assert _send(client)["solved"] == 0

    handles = [p.open("rb") for p in paths[1:]]  # the first one never comes back
    try:
        page = client.post(FRAMES, {"images": handles}, follow=True)
    finally:
        for handle in handles:
            handle.close()
    assert b"Bundle imported" in page.content
    assert state_digest(space) == digest


def test_reasons_are_in_the_readers_language() -> None:
    world, _, data, _ = _committee_bundle()
    create = signed_in_client(world.person("Zubr"), "Zubr")
    assert create.get("/sync/bundles/receive/").status_code == 200
    client = sign_in("Zubr", language="ru")
    frame = fountain.encode(data, frame_bytes=300)[0].encode()
    answer = _send(client, frame, b"hello")
    assert answer["problems"] == ["этот QR-код не из пакета Вече"]
    assert "Получение по QR-кодам".encode() in client.get("/sync/bundles/receive/").content


def test_signed_in_members_only_and_csrf_holds() -> None:
    world, _, data, _ = _committee_bundle()
    frame = base64.b64encode(fountain.encode(data, frame_bytes=300)[0].encode()).decode()
    visitor = Client()
    for response in (
        visitor.get("/sync/bundles/receive/"),
        visitor.post(FRAMES, {"frame": frame}, **JSON),
        visitor.post(RESET, **JSON),
    ):
        assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]

    account, _ = create_account("Zubr", "correct horse battery", world.person("Zubr"))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(account)
    assert strict.post(FRAMES, {"frame": frame}, **JSON).status_code == 403
    assert strict.post(RESET, **JSON).status_code == 403
    page = strict.get("/sync/bundles/receive/")
    token = str(page.context["csrf_token"])
    answer = strict.post(FRAMES, {"frame": frame}, HTTP_X_CSRFTOKEN=token, **JSON)
    assert answer.status_code == 200 and answer.json()["solved"] == 1
    assert strict.get(FRAMES).status_code == 405
