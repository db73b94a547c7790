"""Amounts as people write them: comma or dot decimals, spaces between thousands, the
reader's own thousands separator, and the ambiguous forms refused with a code."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veche.solidarity.ledger import MAX_AMOUNT, SPACES, AmountError, format_amount, parse_amount

# (decimal, group) of the locales the pages speak: English, Belarusian and Russian.
EN = {"decimal": ".", "group": ","}
BY = {"decimal": ",", "group": "\u00a0"}


@pytest.mark.parametrize(
    ("text", "locale", "minor"),
    [
        ("350,50", BY, 35050),
        ("350,50", EN, 35050),  # a comma and two digits is decimals everywhere
        ("350.50", BY, 35050),
        ("1 250,00", BY, 125000),
        ("1\u00a0250,00", BY, 125000),
        ("1\u2009250,5", BY, 125050),
        ("1\u202f250,05", BY, 125005),
        ("1250.5", EN, 125050),
        ("1,250.50", EN, 125050),
        ("1,250", EN, 125000),
        ("1,250,000", EN, 125000000),
        ("  7 ", BY, 700),
        ("0,01", BY, 1),
    ],
)
def test_amounts_as_people_write_them(text: str, locale: dict[str, str], minor: int) -> None:
    assert parse_amount(text, **locale) == minor


@pytest.mark.parametrize(
    ("text", "locale", "code"),
    [
        ("1,250", BY, "amount-ambiguous"),  # 1.25 in Russian, 1250 in English
        ("1.250", BY, "amount-ambiguous"),
        ("1.250", EN, "amount-ambiguous"),
        ("1.250,50", BY, "amount-ambiguous"),
        ("1.250,50", EN, "amount-ambiguous"),
        ("1,5,5", BY, "amount-format"),
        ("1,2345", BY, "amount-decimals"),
        ("12 50", BY, "amount-grouping"),
        ("1234 567", BY, "amount-grouping"),
        ("1e3", EN, "amount-format"),
        ("１２", EN, "amount-format"),
        ("", BY, "amount-empty"),
        ("-5", EN, "amount-positive"),
        ("\u22125", BY, "amount-positive"),
        ("0,00", BY, "amount-positive"),
        ("99999999999999", EN, "amount-max"),
    ],
)
def test_ambiguous_and_wrong_amounts_are_refused_with_a_code(
    text: str, locale: dict[str, str], code: str
) -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount(text, **locale)
    assert refused.value.code == code
    assert refused.value.rule == code and refused.value.field == "amount"


def test_the_refusal_carries_what_was_typed_for_the_page() -> None:
    with pytest.raises(AmountError) as refused:
        parse_amount("1,250", **BY)
    assert refused.value.params == {"text": "1,250"}


@given(
    st.integers(1, MAX_AMOUNT - 1),
    st.sampled_from([(".", ","), (".", " "), (",", "\u00a0"), (",", "\u202f"), (",", "\u2009")]),
)
def test_formatted_amounts_parse_back(minor: int, separators: tuple[str, str]) -> None:
    decimal, group = separators
    text = format_amount(minor, decimal=decimal, group=group)
    assert parse_amount(text, decimal=decimal, group=group) == minor


@given(st.integers(1, MAX_AMOUNT - 1), st.sampled_from(SPACES))
def test_any_space_groups_thousands_in_any_locale(minor: int, space: str) -> None:
    text = format_amount(minor, group=space)
    assert parse_amount(text, **EN) == minor
    assert parse_amount(text.replace(".", ","), **BY) == minor
