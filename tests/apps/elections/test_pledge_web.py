"""Strike pledge pages with the test client: open through the form, trustees picked by
pseudonym, the trustee task and events endpoints serving a pledge, pledges posted
sealed (as the phone's page posts them), the result page, and the pages in be/ru."""

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

pytestmark = pytest.mark.django_db

MEMBERS = ("Zubr", "Rusalka", "Busel")


def _sealed(space: str, value: int) -> dict:
    ballot, _ = encrypt_ballot(state_of(Context(), space).crypto_election(), [[value]])
    return ballot.to_json()


def test_a_pledge_through_the_pages(settings):
    world = World()
    committee = world.committee("Sokol", MEMBERS, name="Hrodna Azot strike committee")
    clients = {name: signed_in_client(world.person(name), name) for name in ("Sokol", *MEMBERS)}
    sokol = clients["Sokol"]
    trustees = {"Zubr": TrusteeKeys.generate(), "Rusalka": TrusteeKeys.generate()}
    for name, keys in trustees.items():
        line = f"{keys.identity.public}:{keys.box_public}"
        assert (
            clients[name].post(reverse("elections:trustee-key"), {"key_box": line}).status_code
            == 302
        )

    listing = sokol.get(reverse("elections:pledges", args=[committee]))
    assert listing.status_code == 200 and "No pledge yet." in listing.content.decode()
    form_url = reverse("elections:pledge-create", args=[committee])
    assert "Zubr" in sokol.get(form_url).content.decode()
    deadline = datetime.now(UTC) + timedelta(hours=2)
    data = {
        "title": "Strike from 1 September if 3 of us do",
        "workplace": "Hrodna Azot",
        "shop": "Ammonia shop",
        "strike_date": "2020-09-01",
        "deadline": deadline.astimezone().strftime("%Y-%m-%dT%H:%M"),
        "needed": "",
        "percent": "50",
        "workforce": "6",
        "trustee_members": [trustees["Zubr"].identity.public, trustees["Rusalka"].identity.public],
        "trustees": "",
        "threshold": "2",
        "strike_call": "",
    }
    both = sokol.post(form_url, {**data, "needed": "3"})
    assert "not both" in both.content.decode()
    response = sokol.post(form_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    pledge = Pledge.objects.get()
    assert (pledge.needed, pledge.workplace, pledge.shop) == (3, "Hrodna Azot", "Ammonia shop")
    assert pledge.deadline[:16] == deadline.strftime("%Y-%m-%dT%H:%M")

    space = pledge.space
    page = clients["Zubr"].get(reverse("elections:pledge", args=[space])).content.decode()
    assert 'id="trustee-step" data-step="deal"' in page
    task = clients["Zubr"].get(reverse("elections:trustee-task", args=[space])).json()
    assert (task["stage"], task["index"]) == ("created", 1)
    assert clients["Busel"].get(reverse("elections:trustee-task", args=[space])).status_code == 404
    for name, keys in trustees.items():
        data_ = pledge_actions.export_record(space)
        event = offline.dealing_event(data_[:-1].split(b"\n"), keys)
        answer = clients[name].post(
            reverse("elections:trustee-events", args=[space]),
            json.dumps({"lines": [event.raw.decode()]}),
            content_type="application/json",
        )
        assert answer.json()["ok"], answer.json()
    assert sokol.post(reverse("elections:pledge-step", args=[space, "start"])).status_code == 302
    assert Pledge.objects.get().stage == "open"

    make = clients["Busel"].get(reverse("elections:pledge-make", args=[space]))
    assert (
        make.status_code == 200
        and "I will strike if the target is reached" in make.content.decode()
    )
    cast_url = reverse("elections:pledge-cast", args=[space])
    for name, value in (("Sokol", 1), ("Zubr", 1), ("Rusalka", 1), ("Busel", 1), ("Busel", 0)):
        answer = clients[name].post(
            cast_url, json.dumps({"ballot": _sealed(space, value)}), content_type="application/json"
        )
        assert answer.json()["ok"], answer.json()
    bad = _sealed(space, 1)
    bad["answers"][0]["choices"][0]["beta"] = _sealed(space, 1)["answers"][0]["choices"][0]["beta"]
    answer = clients["Zubr"].post(
        cast_url, json.dumps({"ballot": bad}), content_type="application/json"
    )
    assert answer.status_code == 422
    page = clients["Busel"].get(reverse("elections:pledge", args=[space])).content.decode()
    assert "Your answer is sealed" in page and "Change or withdraw my pledge" in page

    # Closing needs the deadline: refused now, with the reason.
    closed = sokol.post(reverse("elections:pledge-step", args=[space, "close"]), follow=True)
    assert "deadline" in closed.content.decode()
    pledge_actions.close_pledge(world.person("Sokol"), space, at=deadline + timedelta(minutes=1))
    for name, keys in trustees.items():
        data_ = pledge_actions.export_record(space)
        event = offline.partial_decryption_event(data_[:-1].split(b"\n"), keys)
        answer = clients[name].post(
            reverse("elections:trustee-events", args=[space]),
            json.dumps({"lines": [event.raw.decode()]}),
            content_type="application/json",
        )
        assert answer.json()["ok"], answer.json()
    assert sokol.post(reverse("elections:pledge-step", args=[space, "result"])).status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.total, pledge.crossed) == (3, True)
    page = clients["Busel"].get(reverse("elections:pledge", args=[space])).content.decode()
    assert "Target reached: 3 pledges of the 3 needed." in page
    assert "The record verifies on this node" in page
    record = clients["Busel"].get(reverse("elections:pledge-record", args=[space]))
    assert record.status_code == 200 and record.content.count(b"\n") >= 10
    # A stranger sees nothing of it.
    stranger = signed_in_client(world.person("Vorona"), "Vorona")
    assert stranger.get(reverse("elections:pledge", args=[space])).status_code == 404
    for language, words in (("be", "Мэта дасягнута"), ("ru", "Цель достигнута")):
        clients["Busel"].cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = clients["Busel"].get(reverse("elections:pledge", args=[space])).content.decode()
        assert words in page, language
