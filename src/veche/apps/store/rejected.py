"""Input that never became an event (bad bytes, bad signature), kept with the reason.

Every path that ingests received bytes hands its refusals here, so what a source
can make the node store is bounded in one place:

- of each input, its first ``KEEP_BYTES`` bytes are kept with its length
  (``size``), and the reason is cut to ``KEEP_REASON`` characters;
- per source (the ``source`` label of the ingest: ``web:KEY``, ``sync:URL``,
  ``bundle:NODE``, ``file:PATH``) at most ``SOURCE_ROWS`` rows and
  ``SOURCE_BYTES`` bytes are kept;
- in all, at most ``TOTAL_ROWS`` rows and ``TOTAL_BYTES`` bytes.

Beyond a bound the oldest rows go (a row's weight is its kept bytes and its
reason). A junk file therefore grows the database by at most one source's
bound, however many lines it has and however well it compresses, and the table
never grows beyond the total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import F, QuerySet
from django.db.models.functions import Length

from veche.apps.store.models import RejectedInput

__all__ = [
    "KEEP_BYTES",
    "KEEP_REASON",
    "SOURCE_BYTES",
    "SOURCE_ROWS",
    "TOTAL_BYTES",
    "TOTAL_ROWS",
    "keep_rejected",
    "prune_rejected",
]

KEEP_BYTES = 4 * 1024
KEEP_REASON = 1000
SOURCE_ROWS = 200
SOURCE_BYTES = 1024 * 1024
TOTAL_ROWS = 5000
TOTAL_BYTES = 16 * 1024 * 1024


def _bounded(row: RejectedInput) -> RejectedInput:
    raw = bytes(row.raw)
    row.size = len(raw)
    row.raw = raw[:KEEP_BYTES]
    row.reason = str(row.reason)[:KEEP_REASON]
    row.field = str(row.field)[:100]
    row.rule = str(row.rule)[:100]
    row.source = str(row.source)[:200]
    return row


def _weight(row: RejectedInput) -> int:
    return len(row.raw) + len(row.reason)


def _newest_within(rows: list[RejectedInput], count: int, size: int) -> list[RejectedInput]:
    """The newest rows (the last ones) that fit ``count`` rows and ``size`` bytes."""
    kept: list[RejectedInput] = []
    total = 0
    for row in reversed(rows):
        total += _weight(row)
        if len(kept) >= count or total > size:
            break
        kept.append(row)
    kept.reverse()
    return kept


def keep_rejected(rows: list[RejectedInput]) -> None:
    """Store refused input rows, within the bounds; the oldest rows beyond them go."""
    if not rows:
        return
    order = {id(row): index for index, row in enumerate(rows)}
    by_source: dict[str, list[RejectedInput]] = defaultdict(list)
    for row in rows:
        bounded = _bounded(row)
        by_source[bounded.source].append(bounded)
    # Rows that would be pruned at once are not written at all.
    fitting = [
        row
        for source_rows in by_source.values()
        for row in _newest_within(source_rows, SOURCE_ROWS, SOURCE_BYTES)
    ]
    fitting.sort(key=lambda row: order[id(row)])
    RejectedInput.objects.bulk_create(_newest_within(fitting, TOTAL_ROWS, TOTAL_BYTES))
    prune_rejected(by_source)


def prune_rejected(sources: Iterable[str] | None = None) -> None:
    """Delete the oldest rows beyond the bounds of ``sources`` (every source if None)
    and beyond the total."""
    everything = RejectedInput.objects.all()
    names = (
        sorted(set(everything.values_list("source", flat=True)))
        if sources is None
        else sorted(set(sources))
    )
    for name in names:
        _prune(everything.filter(source=name), SOURCE_ROWS, SOURCE_BYTES)
    _prune(everything, TOTAL_ROWS, TOTAL_BYTES)


def _prune(query: QuerySet[RejectedInput], count: int, size: int) -> None:
    weights = (
        query.annotate(weight=Length("raw") + Length("reason"))
        .order_by(F("id").desc())
        .values_list("id", "weight")
    )
    total = 0
    for index, (row_id, weight) in enumerate(weights.iterator(chunk_size=2000)):
        total += int(weight or 0)
        if index >= count or total > size:
            query.filter(id__lte=row_id).delete()
            return
