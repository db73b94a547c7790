"""The shell's pages in Belarusian and Russian: committee kinds and levels on the home page,
an event's outcome and the rule's reason, days and times in the reader's formats."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.utils import translation
from tests.factories import World, signed_in_client

from veche.apps.committees.labels import KIND_LABELS
from veche.apps.store.log import ingest, reason_text
from veche.apps.store.reasons import explain
from veche.events import build_event
from veche.web.templatetags.veche import day

pytestmark = pytest.mark.django_db


def _client(world: World, name: str, language: str) -> Client:
    return signed_in_client(world.person(name), name, language=language)


@pytest.mark.parametrize(
    ("language", "level"), [("be", "Гарадскі"), ("ru", "Городской"), ("en", "City")]
)
def test_home_names_kind_and_level(language: str, level: str) -> None:
    world = World()
    world.committee("Sokol", ("Zubr",), name="Minsk students", kind="college", level="city")
    page = html.unescape(_client(world, "Zubr", language).get("/").content.decode())
    with translation.override(language):
        kind = str(KIND_LABELS["college"])
    assert f"<small>{kind} · {level}</small>" in page
    assert "college" not in page and "· city" not in page


def _rejected_post(world: World) -> tuple[str, str]:
    space = world.committee("Sokol", ("Zubr",))
    outsider = build_event(
        world.person("Stranger"),
        space=space,
        seq=1,
        prev=None,
        kind="space.post",
        body={"text": "infiltrator"},
        at="2020-08-11T18:00:00Z",
    )
    assert ingest([outsider.raw], source="test").outcomes[0].status == "rejected"
    return space, outsider.id


@pytest.mark.parametrize(
    ("language", "outcome", "reason", "at"),
    [
        ("be", "Адхілена", "гэта могуць рабіць толькі члены камітэта", "11.08.2020 21:00"),
        ("ru", "Отклонено", "это могут делать только члены комитета", "11 августа 2020 г. 21:00"),
        ("en", "Rejected", "only members of the committee may do this", "Aug. 11, 2020, 9 p.m."),
    ],
)
def test_event_page_gives_the_rules_reason_in_the_readers_language(
    language: str, outcome: str, reason: str, at: str
) -> None:
    world = World()
    _space, event_id = _rejected_post(world)
    page = html.unescape(
        _client(world, "Zubr", language).get(f"/events/{event_id}/").content.decode()
    )
    assert f"{outcome} — {reason}" in page
    # The field and the rule's code stay, as the log keeps them, for the curious.
    assert "<code>author</code> · <code>member</code>" in page
    assert f'<time datetime="2020-08-11T18:00:00Z">{at}</time>' in page


def test_stored_reasons_are_kept_and_only_shown_translated() -> None:
    stored = "member|author|only members of the committee may do this"
    with translation.override("ru"):
        explained = explain(stored)
        assert explained is not None
        assert explained.message == "это могут делать только члены комитета"
        assert reason_text(stored) == "author: это могут делать только члены комитета [member]"
        # A sentence that is neither a listed sentence nor fits a listed template (this
        # one lacks the real template's ending) is shown as written.
        dynamic = "period-closed|body.day|the period 2020-08 is closed by a published report"
        assert explain(dynamic).message == "the period 2020-08 is closed by a published report"  # type: ignore[union-attr]
        # What a pending event waits for is not a reason any more: only the rule's
        # format is read (the store keeps the missing ids in their own table).
        assert explain("waits for abc").message == "waits for abc"  # type: ignore[union-attr]
        chain = "chain-missing|prev|prev: the previous event is not held yet"
        assert explain(chain).message == "предыдущего события здесь ещё нет"  # type: ignore[union-attr]
    assert explain("") is None


@pytest.mark.parametrize(
    ("language", "text"),
    [("be", "11.08.2020"), ("ru", "11 августа 2020 г."), ("en", "Aug. 11, 2020")],
)
def test_day_filter_localizes_days_and_event_times(language: str, text: str) -> None:
    with translation.override(language):
        assert day("2020-08-11") == text
        assert day("2020-08-11T18:00:00Z") == text  # 21:00 in Minsk: the same day
        assert day("2020-08-11T22:30:00Z") != text  # already the 12th in Minsk
    assert day("not a day") == "not a day"
    assert day("") == ""
