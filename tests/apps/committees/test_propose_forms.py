"""A propose form per motion kind: the kind is picked first from a list, then its form
asks only for what that kind needs, with pickers instead of ids; errors stay on the
form in the reader's language with what was typed kept."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories import World, signed_in_client

from veche.apps.committees import actions
from veche.apps.committees.forms import KIND_FIELDS, ProposeForm
from veche.apps.committees.models import Committee, Motion
from veche.apps.store.models import StoredEvent

pytestmark = pytest.mark.django_db

RAW_ID_LABELS = ("event id", "space id", "sequence number")


def _fields(page: str) -> set[str]:
    form = page[page.index('class="card form"') :]
    return set(re.findall(r'name="([a-z_]+)"', form)) - {
        "csrfmiddlewaretoken",
        "submission",
        "kind",
    }


def _propose(client: Client, space: str, kind: str, data: dict[str, object]) -> object:
    url = reverse("committees:propose", args=[space]) + f"?kind={kind}"
    return client.post(url, {"kind": kind, "title": f"A {kind}", "text": "Because.", **data})


@pytest.fixture
def mtz() -> tuple[World, str, Client]:
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka"), name="MTZ")
    return w, space, signed_in_client(w.person("Sokol"), "Sokol")


def test_the_kind_is_picked_first_with_a_sentence_each(mtz: tuple[World, str, Client]) -> None:
    _w, space, sokol = mtz
    page = sokol.get(reverse("committees:propose", args=[space])).content.decode()
    kinds = re.findall(r'href="\?kind=([a-z_]+)"', page)
    # No parent body yet: no delegate election or ratification; not a council; no
    # candidates, mandates or equivocations to act on.
    assert kinds == [
        "general",
        "demands",
        "strike_call",
        "election",
        "rule_change",
        "expulsion",
        "revocation",
        "federation_join",
        "endorsement",
        "appeal",
    ]
    assert "Expel a member: they lose their vote and their access." in page
    assert 'name="title"' not in page


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("general", {"title", "text", "method", "options", "deadline"}),
        ("demands", {"title", "text", "deadline"}),
        ("strike_call", {"title", "text", "deadline"}),
        ("election", {"title", "text", "deadline"}),
        ("expulsion", {"title", "text", "member", "deadline"}),
        ("revocation", {"title", "text", "member", "seized_at", "deadline"}),
        ("federation_join", {"title", "text", "council", "deadline"}),
        ("endorsement", {"title", "text", "letter", "deadline"}),
        ("appeal", {"title", "text", "audience", "mirror", "deadline"}),
        (
            "rule_change",
            {
                "title",
                "text",
                "quorum_percent",
                "majority",
                "admission",
                "vouches_needed",
                "ratification",
                "weighting",
                "retention_days",
                "deadline",
            },
        ),
    ],
)
def test_each_kind_asks_only_for_what_it_needs(
    mtz: tuple[World, str, Client], kind: str, expected: set[str]
) -> None:
    _w, space, sokol = mtz
    page = sokol.get(reverse("committees:propose", args=[space]) + f"?kind={kind}")
    assert page.status_code == 200
    text = page.content.decode()
    assert _fields(text) == expected
    assert not any(label in text for label in RAW_ID_LABELS)


def test_every_kind_has_a_form_and_a_sentence() -> None:
    from veche.decisions import MOTION_KINDS

    assert set(KIND_FIELDS) == set(MOTION_KINDS)
    for kind in MOTION_KINDS:
        assert {"title", "text", "deadline"} <= set(ProposeForm(kind=kind).fields)


def test_an_expulsion_picks_the_member_by_pseudonym(mtz: tuple[World, str, Client]) -> None:
    w, space, sokol = mtz
    page = sokol.get(reverse("committees:propose", args=[space]) + "?kind=expulsion")
    assert f'<option value="{w.person("Zubr").public}">Zubr</option>' in page.content.decode()
    response = _propose(sokol, space, "expulsion", {"member": w.person("Zubr").public})
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert Motion.objects.get(kind="expulsion").target == {"key": w.person("Zubr").public}


def test_a_revocation_turns_the_moment_of_seizure_into_the_last_good_event(
    mtz: tuple[World, str, Client],
) -> None:
    w, space, sokol = mtz
    zubr = w.person("Zubr").public
    actions.post(w.person("Zubr"), space, "before", at="2020-08-10T10:00:00Z")
    actions.post(w.person("Zubr"), space, "after", at="2020-08-12T10:00:00Z")
    before_seq = StoredEvent.objects.get(space=space, author=zubr, at="2020-08-10T10:00:00Z").seq
    response = _propose(
        sokol, space, "revocation", {"member": zubr, "seized_at": "2020-08-11T12:00"}
    )
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert Motion.objects.get(kind="revocation").target == {"key": zubr, "after_seq": before_seq}


def test_a_rule_change_starts_from_the_rules_in_force_and_proposes_new_ones(
    mtz: tuple[World, str, Client],
) -> None:
    _w, space, sokol = mtz
    rules = Committee.objects.get(space=space).rules
    page = sokol.get(reverse("committees:propose", args=[space]) + "?kind=rule_change")
    assert f'value="{rules["quorum_percent"]}"' in page.content.decode()
    response = _propose(
        sokol,
        space,
        "rule_change",
        {
            "quorum_percent": 60,
            "majority": "two_thirds",
            "admission": "vouching",
            "vouches_needed": 2,
            "weighting": "per_delegate",
        },
    )
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert Motion.objects.get(kind="rule_change").target["rules"]["quorum_percent"] == 60


def test_a_general_motion_with_options_and_a_demands_letter(
    mtz: tuple[World, str, Client],
) -> None:
    _w, space, sokol = mtz
    _propose(sokol, space, "general", {"method": "approval", "options": "Tea\nCoffee\n"})
    assert Motion.objects.get(kind="general").options == ["Tea", "Coffee"]
    _propose(sokol, space, "demands", {})
    assert Motion.objects.get(kind="demands").method == "yes_no"


def test_an_endorsement_picks_another_committees_letter_by_title() -> None:
    w = World()
    kozlova = w.committee("Zubr", name="Kozlova")
    letter = actions.propose(
        w.person("Zubr"), kozlova, kind="demands", title="Our four demands", text="..."
    ).id
    actions.vote(w.person("Zubr"), kozlova, letter, choice="yes")
    close = actions.close(w.person("Zubr"), kozlova, letter).id
    mtz = w.committee("Sokol", name="MTZ")
    sokol = signed_in_client(w.person("Sokol"), "Sokol")
    page = sokol.get(reverse("committees:propose", args=[mtz]) + "?kind=endorsement")
    assert "Our four demands · Kozlova" in page.content.decode()
    assert _propose(sokol, mtz, "endorsement", {"letter": close}).status_code == 302  # type: ignore[attr-defined]
    assert Motion.objects.get(space=mtz).target == {"motion": close, "space": kozlova}


def test_a_council_is_joined_by_name_and_accepts_by_name() -> None:
    w = World()
    council = w.committee("Lyn", name="Minsk council", kind="council", level="city")
    mtz = w.committee("Sokol", name="MTZ")
    sokol = signed_in_client(w.person("Sokol"), "Sokol")
    page = sokol.get(reverse("committees:propose", args=[mtz]) + "?kind=federation_join")
    assert f'<option value="{council}">Minsk council</option>' in page.content.decode()
    _propose(sokol, mtz, "federation_join", {"council": council})
    join = Motion.objects.get(space=mtz)
    actions.vote(w.person("Sokol"), mtz, join.event, choice="yes")
    close = actions.close(w.person("Sokol"), mtz, join.event).id
    lyn = signed_in_client(w.person("Lyn"), "Lyn")
    page = lyn.get(reverse("committees:propose", args=[council]) + "?kind=federation_accept")
    assert "MTZ · " in page.content.decode()
    response = _propose(lyn, council, "federation_accept", {"join": f"{close}:{mtz}"})
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert Motion.objects.get(space=council).target == {"join": close, "child": mtz}


@pytest.mark.parametrize(
    ("language", "required"), [("be", "Поле трэба запоўніць."), ("ru", "Обязательное поле.")]
)
def test_errors_are_on_the_form_in_the_readers_language_and_typed_text_is_kept(
    language: str, required: str
) -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",))
    sokol = signed_in_client(w.person("Sokol"), "Sokol", language=language)
    url = reverse("committees:propose", args=[space]) + "?kind=general"
    before = StoredEvent.objects.count()
    page = sokol.post(
        url, {"kind": "general", "title": "Strike on Monday", "text": "", "method": "ranked"}
    )
    text = page.content.decode()
    assert page.status_code == 200 and StoredEvent.objects.count() == before
    assert required in text
    assert 'value="Strike on Monday"' in text
    assert "Give at least two options" not in text  # translated
    forged = sokol.post(
        reverse("committees:propose", args=[space]) + "?kind=expulsion",
        {"kind": "expulsion", "title": "Expel", "text": "x", "member": "not-a-member"},
    )
    assert forged.status_code == 200 and StoredEvent.objects.count() == before
