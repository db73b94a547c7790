"""Appeal pages and the node's Atom feeds: an appeal proposed from the form, its
leaflets and QR codes for the committee's readers, the public page of a passed appeal
for anyone, and feeds that carry only what is public."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories import World, signed_in_client

from veche.apps.committees import actions
from veche.apps.committees.models import Motion

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
TEXT = "Не страляйце ў сваіх."


@pytest.fixture
def mtz() -> tuple[World, str, Client]:
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka"), name="MTZ")
    return w, space, signed_in_client(w.person("Sokol"), "Sokol", language="be")


def _passed(w: World, space: str, kind: str, title: str, **target: str) -> str:
    motion = actions.propose(
        w.person("Sokol"), space, kind=kind, title=title, text=TEXT, target=target or None
    ).id
    for name in ("Sokol", "Zubr", "Rusalka"):
        actions.vote(w.person(name), space, motion, choice="yes")
    actions.close(w.person("Sokol"), space, motion)
    return motion


def _propose(client: Client, space: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    url = reverse("committees:propose", args=[space]) + "?kind=appeal"
    return client.post(url, {"kind": "appeal", "title": "Да міліцыі", "text": TEXT, **data})


def test_an_appeal_is_proposed_from_the_form_and_its_page_offers_the_leaflets(
    mtz: tuple[World, str, Client],
) -> None:
    _w, space, sokol = mtz
    response = _propose(sokol, space, {"audience": "police_army", "mirror": "mirror.example.org"})
    assert response.status_code == 302
    motion = Motion.objects.get(kind="appeal")
    assert motion.target == {"audience": "police_army", "mirror": "https://mirror.example.org"}
    page = sokol.get(response["Location"]).content.decode()
    assert "Супрацоўнікам міліцыі і вайскоўцам тэрміновай службы" in page
    for name in ("leaflet-a4.pdf", "leaflet-a5.pdf", "qr.png", "qr.svg"):
        url = reverse("committees:appeal-file", args=[space, motion.event, name])
        assert url in page
        got = sokol.get(url)
        assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment")
    assert (
        sokol.get(
            reverse("committees:appeal-file", args=[space, motion.event, "x.exe"])
        ).status_code
        == 404
    )
    # Not public before it passes, and nobody outside reads the committee's files.
    assert Client().get(reverse("appeals:page", args=[motion.event])).status_code == 404
    w2 = World()
    stranger = signed_in_client(w2.person("Stranger"), "Stranger")
    file_url = reverse("committees:appeal-file", args=[space, motion.event, "qr.png"])
    assert stranger.get(file_url).status_code == 404


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"audience": "ministers"}, "audience"),
        ({"audience": "public", "text": "Ж" * 1300}, "text"),
    ],
)
def test_a_bad_appeal_stays_on_the_form_with_the_reason(
    mtz: tuple[World, str, Client], data: dict[str, str], error: str
) -> None:
    _w, space, sokol = mtz
    response = _propose(sokol, space, data)
    assert response.status_code == 200
    assert error in response.context["form"].errors
    assert not Motion.objects.filter(kind="appeal").exists()


def test_a_passed_appeal_is_public_and_nothing_else_is(mtz: tuple[World, str, Client]) -> None:
    w, space, _sokol = mtz
    appeal = _passed(w, space, "appeal", "Да рабочых", audience="workers")
    general = _passed(w, space, "general", "Tea for the meeting")
    anyone = Client()
    page = anyone.get(reverse("appeals:page", args=[appeal]))
    assert page.status_code == 200
    text = page.content.decode()
    assert TEXT in text and "MTZ" in text and "Sokol" not in text and "Zubr" not in text
    assert 'rel="alternate" type="application/atom+xml"' in text
    assert anyone.get(reverse("appeals:page", args=[general])).status_code == 404
    assert anyone.get(reverse("appeals:file", args=[general, "qr.png"])).status_code == 404
    pdf = anyone.get(reverse("appeals:file", args=[appeal, "leaflet-a5.pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    listing = anyone.get(reverse("appeals:list")).content.decode()
    assert "Да рабочых" in listing and "Tea for the meeting" not in listing


def _entries(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [e.findtext(f"{ATOM}title") or "" for e in root.iter(f"{ATOM}entry")]


def test_the_feeds_carry_only_what_is_public(mtz: tuple[World, str, Client]) -> None:
    w, space, _sokol = mtz
    _passed(w, space, "appeal", "Да рабочых", audience="workers")
    _passed(w, space, "demands", "Our demands")
    _passed(w, space, "general", "A private decision")
    actions.propose(
        w.person("Sokol"),
        space,
        kind="appeal",
        title="Draft appeal",
        text=TEXT,
        target={"audience": "public"},
    )
    actions.post(w.person("Sokol"), space, "A private post")
    other = w.committee("Zubr", (), name="Other")
    _passed_alone = actions.propose(
        w.person("Zubr"),
        other,
        kind="appeal",
        title="Other's appeal",
        text=TEXT,
        target={"audience": "public"},
    ).id
    actions.vote(w.person("Zubr"), other, _passed_alone, choice="yes")
    actions.close(w.person("Zubr"), other, _passed_alone)
    anyone = Client()
    node = _entries(anyone, reverse("appeals:feed"))
    committee = _entries(anyone, reverse("appeals:committee-feed", args=[space]))
    assert len(node) == 3 and len(committee) == 2
    assert any("Да рабочых" in t for t in committee)
    assert any("Our demands" in t for t in committee)
    assert any("Other's appeal" in t for t in node)
    for text in ("A private decision", "Draft appeal", "A private post"):
        assert not any(text in t for t in node + committee)
    assert anyone.get(reverse("appeals:committee-feed", args=["nope"])).status_code == 404
