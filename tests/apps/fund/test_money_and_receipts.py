"""Money as people write it, balances with a treasurer's signs, the recipient's receipt
and the public report's "check my payout" form, in be, ru and en."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.factories import signed_in_client

from veche.apps.fund import actions
from veche.apps.fund.forms import AmountField, DonationForm, amount_locale
from veche.apps.fund.labels import balance_rows
from veche.apps.fund.models import Balance, Payout, Receipt
from veche.apps.fund.receipts import ReceiptData, parse_receipt_text, receipt_text
from veche.apps.fund.templatetags.money import money
from veche.solidarity.ledger import MAX_AMOUNT, parse_amount

LANGUAGES = ("be", "ru", "en")


@settings(max_examples=300)
@given(st.integers(1, MAX_AMOUNT - 1), st.sampled_from(LANGUAGES))
def test_what_the_page_shows_it_reads_back(minor: int, language: str) -> None:
    with translation.override(language):
        shown = money(minor)
        assert AmountField().clean(shown) == minor
        assert parse_amount(shown, **amount_locale()) == minor


@pytest.mark.parametrize(
    ("language", "text", "minor"),
    [
        ("ru", "350,50", 35050),
        ("be", "350,50", 35050),
        ("ru", "1 250,00", 125000),
        ("be", "1\u202f250,5", 125050),
        ("ru", "1250.5", 125050),
        ("en", "1,250.50", 125050),
        ("en", "350,50", 35050),
    ],
)
def test_amounts_typed_as_people_write_them(language: str, text: str, minor: int) -> None:
    with translation.override(language):
        assert AmountField().clean(text) == minor


@pytest.mark.parametrize(
    ("language", "words", "example"),
    [
        ("ru", "можно прочитать двумя способами", "1\u00a0250,50"),
        ("be", "можна прачытаць двума спосабамі", "1\u00a0250,50"),
        ("en", "can be read two ways", "1,250.50"),
    ],
)
def test_an_ambiguous_amount_is_refused_in_the_readers_words(
    language: str, words: str, example: str
) -> None:
    with translation.override(language):
        form = DonationForm(
            {"day": "2020-08-14", "amount": "1.250", "currency": "BYN", "account": "bank"}
        )
        assert not form.is_valid()
        (error,) = form.errors["amount"]
    assert words in error and example in error and "1.250" in error
    assert "is not an amount like" not in error


def _payout(fund: Any, recipient: str = "Worker-77", amount: int = 350_50) -> tuple[str, str]:
    actions.record_donation(
        fund.who("Sokol"), fund.space, day="2020-08-14", amount=5000_00, currency="BYN"
    )
    event, salt = actions.propose_payout(
        fund.who("Sokol"),
        fund.space,
        recipient=recipient,
        amount=amount,
        currency="BYN",
        source="bank",
        day="2020-08-20",
    )
    actions.approve_payout(fund.who("Sokol"), fund.space, event.id)
    actions.approve_payout(fund.who("Zubr"), fund.space, event.id)
    return event.id, salt


def test_balances_have_the_sign_a_treasurer_expects(fund: Any) -> None:
    _payout(fund)
    rows = {r.account: r for r in balance_rows(Balance.objects.filter(space=fund.space))}
    # The book keeps debit - credit (donations -5000.00); the page shows them received.
    assert Balance.objects.get(space=fund.space, account="donations").amount == -5000_00
    assert rows["donations"].amount == 5000_00 and rows["donations"].kind == "income"
    assert rows["bank"].amount == 5000_00 - 350_50 and rows["bank"].kind == "asset"
    assert rows["payouts"].amount == 350_50 and rows["payouts"].kind == "expense"
    page = signed_in_client(fund.who("Rusalka"), "Rusalka", language="ru").get(
        f"/fund/{fund.space}/"
    )
    text = page.content.decode()
    assert "-5\u00a0000,00" not in text and "5\u00a0000,00" in text
    assert "debit" not in text


def test_a_proposed_payout_leads_to_its_receipt(fund: Any) -> None:
    client = signed_in_client(fund.who("Zubr"), "Zubr", language="be")
    actions.record_donation(
        fund.who("Sokol"), fund.space, day="2020-08-14", amount=5000_00, currency="BYN"
    )
    response = client.post(
        f"/fund/{fund.space}/payout/",
        {
            "payout-day": "2020-08-20",
            "payout-recipient": "Рабочы-5",
            "payout-amount": "350,50",
            "payout-currency": "BYN",
            "payout-source": "bank",
            "payout-note": "",
        },
    )
    payout = Payout.objects.get(space=fund.space)
    assert payout.amount == 350_50
    assert response.status_code == 302
    assert response["Location"] == f"/fund/{fund.space}/payouts/{payout.event}/receipt/"
    salt = Receipt.objects.get(payout=payout.event).salt
    page = client.get(response["Location"])
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    text = page.content.decode()
    assert salt in text and "Рабочы-5" in text and "350,50" in text and "<svg" in text
    assert "жнівень 2020" in text.lower()


@pytest.mark.parametrize(("name", "status"), [("Rusalka", 403), ("Outsider", 404), (None, 302)])
def test_only_treasurers_see_a_receipt_again(fund: Any, name: str | None, status: int) -> None:
    payout, _salt = _payout(fund)
    client = Client() if name is None else signed_in_client(fund.who(name), name)
    response = client.get(f"/fund/{fund.space}/payouts/{payout}/receipt/")
    assert response.status_code == status
    assert _salt not in response.content.decode()


def test_a_receipt_of_a_payout_proposed_elsewhere_says_so(fund: Any) -> None:
    payout, salt = _payout(fund)  # proposed by actions, as another node would: no salt kept
    page = signed_in_client(fund.who("Zubr"), "Zubr").get(
        f"/fund/{fund.space}/payouts/{payout}/receipt/"
    )
    assert page.status_code == 200 and salt not in page.content.decode()
    assert b"another node" in page.content


def test_receipt_text_round_trip() -> None:
    data = ReceiptData("Рабочы 5&x=1", 350_50, "BYN", "-abc_DEF0123456789abcde")
    assert parse_receipt_text(receipt_text(data)) == data
    assert parse_receipt_text("hello") is None
    assert parse_receipt_text("veche-payout:v1?r=x&a=-5&c=BYN&s=y") is None


def _published(fund: Any) -> tuple[str, str]:
    _payout(fund)
    _event, salt = _payout(fund, recipient="Рабочы-9", amount=1250_00)
    event = actions.publish_report(fund.who("Zubr"), fund.space, "2020-08")
    return event.id, salt


@pytest.mark.parametrize("language", ["be", "ru"])
def test_the_public_report_speaks_the_readers_language(fund: Any, language: str) -> None:
    event, _salt = _published(fund)
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get(f"/fund/reports/{event}/")
    text = page.content.decode()
    assert page.status_code == 200
    for english in ("payouts", "Money in", "recipients", "donation", "all time", "Check my"):
        assert english not in text, english
    assert "1\u00a0250,00" in text  # the reader's number format
    assert "2 выплаты" in text and ("2 атрымальнікі" in text or "2 получателя" in text)
    assert "2020" in text and "2020-08-01" not in text


def _check(fund: Any, event: str, **data: str) -> str:
    response = Client(HTTP_ACCEPT_LANGUAGE="ru").post(f"/fund/reports/{event}/", data)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    return response.content.decode()


def test_a_recipient_checks_their_payout_on_the_report_page(fund: Any) -> None:
    event, salt = _published(fund)
    found = _check(fund, event, recipient="Рабочы-9", amount="1 250,00", salt=salt)
    assert 'data-check="found"' in found and 'class="found"' in found
    wrong = _check(fund, event, recipient="Рабочы-8", amount="1 250,00", salt=salt)
    assert 'data-check="missing"' in wrong and 'class="found"' not in wrong
    other_amount = _check(fund, event, recipient="Рабочы-9", amount="1250,01", salt=salt)
    assert 'data-check="missing"' in other_amount
    scanned = receipt_text(ReceiptData("Рабочы-9", 1250_00, "BYN", salt))
    assert 'data-check="found"' in _check(fund, event, receipt=scanned)
    bad_salt = _check(fund, event, recipient="Рабочы-9", amount="1250", salt="not a salt!")
    assert "data-check" not in bad_salt and 'role="alert"' in bad_salt
    empty = _check(fund, event)
    assert "data-check" not in empty and 'role="alert"' in empty
