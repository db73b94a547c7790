"""Federation-wide pledges (pledge-v1 §8): a council's strike call that counts plants
passes when that many member committees' pledges have crossed their targets, by one
``pledge.general`` event whose rule recounts them. Every forged count is refused with its
reason, and the same events in any order give the same state."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from tests.factories import World, signed_in_client

from veche.apps.committees import actions as committees
from veche.apps.committees.models import Motion
from veche.apps.elections import actions, pledge_actions
from veche.apps.elections.models import Pledge
from veche.apps.elections.pledge_general import counted_plants
from veche.apps.elections.pledges import state_of
from veche.apps.store.context import Context
from veche.apps.store.log import ingest, rebuild, record, state_digest
from veche.apps.store.models import StoredEvent
from veche.crypto.ballot import encrypt_ballot
from veche.election import offline
from veche.election.offline import TrusteeKeys
from veche.events import Identity, RuleViolation, parse_event

pytestmark = pytest.mark.django_db


def _lines(space):
    return actions.export_record(space)[:-1].split(b"\n")


def _take(space, events):
    report = actions.ingest_file(space, b"".join(e.raw + b"\n" for e in events), source="test")
    assert all(o.status == "applied" for o in report.outcomes), report.outcomes


def _plant(w, council, founder, members, name, *, join=True):
    plant = w.committee(founder, members, name=name)
    if not join:
        return plant
    motion = committees.propose(
        w.person(founder),
        plant,
        kind="federation_join",
        title="Join",
        text="Link up.",
        target={"parent": council},
    ).id
    for person in (founder, *members):
        committees.vote(w.person(person), plant, motion, choice="yes")
    closed = committees.close(w.person(founder), plant, motion).id
    accept = committees.propose(
        w.person("Chair"),
        council,
        kind="federation_accept",
        title=f"Accept {name}",
        text="Welcome.",
        target={"child": plant, "join": closed},
    ).id
    committees.vote(w.person("Chair"), council, accept, choice="yes")
    committees.close(w.person("Chair"), council, accept)
    return plant


def _pledge(w, committee, creator, pledges, *, needed=1, electorate=None):
    """A decided pledge of ``committee`` (one trustee): ``pledges`` are (identity, 0/1)."""
    trustee = TrusteeKeys.generate()
    deadline = datetime.now(UTC) + timedelta(hours=1)
    call = committees.propose(creator, committee, kind="strike_call", title="Strike", text="Out.")
    extra = {"electorate": electorate} if electorate is not None else {}
    space = pledge_actions.create_pledge(
        creator,
        title="Strike if we do",
        workplace="Plant",
        strike_date="2020-09-14",
        deadline=deadline.strftime("%Y-%m-%dT%H:%M:%SZ"),
        trustees=[(trustee.identity.public, trustee.box_public)],
        threshold=1,
        needed=needed,
        committee=committee,
        strike_call=call.id,
        **extra,
    ).id
    _take(space, [offline.dealing_event(_lines(space), trustee)])
    pledge_actions.open_pledge(creator, space)
    election = state_of(Context(), space).crypto_election()
    for who, value in pledges:
        ballot, _ = encrypt_ballot(election, [[value]])
        pledge_actions.make_pledge(who, space, ballot.to_json())
    pledge_actions.close_pledge(creator, space, at=deadline)
    _take(space, [offline.partial_decryption_event(_lines(space), trustee)])
    pledge_actions.publish_pledge_result(creator, space)
    return Pledge.objects.get(space=space)


def _strike(pledge):
    """The plant's ``pledge.strike`` by which this pledge passed its committee's call (or,
    when there is none, the pledge's bare result, which counts nothing)."""
    for raw in StoredEvent.objects.filter(kind="pledge.strike").values_list("raw", flat=True):
        event = parse_event(bytes(raw), verify=False)
        if event.body["pledge"] == pledge.space:
            return event.id
    return pledge.result_event


def _general(w, council, motion, strikes, author="Chair"):
    return record(
        w.person(author),
        space=council,
        kind="pledge.general",
        body={"motion": motion, "strikes": strikes},
        deps=strikes,
    )


def _refused(rule, says, call, *args, **kwargs):
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    assert caught.value.rule.startswith(rule), caught.value
    assert says in str(caught.value), caught.value


def _setup(plants=2):
    w = World()
    council = w.committee("Chair", name="Salihorsk council", kind="council", level="city")
    mtz = _plant(w, council, "Sokol", ("Zubr",), "MTZ")
    kozlova = _plant(w, council, "Vasilek", ("Lyubava",), "Kozlova")
    call = committees.propose(
        w.person("Chair"),
        council,
        kind="strike_call",
        title="General strike",
        text="When two plants are ready.",
        target={"plants": plants},
    ).id
    return w, council, mtz, kozlova, call


def test_the_plants_target_is_voted_on_and_checked():
    w, council, mtz, _kozlova, _call = _setup()
    for bad in (0, 65, "3", True):
        _refused(
            "schema",
            "",
            committees.propose,
            w.person("Chair"),
            council,
            kind="strike_call",
            title="General strike",
            text="x",
            target={"plants": bad},
        )
    _refused(
        "plants",
        "only a council's strike call counts plants",
        committees.propose,
        w.person("Sokol"),
        mtz,
        kind="strike_call",
        title="Strike",
        text="x",
        target={"plants": 1},
    )


def test_enough_crossed_plants_pass_the_council_call_and_forgeries_are_refused():
    w, council, mtz, kozlova, call = _setup(plants=2)
    sokol, zubr = w.person("Sokol"), w.person("Zubr")
    first = _pledge(w, mtz, sokol, [(sokol, 1), (zubr, 0)])
    assert first.crossed
    assert [p.committee for p in counted_plants(council)] == [mtz]
    # Not crossed: a second MTZ pledge with a higher target.
    short = _pledge(w, mtz, sokol, [(sokol, 1), (zubr, 0)], needed=2)
    assert short.crossed is False
    again = _pledge(w, mtz, sokol, [(sokol, 1), (zubr, 1)])
    # An outsider plant (not a member committee) with a crossed pledge.
    outside = w.committee("Kot", ("Mysh",), name="Outsider")
    stranger = _pledge(w, outside, w.person("Kot"), [(w.person("Kot"), 1)])
    # A puppet pledge in Kozlova: keys that are not Kozlova's members.
    puppets = [Identity.generate() for _ in range(2)]
    puppet = _pledge(
        w,
        kozlova,
        w.person("Vasilek"),
        [(p, 1) for p in puppets],
        electorate=[{"keys": [p.public]} for p in puppets],
    )
    assert puppet.crossed
    before = StoredEvent.objects.filter(space=council).count()
    _refused(
        "plants",
        "1 plants have reached their targets, the call needs 2",
        _general,
        w,
        council,
        call,
        [_strike(first)],
    )
    _refused(
        "plant-twice",
        "two strike calls of one committee count as one plant",
        _general,
        w,
        council,
        call,
        [_strike(first), _strike(again)],
    )
    _refused("plant-twice", "one plant", _general, w, council, call, [_strike(first)] * 2)
    assert _strike(short) == short.result_event  # it passed nothing
    _refused(
        "pledge-strike",
        "not a strike call passed by a pledge's verified result",
        _general,
        w,
        council,
        call,
        [_strike(first), _strike(short)],
    )
    _refused(
        "pledge-committee",
        "not a member committee of this council",
        _general,
        w,
        council,
        call,
        [_strike(first), _strike(stranger)],
    )
    # Its committee's call refused it (the electorate is not the committee's members).
    assert _strike(puppet) == puppet.result_event
    _refused(
        "pledge-strike",
        "not a strike call passed",
        _general,
        w,
        council,
        call,
        [_strike(first), _strike(puppet)],
    )
    _refused(
        "member",
        "only members and seated delegates",
        _general,
        w,
        council,
        call,
        [_strike(first)],
        author="Sokol",
    )
    plain = committees.propose(
        w.person("Chair"), council, kind="strike_call", title="Strike", text="No count."
    ).id
    before += 1
    _refused(
        "general-call",
        "not a strike call with a number of plants",
        _general,
        w,
        council,
        plain,
        [_strike(first)],
    )
    # Plants not cited in deps.
    with pytest.raises(RuleViolation) as caught:
        record(
            w.person("Chair"),
            space=council,
            kind="pledge.general",
            body={"motion": call, "strikes": [_strike(first)]},
        )
    assert caught.value.rule == "pledge-strike" and caught.value.field == "deps"
    assert StoredEvent.objects.filter(space=council).count() == before
    assert Motion.objects.get(event=call).status == Motion.Status.OPEN

    # Kozlova's real pledge crosses, opened and published by the council's chair, now a
    # Kozlova member too:
    # the node signs pledge.general with the chair's key right after the result.
    code, _ = committees.invite(w.person("Vasilek"), kozlova)
    committees.join(w.person("Chair"), kozlova, code, "Chair")
    second = _pledge(
        w,
        kozlova,
        w.person("Chair"),
        [(w.person("Vasilek"), 1), (w.person("Lyubava"), 1)],
        needed=2,
    )
    assert second.crossed
    motion = Motion.objects.get(event=call)
    assert motion.status == Motion.Status.PASSED
    assert motion.result == {"passed": True, "kind": "pledge-general", "plants": 2, "needed": 2}
    general = StoredEvent.objects.get(space=council, kind="pledge.general")
    assert general.author == w.person("Chair").public
    # Passing a decided call again is refused.
    _refused(
        "motion",
        "not an open motion of this council",
        _general,
        w,
        council,
        call,
        [_strike(first), _strike(second)],
    )
    digest = state_digest()
    raws = [bytes(r) for r in StoredEvent.objects.order_by("id").values_list("raw", flat=True)]
    rebuild()
    assert state_digest() == digest
    # Convergence: the same events, shuffled, into an empty node.
    for seed in range(3):
        StoredEvent.objects.all().delete()
        rebuild()
        random.Random(seed).shuffle(raws)
        for start in range(0, len(raws), 9):
            ingest(raws[start : start + 9], source="shuffled")
        assert state_digest() == digest, seed
    assert Motion.objects.get(event=call).result["kind"] == "pledge-general"


def test_the_call_page_shows_progress_and_a_member_presses_the_button():
    w, council, mtz, kozlova, call = _setup(plants=2)
    chair = signed_in_client(w.person("Chair"), "Chair", language="en")
    page = f"/committees/{council}/motions/{call}/"
    assert "0 of 2 plants have reached their pledge targets" in chair.get(page).content.decode()
    _pledge(w, mtz, w.person("Sokol"), [(w.person("Sokol"), 1)])
    html = chair.get(page).content.decode()
    assert "1 of 2 plants have reached their pledge targets" in html and "<li>MTZ</li>" in html
    assert 'id="general-pass"' not in html
    _pledge(w, kozlova, w.person("Vasilek"), [(w.person("Vasilek"), 1)])
    # Neither publisher sits in the council: the call is still open, and K is met.
    assert Motion.objects.get(event=call).status == Motion.Status.OPEN
    assert len(counted_plants(council)) == 2
    html = chair.get(page).content.decode()
    assert "2 of 2 plants" in html and 'id="general-pass"' in html
    # A plant member who does not sit in the council cannot press it.
    sokol = signed_in_client(w.person("Sokol"), "Sokol", language="en")
    assert sokol.post(f"/elections/council/{council}/general/{call}/").status_code == 404
    response = chair.post(f"/elections/council/{council}/general/{call}/")
    assert response.status_code == 302
    assert Motion.objects.get(event=call).result["plants"] == 2
    assert "2 plants reached their pledge targets" in chair.get(page).content.decode()
    # The strike map: the public sees that it passed, the council's reader which council.
    public = Client().get("/strike/").content.decode()
    assert "General strike called" in public and "Salihorsk council" not in public
    assert "Salihorsk council" in chair.get("/strike/").content.decode()


def test_veche_pledge_general_on_the_command_line(tmp_path, capsys, monkeypatch):
    import json

    from tests.factories import PASS

    from veche.cli import main
    from veche.events.identity import save_identity

    monkeypatch.setenv("VECHE_PASSPHRASE", PASS)
    monkeypatch.setenv("VECHE_KDF_PROFILE", "test")
    w, council, mtz, kozlova, call = _setup(plants=2)
    key = tmp_path / "chair.key"
    save_identity(key, w.person("Chair"), PASS, "test")
    args = ["pledge", "general", "--council", council, "--motion", call, "--key", str(key)]
    _pledge(w, mtz, w.person("Sokol"), [(w.person("Sokol"), 1)])
    assert main([*args, "--dry-run", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["needed"], [p["committee"] for p in shown["plants"]]) == (2, [mtz])
    assert main(args) == 2
    assert "1 plants have reached their targets, the call needs 2" in capsys.readouterr().err
    _pledge(w, kozlova, w.person("Vasilek"), [(w.person("Vasilek"), 1)])
    assert main([*args, "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["status"] == "passed" and len(done["plants"]) == 2
    assert Motion.objects.get(event=call).result["kind"] == "pledge-general"
