"""Needs surveys: a committee's members answer privately (the survey is an election:
ballots encrypted, summed homomorphically, only totals decrypted); the committee
publishes the totals to its council by ``survey.summary``, which every node recomputes
from the survey's verified result. Forgeries are refused with their reasons."""

from __future__ import annotations

import pytest
from tests.apps.elections.helpers import call_election
from tests.apps.elections.test_pledge_general import _plant
from tests.factories import World

from veche.apps.elections import actions as elections
from veche.apps.elections.kinds import state_of
from veche.apps.planning import actions
from veche.apps.planning.models import SurveySummary
from veche.apps.store.context import Context
from veche.apps.store.log import record, state_digest
from veche.apps.store.reasons import FIXED_MESSAGES
from veche.crypto.ballot import encrypt_ballot
from veche.election import offline
from veche.election.offline import TrusteeKeys
from veche.events import RuleViolation

pytestmark = pytest.mark.django_db

ITEMS = [("Food parcels per week", 3), ("Legal consultations", 2)]


def _take(space, events):
    report = elections.ingest_file(space, b"".join(e.raw + b"\n" for e in events), source="t")
    assert all(o.status == "applied" for o in report.outcomes), report.outcomes


def _lines(space):
    return elections.export_record(space)[:-1].split(b"\n")


def _survey(w, committee, answers, trustee=None, decrypt=True):
    """A decided needs survey of ``committee``: ``answers`` are (name, [quantity per item])."""
    trustee = trustee or TrusteeKeys.generate()
    names = [n for n, _ in answers]
    motion = call_election(w, committee, names, closer=names[0])
    space = actions.open_survey(
        w.person(names[0]),
        committee,
        motion=motion,
        title="Needs of September",
        items=ITEMS,
        trustees=[(trustee.identity.public, trustee.box_public)],
        threshold=1,
    ).id
    _take(space, [offline.dealing_event(_lines(space), trustee)])
    elections.open_election(w.person(names[0]), space)
    crypto = state_of(Context(), space).crypto_election()
    for name, quantities in answers:
        marks = []
        for (_text, most), quantity in zip(ITEMS, quantities, strict=True):
            row = [0] * most
            if quantity:
                row[quantity - 1] = 1
            marks.append(row)
        ballot, _ = encrypt_ballot(crypto, marks)
        elections.cast_ballot(w.person(name), space, ballot.to_json())
    elections.close_election(w.person(names[0]), space)
    if not decrypt:
        return space
    _take(space, [offline.partial_decryption_event(_lines(space), trustee)])
    elections.publish_result(w.person(names[0]), space)
    return space


def test_the_council_sees_only_its_committees_totals() -> None:
    w = World()
    council = w.committee("Chair", name="Minsk city council", kind="council", level="city")
    mtz = _plant(w, council, "Sokol", ("Zubr",), "MTZ")
    outsider = w.committee("Kot", ("Mysh",), name="Outsider")
    survey = _survey(w, mtz, [("Sokol", [2, 0]), ("Zubr", [3, 1])])
    stranger = _survey(w, outsider, [("Kot", [1, 1]), ("Mysh", [0, 2])])

    def refused(call, rule):
        before = state_digest()
        with pytest.raises(RuleViolation) as caught:
            call()
        assert caught.value.rule == rule, caught.value
        assert caught.value.message in FIXED_MESSAGES
        assert state_digest() == before

    # not a member committee of the council
    refused(
        lambda: actions.publish_survey(w.person("Chair"), council, stranger), "survey-committee"
    )
    # forged totals
    from veche.apps.elections.models import Election

    result = Election.objects.get(space=survey).result_event
    forged = {
        "election": survey,
        "result": result,
        "title": "Needs of September",
        "items": [
            {"text": "Food parcels per week", "total": 50},
            {"text": "Legal consultations", "total": 1},
        ],
    }
    refused(
        lambda: record(
            w.person("Chair"), space=council, kind="survey.summary", body=forged, deps=[result]
        ),
        "survey-totals",
    )
    # a non-member of the council
    refused(lambda: actions.publish_survey(w.person("Kot"), council, survey), "member")
    actions.publish_survey(w.person("Chair"), council, survey)
    summary = SurveySummary.objects.get(space=council)
    assert summary.items == [
        {"text": "Food parcels per week", "total": 5},
        {"text": "Legal consultations", "total": 1},
    ]
    refused(lambda: actions.publish_survey(w.person("Chair"), council, survey), "survey-once")
    # the council's page shows the summed totals; the committee's page its own survey
    from tests.factories import signed_in_client

    page = signed_in_client(w.person("Chair"), "Chair").get(f"/planning/{council}/needs/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-item="Food parcels per week"' in text and ">5<" in text
    own = signed_in_client(w.person("Zubr"), "Zubr", language="be").get(f"/planning/{mtz}/needs/")
    assert own.status_code == 200 and f'data-survey="{survey}"' in own.content.decode()
    outsider = signed_in_client(w.person("Kot"), "Kot").get(f"/planning/{council}/needs/")
    assert outsider.status_code == 404


def test_a_survey_decrypts_each_items_total_and_no_count_per_option() -> None:
    """election-v1 ``totals``: the close's tally is one ciphertext per item (quantity x each
    option's sum); the trustees decrypt those and nothing else, so no histogram exists."""
    import dataclasses

    from veche.apps.elections.models import Election
    from veche.crypto.threshold import partial_decrypt, trustee_secret
    from veche.election.offline import _shares, _trustee_index, load_record_state, next_event
    from veche.election.rules import compute_tally

    w = World()
    mtz = w.committee("Sokol", ("Zubr", "Bobr"), name="MTZ")
    trustee = TrusteeKeys.generate()
    space = _survey(
        w, mtz, [("Sokol", [2, 0]), ("Zubr", [3, 1]), ("Bobr", [3, 0])], trustee, decrypt=False
    )
    row = Election.objects.get(space=space)
    assert row.body["totals"] is True and len(row.tally) == len(ITEMS)
    # A trustee asked to decrypt the per-option tally (a histogram: how many need 3) is
    # refused: the partial does not match the election's tally, and nothing is stored.
    events, state = load_record_state(_lines(space))
    per_option = dataclasses.replace(state.require_spec(), totals=False)
    state.spec = per_option
    histogram, _ = compute_tally(state)
    assert len(histogram) == 5
    index = _trustee_index(state, trustee)
    good, _bad = _shares(state, trustee, index)
    assert state.key is not None
    partial = partial_decrypt(state.key, index, trustee_secret(good), list(histogram))
    forged = next_event(
        events, trustee.identity, "trustee.decrypt", {"partial": partial.to_json()}, state
    )
    report = elections.ingest_file(space, forged.raw + b"\n", source="t")
    outcome = report.outcomes[0]
    assert outcome.status == "rejected", outcome
    assert "partial-decryption" in outcome.reason, outcome
    assert state_of(Context(), space).partials == {}
    # The honest decryption gives each item's total, and the result is only those.
    _take(space, [offline.partial_decryption_event(_lines(space), trustee)])
    elections.publish_result(w.person("Sokol"), space)
    row.refresh_from_db()
    assert list(row.counts) == [8, 1]
    # A result claiming per-option counts (a histogram) is refused whoever signs it.
    assert state_of(Context(), space).stage == "decided"


def test_a_survey_opened_from_the_web_form() -> None:
    """Committee page → Needs → Open a survey: title, call, trustees and item rows (empty
    rows ignored); the election made is a totals-only survey."""
    from tests.apps.elections.helpers import call_election
    from tests.factories import signed_in_client

    from veche.apps.elections import actions as election_actions
    from veche.apps.elections.models import Election

    w = World()
    mtz = w.committee("Sokol", ("Zubr",), name="MTZ")
    motion = call_election(w, mtz, ["Sokol", "Zubr"], closer="Sokol")
    trustee = TrusteeKeys.generate()
    from tests.factories import PASS, create_account

    from veche.apps.accounts.models import Account

    client = signed_in_client(w.person("Sokol"), "Sokol", language="be")
    create_account("Zubr", PASS, w.person("Zubr"))
    election_actions.register_trustee_key(
        Account.objects.get(pseudonym="Zubr"), trustee.identity.public, trustee.box_public
    )
    needs = client.get(f"/planning/{mtz}/needs/").content.decode()
    assert f"/planning/{mtz}/needs/open/" in needs
    page = client.get(f"/planning/{mtz}/needs/open/")
    assert page.status_code == 200 and 'name="item_5"' in page.content.decode()
    form = {
        "title": "Needs of October",
        "motion": motion,
        "trustee_members": [trustee.identity.public],
        "trustees": "",
        "threshold": "1",
        "item_0": "Food parcels per week",
        "unit_0": "parcels",
        "max_0": "10",
        "item_2": "Money",
        "unit_2": "units of 10 BYN",
        "max_2": "50",
    }
    bad = client.post(f"/planning/{mtz}/needs/open/", {**form, "max_0": ""})
    assert bad.status_code == 200 and not Election.objects.exists()
    done = client.post(f"/planning/{mtz}/needs/open/", form)
    assert done.status_code == 302, done.content.decode()[:3000]
    body = Election.objects.get().body
    assert body["totals"] is True
    assert [(q["text"], len(q["options"])) for q in body["questions"]] == [
        ("Food parcels per week (parcels)", 10),
        ("Money (units of 10 BYN)", 50),
    ]
    outsider = w.committee("Kot", name="Other")
    assert client.get(f"/planning/{outsider}/needs/open/").status_code == 404
