"""What a node accepts: the one gate every received event passes (docs/sync.md,
"What a node accepts").

Five paths bring events from elsewhere: a peer's push (the server side of a
sync), a peer's answers to our pull, the Bundles page, ``veche bundle import``
and ``veche log import``. Each names its **source** and hands the bytes here;
nothing else calls ``store.log.ingest`` on received bytes.

The rule, the same for every path: *a source may bring the events of the spaces
it may hold here.* What a source may hold:

- a key (the signed-in member, the members a peer's certificates prove, the
  members this node syncs for, the ``--as`` key files): the spaces
  ``committees.access.may_hold_space`` gives it on this node, judged on this
  node's records before the transfer or together with the events it brings
  (a committee created elsewhere arrives with its ``space.create`` and the
  member's admission, and counts as soon as they are applied);
- the node's operator, at the command line: also the spaces this node already
  holds, and those named with ``--space``.

Events of any other space are **refused**: not stored, not even as rejected
input, and counted, with the reason, in what the user is told. Bytes that are
not an event at all have no space: they go to the store, which keeps them,
bounded, as rejected input. A source answering a request (a pull) may moreover
bring only the spaces it was asked for.

How "together with the events" is judged: events of a space the source may not
hold *before* are parked; at the end of the transfer they are taken in a
savepoint, the rule is asked again on the state they make, and the savepoint is
rolled back if some space still fails (its events are refused, the others taken
again). An honest transfer is ingested once; only a refusal costs a second pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from veche.apps.committees.access import may_hold_space
from veche.apps.store.log import IngestReport, Outcome, ingest
from veche.apps.store.models import StoredEvent
from veche.events.envelope import event_id
from veche.sync.vector import space_of

__all__ = [
    "MAY_NOT_HOLD",
    "NOT_ASKED",
    "Intake",
    "Refusal",
    "Source",
    "Taken",
    "admit",
    "refusal_lines",
]

# Why an event was refused.
MAY_NOT_HOLD = "may-not-hold"  # the source may not hold its space here
NOT_ASKED = "not-asked"  # an answer brought a space that was not asked for

# Who brings the events: decides only the wording of the refusal and whether the
# spaces held here count (the operator's).
MEMBER, PEER, OPERATOR = "member", "peer", "operator"

# Events parked (their space not yet one the source may hold) are judged at once
# when they pass this size; a space still failing then is refused.
PARK_BYTES = 64 * 1024 * 1024
# Refusing one space can make another fail (a council held through a refused
# committee): the rule is asked again at most this many times.
_ROUNDS = 3


@dataclass(frozen=True)
class Source:
    """Who brings received events, and what it may hold here besides its keys' spaces."""

    name: str  # the store's source label: web:KEY, sync:PEER, bundle:NODE, file:PATH
    kind: str = MEMBER
    keys: tuple[str, ...] = ()
    spaces: frozenset[str] = frozenset()  # named by the operator (--space)
    asked: frozenset[str] | None = None  # an answer: only these spaces were asked for

    @classmethod
    def member(cls, key: str, *, name: str | None = None) -> Source:
        """A signed-in member (the Bundles page)."""
        return cls(name or f"web:{key}", MEMBER, (key,))

    @classmethod
    def peer(cls, name: str, keys: Iterable[str], *, asked: Iterable[str] | None = None) -> Source:
        """A peer in a sync, for the member keys it proved (push) or that this node
        syncs for (pull, with ``asked``: the spaces in scope)."""
        return cls(
            name,
            PEER,
            tuple(sorted(set(keys))),
            asked=None if asked is None else frozenset(asked),
        )

    @classmethod
    def operator(cls, name: str, *, keys: Iterable[str] = (), spaces: Iterable[str] = ()) -> Source:
        """The node's operator at the command line, with ``--as`` keys and ``--space`` ids."""
        return cls(name, OPERATOR, tuple(sorted(set(keys))), frozenset(spaces))

    def may_hold(self, space: str, *, held: bool = False) -> bool:
        """The rule. ``held``: this node held the space before the transfer."""
        if space in self.spaces or (held and self.kind == OPERATOR):
            return True
        return any(may_hold_space(key, space) for key in self.keys)


@dataclass(frozen=True)
class Refusal:
    """An input the gate refused: never handed to the store."""

    space: str
    reason: str  # MAY_NOT_HOLD or NOT_ASKED
    status: str = "refused"


@dataclass
class Taken:
    """What became of a transfer: the store's outcomes and the gate's refusals."""

    source: Source
    report: IngestReport  # what the store said about the events handed to it
    refused: dict[str, dict[str, int]]  # reason -> space -> events
    inputs: list[Outcome | Refusal] = field(default_factory=list)  # in input order

    @property
    def refused_count(self) -> int:
        return sum(n for spaces in self.refused.values() for n in spaces.values())

    def refused_spaces(self, reason: str | None = None) -> list[str]:
        return sorted(
            {s for r, spaces in self.refused.items() if reason in (None, r) for s in spaces}
        )

    def summary(self) -> dict[str, int]:
        """The store's outcomes with ``refused`` added (if any)."""
        summary = {str(status): n for status, n in self.report.summary().items()}
        if self.refused_count:
            summary["refused"] = self.refused_count
        return dict(sorted(summary.items()))

    def refusal_as_dict(self) -> dict[str, object]:
        return {
            "events": self.refused_count,
            "spaces": {
                space: {"events": n, "reason": reason}
                for reason, spaces in sorted(self.refused.items())
                for space, n in sorted(spaces.items())
            },
        }

    def refusal_lines(self) -> list[str]:
        return refusal_lines(self.source, self.refused)


class _Undo(Exception):
    """Rolls back a trial ingest whose events the rule does not let in."""


class Intake:
    """One transfer from one source, taken through the gate.

    ``take`` may be called for each batch as it arrives (a pull); events of spaces
    the source may hold are stored at once, the others wait until ``finish``
    (or until they pass ``park_bytes``), when they are judged with the events.
    """

    def __init__(
        self, source: Source, *, keep_inputs: bool = False, park_bytes: int = PARK_BYTES
    ) -> None:
        self.source = source
        self.keep_inputs = keep_inputs
        self.park_bytes = park_bytes
        self._in: set[str] = set()
        self._out: dict[str, str] = {}
        self._parked: list[tuple[int, str, bytes]] = []
        self._parked_spaces: set[str] = set()
        self._parked_bytes = 0
        self._seen = 0
        self._inputs: dict[int, Outcome | Refusal] = {}
        self.outcomes: list[Outcome] = []
        self.refused: dict[str, dict[str, int]] = {}

    # -- the decision ------------------------------------------------------------
    def _decide(self, spaces: set[str]) -> None:
        """First sight of these spaces in the transfer: may the source hold them now?

        A key may hold only a space this node holds events of (membership, seats
        and federation links are projections of its log), so a space held nowhere
        here waits for the end of the transfer without a question asked: a file of
        a million made-up spaces costs one query per 500.
        """
        held = _held(spaces)
        for space in spaces:
            if space in self.source.spaces or (
                space in held and self.source.may_hold(space, held=True)
            ):
                self._in.add(space)
            else:
                self._parked_spaces.add(space)

    def _refuse(self, index: int, space: str, reason: str) -> None:
        per_space = self.refused.setdefault(reason, {})
        per_space[space] = per_space.get(space, 0) + 1
        if self.keep_inputs:
            self._inputs[index] = Refusal(space, reason)

    def _stored(self, indices: Sequence[int], report: IngestReport) -> None:
        self.outcomes += report.outcomes
        if self.keep_inputs:
            for index, outcome in zip(indices, report.outcomes, strict=True):
                self._inputs[index] = outcome

    # -- the transfer -----------------------------------------------------------
    def take(self, raws: Sequence[bytes]) -> IngestReport:
        """Store what the source may hold; park or refuse the rest. Returns what the
        store said about the events stored now."""
        start = self._seen
        self._seen += len(raws)
        spaces = [space_of(raw) for raw in raws]
        asked = self.source.asked
        new = {
            s
            for s in spaces
            if s is not None
            and (asked is None or s in asked)
            and s not in self._in
            and s not in self._out
            and s not in self._parked_spaces
        }
        if new:
            self._decide(new)
        now: list[int] = []
        for offset, (raw, space) in enumerate(zip(raws, spaces, strict=True)):
            index = start + offset
            # No space: not an event at all; the store keeps it as rejected input, bounded.
            if space is None or space in self._in:
                now.append(offset)
            elif asked is not None and space not in asked:
                self._refuse(index, space, NOT_ASKED)
            elif space in self._out:
                self._refuse(index, space, self._out[space])
            else:
                self._parked.append((index, space, raw))
                self._parked_bytes += len(raw)
        report = IngestReport()
        if now:
            report = ingest([raws[i] for i in now], source=self.source.name)
            self._stored([start + i for i in now], report)
        if self._parked_bytes > self.park_bytes:
            parked = self._judge(final=False)
            report = IngestReport(report.outcomes + parked.outcomes)
        return report

    def parked_ids(self) -> set[str]:
        """The ids of the events waiting for ``finish``: here already, not stored yet."""
        return {event_id(raw) for _index, _space, raw in self._parked}

    def finish(self) -> IngestReport:
        """Judge the parked events with each other; store them or refuse their spaces."""
        return self._judge(final=True)

    def _judge(self, *, final: bool) -> IngestReport:
        if not self._parked:
            return IngestReport()
        candidates = set(self._parked_spaces)
        accepted: set[str] = set()
        report = IngestReport()
        for _round in range(_ROUNDS):
            batch = [(i, raw) for i, space, raw in self._parked if space in candidates]
            if not batch:
                break
            failed: set[str] = set()
            try:
                with transaction.atomic():
                    trial = ingest([raw for _, raw in batch], source=self.source.name)
                    landed = _held(candidates)  # a space none of whose events was stored fails
                    failed = {
                        s for s in candidates if s not in landed or not self.source.may_hold(s)
                    }
                    if failed:
                        raise _Undo
            except _Undo:
                candidates -= failed
                continue
            self._stored([i for i, _ in batch], trial)
            accepted, report = candidates, trial
            break
        self._in |= accepted
        self._parked_spaces -= accepted
        rest = [(i, space, raw) for i, space, raw in self._parked if space not in accepted]
        self._parked = rest
        self._parked_bytes = sum(len(raw) for _, _, raw in rest)
        if final or self._parked_bytes > self.park_bytes:
            for index, space, _raw in rest:
                self._out[space] = MAY_NOT_HOLD
                self._refuse(index, space, MAY_NOT_HOLD)
            self._parked, self._parked_spaces, self._parked_bytes = [], set(), 0
        return report

    def result(self) -> Taken:
        inputs = [self._inputs[i] for i in sorted(self._inputs)] if self.keep_inputs else []
        return Taken(self.source, IngestReport(list(self.outcomes)), self.refused, inputs)


def _held(spaces: Iterable[str]) -> set[str]:
    """The spaces of which this node holds any event."""
    names = sorted(set(spaces))
    held: set[str] = set()
    for start in range(0, len(names), 500):
        held.update(
            StoredEvent.objects.filter(space__in=names[start : start + 500])
            .values_list("space", flat=True)
            .distinct()
        )
    return held


def admit(raws: Sequence[bytes], source: Source) -> Taken:
    """Take one whole transfer (a bundle, a file, a push) through the gate, atomically."""
    intake = Intake(source, keep_inputs=True)
    with transaction.atomic():
        intake.take(raws)
        intake.finish()
    return intake.result()


def refusal_lines(source: Source, refused: dict[str, dict[str, int]]) -> list[str]:
    """What the user is told about refused events, one sentence per reason."""
    lines = []
    held_back = sum(refused.get(MAY_NOT_HOLD, {}).values())
    if held_back:
        if source.kind == OPERATOR:
            text = ngettext(
                "%(count)d event was refused: this node does not hold its committee and no "
                "key given with --as may hold it. To take it, name the committee with "
                "--space=ID.",
                "%(count)d events were refused: this node does not hold their committees and "
                "no key given with --as may hold them. To take them, name each committee "
                "with --space=ID.",
                held_back,
            )
        elif source.kind == PEER:
            text = ngettext(
                "%(count)d received event was refused: no member this node syncs for may "
                "hold its committee here.",
                "%(count)d received events were refused: no member this node syncs for may "
                "hold their committees here.",
                held_back,
            )
        else:
            text = ngettext(
                "%(count)d event was refused: it belongs to a committee you may not hold on "
                "this node.",
                "%(count)d events were refused: they belong to committees you may not hold "
                "on this node.",
                held_back,
            )
        lines.append(text % {"count": held_back})
        if source.kind == OPERATOR:
            spaces = sorted(refused[MAY_NOT_HOLD])
            lines.append(_("Refused committees: %(ids)s") % {"ids": " ".join(spaces)})
    unasked = sum(refused.get(NOT_ASKED, {}).values())
    if unasked:
        lines.append(
            ngettext(
                "%(count)d received event was refused: its committee was not asked for.",
                "%(count)d received events were refused: their committees were not asked for.",
                unasked,
            )
            % {"count": unasked}
        )
    return lines
