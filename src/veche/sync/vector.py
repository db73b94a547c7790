"""What a node holds, as a vector, and what a peer lacks, as bounded batches.

A vector is ``{space: {author: seq}}`` where ``seq`` is the highest sequence
number up to which the node holds every one of that author's events in that
space without a gap (Secure Scuttlebutt's per-feed clock, one level deeper
because Veche's logs are per space). Whoever answers a vector sends the events
with a higher seq, in dependency order (the stored (height, id) order), in
batches bounded by count and bytes. Because the receiver recomputes its vector
after each batch, the vector itself is the resume point after a dropped
connection, and re-sending an event is harmless (ingest is idempotent).

A vector cannot see a fork: two nodes holding different events with the same
(space, author, seq) have equal vectors. ``fingerprints`` hash every event id
held per (space, author); comparing them after the vector exchange finds the
authors whose sets differ, and the ids of those authors are then compared
directly (``missing_ids``). Equivocation is rare, so this costs one extra
round trip only when it happens.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from veche.events import canonical
from veche.events.encoding import b64e
from veche.sync.errors import SyncError

__all__ = [
    "AUTHORS_PER_LINE",
    "MAX_AUTHORS",
    "MAX_SPACES",
    "Batch",
    "BatchLimits",
    "Fingerprints",
    "StoredRow",
    "Vector",
    "check_fingerprints",
    "check_vector",
    "decode_vector_lines",
    "encode_vector_lines",
    "fingerprints_from_ids",
    "missing_ids",
    "select_batch",
    "space_of",
    "vector_from_seqs",
]

Vector = dict[str, dict[str, int]]
Fingerprints = dict[str, dict[str, str]]

MAX_SPACES = 10_000
MAX_AUTHORS = 200_000
AUTHORS_PER_LINE = 1000  # ~50 KB of canonical JSON: under the 64 KiB line limit
_KEY = re.compile(r"\A[A-Za-z0-9_-]{43}\Z")


@dataclass(frozen=True, slots=True)
class StoredRow:
    """One stored event as a batch is cut from it."""

    space: str
    author: str
    seq: int
    height: int | None
    id: str
    raw: bytes


@dataclass(frozen=True, slots=True)
class BatchLimits:
    """At most ``events`` events and about ``bytes`` bytes of them per batch."""

    events: int = 2000
    bytes: int = 4 * 1024 * 1024

    def capped(self, ceiling: BatchLimits) -> BatchLimits:
        return BatchLimits(
            max(1, min(self.events, ceiling.events)), max(1, min(self.bytes, ceiling.bytes))
        )


@dataclass(frozen=True, slots=True)
class Batch:
    """Events in dependency order; ``more`` says the answer was cut at a limit.

    ``after`` is the (height, id) of the last row looked at: a hint that lets the
    next request skip what this one already covered (``None`` height is encoded
    as -1: pending events come last).
    """

    events: tuple[bytes, ...]
    more: bool
    after: tuple[int, str] | None
    size: int


def vector_from_seqs(rows: Iterable[tuple[str, str, int]]) -> Vector:
    """From every held (space, author, seq), the highest seq reached without a gap."""
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    for space, author, seq in rows:
        seen[(space, author)].add(seq)
    vector: Vector = {}
    for (space, author), seqs in seen.items():
        top = 0
        while top + 1 in seqs:
            top += 1
        vector.setdefault(space, {})[author] = top
    return vector


def fingerprints_from_ids(rows: Iterable[tuple[str, str, str]]) -> Fingerprints:
    """(space, author, id) rows -> a 128-bit hash of each author's sorted event ids."""
    ids: dict[tuple[str, str], list[str]] = defaultdict(list)
    for space, author, event_id in rows:
        ids[(space, author)].append(event_id)
    result: Fingerprints = {}
    for (space, author), held in ids.items():
        digest = hashlib.blake2b(digest_size=16, person=b"veche-sync-fp1")
        digest.update("\n".join(sorted(held)).encode("ascii"))
        result.setdefault(space, {})[author] = b64e(digest.digest())
    return result


def _after_key(row: StoredRow) -> tuple[int, int, str]:
    # Pending rows (no height) sort after every placed one.
    return (1, 0, row.id) if row.height is None else (0, row.height, row.id)


def select_batch(
    rows: Iterable[StoredRow],
    vector: Mapping[str, Mapping[str, int]],
    limits: BatchLimits,
) -> Batch:
    """Cut the next batch of events the vector's holder lacks from rows in (height, id) order."""
    events: list[bytes] = []
    size = 0
    last: StoredRow | None = None
    for row in rows:
        if row.seq <= vector.get(row.space, {}).get(row.author, 0):
            last = row
            continue
        if events and (len(events) >= limits.events or size + len(row.raw) > limits.bytes):
            return Batch(tuple(events), True, _after(last), size)
        events.append(row.raw)
        size += len(row.raw)
        last = row
    return Batch(tuple(events), False, _after(last), size)


def _after(row: StoredRow | None) -> tuple[int, str] | None:
    if row is None:
        return None
    return (-1 if row.height is None else row.height, row.id)


def check_vector(value: object, *, allowed: Iterable[str] | None = None) -> Vector:
    """Check a vector received from a peer; spaces outside ``allowed`` are dropped."""
    if not isinstance(value, dict):
        raise SyncError("vector", "a vector is a JSON object {space: {author: seq}}")
    if len(value) > MAX_SPACES:
        raise SyncError("vector-size", f"a vector names at most {MAX_SPACES} spaces")
    keep = None if allowed is None else set(allowed)
    result: Vector = {}
    total = 0
    for space, authors in value.items():
        if not isinstance(space, str) or not _KEY.match(space):
            raise SyncError("vector", "vector keys must be space ids")
        if not isinstance(authors, dict):
            raise SyncError("vector", f"space {space}: authors must be an object")
        total += len(authors)
        if total > MAX_AUTHORS:
            raise SyncError("vector-size", f"a vector names at most {MAX_AUTHORS} authors")
        entry: dict[str, int] = {}
        for author, seq in authors.items():
            if not isinstance(author, str) or not _KEY.match(author):
                raise SyncError("vector", f"space {space}: author keys must be public keys")
            if type(seq) is not int or not 0 <= seq <= canonical.MAX_INT:
                raise SyncError("vector", f"space {space}: seq must be an integer ≥ 0")
            entry[author] = seq
        if keep is None or space in keep:
            result[space] = entry
    return result


def check_fingerprints(value: object) -> Fingerprints:
    if not isinstance(value, dict):
        raise SyncError("fingerprints", "fingerprints are {space: {author: hash}}")
    result: Fingerprints = {}
    for space, authors in value.items():
        if not isinstance(space, str) or not _KEY.match(space) or not isinstance(authors, dict):
            raise SyncError("fingerprints", "fingerprints are {space: {author: hash}}")
        for author, print_ in authors.items():
            if not isinstance(author, str) or not _KEY.match(author):
                raise SyncError("fingerprints", "fingerprint keys must be public keys")
            if not isinstance(print_, str) or len(print_) != 22:
                raise SyncError("fingerprints", "a fingerprint is 22 base64url characters")
            result.setdefault(space, {})[author] = print_
    return result


def encode_vector_lines(vector: Mapping[str, Mapping[str, object]], field: str) -> Iterator[bytes]:
    """A vector (or fingerprints) as canonical JSON lines, each under the 64 KiB limit."""
    for space in sorted(vector):
        authors = sorted(vector[space].items())
        if not authors:
            yield canonical.encode({"space": space, field: {}})
        for start in range(0, len(authors), AUTHORS_PER_LINE):
            part = dict(authors[start : start + AUTHORS_PER_LINE])
            yield canonical.encode({"space": space, field: part})


def decode_vector_lines(lines: Iterable[bytes], field: str) -> dict[str, dict[str, object]]:
    """Undo ``encode_vector_lines``; the result still needs ``check_vector``."""
    merged: dict[str, dict[str, object]] = {}
    for line in lines:
        try:
            item = canonical.decode(line)
        except canonical.CanonicalError as error:
            raise SyncError("frame", f"a vector line is not canonical JSON: {error}") from error
        if not isinstance(item, dict) or set(item) != {"space", field}:
            raise SyncError("frame", f"a vector line is {{space, {field}}}")
        space, part = item["space"], item[field]
        if not isinstance(space, str) or not isinstance(part, dict):
            raise SyncError("frame", "a vector line names a space and an object")
        target = merged.setdefault(space, {})
        for author, value in part.items():
            if author in target:
                raise SyncError("frame", f"space {space}: author {author} named twice")
            target[author] = value
        if len(merged) > MAX_SPACES:
            raise SyncError("vector-size", f"a vector names at most {MAX_SPACES} spaces")
    return merged


_TAIL_NULL = b',"space":null,"v":1}'
_TAIL_ID = len(b',"space":"","v":1}') + 43


def space_of(raw: bytes) -> str | None:
    """The space of an event's canonical bytes, without parsing it (None if malformed).

    Keys are sorted, so the envelope always ends ``,"space":ID,"v":1}``; a
    ``space.create`` (space null) is its own space, named by its id. A client
    uses this to drop, cheaply, events a peer sends for spaces it did not ask
    for; ingest still checks everything else.
    """
    if raw.endswith(_TAIL_NULL):
        return b64e(hashlib.blake2b(raw, digest_size=32).digest())
    tail = raw[-_TAIL_ID:]
    if tail[:10] != b',"space":"' or tail[53:] != b'","v":1}':
        return None
    return tail[10:53].decode("ascii", "replace")


def missing_ids(mine: Iterable[str], theirs: Iterable[str]) -> list[str]:
    """Ids I hold that the peer does not, sorted (the fork-repair step)."""
    return sorted(set(mine) - set(theirs))
