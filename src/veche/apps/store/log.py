"""The event log's one door: every module outside the store imports from here.

The jobs live in their own modules: ``record`` (a node's own events), ``ingest``
(received events), ``judge`` (the one judgment both use), ``replay`` (rebuilding
projections, holds in rounds, causal judgments), ``integrity`` (checking stored
bytes, the state digest). The consistency model they implement is event-v1 §14.
"""

from __future__ import annotations

from veche.apps.store.ingest import ingest, ingest_events
from veche.apps.store.integrity import state_digest, verify_stored
from veche.apps.store.outcomes import IngestReport, Outcome, OutcomeStatus, Problem
from veche.apps.store.reasons import explain
from veche.apps.store.record import RecordRefused, record
from veche.apps.store.replay import rebuild

__all__ = [
    "IngestReport",
    "Outcome",
    "OutcomeStatus",
    "Problem",
    "RecordRefused",
    "ingest",
    "ingest_events",
    "reason_text",
    "rebuild",
    "record",
    "state_digest",
    "verify_stored",
]


def reason_text(reason: str) -> str:
    """Turn a stored reason ``rule|field|message`` into a sentence for people, the
    rule's sentence in the active language where it has a translation (``reasons``)."""
    explained = explain(reason)
    return "" if explained is None else str(explained)
