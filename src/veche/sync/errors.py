"""The errors of the sync package: each names a reason code a program can match and a
sentence a person can act on."""

from __future__ import annotations

__all__ = ["BundleError", "QrError", "SyncError"]


class SyncError(ValueError):
    """A sync-v1 message was malformed, unauthenticated, expired or not allowed."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{message} [{reason}]")
        self.reason = reason
        self.message = message


class BundleError(ValueError):
    """A bundle file was rejected; ``reason`` is one of the codes in docs/formats/sync-v1.md."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{message} [{reason}]")
        self.reason = reason
        self.message = message


class QrError(ValueError):
    """QR parts could not be read or put back together."""

    def __init__(self, reason: str, message: str, missing: tuple[int, ...] = ()) -> None:
        super().__init__(f"{message} [{reason}]")
        self.reason = reason
        self.message = message
        self.missing = missing
