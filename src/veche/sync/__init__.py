"""Moving events between nodes without the internet, as pure Python (no Django).

``vector`` says what a node holds and cuts what a peer lacks into bounded
batches; ``session`` authenticates two nodes and encrypts what passes between
them (any request/response transport: HTTP here); ``bundle`` writes and reads
signed, encrypted, compressed files for USB sticks; ``qr`` splits a bundle
into QR codes and puts it back together. ``docs/formats/sync-v1.md`` is the
specification.
"""

from veche.sync.errors import BundleError, QrError, SyncError

__all__ = ["BundleError", "QrError", "SyncError"]
