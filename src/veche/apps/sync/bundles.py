"""Export and import bundle files against the event store.

Export picks the events of the chosen spaces that a ``--since`` vector does not
cover, in dependency order, and seals them to every active member of those
spaces (plus any extra keys). Import opens the bundle with the keys at hand
(this node's key and the signed-in member's) and takes its events through the
gate (``gate``: only spaces the importing source may hold here) in one
transaction: a rejected bundle changes nothing, and a bundle imported twice
reports "already held".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import ngettext, pgettext, pgettext_lazy

from veche.apps.committees.models import Member
from veche.apps.store.log import IngestReport
from veche.apps.sync.gate import Source, Taken, admit
from veche.apps.sync.node import node_identity
from veche.apps.sync.service import held_spaces, local_rows
from veche.events import Identity
from veche.sync.bundle import Bundle, read_bundle, write_bundle
from veche.sync.errors import BundleError
from veche.sync.vector import BatchLimits, Vector, select_batch

__all__ = ["ImportResult", "export_bundle", "import_bundle", "recipients_of"]

_ALL = BatchLimits(events=10**9, bytes=2**62)


# What became of each event, as the import's one line says it.
OUTCOME_WORDS = {
    "applied": pgettext_lazy("outcome", "applied"),
    "rejected": pgettext_lazy("outcome", "rejected"),
    "held": pgettext_lazy("outcome", "held"),
    "pending": pgettext_lazy("outcome", "pending"),
    "unverified": pgettext_lazy("outcome", "unverified"),
    "duplicate": pgettext_lazy("outcome", "duplicate"),
    "invalid": pgettext_lazy("outcome", "invalid"),
    "refused": pgettext_lazy("outcome", "refused"),
}


@dataclass(frozen=True)
class ImportResult:
    bundle: Bundle
    taken: Taken

    @property
    def report(self) -> IngestReport:
        """What the store said about the events the gate let through."""
        return self.taken.report

    @property
    def refused(self) -> int:
        return self.taken.refused_count

    @property
    def already_held(self) -> bool:
        return bool(self.bundle.events) and self.report.count("duplicate") == len(
            self.bundle.events
        )

    def text(self) -> str:
        """One line for people: what happened to the events, then why any were refused."""
        if self.already_held:
            return ngettext(
                "already held: the %(count)d event was here before",
                "already held: all %(count)d events were here before",
                len(self.bundle.events),
            ) % {"count": len(self.bundle.events)}
        parts = ", ".join(
            f"{n} {OUTCOME_WORDS.get(status, status)}" for status, n in self.taken.summary().items()
        )
        line = ngettext(
            "%(count)d event from node %(node)s: %(outcomes)s",
            "%(count)d events from node %(node)s: %(outcomes)s",
            len(self.bundle.events),
        ) % {
            "count": len(self.bundle.events),
            "node": self.bundle.node,
            "outcomes": parts or pgettext("outcome", "none"),
        }
        return " ".join([line, *self.taken.refusal_lines()])

    def as_dict(self) -> dict[str, Any]:
        return {
            "node": self.bundle.node,
            "created": self.bundle.created,
            "public": self.bundle.public,
            "spaces": list(self.bundle.spaces),
            "events": len(self.bundle.events),
            "already_held": self.already_held,
            "outcomes": self.taken.summary(),
            "refused": self.taken.refusal_as_dict(),
            "digest": self.bundle.digest,
        }


def recipients_of(spaces: Sequence[str]) -> list[str]:
    """Every active member's key in these spaces: who may read a private bundle."""
    return sorted(
        set(
            Member.objects.filter(space__in=list(spaces), status=Member.Status.ACTIVE).values_list(
                "key", flat=True
            )
        )
    )


def export_bundle(
    *,
    spaces: Sequence[str] | None = None,
    since: Vector | None = None,
    public: bool = False,
    to: Sequence[str] = (),
    now: datetime | None = None,
    compression: str = "zlib",
) -> tuple[bytes, int]:
    """Write a bundle; returns its bytes and how many events it holds."""
    chosen = sorted(set(spaces)) if spaces else held_spaces()
    if not chosen:
        raise BundleError("empty", "this node holds no spaces to export")
    batch = select_batch(local_rows(chosen), since or {}, _ALL)
    recipients: list[str] = []
    if not public:
        recipients = sorted(set(recipients_of(chosen)) | set(to))
    data = write_bundle(
        node_identity(),
        batch.events,
        spaces=chosen,
        recipients=recipients,
        public=public,
        created=now or datetime.now(UTC),
        compression=compression,
    )
    return data, len(batch.events)


def import_bundle(
    data: bytes, keys: Sequence[Identity] = (), *, source: Source | None = None
) -> ImportResult:
    """Check and open a bundle, and take its events through the gate; raise
    BundleError (storing nothing) if the file is bad.

    ``source`` says who brings it (the signed-in member, the operator with their
    ``--as`` keys and ``--space`` ids); without one, the keys that open the
    bundle are its source, and it brings only the spaces they may hold here.
    """
    bundle = read_bundle(data, [node_identity(), *keys])
    if source is None:
        source = Source(f"bundle:{bundle.node}", keys=tuple(key.public for key in keys))
    return ImportResult(bundle, admit(list(bundle.events), source))
