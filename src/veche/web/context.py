"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from veche import __version__


def node(request: HttpRequest) -> dict[str, Any]:
    # The language switch names each language in itself ("Беларуская", "Русский",
    # "English"), untranslated: a reader who cannot read the page's language still
    # finds their own (get_available_languages would translate the names).
    return {"veche_version": __version__, "site_languages": settings.LANGUAGES}
