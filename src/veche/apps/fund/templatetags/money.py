"""``{{ amount|money:"BYN" }}``: minor units shown as major units in the reader's number
format (``1,234.50`` in English, ``1 234,50`` in Belarusian and Russian), never via floats."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def money(amount: int, currency: str = "") -> str:
    major = Decimal(int(amount)).scaleb(-2)
    text = formats.number_format(major, decimal_pos=2, force_grouping=True)
    return f"{text} {currency}".strip()


@register.filter
def grouped(number: int) -> str:
    """A whole number in the reader's format, thousands grouped (``1 250`` in be/ru)."""
    return formats.number_format(int(number), force_grouping=True)
