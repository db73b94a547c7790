"""Every committee URL for a member, a non-member and an anonymous visitor; the pages' query
counts do not grow with the committee; forms refuse bad input with the rule's reason."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.factories import World, signed_in_client

from veche.apps.committees import actions
from veche.apps.committees.models import Member, Motion, Vote
from veche.apps.store.log import state_digest

pytestmark = pytest.mark.django_db


def _client(w: World, name: str) -> Client:
    return signed_in_client(w.person(name), name)


@pytest.fixture
def setup() -> dict[str, object]:
    w = World()
    space = w.committee("Sokol", ("Zubr",), name="MTZ")
    motion = actions.propose(w.person("Sokol"), space, kind="general", title="Tea", text="?").id
    return {
        "w": w,
        "space": space,
        "motion": motion,
        "member": _client(w, "Zubr"),
        "outsider": _client(w, "Outsider"),
        "anonymous": Client(),
    }


def _urls(space: str, motion: str, key: str) -> list[tuple[str, str]]:
    return [
        ("get", reverse("committees:detail", args=[space])),
        ("post", reverse("committees:post", args=[space])),
        ("post", reverse("committees:invite", args=[space])),
        ("post", reverse("committees:vouch", args=[space, key])),
        ("post", reverse("committees:leave", args=[space])),
        ("post", reverse("committees:seat", args=[space, motion])),
        ("get", reverse("committees:propose", args=[space])),
        ("get", reverse("committees:motion", args=[space, motion])),
        ("post", reverse("committees:vote", args=[space, motion])),
        ("post", reverse("committees:close", args=[space, motion])),
        ("post", reverse("committees:amend", args=[space, motion])),
    ]


def test_every_committee_url_by_role(setup: dict) -> None:  # type: ignore[type-arg]
    space, motion = setup["space"], setup["motion"]
    key = setup["w"].person("Zubr").public
    for method, url in _urls(space, motion, key):
        before = state_digest()
        outsider = getattr(setup["outsider"], method)(url)
        assert outsider.status_code == 404, (url, outsider.status_code)
        anonymous = getattr(setup["anonymous"], method)(url)
        assert anonymous.status_code == 302 and "/accounts/sign-in/" in anonymous["Location"], url
        assert state_digest() == before, url
        member = setup["member"].get(url) if method == "get" else None
        if member is not None:
            assert member.status_code == 200, url
    # The join page is public (it is how people arrive), the list and tree show only what you may see.
    assert setup["anonymous"].get(reverse("committees:join", args=[space])).status_code == 200
    # The committee's id (not its short name, which a random CSRF token may contain).
    assert space.encode() in setup["member"].get(reverse("committees:list")).content
    assert space.encode() not in setup["outsider"].get(reverse("committees:list")).content
    assert space.encode() not in setup["outsider"].get(reverse("committees:federation")).content


def test_vote_and_close_from_the_web(setup: dict) -> None:  # type: ignore[type-arg]
    w, space, motion = setup["w"], setup["space"], setup["motion"]
    member = setup["member"]
    url = reverse("committees:vote", args=[space, motion])
    assert member.post(url, {"choice": "yes"}).status_code == 302
    assert Vote.objects.get(motion=motion).choice == "yes"
    page = member.post(url, {"choice": "perhaps"}, follow=True).content.decode()
    assert "Refused" in page and "must be one of yes, no, abstain" in page
    close = member.post(reverse("committees:close", args=[space, motion]), follow=True)
    assert "only the proposer closes" in close.content.decode()
    sokol = _client(w, "Sokol")
    sokol.post(reverse("committees:vote", args=[space, motion]), {"choice": "yes"})
    sokol.post(reverse("committees:close", args=[space, motion]), {"confirm": "yes"})
    assert Motion.objects.get(event=motion).status == "passed"
    page = member.get(reverse("committees:motion", args=[space, motion])).content.decode()
    assert "Votes cast: 2 of 2 entitled; quorum 1." in page


def test_join_by_invitation_creates_an_account(setup: dict) -> None:  # type: ignore[type-arg]
    w, space = setup["w"], setup["space"]
    code, _ = actions.invite(w.person("Sokol"), space)
    newcomer = Client()
    url = reverse("committees:join", args=[space])
    bad = newcomer.post(
        url,
        {
            "code": "WRONG-CODE-12345",
            "pseudonym": "Lastauka",
            "passphrase": "long enough pass",
            "again": "long enough pass",
        },
    )
    assert "no such invitation" in bad.content.decode()
    ok = newcomer.post(
        url,
        {
            "code": code,
            "pseudonym": "Lastauka",
            "passphrase": "long enough pass",
            "again": "long enough pass",
        },
    )
    assert ok.status_code == 302
    assert Member.objects.filter(space=space, pseudonym="Lastauka", status="active").exists()
    assert newcomer.get(reverse("committees:detail", args=[space])).status_code == 200
    again = Client().post(
        url,
        {
            "code": code,
            "pseudonym": "Other",
            "passphrase": "long enough pass",
            "again": "long enough pass",
        },
    )
    assert "already used" in again.content.decode()


def test_invitation_page_shows_code_and_qr(setup: dict) -> None:  # type: ignore[type-arg]
    page = (
        setup["member"].post(reverse("committees:invite", args=[setup["space"]])).content.decode()
    )
    assert "<svg" in page and "/join/?code=" in page


def _big_committee(w: World, n: int) -> str:
    space = w.committee("Sokol", name="Big")
    from veche.apps.committees.models import Member as M

    # Projections of many members, written directly: this test is about page queries only.
    M.objects.bulk_create(
        [
            M(
                space=space,
                key=f"{i:043d}",
                person=f"{i:043d}",
                pseudonym=f"m{i}",
                status="active",
                joined_event="x",
            )
            for i in range(n)
        ]
    )
    return space


@pytest.mark.parametrize("size", [10, 2000])
def test_committee_and_motion_pages_use_a_constant_number_of_queries(size: int) -> None:
    w = World()
    space = _big_committee(w, size)
    motion = actions.propose(w.person("Sokol"), space, kind="general", title="Tea", text="?").id
    Vote.objects.bulk_create(
        [
            Vote(
                space=space,
                motion=motion,
                person=f"{i:043d}",
                key=f"{i:043d}",
                event="e",
                version=0,
                choice="yes",
                at="x",
            )
            for i in range(size)
        ]
    )
    client = _client(w, "Sokol")
    counts = []
    for url in (
        reverse("committees:detail", args=[space]),
        reverse("committees:motion", args=[space, motion]),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts == EXPECTED_QUERIES


# Pinned: a change here must be deliberate (committee: +1, the viewer's voted marks;
# motion: +2, its discussion).
EXPECTED_QUERIES = [16, 20]
