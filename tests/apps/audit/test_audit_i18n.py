"""An audit's page in Belarusian and Russian: each method by its name, never by its code."""

from __future__ import annotations

import html

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from tests.factories import PASS, World

if not apps.is_installed("veche.apps.audit"):
    pytest.skip("veche.apps.audit is not in INSTALLED_APPS yet", allow_module_level=True)

from veche.apps.accounts.actions import create_account
from veche.apps.audit import runner
from veche.apps.audit.labels import METHOD_NAMES
from veche.apps.audit.models import AuditRun

pytestmark = pytest.mark.django_db
# What veche.audit's report_json gives for the signals: one entry per method that ran.
SIGNALS = {
    "witnesses": True,
    "observers": False,
    "klimek": True,
    "integers": False,
    "turnout": True,
    "regions": False,
}


def _run(**fields: object) -> AuditRun:
    world = World()
    owner, _identity = create_account("Sokol", PASS, world.person("Sokol"))
    return AuditRun.objects.create(
        owner=owner,
        title="Выборы 2020",
        official_name="official.csv",
        published_at=timezone.now(),
        **fields,
    )


def _page(run: AuditRun, language: str) -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/audit/{run.public_id}/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("language", "witnesses", "regions"),
    [
        ("be", "Галасы, пацверджаныя сведкамі, супраць пратакола", "Рэгіянальныя выкіды"),
        ("ru", "Голоса, подтверждённые свидетелями, против протокола", "Региональные выбросы"),
    ],
)
def test_each_method_is_named_in_the_readers_language(
    language: str, witnesses: str, regions: str
) -> None:
    summary = {
        "stations": 600,
        "registered": 1_200_000,
        "ballots": 900_000,
        "leader": "Лукашенко",
        "outlier_stations": 3,
        "signals": SIGNALS,
    }
    page = _page(_run(status=AuditRun.Status.DONE, summary=summary), language)
    assert f"<li>{witnesses}: " in page and f"<li>{regions}: " in page
    for code in SIGNALS:
        assert f"<li>{code}:" not in page, code
    with translation.override(language):
        names = [str(METHOD_NAMES[code]) for code in SIGNALS]
    assert all(name in page for name in names)
    assert all(not name.isascii() for name in names)
    grouped = {"be": "1\xa0200\xa0000", "ru": "1\xa0200\xa0000"}[language]
    assert f"<dd>{grouped}</dd>" in page


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("be", "унутраная памылка; падрабязнасці ў журнале вузла"),
        ("ru", "внутренняя ошибка; подробности в журнале узла"),
        ("en", "internal error; the node's log has the details"),
    ],
)
def test_our_own_failure_is_translated(language: str, text: str) -> None:
    page = _page(_run(status=AuditRun.Status.FAILED, error=runner.INTERNAL_ERROR), language)
    assert f"<p>{text}</p>" in page
