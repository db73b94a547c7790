"""The ledger and the reports in Belarusian and Russian: accounts, categories, payout status,
days, months and amounts in the reader's words and formats, never as codes."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from tests.factories import signed_in_client

from veche.apps.fund import actions
from veche.apps.fund.labels import (
    ACCOUNT_LABELS,
    CATEGORY_LABELS,
    PAYOUT_STATUS_LABELS,
    period_label,
)
from veche.apps.fund.templatetags.money import money

pytestmark = pytest.mark.django_db
NBSP = "\xa0"

EXPECTED = {
    "be": {
        "pending": "чакае адабрэнняў",
        "bank": "Грошы на банкаўскім рахунку",
        "donation": "Ахвяраванне",
        "day": "14.08.2020",
        "payout_day": "20.08.2020",
        "amount": f"1{NBSP}234,50 BYN",
        "month": "Жнівень 2020",
    },
    "ru": {
        "pending": "ожидает одобрений",
        "bank": "Средства на банковском счёте",
        "donation": "Пожертвование",
        "day": "14 августа 2020 г.",
        "payout_day": "20 августа 2020 г.",
        "amount": f"1{NBSP}234,50 BYN",
        "month": "Август 2020",
    },
    "en": {
        "pending": "awaiting approvals",
        "bank": "Bank holdings",
        "donation": "Donation",
        "day": "Aug. 14, 2020",
        "payout_day": "Aug. 20, 2020",
        "amount": "1,234.50 BYN",
        "month": "August 2020",
    },
}


def _client(fund: Any, name: str | None, language: str) -> Client:
    if name is not None:
        return signed_in_client(fund.who(name), name, language=language)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("language", ["be", "ru", "en"])
def test_ledger_in_the_readers_language(fund: Any, language: str) -> None:
    actions.record_donation(
        fund.who("Sokol"), fund.space, day="2020-08-14", amount=1234_50, currency="BYN"
    )
    actions.propose_payout(
        fund.who("Sokol"),
        fund.space,
        recipient="R-9",
        amount=100_00,
        currency="BYN",
        source="bank",
        day="2020-08-20",
    )
    actions.publish_report(fund.who("Sokol"), fund.space, "2020-07")
    response = _client(fund, "Zubr", language).get(f"/fund/{fund.space}/")
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    want = EXPECTED[language]
    assert f'data-status="pending">{want["pending"]}</td>' in page
    assert f"<td>{want['bank']}</td>" in page
    assert f"<td>{want['donation']}</td>" in page
    assert f'<time datetime="2020-08-14">{want["day"]}</time>' in page
    assert f'<time datetime="2020-08-20">{want["payout_day"]}</time>' in page
    assert want["amount"] in page
    for code in ("pending", "bank", "donation", "donations", "2020-08-14", "2020-07"):
        assert f">{code}<" not in page, code
    if language != "en":
        # The treasurer's forms offer the holdings by name too.
        treasurer = html.unescape(
            _client(fund, "Vasilek", language).get(f"/fund/{fund.space}/").content.decode()
        )
        assert f'<option value="bank">{want["bank"]}</option>' in treasurer


@pytest.mark.parametrize("language", ["be", "ru", "en"])
def test_reports_name_their_month(fund: Any, language: str) -> None:
    actions.record_donation(
        fund.who("Sokol"), fund.space, day="2020-08-14", amount=500_00, currency="BYN"
    )
    actions.publish_report(fund.who("Sokol"), fund.space, "2020-08")
    page = html.unescape(_client(fund, None, language).get("/fund/reports/").content.decode())
    assert f"Belshina solidarity fund: {EXPECTED[language]['month']}" in page


@pytest.mark.parametrize("language", ["be", "ru"])
def test_every_fund_code_has_a_translation(language: str) -> None:
    with translation.override(language):
        for labels in (ACCOUNT_LABELS, CATEGORY_LABELS, PAYOUT_STATUS_LABELS):
            for code, label in labels.items():
                assert str(label) != code and not str(label).isascii(), (code, str(label))
        assert period_label("all") == {"be": "увесь час", "ru": "всё время"}[language]
        assert money(-5) == "-0,05"
    assert period_label("2020-13") == "2020-13"  # not a month: shown as it is


def test_whole_numbers_are_grouped_as_the_reader_writes_them() -> None:
    from django.utils import translation

    from veche.apps.fund.templatetags.money import grouped

    for language, expected in (("be", "12\xa0345"), ("ru", "12\xa0345"), ("en", "12,345")):
        with translation.override(language):
            assert grouped(12345) == expected
            assert grouped(7) == "7"
