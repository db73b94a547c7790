"""Trustees without a terminal, on the node's side: a member registers a public trustee
key, the creator picks trustees by pseudonym (and constituencies) on the form, and a
trustee's browser posts its signed events back."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from tests.apps.elections.helpers import OPTIONS, call_election
from tests.factories import World, signed_in_client

from veche.apps.accounts.models import Account
from veche.apps.elections import actions
from veche.apps.elections.models import Election, TrusteeKey
from veche.election import offline
from veche.election.offline import TrusteeKeys
from veche.events.envelope import build_event

pytestmark = pytest.mark.django_db

MEMBERS = ("Zubr", "Rusalka", "Busel", "Lyn")


def _line(keys: TrusteeKeys) -> str:
    return f"{keys.identity.public}:{keys.box_public}"


def _register(client: Client, keys: TrusteeKeys) -> object:
    return client.post(reverse("elections:trustee-key"), {"key_box": _line(keys)})


def test_a_member_registers_and_replaces_a_trustee_key():
    world = World()
    zubr = signed_in_client(world.person("Zubr"), "Zubr")
    url = reverse("elections:trustee-key")
    assert Client().get(url).status_code == 302  # signed-in members only
    assert "Make my trustee key" in zubr.get(url).content.decode()
    first, second = TrusteeKeys.generate(), TrusteeKeys.generate()
    assert _register(zubr, first).status_code == 302
    page = zubr.get(url).content.decode()
    assert _line(first) in page
    assert _register(zubr, second).status_code == 302
    rows = TrusteeKey.objects.filter(account__pseudonym="Zubr")
    assert {(r.key, r.active) for r in rows} == {
        (first.identity.public, False),
        (second.identity.public, True),
    }
    # Another member cannot take Zubr's key, and nonsense is refused with the reason.
    lyn = signed_in_client(world.person("Lyn"), "Lyn")
    taken = _register(lyn, second)
    assert taken.status_code == 200
    assert "Another member registered this trustee key." in taken.content.decode()
    bad = lyn.post(url, {"key_box": "not-a-key"})
    assert "This is not a trustee key" in bad.content.decode()
    assert not TrusteeKey.objects.filter(account__pseudonym="Lyn").exists()


def test_the_key_page_is_translated():
    world = World()
    for language, word in (("be", "Ключ захавальніка"), ("ru", "Ключ хранителя")):
        client = signed_in_client(world.person(f"P{language}"), f"P{language}", language=language)
        page = client.get(reverse("elections:trustee-key")).content.decode()
        assert word in page, language


def test_next_goes_back_only_to_this_site():
    world = World()
    zubr = signed_in_client(world.person("Zubr"), "Zubr")
    url = reverse("elections:trustee-key")
    keys = TrusteeKeys.generate()
    back = zubr.post(url + "?next=/elections/committee/x/new/", {"key_box": _line(keys)})
    assert back["Location"] == "/elections/committee/x/new/"
    away = zubr.post(url + "?next=https://evil.example/", {"key_box": _line(keys)})
    assert away["Location"] == url


def _committee_with_keys(world: World) -> tuple[str, str, Client, dict[str, TrusteeKeys]]:
    committee = world.committee("Sokol", MEMBERS, name="MTZ strike committee")
    motion = call_election(world, committee, ("Sokol", *MEMBERS))
    sokol = signed_in_client(world.person("Sokol"), "Sokol")
    keys = {}
    for name in ("Zubr", "Rusalka", "Busel"):
        keys[name] = TrusteeKeys.generate()
        assert _register(signed_in_client(world.person(name), name), keys[name]).status_code == 302
    return committee, motion, sokol, keys


def _form(motion: str, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Strike council",
        "question": "Which list?",
        "options": "\n".join(OPTIONS),
        "method": "plurality",
        "seats": 1,
        "threshold": 2,
        "motion": motion,
        "trustees": "",
    }
    data.update(changes)
    return data


def test_the_creator_picks_trustees_by_pseudonym():
    world = World()
    committee, motion, sokol, keys = _committee_with_keys(world)
    url = reverse("elections:create", args=[committee])
    page = sokol.get(url).content.decode()
    for name in ("Zubr", "Rusalka", "Busel"):
        assert f'value="{keys[name].identity.public}"' in page and name in page
    # Only members with a trustee key are offered (labels, not the base64 keys, which
    # may contain any letters).
    choices = page.split('id="id_trustee_members"', 1)[1].split("<small", 1)[0]
    labels = {label.strip() for label in re.findall(r">([^<>]*)</label>", choices)}
    assert labels >= {"Zubr", "Rusalka", "Busel"} and "Lyn" not in labels
    picked = [keys["Zubr"].identity.public, keys["Busel"].identity.public]
    offline_trustee = TrusteeKeys.generate()
    response = sokol.post(
        url, _form(motion, trustee_members=picked, trustees=_line(offline_trustee))
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    election = Election.objects.get()
    assert [t["key"] for t in election.body["trustees"]] == [
        *picked,
        offline_trustee.identity.public,
    ]
    assert election.body["trustees"][0]["box"] == keys["Zubr"].box_public
    detail = sokol.get(reverse("elections:detail", args=[election.space])).content.decode()
    assert "(Zubr)" in detail and "(Busel)" in detail
    assert "Waiting for 3 trustees to deal" in detail


def test_the_form_says_what_is_wrong_with_the_trustees():
    world = World()
    committee, motion, sokol, keys = _committee_with_keys(world)
    url = reverse("elections:create", args=[committee])
    none = sokol.post(url, _form(motion)).content.decode()
    assert "Pick at least one trustee" in none
    one = sokol.post(
        url, _form(motion, trustee_members=[keys["Zubr"].identity.public], threshold=2)
    ).content.decode()
    assert "At most the 1 trustee you picked." in one
    stranger = sokol.post(
        url, _form(motion, trustee_members=[TrusteeKeys.generate().identity.public])
    ).content.decode()
    assert "is not one of the available choices" in stranger
    assert not Election.objects.exists()


def test_a_party_list_with_constituencies_from_the_form():
    world = World()
    committee, motion, sokol, keys = _committee_with_keys(world)
    url = reverse("elections:create", args=[committee])
    picked = [k.identity.public for k in keys.values()]
    data = _form(
        motion,
        method="party_list",
        options="List A\nList B\nList C",
        trustee_members=picked,
        divisor="sainte-lague",
        threshold_percent="5",
        constituencies="Minsk: 3: Sokol, Zubr, lyn\nHomiel: 2: Rusalka, Busel",
    )
    response = sokol.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    body = Election.objects.get().body
    assert body["constituencies"] == [{"name": "Minsk", "seats": 3}, {"name": "Homiel", "seats": 2}]
    assert body["seats"] == 5 and body["divisor"] == "sainte-lague"
    places = {}
    for voter in body["electorate"]:
        (key,) = voter["keys"]
        places[key] = voter["constituency"]
    assert places[world.person("Lyn").public] == "Minsk"
    assert places[world.person("Busel").public] == "Homiel"
    assert len(places) == 5


@pytest.mark.parametrize(
    ("constituencies", "error"),
    [
        ("Minsk: 3: Sokol, Zubr, Lyn, Nobody\nHomiel: 2: Rusalka, Busel", "Not members of"),
        ("Minsk: 3: Sokol, Zubr\nHomiel: 2: Rusalka, Busel", "In no constituency: Lyn."),
        ("Minsk: 3: Sokol, Zubr, Lyn\nHomiel: 2: Rusalka, Busel, Zubr", "In two constituencies"),
        ("Minsk: three: Sokol", "Line 1: write NAME: SEATS"),
        ("Minsk: 3: Sokol\nMinsk: 2: Zubr", "a name of its own"),
        ("Minsk: 0: Sokol", "1 to 1000 seats"),
    ],
)
def test_constituency_errors_show_on_the_form(constituencies: str, error: str):
    world = World()
    committee, motion, sokol, keys = _committee_with_keys(world)
    data = _form(
        motion,
        method="party_list",
        options="List A\nList B",
        trustee_members=[k.identity.public for k in keys.values()],
        constituencies=constituencies,
    )
    response = sokol.post(reverse("elections:create", args=[committee]), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Election.objects.exists()


def test_constituency_errors_in_russian():
    world = World()
    committee, motion, _sokol, keys = _committee_with_keys(world)
    sokol = Client()
    sokol.post("/accounts/sign-in/", {"pseudonym": "Sokol", "passphrase": "correct horse battery"})
    sokol.cookies["django_language"] = "ru"
    data = _form(
        motion,
        method="plurality",
        trustee_members=[k.identity.public for k in keys.values()],
        constituencies="Minsk: 3: Sokol",
    )
    page = sokol.post(reverse("elections:create", args=[committee]), data).content.decode()
    assert "Округа — только для выборов по партийным спискам." in page


def _browser_election(world: World) -> tuple[str, dict[str, TrusteeKeys]]:
    committee, motion, sokol, keys = _committee_with_keys(world)
    response = sokol.post(
        reverse("elections:create", args=[committee]),
        _form(motion, trustee_members=[k.identity.public for k in keys.values()]),
    )
    assert response.status_code == 302
    return Election.objects.get().space, keys


def _client_of(name: str) -> Client:
    client = Client()
    client.force_login(Account.objects.get(pseudonym=name))
    return client


def test_a_trustees_browser_posts_its_dealing():
    world = World()
    space, keys = _browser_election(world)
    zubr = _client_of("Zubr")
    detail = zubr.get(reverse("elections:detail", args=[space])).content.decode()
    assert 'data-step="deal"' in detail and "trustee.js" in detail
    lines = actions.export_record(space)[:-1].split(b"\n")
    dealing = offline.dealing_event(lines, keys["Zubr"])
    url = reverse("elections:trustee-events", args=[space])
    answer = zubr.post(url, json.dumps({"lines": [dealing.raw.decode()]}), "application/json")
    assert answer.json() == {"ok": True, "taken": 1}
    detail = zubr.get(reverse("elections:detail", args=[space])).content.decode()
    assert 'data-step="check"' in detail
    assert "Waiting for 2 trustees to deal" in detail


def test_the_events_endpoint_takes_only_the_trustees_own_events():
    world = World()
    space, keys = _browser_election(world)
    url = reverse("elections:trustee-events", args=[space])
    lines = actions.export_record(space)[:-1].split(b"\n")
    rusalkas = offline.dealing_event(lines, keys["Rusalka"]).raw.decode()
    zubr = _client_of("Zubr")
    other = zubr.post(url, json.dumps({"lines": [rusalkas]}), "application/json")
    assert other.status_code == 422 and "Only your own" in other.json()["error"]
    assert zubr.post(url, "nonsense", "application/json").status_code == 400
    assert zubr.post(url, json.dumps({"lines": []}), "application/json").status_code == 400
    # Not a trustee (Lyn), or nobody: 404 for the task and the events alike.
    lyn = signed_in_client(world.person("Lyn"), "Lyn")
    assert lyn.post(url, json.dumps({"lines": [rusalkas]}), "application/json").status_code == 404
    task = reverse("elections:trustee-task", args=[space])
    assert lyn.get(task).status_code == 404
    assert Client().get(task).status_code == 302
    # A tampered dealing is refused with the reason, and nothing changes.
    # Signed by Zubr's trustee key, but the proofs of its commitments are
    # someone else's: the rules refuse it.
    mine = offline.dealing_event(lines, keys["Zubr"])
    dealing = dict(mine.body["dealing"])
    dealing["proofs"] = json.loads(rusalkas)["body"]["dealing"]["proofs"]
    tampered = build_event(
        keys["Zubr"].identity,
        space=space,
        seq=mine.seq,
        prev=mine.prev,
        kind="trustee.deal",
        body={"dealing": dealing},
        deps=list(mine.deps),
    )
    answer = zubr.post(url, json.dumps({"lines": [tampered.raw.decode()]}), "application/json")
    assert answer.status_code == 422 and answer.json()["ok"] is False
    detail = zubr.get(reverse("elections:detail", args=[space])).content.decode()
    assert "Waiting for 3 trustees to deal" in detail


def test_the_task_for_a_trustee():
    pytest.importorskip("veche.election.trustee_task")
    world = World()
    space, keys = _browser_election(world)
    task = _client_of("Zubr").get(reverse("elections:trustee-task", args=[space]))
    assert task.status_code == 200
    data = task.json()
    assert data["threshold"] == 2
    assert [t["key"] for t in data["trustees"]] == [k.identity.public for k in keys.values()]
