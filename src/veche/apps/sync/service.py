"""Sync-v1 on top of the event store: serve a peer, and sync with one.

The server side answers the handshake and the session messages (``want``,
``vector``, ``prints``, ``ids``, ``get``, ``push``) for the spaces the peer
proved it may hold, and for no other. The client side runs one sync:
handshake, pull by vector until nothing is left, push what the peer lacks by
its vector, then compare fingerprints and repair forks by id. Every step is
idempotent, so a sync cut off half way is simply run again.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import F, Max, Q
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, ngettext

from veche.apps.committees.access import may_hold_space, readable_spaces
from veche.apps.store.log import IngestReport
from veche.apps.store.models import StoredEvent
from veche.apps.sync.gate import Intake, Source, admit, refusal_lines
from veche.apps.sync.node import certificates, node_identity, ticket_keys
from veche.events import Identity
from veche.sync.errors import SyncError
from veche.sync.session import (
    MAX_FRAME,
    Session,
    accept_auth,
    answer_hello,
    client_session,
    decode_frame,
    encode_frame,
    finish_handshake,
    open_request,
    open_response,
    seal_request,
    seal_response,
    start_handshake,
)
from veche.sync.vector import (
    Batch,
    BatchLimits,
    Fingerprints,
    StoredRow,
    Vector,
    check_fingerprints,
    check_vector,
    decode_vector_lines,
    encode_vector_lines,
    fingerprints_from_ids,
    missing_ids,
    select_batch,
    vector_from_seqs,
)

__all__ = [
    "SERVER_LIMITS",
    "SyncResult",
    "authorize",
    "held_spaces",
    "local_fingerprints",
    "local_rows",
    "local_vector",
    "serve_auth",
    "serve_hello",
    "serve_session",
    "sync_with",
]

SERVER_LIMITS = BatchLimits(events=5000, bytes=8 * 1024 * 1024)
DEFAULT_LIMITS = SERVER_LIMITS
MAX_IDS_REQUEST = 20_000
MAX_FORK_AUTHORS = 1000


# -- what this node holds --------------------------------------------------------------


def held_spaces() -> list[str]:
    return list(StoredEvent.objects.values_list("space", flat=True).distinct().order_by("space"))


def local_vector(spaces: Iterable[str]) -> Vector:
    names = sorted(set(spaces))
    rows = StoredEvent.objects.filter(space__in=names).values_list("space", "author", "seq")
    vector = vector_from_seqs(rows.iterator(chunk_size=5000))
    for space in names:
        vector.setdefault(space, {})
    return vector


def local_fingerprints(spaces: Iterable[str]) -> Fingerprints:
    rows = StoredEvent.objects.filter(space__in=sorted(set(spaces))).values_list(
        "space", "author", "id"
    )
    return fingerprints_from_ids(rows.iterator(chunk_size=5000))


def local_rows(spaces: Iterable[str], after: tuple[int, str] | None = None) -> Iterator[StoredRow]:
    """Stored events of ``spaces`` in dependency order: (height, id), pending ones last."""
    query = StoredEvent.objects.filter(space__in=sorted(set(spaces)))
    if after is not None:
        height, last_id = after
        if height < 0:
            query = query.filter(height__isnull=True, id__gt=last_id)
        else:
            query = query.filter(
                Q(height__gt=height) | Q(height=height, id__gt=last_id) | Q(height__isnull=True)
            )
    rows = query.order_by(F("height").asc(nulls_last=True), "id").values_list(
        "space", "author", "seq", "height", "id", "raw"
    )
    for space, author, seq, placed, event_id, raw in rows.iterator(chunk_size=2000):
        yield StoredRow(space, author, seq, placed, event_id, bytes(raw))


def _ids_of(pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    result: dict[tuple[str, str], list[str]] = {pair: [] for pair in pairs}
    for space, author in pairs:
        result[(space, author)] = list(
            StoredEvent.objects.filter(space=space, author=author).values_list("id", flat=True)
        )
    return result


def _rows_by_id(ids: Sequence[str], spaces: set[str]) -> list[bytes]:
    rows: list[tuple[int, int, str, bytes]] = []
    for start in range(0, len(ids), 500):
        for event_id, space, height, raw in StoredEvent.objects.filter(
            id__in=ids[start : start + 500]
        ).values_list("id", "space", "height", "raw"):
            if space in spaces:
                rows.append((height is None, height or 0, event_id, bytes(raw)))
    rows.sort()
    return [row[3] for row in rows]


# -- server ---------------------------------------------------------------------------------


def authorize(members: list[str]) -> list[str]:
    """Spaces a peer proving these member keys may hold; only spaces this node holds."""
    spaces: set[str] = set()
    for key in members:
        for space in readable_spaces(key):
            if space not in spaces and may_hold_space(key, space):
                spaces.add(space)
    held = set(StoredEvent.objects.filter(space__in=sorted(spaces)).values_list("space", flat=True))
    return sorted(spaces & held)


def serve_hello(body: bytes, host: str) -> bytes:
    return answer_hello(node_identity(), ticket_keys(), body, hosts=[host], now=datetime.now(UTC))


def serve_auth(body: bytes) -> bytes:
    welcome, _ = accept_auth(
        node_identity(), ticket_keys(), body, now=datetime.now(UTC), authorize=authorize
    )
    return welcome


def serve_session(body: bytes) -> bytes:
    session, plain = open_request(ticket_keys(), body, datetime.now(UTC))
    return seal_response(session, _answer(session, plain))


def _answer(session: Session, plain: bytes) -> bytes:
    header, lines = decode_frame(plain)
    allowed = set(session.spaces)
    kind = header["type"]
    if kind == "want":
        vector = check_vector(decode_vector_lines(lines, "authors"), allowed=allowed)
        limits = _limits(header.get("limit")).capped(SERVER_LIMITS)
        spaces = sorted(allowed & set(vector))
        batch = select_batch(local_rows(spaces, _after(header.get("after"))), vector, limits)
        return _batch_frame(batch)
    if kind == "vector":
        return encode_frame(
            {"v": 1, "type": "vector"}, encode_vector_lines(local_vector(allowed), "authors")
        )
    if kind == "prints":
        return encode_frame(
            {"v": 1, "type": "prints"}, encode_vector_lines(local_fingerprints(allowed), "prints")
        )
    if kind == "ids":
        pairs = _pairs(header.get("authors"), allowed)
        ids = _ids_of(pairs)
        return encode_frame(
            {"v": 1, "type": "ids"},
            (f"{s} {a} {i}".encode("ascii") for (s, a), held in ids.items() for i in held),
        )
    if kind == "get":
        if len(lines) > MAX_IDS_REQUEST:
            raise SyncError("too-large", f"ask for at most {MAX_IDS_REQUEST} ids at once")
        wanted = [line.decode("ascii", "replace") for line in lines]
        return encode_frame({"v": 1, "type": "events"}, _rows_by_id(wanted, allowed))
    if kind == "push":
        # The gate decides, for the member keys the peer proved (not the spaces
        # named at the handshake: a member revoked since then brings nothing).
        source = Source.peer(f"sync:{session.peer_node}", session.members)
        taken = admit(lines, source)
        return encode_frame(
            {
                "v": 1,
                "type": "report",
                "summary": _summary(taken.report),
                "refused": taken.refused_count,
            }
        )
    raise SyncError("frame", f"unknown message type {kind!r}")


def _summary(report: IngestReport) -> dict[str, int]:
    # Outcome statuses may be TextChoices members; canonical JSON wants plain str keys.
    return {str(status): count for status, count in report.summary().items()}


def _limits(value: object) -> BatchLimits:
    if not isinstance(value, dict):
        return SERVER_LIMITS
    events, size = value.get("events"), value.get("bytes")
    if type(events) is not int or type(size) is not int:
        raise SyncError("frame", "limit needs integer events and bytes")
    return BatchLimits(events, size)


def _after(value: object) -> tuple[int, str] | None:
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or type(value[0]) is not int
        or not isinstance(value[1], str)
    ):
        raise SyncError("frame", "after is [height, id]")
    return value[0], value[1]


def _pairs(value: object, allowed: set[str]) -> list[tuple[str, str]]:
    if not isinstance(value, list) or len(value) > MAX_FORK_AUTHORS:
        raise SyncError("frame", f"authors is a list of at most {MAX_FORK_AUTHORS} pairs")
    pairs = []
    for item in value:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(x, str) for x in item)
        ):
            raise SyncError("frame", "each author is [space, author]")
        if item[0] in allowed:
            pairs.append((item[0], item[1]))
    return pairs


def _batch_frame(batch: Batch) -> bytes:
    after = list(batch.after) if batch.after is not None else None
    return encode_frame({"v": 1, "type": "batch", "more": batch.more, "after": after}, batch.events)


# -- client ---------------------------------------------------------------------------------

Transport = Callable[[str, bytes], bytes]


@dataclass
class SyncResult:
    peer: str
    peer_node: str
    spaces: list[str]
    pulled: dict[str, int] = field(default_factory=dict)
    pushed: dict[str, int] = field(default_factory=dict)
    rounds: int = 0
    forks_repaired: int = 0
    # Received events the gate refused: reason -> space -> events (gate.Taken.refused).
    refused: dict[str, dict[str, int]] = field(default_factory=dict)
    # Events we pushed that the peer's gate refused.
    refused_by_peer: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "peer": self.peer,
            "peer_node": self.peer_node,
            "spaces": self.spaces,
            "pulled": self.pulled,
            "pushed": self.pushed,
            "rounds": self.rounds,
            "forks_repaired": self.forks_repaired,
            "refused": sum(n for spaces in self.refused.values() for n in spaces.values()),
            "refused_by_peer": self.refused_by_peer,
        }

    def record(self) -> str:
        """The outcome as stored on a peer's row: counts and codes, put into words in
        the reader's language when shown (``outcome_text``)."""
        pulled = sum(self.pulled.get(k, 0) for k in ("applied", "rejected", "held", "pending"))
        pushed = sum(self.pushed.get(k, 0) for k in ("applied", "rejected", "held", "pending"))
        return json.dumps(
            {
                "peer": self.peer,
                "spaces": len(self.spaces),
                "received": pulled,
                "sent": pushed,
                "rounds": self.rounds,
                "forks": self.forks_repaired,
                "waiting": self.pulled.get("pending", 0),
                "refused": self.refused,
                "refused_by_peer": self.refused_by_peer,
            },
            sort_keys=True,
        )

    def text(self) -> str:
        return outcome_text(self.record())


# What a failed sync is told as, by the reason code of its SyncError (sync-v1 §7).
SYNC_REASONS: dict[str, Promise] = {
    "unreachable": gettext_lazy("the peer could not be reached (no network, or it is off)"),
    "timeout": gettext_lazy("the sync ran past its deadline; sync again to go on"),
    "http": gettext_lazy("the peer answered with an error page, not as a Veche node"),
    "too-large": gettext_lazy("the peer's answer was larger than allowed"),
    "handshake": gettext_lazy("the peer's handshake was malformed"),
    "version": gettext_lazy("the peer speaks a sync version this node does not understand"),
    "purpose": gettext_lazy("the peer's message was meant for another step of the sync"),
    "signature": gettext_lazy("a signature of the peer does not verify"),
    "certificate": gettext_lazy("the peer's certificate is not valid"),
    "certificate-expired": gettext_lazy("the peer's certificate has expired"),
    "node-key": gettext_lazy("the peer's node key is not valid"),
    "wrong-peer": gettext_lazy(
        "another node answered at this address than the one this node synced with before"
    ),
    "ticket": gettext_lazy("the peer's session ticket is not valid; sync again"),
    "expired": gettext_lazy("the session expired; sync again"),
    "tampered": gettext_lazy("a message was altered on the way"),
    "frame": gettext_lazy("the peer sent a malformed message"),
    "vector": gettext_lazy("the peer's summary of what it holds is malformed"),
    "vector-size": gettext_lazy("the peer's summary of what it holds is too large"),
    "fingerprints": gettext_lazy("the peer's fingerprints of its logs are malformed"),
    "forbidden": gettext_lazy("the peer refused: this node may not sync with it"),
}


def failure_record(error: SyncError) -> str:
    """A failed sync as stored on a peer's row: its reason code."""
    return json.dumps({"reason": error.reason})


def outcome_text(stored: str) -> str:
    """A peer's stored outcome (``SyncResult.record``, ``failure_record``, or a msgid of
    the runner's own) in the active language."""
    try:
        data = json.loads(stored)
    except ValueError:
        return gettext(stored) if stored else ""
    if not isinstance(data, dict):
        return gettext(stored)
    if "reason" in data:
        reason = str(data["reason"])
        text = SYNC_REASONS.get(reason)
        if text is None:
            return gettext("the sync failed (%(reason)s)") % {"reason": reason}
        return str(text)
    if not data.get("spaces"):
        return gettext(
            "the peer named no committee this node may hold: sync as a member "
            "(veche sync --as KEYFILE, or sign in and use Sync now)"
        )
    parts = [
        ngettext("%(count)d committee", "%(count)d committees", data["spaces"])
        % {"count": data["spaces"]},
        ngettext("received %(count)d new event", "received %(count)d new events", data["received"])
        % {"count": data["received"]},
        ngettext("sent %(count)d", "sent %(count)d", data["sent"]) % {"count": data["sent"]},
        ngettext("%(count)d round", "%(count)d rounds", data["rounds"]) % {"count": data["rounds"]},
    ]
    if data.get("forks"):
        parts.append(
            ngettext(
                "%(count)d forked event exchanged",
                "%(count)d forked events exchanged",
                data["forks"],
            )
            % {"count": data["forks"]}
        )
    if data.get("waiting"):
        parts.append(
            ngettext(
                "%(count)d waits for events of committees this node does not hold",
                "%(count)d wait for events of committees this node does not hold",
                data["waiting"],
            )
            % {"count": data["waiting"]}
        )
    notes = refusal_lines(Source.peer(str(data.get("peer", "")), ()), data.get("refused") or {})
    if data.get("refused_by_peer"):
        notes.append(
            ngettext(
                "The peer refused %(count)d event sent to it: none of the members this "
                "node syncs for may hold its committee there.",
                "The peer refused %(count)d events sent to it: none of the members this "
                "node syncs for may hold their committees there.",
                data["refused_by_peer"],
            )
            % {"count": data["refused_by_peer"]}
        )
    return " ".join(["; ".join(parts) + ".", *notes])


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A peer's answer is its own: a redirect would make this node request an
    address its operator never chose (urllib turns a redirected POST into a GET)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        del req, fp, msg, headers
        raise SyncError(
            "http", f"peer answered with a redirect (HTTP {code}) to {newurl}; not followed"
        )


_OPENER = urllib.request.build_opener(_NoRedirects)
# A frame plus its sealing (header, nonce, tag) with room to spare.
_MAX_ANSWER = MAX_FRAME + 1024 * 1024


def http_transport(timeout: float = 120.0, *, deadline: float | None = None) -> Transport:
    """POST over HTTP: no redirects, at most one sealed frame read back, and (with a
    ``deadline``, a time.monotonic() value) no request or read past it, so a peer
    that drips its answer a byte at a time cannot hold the sync for ever."""

    def remaining() -> float:
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise SyncError("timeout", "the sync ran past its deadline")
        return min(timeout, left)

    def post(url: str, body: bytes) -> bytes:
        request = urllib.request.Request(  # noqa: S310 - the operator gives the peer's URL
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/octet-stream"},
        )
        try:
            with _OPENER.open(request, timeout=remaining()) as response:
                # One sealed frame of the session at most; a larger answer is
                # refused before it fills memory.
                chunks: list[bytes] = []
                size = 0
                while size <= _MAX_ANSWER:
                    remaining()
                    # read1: whatever one receive brings, so the deadline is checked
                    # between receives, not after a megabyte trickles in.
                    chunk = response.read1(min(1 << 20, _MAX_ANSWER + 1 - size))
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                answer = b"".join(chunks)
        except urllib.error.HTTPError as error:
            detail = error.read(2000)
            try:
                problem = json.loads(detail)
                raise SyncError(str(problem["reason"]), f"peer refused: {problem['message']}")
            except (ValueError, KeyError, TypeError):
                raise SyncError("http", f"peer answered HTTP {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise SyncError("unreachable", f"cannot reach {url}: {error}") from error
        if len(answer) > _MAX_ANSWER:
            raise SyncError("too-large", f"the peer's answer exceeds {_MAX_ANSWER} bytes")
        return answer

    return post


def _merge(total: dict[str, int], summary: dict[str, int]) -> None:
    for key, value in summary.items():
        total[key] = total.get(key, 0) + value


def sync_with(
    url: str,
    *,
    spaces: Sequence[str] | None = None,
    members: Sequence[Identity] = (),
    expected_node: str | None = None,
    transport: Transport | None = None,
    limits: BatchLimits = DEFAULT_LIMITS,
    deadline: float | None = None,
) -> SyncResult:
    """Pull from and push to the peer at ``url``: one full, resumable sync (over HTTP
    stopped at ``deadline``, a time.monotonic() value, if given)."""
    from veche.apps.sync.node import certify

    post = transport or http_transport(deadline=deadline)
    base = url.rstrip("/") + "/sync/v1/"
    for member in members:
        certify(member)

    def handshake() -> Session:
        state, hello = start_handshake(node_identity(), url.rstrip("/") + "/")
        auth, keys, peer_node = finish_handshake(
            state,
            post(base + "hello", hello),
            certificates=certificates(),
            expected_node=expected_node,
        )
        return client_session(post(base + "auth", auth), keys, peer_node)

    session = handshake()
    expected_node = session.peer_node  # a renewed session must be with the same node
    scope = set(session.spaces) if spaces is None else set(session.spaces) & set(spaces)
    result = SyncResult(url, session.peer_node, sorted(scope))
    if not scope:
        return result

    def ask(
        header: dict[str, Any], lines: Iterable[bytes] = ()
    ) -> tuple[dict[str, Any], list[bytes]]:
        nonlocal session
        result.rounds += 1
        frame = encode_frame(header, lines)
        try:
            reply = post(base + "session", seal_request(session, frame))
        except SyncError as error:
            if error.reason not in ("expired", "ticket"):
                raise
            # A long sync outlives its 15-minute session (or the peer rotated
            # its ticket key): shake hands again and repeat the request, which
            # is idempotent. Spaces stay those of the first session.
            session = handshake()
            reply = post(base + "session", seal_request(session, frame))
        return decode_frame(open_response(session, reply))

    # Everything the peer sends goes through the gate, for the members this node
    # syncs for (their certificates made the session) and only for the spaces in
    # scope: a peer cannot fill our store with others.
    members_here = sorted({str(cert["member"]) for cert in certificates()})
    intake = Intake(Source.peer(f"sync:{url}", members_here, asked=scope))

    def pulled(report: IngestReport) -> None:
        _merge(result.pulled, _summary(report))

    # 1. Pull: send our vector until the peer has nothing more for us. The
    # vector stays as it was for the whole loop: the `after` hint moves past
    # each batch, so the next batch is fetched (a thread: the peer's work and
    # the transfer) while this one is stored (our work), on two cores.
    vector_lines = list(encode_vector_lines(local_vector(scope), "authors"))
    limit = {"events": limits.events, "bytes": limits.bytes}

    def want(after: object) -> tuple[dict[str, Any], list[bytes]]:
        return ask({"v": 1, "type": "want", "after": after, "limit": limit}, vector_lines)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(want, None)
        while True:
            header, events = pending.result()
            if header.get("type") != "batch":
                raise SyncError("frame", "peer did not answer with a batch")
            more = bool(header.get("more")) and bool(events)
            if more:
                pending = pool.submit(want, header.get("after"))
            if events:
                pulled(intake.take(events))
            if not more:
                break
    # Events of committees new here stay parked until the whole log arrived (it
    # holds the admission of the member this node syncs for): judged at the end,
    # after the fork repair, which may bring the very events they wait for (a node
    # that holds a forged seq 1 of a founder gets the real one only there).
    # 2. Push: what the peer lacks by its vector, in bounded batches.
    header, lines = ask({"v": 1, "type": "vector"})
    theirs = check_vector(decode_vector_lines(lines, "authors"), allowed=scope)
    for space in scope:
        theirs.setdefault(space, {})
    tops = StoredEvent.objects.filter(space__in=sorted(scope)).values_list("space", "author")
    ahead = any(
        top > theirs[space].get(author, 0)
        for space, author, top in tops.annotate(top=Max("seq")).values_list(
            "space", "author", "top"
        )
    )
    cursor: tuple[int, str] | None = None
    while ahead:
        batch = select_batch(local_rows(sorted(scope), cursor), theirs, limits)
        if batch.events:
            header, _ = ask({"v": 1, "type": "push"}, batch.events)
            _pushed(result, header)
        if not batch.more:
            break
        cursor = batch.after
    # 3. Forks: equal vectors can hide different events at one seq. Compare
    # fingerprints; for authors that differ, compare ids and swap what is missing.
    header, lines = ask({"v": 1, "type": "prints"})
    their_prints = check_fingerprints(decode_vector_lines(lines, "prints"))
    mine = local_fingerprints(scope)
    differing = sorted(
        (space, author)
        for space in scope
        for author in set(mine.get(space, {})) | set(their_prints.get(space, {}))
        if mine.get(space, {}).get(author) != their_prints.get(space, {}).get(author)
    )
    for start in range(0, len(differing), MAX_FORK_AUTHORS):
        pairs = differing[start : start + MAX_FORK_AUTHORS]
        _, lines = ask({"v": 1, "type": "ids", "authors": [list(p) for p in pairs]})
        their_ids: dict[tuple[str, str], list[str]] = {p: [] for p in pairs}
        for line in lines:
            space, author, event_id = line.decode("ascii").split(" ")
            their_ids.setdefault((space, author), []).append(event_id)
        my_ids = _ids_of(pairs)
        # Events parked in the intake (a committee new here) arrived in the pull:
        # not stored yet, so not in our prints, but not to be fetched again.
        here = intake.parked_ids()
        wanted = sorted(
            {i for p in pairs for i in missing_ids(their_ids.get(p, []), my_ids.get(p, []))} - here
        )
        give = sorted(
            {i for p in pairs for i in missing_ids(my_ids.get(p, []), their_ids.get(p, []))}
        )
        for part in range(0, len(wanted), MAX_IDS_REQUEST):
            _, events = ask(
                {"v": 1, "type": "get"},
                (i.encode("ascii") for i in wanted[part : part + MAX_IDS_REQUEST]),
            )
            if events:
                pulled(intake.take(events))
                result.forks_repaired += len(events)
        if give:
            events = _rows_by_id(give, scope)
            for part in range(0, len(events), limits.events):
                header, _ = ask({"v": 1, "type": "push"}, events[part : part + limits.events])
                _pushed(result, header)
                result.forks_repaired += len(events[part : part + limits.events])
    pulled(intake.finish())
    result.refused = intake.result().refused
    return result


def _pushed(result: SyncResult, header: dict[str, Any]) -> None:
    summary = header.get("summary", {})
    _merge(result.pushed, summary if isinstance(summary, dict) else {})
    refused = header.get("refused", 0)
    if type(refused) is int and refused > 0:
        result.refused_by_peer += refused
