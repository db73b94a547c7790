# A rule's sentence with values is a %-template that pages translate (apps/store/reasons.py).
# ruff: noqa: UP031
"""The v1 event envelope: build, sign, identify, parse and verify one event.

An event is canonical JSON (see ``canonical``) of
``{"v":1,"space","author","seq","prev","deps","kind","at","body","sig"}``.
``sig`` is Ed25519 by ``author`` over the canonical encoding without ``sig``;
the event id is base64url(BLAKE2b-256(canonical encoding with ``sig``)). A
space's first event, ``space.create``, has ``space: null``; the space's id is
that event's id. ``docs/formats/event-v1.md`` is the specification.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import nacl.bindings
import nacl.exceptions

from veche.events import canonical
from veche.events.encoding import EncodingError, b64d, b64e
from veche.events.identity import Identity

__all__ = [
    "CREATE_KIND",
    "MAX_DEPS",
    "REDACTED_FIELD",
    "Event",
    "EventError",
    "build_event",
    "event_id",
    "format_time",
    "parse_event",
]

CREATE_KIND = "space.create"
MAX_DEPS = 64
_KEYS = frozenset({"v", "space", "author", "seq", "prev", "deps", "kind", "at", "body", "sig"})
_KIND = re.compile(r"\A[a-z][a-z0-9_]{0,31}(\.[a-z][a-z0-9_]{0,31}){1,3}\Z")
# [0-9], not \d: in a str pattern \d also matches non-ASCII digits ("٢٠٢٠"),
# which strptime would then happily read as a year.
_AT = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")
_ID_LEN = 43  # 32 bytes in unpadded base64url
_SIG_LEN = 86  # 64 bytes


class EventError(ValueError):
    """An event breaks the envelope format; ``field`` and ``rule`` say where and which."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.rule = rule
        self.message = message


def event_id(signed_bytes: bytes) -> str:
    return b64e(hashlib.blake2b(signed_bytes, digest_size=32).digest())


def format_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: Veche uses timezone-aware UTC only")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Event:
    """A signed, verified event. Construct with ``build_event`` or ``parse_event`` only."""

    space: str | None
    author: str
    seq: int
    prev: str | None
    deps: tuple[str, ...]
    kind: str
    at: str
    body: dict[str, Any]
    sig: str
    raw: bytes = field(repr=False, compare=False)
    id: str = field(compare=False)
    author_key: bytes = field(repr=False, compare=False)
    signature: bytes = field(repr=False, compare=False)
    # A redacted event (event-v1 §16): the body fields removed (read as ""), and the
    # close of the retention rule it was redacted under. ``raw`` is the redacted form.
    redacted: tuple[str, ...] = field(default=(), compare=False)
    redacted_under: str | None = field(default=None, compare=False)

    def signed_message(self) -> bytes:
        """The bytes the signature covers: the canonical encoding without ``sig``."""
        cut = self.raw.rindex(b',"sig":"')
        return self.raw[:cut] + self.raw[cut + 8 + _SIG_LEN + 1 :]

    @property
    def space_id(self) -> str:
        """The space the event belongs to: its own id for ``space.create``."""
        return self.space if self.space is not None else self.id

    def as_dict(self) -> dict[str, Any]:
        return {
            "v": 1,
            "space": self.space,
            "author": self.author,
            "seq": self.seq,
            "prev": self.prev,
            "deps": list(self.deps),
            "kind": self.kind,
            "at": self.at,
            "body": self.body,
            "sig": self.sig,
        }

    @property
    def at_datetime(self) -> datetime:
        return datetime.strptime(self.at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _unsigned(document: dict[str, Any]) -> bytes:
    return canonical.encode({k: v for k, v in document.items() if k != "sig"})


def build_event(
    identity: Identity,
    *,
    space: str | None,
    seq: int,
    prev: str | None,
    kind: str,
    body: dict[str, Any],
    deps: list[str] | tuple[str, ...] = (),
    at: datetime | str | None = None,
) -> Event:
    """Sign a new event. The result is checked exactly as a received event would be."""
    when = at if isinstance(at, str) else format_time(at or datetime.now(UTC))
    document: dict[str, Any] = {
        "v": 1,
        "space": space,
        "author": identity.public,
        "seq": seq,
        "prev": prev,
        "deps": sorted(set(deps)),
        "kind": kind,
        "at": when,
        "body": body,
    }
    document["sig"] = b64e(identity.sign(_unsigned(document)))
    # Checked like any received event, except the signature we just made ourselves.
    return parse_event(canonical.encode(document), verify=False)


# A canonical 32-byte base64url text: 42 free characters, then one whose low
# two bits are zero (the encoding's unused bits).
_ID_TEXT = re.compile(r"\A[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]\Z")


def _id_field(document: dict[str, Any], name: str, *, nullable: bool) -> str | None:
    value = document[name]
    if value is None:
        if nullable:
            return None
        raise EventError(name, "required", "must not be null")
    if not isinstance(value, str) or len(value) != _ID_LEN:
        raise EventError(name, "id-format", "must be a 43-character base64url id")
    if not _ID_TEXT.match(value):
        try:
            b64d(value, 32)
        except EncodingError as error:
            raise EventError(name, "id-format", str(error)) from error
    return value


def parse_event(data: bytes, *, verify: bool = True) -> Event:
    """Parse and check one event from its canonical bytes.

    ``verify=False`` skips only the signature check, for events this node
    already verified when it stored them (rebuilds); never for received input.
    It also reads the redacted form of an event (event-v1 §16), which cannot be
    verified by itself: its ``id`` is the one it claims, and the fields it removed
    read as empty strings. With ``verify=True`` that form is refused (``fields``).
    """
    try:
        document = canonical.decode(data)
    except canonical.CanonicalError as error:
        raise EventError("envelope", "canonical-json", str(error)) from error
    if not isinstance(document, dict):
        raise EventError("envelope", "object", "an event is a JSON object")
    redaction = None
    if not verify and REDACTED_FIELD in document:
        redaction = _redaction(document.pop(REDACTED_FIELD))
    keys = document.keys()
    if keys != _KEYS:
        missing = sorted(_KEYS - keys)
        extra = sorted(keys - _KEYS)
        named = {"missing": ", ".join(missing), "unknown": ", ".join(extra)}
        detail = (
            "missing %(missing)s; unknown %(unknown)s" % named
            if missing and extra
            else "missing %(missing)s" % named
            if missing
            else "unknown %(unknown)s" % named
        )
        raise EventError("envelope", "fields", detail)
    if document["v"] != 1 or type(document["v"]) is not int:
        raise EventError("v", "version", "only version 1 is understood")
    space = _id_field(document, "space", nullable=True)
    author = document["author"]
    if not isinstance(author, str) or len(author) != _ID_LEN:
        raise EventError("author", "key-format", "must be a base64url Ed25519 public key")
    try:
        author_key = b64d(author, 32)
    except EncodingError as error:
        raise EventError("author", "key-format", str(error)) from error
    seq = document["seq"]
    if type(seq) is not int or seq < 1:
        raise EventError("seq", "positive", "must be an integer ≥ 1")
    prev = _id_field(document, "prev", nullable=True)
    if (seq == 1) != (prev is None):
        raise EventError("prev", "chain", "must be null exactly when seq is 1")
    deps = document["deps"]
    if not isinstance(deps, list):
        raise EventError("deps", "list", "must be a list of event ids")
    if len(deps) > MAX_DEPS:
        raise EventError("deps", "max-length", "at most %(n)d dependencies" % {"n": MAX_DEPS})
    for index, dep in enumerate(deps):
        if not isinstance(dep, str) or len(dep) != _ID_LEN or not _valid_id(dep):
            raise EventError(f"deps[{index}]", "id-format", "must be a 43-character base64url id")
    if any(deps[i] >= deps[i + 1] for i in range(len(deps) - 1)):
        raise EventError("deps", "sorted", "must be sorted and without repeats")
    kind = document["kind"]
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise EventError("kind", "kind-format", "must look like 'area.action' in lower case")
    if (space is None) != (kind == CREATE_KIND):
        raise EventError("space", "create", "is null exactly for space.create")
    if kind == CREATE_KIND and seq != 1:
        raise EventError("seq", "create", "space.create is its author's first event (seq 1)")
    at = document["at"]
    if not isinstance(at, str) or not _AT.match(at):
        raise EventError("at", "time-format", "must be UTC like 2020-08-11T18:00:00Z")
    try:
        datetime(  # noqa: DTZ001 - only checks that the date exists; cheaper than strptime
            int(at[0:4]),
            int(at[5:7]),
            int(at[8:10]),
            int(at[11:13]),
            int(at[14:16]),
            int(at[17:19]),
        )
    except ValueError as error:
        raise EventError("at", "time-format", "is not a real date and time") from error
    body = document["body"]
    if not isinstance(body, dict):
        raise EventError("body", "object", "must be a JSON object")
    sig_text = document["sig"]
    if not isinstance(sig_text, str) or len(sig_text) != _SIG_LEN:
        raise EventError("sig", "sig-format", "must be a 86-character base64url signature")
    try:
        signature = b64d(sig_text, 64)
    except EncodingError as error:
        raise EventError("sig", "sig-format", str(error)) from error
    if redaction is not None:
        claimed, removed, rule = redaction
        if any(name in body for name in removed):
            raise EventError("redacted", "removed", "a removed field is still in the body")
        return Event(
            space=space,
            author=author,
            seq=seq,
            prev=prev,
            deps=tuple(deps),
            kind=kind,
            at=at,
            body={**body, **dict.fromkeys(removed, "")},
            sig=sig_text,
            raw=bytes(data),
            id=claimed,
            author_key=author_key,
            signature=signature,
            redacted=removed,
            redacted_under=rule,
        )
    if verify:
        # "sig" sorts between "seq" and "space"; nothing after it can contain
        # the text ,"sig":" so its last occurrence is the top-level field.
        cut = data.rindex(b',"sig":"')
        message = data[:cut] + data[cut + 8 + _SIG_LEN + 1 :]
        try:
            nacl.bindings.crypto_sign_open(signature + message, author_key)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError) as error:
            raise EventError("sig", "signature", "does not verify under author's key") from error
    return Event(
        space=space,
        author=author,
        seq=seq,
        prev=prev,
        deps=tuple(deps),
        kind=kind,
        at=at,
        body=body,
        sig=sig_text,
        raw=bytes(data),
        id=event_id(data),
        author_key=author_key,
        signature=signature,
    )


REDACTED_FIELD = "redacted"
_REDACTION_KEYS = frozenset({"id", "removed", "rule"})


def _redaction(value: Any) -> tuple[str, tuple[str, ...], str]:
    """The ``redacted`` object of a redacted form: the event's id, the body fields
    removed (sorted, at least one) and the close of the retention rule (event-v1 §16)."""
    if not isinstance(value, dict) or value.keys() != _REDACTION_KEYS:
        raise EventError("redacted", "fields", "must hold exactly id, removed and rule")
    claimed = _id_field(value, "id", nullable=False)
    rule = _id_field(value, "rule", nullable=False)
    removed = value["removed"]
    if (
        not isinstance(removed, list)
        or not removed
        or not all(isinstance(name, str) and name for name in removed)
        or any(removed[i] >= removed[i + 1] for i in range(len(removed) - 1))
    ):
        raise EventError("redacted", "removed", "must name the removed fields, sorted")
    assert claimed is not None and rule is not None
    return claimed, tuple(removed), rule


def _valid_id(text: str) -> bool:
    if _ID_TEXT.match(text):
        return True
    try:
        b64d(text, 32)
    except EncodingError:
        return False
    return True
