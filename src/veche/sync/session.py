"""The sync-v1 handshake, node certificates, and the encrypted session that follows.

Like Briar, Veche keeps what is synced apart from how it is carried: the
messages of ``veche.sync.vector`` travel inside a session that any
request/response transport can carry (HTTP here). The handshake is two round
trips, both sides stateless between them (the server keeps its half in a
*ticket* sealed under its own ticket key):

1. ``hello`` (client → server): purpose, the server URL the client dialled, the
   client's node key, a fresh X25519 ephemeral key and a fresh nonce.
   ``challenge`` (server → client): the server's node key, its ephemeral key and
   nonce, and its Ed25519 signature over the transcript hash.
2. ``auth`` (client → server): the client's signature over the same transcript
   hash, and node certificates in which members' keys delegate to the client's
   node key. ``welcome`` (server → client): a session ticket and, encrypted, the
   spaces the client may hold.

The transcript hash binds both nonces, both ephemeral keys, both node keys, the
URL and the purpose, so a signature cannot be replayed in another handshake,
reflected to the other role, or relayed to another server. The session keys
come from X25519 between the ephemeral keys, hashed with the transcript, one
key per direction: a relay that forwards the bytes can neither read nor alter
them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import nacl.bindings
import nacl.exceptions
import nacl.secret
import nacl.utils

from veche.events import Identity, canonical
from veche.events.encoding import EncodingError, b64d, b64e
from veche.events.envelope import format_time
from veche.events.identity import verify_signature
from veche.sync.errors import SyncError

__all__ = [
    "CERT_DAYS",
    "HANDSHAKE_SECONDS",
    "MAX_FRAME",
    "PURPOSE",
    "SESSION_SECONDS",
    "ClientHandshake",
    "Session",
    "TicketKeys",
    "accept_auth",
    "answer_hello",
    "check_certificate",
    "client_session",
    "decode_frame",
    "encode_frame",
    "finish_handshake",
    "make_certificate",
    "open_request",
    "open_response",
    "seal_request",
    "seal_response",
    "start_handshake",
    "utc_now",
]

PURPOSE = "veche-sync-v1"
HANDSHAKE_SECONDS = 120
SESSION_SECONDS = 15 * 60
CERT_DAYS = 90
MAX_FRAME = 48 * 1024 * 1024
MAX_CERTS = 64
_SERVER_LABEL = b"veche-sync-v1 server\x00"
_CLIENT_LABEL = b"veche-sync-v1 client\x00"
_CERT_LABEL = b"veche-node-cert-v1\x00"
_KEY = re.compile(r"\A[A-Za-z0-9_-]{43}\Z")


# -- frames: a canonical JSON header line, then lines (events or vector parts) ---------


def encode_frame(header: dict[str, Any], lines: Iterable[bytes] = ()) -> bytes:
    """One header line of canonical JSON, then each line; lines never contain a newline."""
    parts = [canonical.encode(header)]
    parts.extend(lines)
    return b"\n".join(parts)


def decode_frame(data: bytes, *, expect: str | None = None) -> tuple[dict[str, Any], list[bytes]]:
    if len(data) > MAX_FRAME:
        raise SyncError("too-large", f"message of {len(data)} bytes exceeds {MAX_FRAME}")
    head, _, rest = data.partition(b"\n")
    try:
        header = canonical.decode(head)
    except canonical.CanonicalError as error:
        raise SyncError("frame", f"message header is not canonical JSON: {error}") from error
    if not isinstance(header, dict) or header.get("v") != 1 or "type" not in header:
        raise SyncError("frame", "message header needs v=1 and a type")
    if expect is not None and header["type"] != expect:
        raise SyncError("frame", f"expected a {expect!r} message, got {header['type']!r}")
    lines = rest.split(b"\n") if rest else []
    if any(not line for line in lines):
        raise SyncError("frame", "empty line in message")
    return header, lines


# -- node certificates -------------------------------------------------------------------


def make_certificate(
    member: Identity, node_key: str, *, issued: datetime, days: int = CERT_DAYS
) -> dict[str, Any]:
    """A member's signed statement that ``node_key`` may hold the spaces the member may hold."""
    cert: dict[str, Any] = {
        "v": 1,
        "type": "node-cert",
        "member": member.public,
        "node": node_key,
        "issued": format_time(issued),
        "expires": format_time(issued + timedelta(days=days)),
    }
    cert["sig"] = b64e(member.sign(_CERT_LABEL + canonical.encode(cert)))
    return cert


def check_certificate(cert: object, node_key: str, now: datetime) -> str:
    """Return the member key a certificate speaks for, or raise SyncError saying why not."""
    if not isinstance(cert, dict) or set(cert) != {
        "v",
        "type",
        "member",
        "node",
        "issued",
        "expires",
        "sig",
    }:
        raise SyncError("certificate", "a node certificate has v, type, member, node, dates, sig")
    if cert["v"] != 1 or cert["type"] != "node-cert":
        raise SyncError("certificate", "not a v1 node certificate")
    if cert["node"] != node_key:
        raise SyncError("certificate", "certificate is for another node key")
    member = cert["member"]
    if not isinstance(member, str) or not _KEY.match(member):
        raise SyncError("certificate", "certificate member is not a public key")
    expires = cert["expires"]
    issued = cert["issued"]
    if not isinstance(expires, str) or not isinstance(issued, str):
        raise SyncError("certificate", "certificate dates must be UTC timestamps")
    when = format_time(now)
    if not issued <= when < expires:
        raise SyncError("certificate-expired", f"certificate of {member} is not valid now")
    try:
        sig = b64d(cert["sig"], 64)
    except (EncodingError, TypeError) as error:
        raise SyncError("certificate", "certificate signature is not base64url") from error
    body = {k: v for k, v in cert.items() if k != "sig"}
    if not verify_signature(member, _CERT_LABEL + canonical.encode(body), sig):
        raise SyncError("certificate", f"certificate of {member} does not verify")
    return member


# -- tickets: the server's state, sealed under its ticket key ----------------------------


TicketKeys = bytes | Sequence[bytes]
"""The key that seals new tickets, or several: the first seals, any of them opens
(so a node can rotate its ticket key without cutting off sessions in flight)."""


def _ticket_keys(keys: TicketKeys) -> Sequence[bytes]:
    return (keys,) if isinstance(keys, bytes) else keys


def _seal_ticket(ticket_key: TicketKeys, content: dict[str, Any]) -> str:
    box = nacl.secret.SecretBox(_ticket_keys(ticket_key)[0])
    return b64e(bytes(box.encrypt(canonical.encode(content))))


def _open_ticket(
    ticket_key: TicketKeys, ticket: object, kind: str, now: datetime
) -> dict[str, Any]:
    if not isinstance(ticket, str) or len(ticket) > 200_000:
        raise SyncError("ticket", "ticket missing or too long")
    try:
        sealed = b64d(ticket)
    except EncodingError as error:
        raise SyncError("ticket", "ticket is not base64url") from error
    content: object = None
    for key in _ticket_keys(ticket_key):
        try:
            content = canonical.decode(nacl.secret.SecretBox(key).decrypt(sealed))
        except (nacl.exceptions.CryptoError, canonical.CanonicalError):
            continue
        break
    else:
        raise SyncError("ticket", "ticket was not issued by this node, or has expired: start again")
    if not isinstance(content, dict) or content.get("t") != kind:
        raise SyncError("ticket", f"not a {kind} ticket")
    if format_time(now) >= content["exp"]:
        raise SyncError("expired", f"{kind} ticket expired: start a new handshake")
    return content


# -- the handshake --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClientHandshake:
    """What the client keeps between hello and challenge."""

    node: Identity
    hello: dict[str, Any]
    eph_secret: bytes = b""

    def __repr__(self) -> str:
        return f"ClientHandshake(node={self.node.public!r})"


@dataclass(frozen=True, slots=True)
class Session:
    """An authenticated session: keys per direction, the peer, and what it may hold."""

    ticket: str
    send_key: bytes
    receive_key: bytes
    peer_node: str
    spaces: tuple[str, ...]
    members: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Session(peer_node={self.peer_node!r}, spaces={len(self.spaces)})"


def _check_key(value: object, what: str) -> bytes:
    try:
        if not isinstance(value, str):
            raise EncodingError("not text")
        return b64d(value, 32)
    except EncodingError as error:
        raise SyncError("handshake", f"{what} is not a 32-byte base64url key") from error


def start_handshake(node: Identity, url: str) -> tuple[ClientHandshake, bytes]:
    public, secret = nacl.bindings.crypto_box_keypair()
    hello = {
        "v": 1,
        "type": "hello",
        "purpose": PURPOSE,
        "url": url,
        "node": node.public,
        "eph": b64e(public),
        "nonce": b64e(nacl.utils.random(32)),
    }
    return ClientHandshake(node, hello, secret), canonical.encode(hello)


def _transcript(hello: dict[str, Any], server: dict[str, Any]) -> bytes:
    core = {k: server[k] for k in ("node", "eph", "nonce")}
    return hashlib.blake2b(
        canonical.encode({"hello": hello, "challenge": core}),
        digest_size=32,
        person=b"veche-sync-th1",
    ).digest()


def _keys(shared: bytes, transcript: bytes) -> tuple[bytes, bytes]:
    def derive(label: bytes) -> bytes:
        return hashlib.blake2b(transcript, key=shared, digest_size=32, person=label).digest()

    return derive(b"veche-sync-c2s1"), derive(b"veche-sync-s2c1")


def _hello_fields(hello: object, hosts: Sequence[str]) -> dict[str, Any]:
    if not isinstance(hello, dict) or set(hello) != {
        "v",
        "type",
        "purpose",
        "url",
        "node",
        "eph",
        "nonce",
    }:
        raise SyncError("handshake", "hello has v, type, purpose, url, node, eph, nonce")
    if hello["v"] != 1 or hello["type"] != "hello":
        raise SyncError("version", "only sync-v1 hello is understood")
    if hello["purpose"] != PURPOSE:
        raise SyncError("purpose", f"hello is for {hello['purpose']!r}, not {PURPOSE}")
    _check_key(hello["node"], "hello node")
    _check_key(hello["eph"], "hello eph")
    _check_key(hello["nonce"], "hello nonce")
    url = hello["url"]
    if not isinstance(url, str) or len(url) > 2000:
        raise SyncError("handshake", "hello url must be text")
    host = urlsplit(url).netloc.lower()
    if host not in {h.lower() for h in hosts}:
        raise SyncError("wrong-peer", f"hello was meant for {host!r}, not for this node")
    return hello


def answer_hello(
    server: Identity,
    ticket_key: TicketKeys,
    data: bytes,
    *,
    hosts: Sequence[str],
    now: datetime,
) -> bytes:
    """Server side of round 1: check the hello, sign the transcript, seal our half."""
    try:
        hello = _hello_fields(canonical.decode(data), hosts)
    except canonical.CanonicalError as error:
        raise SyncError("handshake", f"hello is not canonical JSON: {error}") from error
    public, secret = nacl.bindings.crypto_box_keypair()
    core = {"node": server.public, "eph": b64e(public), "nonce": b64e(nacl.utils.random(32))}
    transcript = _transcript(hello, core)
    ticket = _seal_ticket(
        ticket_key,
        {
            "t": "handshake",
            "exp": format_time(now + timedelta(seconds=HANDSHAKE_SECONDS)),
            "eph_secret": b64e(secret),
            "client_eph": hello["eph"],
            "client": hello["node"],
            "th": b64e(transcript),
        },
    )
    challenge = {
        "v": 1,
        "type": "challenge",
        **core,
        "sig": b64e(server.sign(_SERVER_LABEL + transcript)),
        "ticket": ticket,
    }
    return canonical.encode(challenge)


def finish_handshake(
    state: ClientHandshake,
    data: bytes,
    *,
    certificates: Sequence[dict[str, Any]],
    expected_node: str | None = None,
) -> tuple[bytes, bytes, str]:
    """Client side of round 2: check the server's signature, sign, derive keys.

    Returns the auth message, the session keys (send, receive) packed as 64
    bytes, and the server's node key (to pin it on first contact).
    """
    try:
        challenge = canonical.decode(data)
    except canonical.CanonicalError as error:
        raise SyncError("handshake", f"challenge is not canonical JSON: {error}") from error
    if not isinstance(challenge, dict) or challenge.get("type") != "challenge":
        raise SyncError("handshake", "expected a challenge")
    for name in ("node", "eph", "nonce"):
        _check_key(challenge.get(name), f"challenge {name}")
    server_node = challenge["node"]
    if expected_node is not None and server_node != expected_node:
        raise SyncError(
            "wrong-peer",
            f"peer answered with node key {server_node}, but {expected_node} was expected",
        )
    transcript = _transcript(state.hello, challenge)
    try:
        sig = b64d(challenge.get("sig", ""), 64)
    except EncodingError as error:
        raise SyncError("handshake", "challenge signature is not base64url") from error
    if not verify_signature(server_node, _SERVER_LABEL + transcript, sig):
        raise SyncError("signature", "the peer's challenge signature does not verify")
    shared = nacl.bindings.crypto_scalarmult(state.eph_secret, b64d(challenge["eph"], 32))
    c2s, s2c = _keys(shared, transcript)
    auth = {
        "v": 1,
        "type": "auth",
        "ticket": challenge.get("ticket"),
        "sig": b64e(state.node.sign(_CLIENT_LABEL + transcript)),
        "certs": list(certificates),
    }
    return canonical.encode(auth), c2s + s2c, server_node


def accept_auth(
    server: Identity,
    ticket_key: TicketKeys,
    data: bytes,
    *,
    now: datetime,
    authorize: Callable[[list[str]], list[str]],
) -> tuple[bytes, Session]:
    """Server side of round 2: check the client's signature and certificates.

    ``authorize`` maps the member keys the client proved to the spaces it may
    hold; only those are named, inside the encrypted part of ``welcome``.
    """
    try:
        auth = canonical.decode(data)
    except canonical.CanonicalError as error:
        raise SyncError("handshake", f"auth is not canonical JSON: {error}") from error
    if not isinstance(auth, dict) or set(auth) != {"v", "type", "ticket", "sig", "certs"}:
        raise SyncError("handshake", "auth has v, type, ticket, sig, certs")
    state = _open_ticket(ticket_key, auth["ticket"], "handshake", now)
    transcript = b64d(state["th"], 32)
    client = state["client"]
    try:
        sig = b64d(auth["sig"], 64) if isinstance(auth["sig"], str) else b""
    except EncodingError:
        sig = b""
    if not verify_signature(client, _CLIENT_LABEL + transcript, sig):
        raise SyncError("signature", "the client's auth signature does not verify")
    certs = auth["certs"]
    if not isinstance(certs, list) or len(certs) > MAX_CERTS:
        raise SyncError("certificate", f"certs is a list of at most {MAX_CERTS}")
    members = sorted({check_certificate(cert, client, now) for cert in certs})
    spaces = sorted(set(authorize(members)))
    shared = nacl.bindings.crypto_scalarmult(
        b64d(state["eph_secret"], 32), b64d(state["client_eph"], 32)
    )
    c2s, s2c = _keys(shared, transcript)
    ticket = _seal_ticket(
        ticket_key,
        {
            "t": "session",
            "exp": format_time(now + timedelta(seconds=SESSION_SECONDS)),
            "c2s": b64e(c2s),
            "s2c": b64e(s2c),
            "client": client,
            "members": members,
            "spaces": spaces,
        },
    )
    session = Session(ticket, s2c, c2s, client, tuple(spaces), tuple(members))
    plain = encode_frame({"v": 1, "type": "spaces"}, (s.encode("ascii") for s in spaces))
    welcome = (
        encode_frame({"v": 1, "type": "welcome", "session": ticket}) + b"\n" + _box(s2c, plain)
    )
    return welcome, session


def client_session(welcome: bytes, keys: bytes, server_node: str) -> Session:
    """Client side: open ``welcome`` into a session naming the spaces we may hold."""
    head, _, boxed = welcome.partition(b"\n")
    header, _ = decode_frame(head, expect="welcome")
    plain = _unbox(keys[32:], boxed)
    _, lines = decode_frame(plain, expect="spaces")
    spaces = tuple(line.decode("ascii") for line in lines)
    if any(not _KEY.match(s) for s in spaces):
        raise SyncError("frame", "welcome names something that is not a space id")
    return Session(str(header["session"]), keys[:32], keys[32:], server_node, spaces)


# -- session messages -----------------------------------------------------------------------


def _box(key: bytes, plain: bytes) -> bytes:
    return bytes(nacl.secret.SecretBox(key).encrypt(plain))


def _unbox(key: bytes, boxed: bytes) -> bytes:
    try:
        return nacl.secret.SecretBox(key).decrypt(boxed)
    except nacl.exceptions.CryptoError as error:
        raise SyncError("tampered", "session message failed authentication") from error


def seal_request(session: Session, frame: bytes) -> bytes:
    return (
        canonical.encode({"v": 1, "session": session.ticket})
        + b"\n"
        + _box(session.send_key, frame)
    )


def open_request(ticket_key: TicketKeys, data: bytes, now: datetime) -> tuple[Session, bytes]:
    """Server side: open the session ticket and the request it carries."""
    if len(data) > MAX_FRAME:
        raise SyncError("too-large", f"request of {len(data)} bytes exceeds {MAX_FRAME}")
    head, _, boxed = data.partition(b"\n")
    try:
        header = canonical.decode(head)
    except canonical.CanonicalError as error:
        raise SyncError("frame", f"request header is not canonical JSON: {error}") from error
    if not isinstance(header, dict) or header.get("v") != 1:
        raise SyncError("frame", "request header needs v=1 and a session")
    state = _open_ticket(ticket_key, header.get("session"), "session", now)
    session = Session(
        str(header["session"]),
        b64d(state["s2c"], 32),
        b64d(state["c2s"], 32),
        state["client"],
        tuple(state["spaces"]),
        tuple(state["members"]),
    )
    return session, _unbox(session.receive_key, boxed)


def seal_response(session: Session, frame: bytes) -> bytes:
    return _box(session.send_key, frame)


def open_response(session: Session, data: bytes) -> bytes:
    return _unbox(session.receive_key, data)


def utc_now() -> datetime:
    return datetime.now(UTC)
