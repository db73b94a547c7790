"""A node too busy to answer now: HTTP 503 with Retry-After, in the reader's language.

Raise ``Busy`` (or a subclass) from a view; ``veche.web.middleware.BusyMiddleware``
answers with the page ``veche/busy.html``.
"""

from __future__ import annotations

__all__ = ["Busy"]


class Busy(Exception):
    """The node cannot do this right now; the client may retry after ``retry_after`` s."""

    def __init__(self, what: str, retry_after: int = 5) -> None:
        super().__init__(what)
        self.retry_after = retry_after
