"""Input that never became an event (bad bytes, bad signature), kept with the reason.

Every path that ingests received bytes hands its refusals here, so what a source
can make the node store is bounded in one place.
"""

from __future__ import annotations

from veche.apps.store.models import RejectedInput


def keep_rejected(rows: list[RejectedInput]) -> None:
    """Store refused input rows."""
    if rows:
        RejectedInput.objects.bulk_create(rows)
