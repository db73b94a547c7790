"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from veche import __version__


def node(request: HttpRequest) -> dict[str, Any]:
    return {"veche_version": __version__}
