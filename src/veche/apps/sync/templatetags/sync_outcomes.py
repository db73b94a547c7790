"""A peer's stored sync outcome (codes and counts) in the reader's language."""

from __future__ import annotations

from django import template

from veche.apps.sync.service import outcome_text

register = template.Library()


@register.filter
def sync_outcome(stored: str) -> str:
    return outcome_text(stored)
