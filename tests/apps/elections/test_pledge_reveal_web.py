"""A crossed-only pledge (pledge-v1 §7) through the pages: the choice on the open form,
the trustee's page naming the CLI step and its exact command, trustees' round files
taken by the trustee events endpoint, the result page with no total, in be and ru."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from tests.factories import World, signed_in_client

from veche.apps.elections import pledge_actions
from veche.apps.elections.models import Pledge
from veche.apps.elections.pledges import state_of
from veche.apps.store.context import Context
from veche.crypto.ballot import encrypt_ballot
from veche.election import offline
from veche.election.offline import TrusteeKeys
from veche.pledge.offline import blind_events, reveal_decryption_events

pytestmark = pytest.mark.django_db

MEMBERS = ("Zubr", "Rusalka", "Busel")


def _upload(client, space, events):
    answer = client.post(
        reverse("elections:trustee-events", args=[space]),
        json.dumps({"lines": [e.raw.decode() for e in events]}),
        content_type="application/json",
    )
    assert answer.json()["ok"], answer.json()


def _record(space):
    return pledge_actions.export_record(space)[:-1].split(b"\n")


def test_a_crossed_only_pledge_through_the_pages(settings):
    world = World()
    committee = world.committee("Sokol", MEMBERS, name="Hrodna Azot strike committee")
    clients = {name: signed_in_client(world.person(name), name) for name in ("Sokol", *MEMBERS)}
    sokol = clients["Sokol"]
    trustees = {"Zubr": TrusteeKeys.generate(), "Rusalka": TrusteeKeys.generate()}
    for name, keys in trustees.items():
        line = f"{keys.identity.public}:{keys.box_public}"
        clients[name].post(reverse("elections:trustee-key"), {"key_box": line})
    form_url = reverse("elections:pledge-create", args=[committee])
    assert "Only whether the target was reached" in sokol.get(form_url).content.decode()
    deadline = datetime.now(UTC) + timedelta(hours=2)
    data = {
        "title": "Strike from 1 September if 2 of us do",
        "workplace": "Hrodna Azot",
        "strike_date": "2020-09-01",
        "deadline": deadline.astimezone().strftime("%Y-%m-%dT%H:%M"),
        "needed": "2",
        "trustee_members": [trustees["Zubr"].identity.public, trustees["Rusalka"].identity.public],
        "trustees": "",
        "threshold": "2",
        "reveal": "crossed",
    }
    too_many = sokol.post(form_url, {**data, "needed": "1001"})
    assert "at most 1000 workers needed" in too_many.content.decode()
    response = sokol.post(form_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    pledge = Pledge.objects.get()
    assert pledge.body["reveal"] == "crossed"
    space = pledge.space
    for name, keys in trustees.items():
        _upload(clients[name], space, [offline.dealing_event(_record(space), keys)])
    pledge_actions.open_pledge(world.person("Sokol"), space)
    for name in ("Zubr", "Busel"):
        state = state_of(Context(), space)
        ballot, _ = encrypt_ballot(state.crypto_election(), [[1]])
        pledge_actions.make_pledge(world.person(name), space, ballot.to_json())
    pledge_actions.close_pledge(world.person("Sokol"), space, at=deadline + timedelta(minutes=1))

    page = clients["Zubr"].get(reverse("elections:pledge", args=[space])).content.decode()
    assert f"veche pledge blind {space} --trustee-key TRUSTEE.key" in page
    assert 'data-step=""' in page and "trustee_page.js" not in page
    for name, keys in trustees.items():
        _upload(clients[name], space, blind_events(_record(space), keys))
    page = clients["Rusalka"].get(reverse("elections:pledge", args=[space])).content.decode()
    assert f"veche pledge decrypt {space} --trustee-key TRUSTEE.key" in page
    for name, keys in trustees.items():
        _upload(clients[name], space, reveal_decryption_events(_record(space), keys))
    assert sokol.post(reverse("elections:pledge-step", args=[space, "result"])).status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.total, pledge.crossed) == (None, True)
    page = clients["Busel"].get(reverse("elections:pledge", args=[space])).content.decode()
    assert "Target reached. The strike goes ahead." in page
    assert "pledges of the" not in page
    assert "The record verifies on this node" in page
    for language, words in (("be", "Мэта дасягнута"), ("ru", "Цель достигнута")):
        clients["Busel"].cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = clients["Busel"].get(reverse("elections:pledge", args=[space])).content.decode()
        assert words in page, language
