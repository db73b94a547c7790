"""Codes in the reader's language: the one lookup every app's labels go through.

Events and projections keep codes (``full_strike``, ``delegate_election``, ``bank``);
each app's ``labels`` module holds its tables of lazy translations, and pages show
``label(TABLE, code)``. A code this node does not know (from a newer node) is shown as
it is, or as ``default`` where a page would rather show nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise

Labels = Mapping[str, Promise | str]


def label(labels: Labels, code: str, default: str | None = None) -> str:
    """The label of ``code`` in the active language; the code itself (or ``default``) if
    it has none."""
    text = labels.get(code)
    if text is None:
        return code if default is None else default
    return str(text)


def translated(labels: Labels) -> dict[str, str]:
    """A whole table in the active language (for drawings that take plain strings)."""
    return {code: str(text) for code, text in labels.items()}
