"""Secret strike ballots (pledge-v1 §7): a committee's yes/no election whose verified yes
sets the workplace's strike status; a no, a missed quorum or a forged result change nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.apps.elections.helpers import call_election
from tests.factories import World

from veche.apps.elections import actions as elections
from veche.apps.elections.kinds import state_of
from veche.apps.store.context import Context
from veche.apps.store.log import rebuild, state_digest
from veche.apps.store.record import record
from veche.apps.strike import actions, ballots
from veche.apps.strike.models import StrikeBallot, Workplace
from veche.crypto.ballot import encrypt_ballot
from veche.election import offline
from veche.election.offline import TrusteeKeys
from veche.events import Identity, RuleViolation

pytestmark = pytest.mark.django_db

MEMBERS = ("Zubr", "Rusalka", "Busel")


@dataclass
class Ballot:
    world: World
    committee: str
    workplace: str
    other: str
    election: str
    binding: str
    trustees: list[TrusteeKeys]

    def lines(self) -> list[bytes]:
        return elections.export_record(self.election)[:-1].split(b"\n")

    def take(self, event: object) -> None:
        report = elections.ingest_file(self.election, event.raw + b"\n", source="test")  # type: ignore[attr-defined]
        assert all(o.status == "applied" for o in report.outcomes), report.outcomes

    def run(self, votes: dict[str, int], publisher: Identity | None = None) -> None:
        """Deal, open, cast (0 yes, 1 no), close, decrypt with two trustees, publish."""
        for keys in self.trustees:
            self.take(offline.dealing_event(self.lines(), keys))
        elections.open_election(self.world.person("Sokol"), self.election)
        for name, choice in votes.items():
            state = state_of(Context(), self.election)
            marks = [0, 0]
            marks[choice] = 1
            sealed, _ = encrypt_ballot(state.crypto_election(), [marks])
            elections.cast_ballot(self.world.person(name), self.election, sealed.to_json())
        elections.close_election(self.world.person("Sokol"), self.election)
        for keys in self.trustees[:2]:
            self.take(offline.partial_decryption_event(self.lines(), keys))
        elections.publish_result(publisher or self.world.person("Sokol"), self.election)

    def status(self) -> tuple[str, str]:
        place = Workplace.objects.get(workplace=self.workplace)
        return place.public_status, place.public_day


def _register(world: World, committee: str, name: str) -> str:
    return actions.register_workplace(
        world.person("Sokol"),
        committee,
        name=name,
        city="Minsk",
        region="minsk-city",
        sector="machinery",
        workforce=17000,
    ).id


def open_ballot(quorum: int = 0) -> Ballot:
    world = World()
    committee = world.committee("Sokol", MEMBERS, name="MTZ strike committee")
    mtz = _register(world, committee, "MTZ")
    other = _register(world, committee, "MAZ")
    motion = call_election(world, committee, ("Sokol", *MEMBERS))
    trustees = [TrusteeKeys.generate() for _ in range(2)]
    election, binding = ballots.open_ballot(
        world.person("Sokol"),
        committee,
        motion=motion,
        workplace=mtz,
        day="2020-08-17",
        title="Strike ballot: MTZ",
        question="Strike from 2020-08-17?",
        options=("Yes", "No"),
        trustees=[(t.identity.public, t.box_public) for t in trustees],
        threshold=2,
        quorum=quorum,
    )
    return Ballot(world, committee, mtz, other, election.id, binding.id, trustees)


def test_yes_sets_the_strike_status_from_the_day_and_survives_a_rebuild() -> None:
    ballot = open_ballot(quorum=3)
    assert ballot.status() == ("", "")
    ballot.run({"Sokol": 0, "Zubr": 0, "Rusalka": 0, "Busel": 1})
    assert ballot.status() == ("full_strike", "2020-08-17")
    row = StrikeBallot.objects.get(election=ballot.election)
    assert row.result_event
    before = state_digest()
    rebuild()
    assert state_digest() == before
    assert ballot.status() == ("full_strike", "2020-08-17")


def test_no_or_a_tie_changes_nothing_and_cannot_be_applied() -> None:
    ballot = open_ballot()
    ballot.run({"Sokol": 0, "Zubr": 1, "Rusalka": 1, "Busel": 0})  # 2 : 2 is no majority
    assert ballot.status() == ("", "")
    assert ballots.apply_ballot_result(ballot.world.person("Sokol"), ballot.election) is None
    assert not StrikeBallot.objects.get(election=ballot.election).result_event


def test_a_missed_quorum_changes_nothing() -> None:
    ballot = open_ballot(quorum=4)
    ballot.run({"Sokol": 0, "Zubr": 0, "Rusalka": 1})
    assert ballot.status() == ("", "")


def _forge(ballot: Ballot, **changes: object) -> None:
    from veche.apps.elections.models import Election

    result = Election.objects.get(space=ballot.election).result_event
    body = {
        "ballot": ballot.binding,
        "election": ballot.election,
        "result": result,
        "workplace": ballot.workplace,
        "day": "2020-08-17",
        "yes": 1,
        "no": 3,
        **changes,
    }
    record(
        ballot.world.person("Zubr"),
        space=ballot.committee,
        kind=ballots.RESULT_KIND,
        body=body,
        deps=[result],
    )


def refused(call: object, rule: str, words: str) -> None:
    before = state_digest()
    with pytest.raises(RuleViolation) as caught:
        call()  # type: ignore[operator]
    assert caught.value.rule == rule, caught.value
    assert words in str(caught.value)
    assert state_digest() == before


def test_a_forged_yes_is_refused_with_its_reason() -> None:
    ballot = open_ballot()
    ballot.run({"Sokol": 0, "Zubr": 1, "Rusalka": 1, "Busel": 1})
    refused(lambda: _forge(ballot, yes=3, no=1), "ballot-counts", "counts 1 yes and 3 no")
    refused(lambda: _forge(ballot), "ballot-no", "not a majority")
    assert ballot.status() == ("", "")


def test_a_result_for_another_workplace_or_day_is_refused() -> None:
    ballot = open_ballot()
    ballot.run({"Sokol": 0, "Zubr": 0, "Rusalka": 0, "Busel": 1})
    # The publisher is a member: the yes is applied with the result, once and not twice.
    assert ballot.status() == ("full_strike", "2020-08-17")
    refused(
        lambda: _forge(ballot, workplace=ballot.other, yes=3, no=1),
        "ballot-workplace",
        "another workplace",
    )
    refused(lambda: _forge(ballot, day="2020-08-10", yes=3, no=1), "ballot-day", "2020-08-17")
    refused(lambda: _forge(ballot, yes=3, no=1), "ballot-done", "applied already")
    assert Workplace.objects.get(workplace=ballot.other).public_status == ""


def test_a_non_member_cannot_open_one() -> None:
    world = World()
    committee = world.committee("Sokol", MEMBERS, name="MTZ strike committee")
    mtz = _register(world, committee, "MTZ")
    motion = call_election(world, committee, ("Sokol", *MEMBERS))
    outsider = world.person("Vozhyk")
    before = state_digest()
    with pytest.raises(RuleViolation) as caught:
        ballots.open_ballot(
            outsider,
            committee,
            motion=motion,
            workplace=mtz,
            day="2020-08-17",
            title="Strike ballot: MTZ",
            question="Strike from 2020-08-17?",
            options=("Yes", "No"),
            trustees=[(TrusteeKeys.generate().identity.public, TrusteeKeys.generate().box_public)],
            threshold=1,
        )
    assert caught.value.rule == "election-creator", caught.value
    assert state_digest() == before
    assert not StrikeBallot.objects.exists()


def test_a_ballot_through_the_pages_in_three_languages() -> None:
    from django.urls import reverse
    from tests.factories import signed_in_client

    from veche.apps.elections.models import Election

    world = World()
    committee = world.committee("Sokol", MEMBERS, name="MTZ strike committee")
    mtz = _register(world, committee, "MTZ")
    clients = {name: signed_in_client(world.person(name), name) for name in ("Sokol", "Zubr")}
    trustees = {name: TrusteeKeys.generate() for name in clients}
    for name, keys in trustees.items():
        line = f"{keys.identity.public}:{keys.box_public}"
        response = clients[name].post(reverse("elections:trustee-key"), {"key_box": line})
        assert response.status_code == 302
    sokol = clients["Sokol"]
    page = reverse("strike:workplace", args=[mtz])
    assert "Open a secret strike ballot" in sokol.get(page).content.decode()
    form_url = reverse("strike:ballot-open", args=[mtz])
    assert "You closed no such motion here yet." in sokol.get(form_url).content.decode()
    motion = call_election(world, committee, ("Sokol", *MEMBERS))
    data = {
        "day": "2020-08-17",
        "quorum": "3",
        "motion": motion,
        "trustee_members": [keys.identity.public for keys in trustees.values()],
        "threshold": "3",
    }
    assert sokol.post(form_url, data).status_code == 400  # more trustees needed than picked
    data["threshold"] = "2"
    response = sokol.post(form_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    election = Election.objects.get()
    assert response["Location"] == reverse("elections:detail", args=[election.space])
    assert election.body["questions"][0]["text"] == "Strike from Aug. 17, 2020?"  # no ISO date
    assert election.body["questions"][0]["options"] == ["Yes", "No"]
    ballot = StrikeBallot.objects.get()
    assert (ballot.workplace, ballot.day, ballot.quorum) == (mtz, "2020-08-17", 3)
    shown = sokol.get(page).content.decode()
    assert "Strike ballot: MTZ" in shown and "No verified result yet." in shown
    # Not the committee's member: no form, and no ballots on the workplace page.
    stranger = signed_in_client(world.person("Vorona"), "Vorona")
    assert stranger.get(form_url).status_code == 404
    for language, words in (("be", "Сакрэтнае галасаванне"), ("ru", "Тайное голосование")):
        sokol.cookies["django_language"] = language
        text = sokol.get(form_url).content.decode()
        assert words in text, language
    sokol.cookies["django_language"] = "en"


def test_the_command_line_opens_shows_and_applies_a_ballot(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    from tests.factories import PASS

    from veche.cli import main
    from veche.events.identity import save_identity

    world = World()
    committee = world.committee("Sokol", MEMBERS, name="MTZ strike committee")
    mtz = _register(world, committee, "MTZ")
    motion = call_election(world, committee, ("Sokol", *MEMBERS))
    keys = {}
    for name in ("Sokol", "Zubr"):
        keys[name] = str(tmp_path / f"{name}.key")
        save_identity(Path(keys[name]), world.person(name), PASS, profile="test")
    monkeypatch.setenv("VECHE_PASSPHRASE", PASS)
    trustees = [TrusteeKeys.generate() for _ in range(2)]
    argv = ["strike", "ballot", "open", "--key", keys["Sokol"], f"--motion={motion}"]
    argv += ["--day", "2020-08-17", "--threshold", "2", "--json"]
    for t in trustees:
        argv += [f"--trustee={t.identity.public}:{t.box_public}"]
    argv += ["--", mtz]  # an id may begin with "-"
    capsys.readouterr()
    assert main(argv) == 0
    opened = json.loads(capsys.readouterr().out)
    ballot = Ballot(world, committee, mtz, "", opened["election"], opened["ballot"], trustees)
    # A trustee publishes the result: not a member, so the yes waits for a member.
    ballot.run({"Sokol": 0, "Zubr": 0, "Rusalka": 1}, publisher=trustees[0].identity)
    assert ballot.status() == ("", "")
    assert main(["strike", "ballot", "show", "--json", "--", mtz]) == 0
    shown = json.loads(capsys.readouterr().out)["ballots"]
    assert [(b["yes"], b["no"], b["cast"], b["strike"], b["applied"]) for b in shown] == [
        (2, 1, 3, True, None)
    ]
    assert (
        main(["strike", "ballot", "result", "--key", keys["Zubr"], "--", opened["election"]]) == 0
    )
    assert "on strike from 2020-08-17" in capsys.readouterr().out
    assert ballot.status() == ("full_strike", "2020-08-17")
    assert (
        main(["strike", "ballot", "result", "--key", keys["Zubr"], "--", opened["election"]]) == 0
    )
    assert "applied already" in capsys.readouterr().out
