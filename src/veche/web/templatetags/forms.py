"""Tags every form uses; a built-in library (settings.TEMPLATES), no ``{% load %}``."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from veche.apps.accounts.submissions import FIELD, new_key

register = template.Library()


@register.simple_tag
def submission_key() -> SafeString:
    """The form's hidden idempotency key, new at each rendering (see submissions.py)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_key())
