"""``{{ amount|money:"BYN" }}``: minor units shown as major units, no floats."""

from __future__ import annotations

from django import template

from veche.solidarity.ledger import format_amount

register = template.Library()


@register.filter
def money(amount: int, currency: str = "") -> str:
    return format_amount(int(amount), currency)
