"""The signed event log, as pure Python (no Django): the backbone of every node.

``canonical`` encodes JSON byte-exactly; ``identity`` holds keys and sealed
secrets; ``envelope`` builds, parses and verifies v1 events; ``schema`` and
``registry`` let each event kind declare its body and its rule; ``order``
places events in the one order every node agrees on and finds equivocations.
"""

from veche.events.canonical import CanonicalError, decode, encode
from veche.events.envelope import CREATE_KIND, Event, EventError, build_event, parse_event
from veche.events.identity import Identity, SealError
from veche.events.order import Equivocation, equivocations, order_events, parents
from veche.events.registry import EventKind, Registry, RuleViolation, Unverified

__all__ = [
    "CREATE_KIND",
    "CanonicalError",
    "Equivocation",
    "Event",
    "EventError",
    "EventKind",
    "Identity",
    "Registry",
    "RuleViolation",
    "SealError",
    "Unverified",
    "build_event",
    "decode",
    "encode",
    "equivocations",
    "order_events",
    "parents",
    "parse_event",
]
