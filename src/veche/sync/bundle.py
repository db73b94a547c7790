"""Bundle files (format v1): events for a USB stick, signed, compressed, and encrypted.

A bundle is one-way sync (Briar's simplex transport): the events some node
lacks, written to a file that any channel can carry. Layout, all integers big
endian (``docs/formats/sync-v1.md`` is the specification)::

    magic       16 bytes  b"VECHE-BUNDLE-v1\\n"
    header_len   4 bytes, then the header: canonical JSON
    n_wrapped    4 bytes, then n_wrapped × 80 bytes: the content key sealed
                 (crypto_box_seal) to each recipient's X25519 key
    payload      header["payload_bytes"] bytes
    signature   64 bytes: Ed25519 by header["node"] over everything before it

The payload, once decrypted (XChaCha20-Poly1305 under the content key, the
bytes before the payload as associated data) and decompressed, is canonical
JSON lines: a contents line ``{"events": N, "spaces": [...]}`` then one event
per line in dependency order. A public bundle is not encrypted (no wrapped
keys). Recipients are not named: each reader tries its keys on each wrapped
key, so a seized stick does not list who the members are; for the same reason
a private bundle names its spaces only inside the encrypted payload.
"""

from __future__ import annotations

import hashlib
import lzma
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import nacl.bindings
import nacl.exceptions
import nacl.utils

from veche.events import Identity, canonical
from veche.events.encoding import EncodingError, b64d, b64e
from veche.events.envelope import format_time
from veche.events.identity import verify_signature
from veche.sync.errors import BundleError

__all__ = [
    "MAGIC",
    "MAX_BUNDLE_BYTES",
    "MAX_EVENTS",
    "MAX_RAW_BYTES",
    "MAX_RECIPIENTS",
    "Bundle",
    "bundle_hash",
    "read_bundle",
    "write_bundle",
    "x25519_keypair",
    "x25519_public",
]

MAGIC = b"VECHE-BUNDLE-v1\n"
MAX_BUNDLE_BYTES = 128 * 1024 * 1024
MAX_RAW_BYTES = 512 * 1024 * 1024
MAX_EVENTS = 2_000_000
MAX_RECIPIENTS = 100_000
_WRAPPED = 32 + 48  # crypto_box_seal of a 32-byte key
_SIG = 64
_NONCE = 24
_HEADER_KEYS = frozenset(
    {"v", "format", "node", "created", "public", "compression", "spaces", "events",
     "recipients", "nonce", "payload_bytes", "raw_bytes"}
)  # fmt: skip
COMPRESSIONS = ("lzma", "zlib")


@dataclass(frozen=True, slots=True)
class Bundle:
    """A bundle that passed every check: who exported it, what it covers, its events."""

    node: str
    created: str
    public: bool
    spaces: tuple[str, ...]
    events: tuple[bytes, ...]
    size: int
    digest: str


def bundle_hash(data: bytes) -> str:
    return b64e(hashlib.blake2b(data, digest_size=32).digest())


def x25519_public(ed25519_public: str) -> bytes:
    """The X25519 key a sealed box to this Ed25519 key is addressed to."""
    return bytes(nacl.bindings.crypto_sign_ed25519_pk_to_curve25519(b64d(ed25519_public, 32)))


def x25519_keypair(identity: Identity) -> tuple[bytes, bytes]:
    public, secret = nacl.bindings.crypto_sign_seed_keypair(identity.seed)
    return (
        bytes(nacl.bindings.crypto_sign_ed25519_pk_to_curve25519(public)),
        bytes(nacl.bindings.crypto_sign_ed25519_sk_to_curve25519(secret)),
    )


def _compress(data: bytes, method: str) -> bytes:
    if method == "lzma":
        return lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_NONE, preset=6)
    return zlib.compress(data, 9)


def _decompress(data: bytes, method: str, limit: int) -> bytes:
    """Decompress at most ``limit`` bytes: a small bomb must not fill the memory."""
    try:
        if method == "lzma":
            lz = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
            out = lz.decompress(data, max_length=limit + 1)
            finished = lz.eof and not lz.unused_data
        else:
            zz = zlib.decompressobj()
            out = zz.decompress(data, limit + 1)
            finished = zz.eof and not zz.unused_data and not zz.unconsumed_tail
    except (lzma.LZMAError, zlib.error) as error:
        raise BundleError("damaged", f"payload does not decompress: {error}") from error
    if len(out) > limit:
        raise BundleError("oversized", f"payload expands beyond the {limit} bytes it declares")
    if not finished:
        raise BundleError("damaged", "payload is cut short or has data after its end")
    return out


def write_bundle(
    node: Identity,
    events: Sequence[bytes],
    *,
    spaces: Iterable[str],
    recipients: Iterable[str] = (),
    public: bool = False,
    created: datetime,
    compression: str = "zlib",
) -> bytes:
    """Build a bundle of ``events`` (canonical bytes, in dependency order)."""
    space_list = sorted(set(spaces))
    keys = sorted(set(recipients))
    if not public and not keys:
        raise BundleError("no-recipients", "a private bundle needs at least one recipient key")
    if len(events) > MAX_EVENTS:
        raise BundleError("oversized", f"at most {MAX_EVENTS} events per bundle")
    contents = canonical.encode({"events": len(events), "spaces": space_list})
    plain = b"\n".join([contents, *events])
    if len(plain) > MAX_RAW_BYTES:
        raise BundleError("oversized", f"events take more than {MAX_RAW_BYTES} bytes")
    packed = _compress(plain, compression)
    nonce = b"" if public else nacl.utils.random(_NONCE)
    content_key = nacl.utils.random(32)
    wrapped = (
        []
        if public
        else [nacl.bindings.crypto_box_seal(content_key, x25519_public(k)) for k in keys]
    )
    # Shuffle-free but unlinkable: sealed boxes are randomized, and sorting their
    # bytes hides the order of the recipients' keys.
    wrapped.sort()
    header = {
        "v": 1,
        "format": "veche-bundle",
        "node": node.public,
        "created": format_time(created),
        "public": public,
        "compression": compression,
        "spaces": space_list if public else [],
        "events": len(events) if public else 0,
        "recipients": len(wrapped),
        "nonce": b64e(nonce),
        "payload_bytes": len(packed) + (0 if public else 16),
        "raw_bytes": len(plain),
    }
    head = canonical.encode(header)
    prefix = b"".join(
        [MAGIC, struct.pack(">I", len(head)), head, struct.pack(">I", len(wrapped)), *wrapped]
    )
    if public:
        payload = packed
    else:
        payload = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
            packed, prefix, nonce, content_key
        )
    body = prefix + payload
    data = body + node.sign(body)
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError("oversized", f"bundle of {len(data)} bytes exceeds {MAX_BUNDLE_BYTES}")
    return data


def _header(data: bytes) -> tuple[dict[str, Any], int]:
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError(
            "oversized", f"file of {len(data)} bytes exceeds the {MAX_BUNDLE_BYTES}-byte limit"
        )
    if len(data) < len(MAGIC) or data[: len(MAGIC)] != MAGIC:
        if MAGIC.startswith(data[: len(MAGIC)]):
            raise BundleError("truncated", "file ends inside the bundle's first line")
        raise BundleError("not-a-bundle", "this file is not a Veche bundle (v1)")
    at = len(MAGIC)
    if len(data) < at + 4:
        raise BundleError("truncated", "file ends before the header")
    (length,) = struct.unpack_from(">I", data, at)
    at += 4
    if length > canonical.MAX_BYTES:
        raise BundleError("header", "header is longer than 64 KiB")
    if len(data) < at + length:
        raise BundleError("truncated", "file ends inside the header")
    try:
        header = canonical.decode(data[at : at + length])
    except canonical.CanonicalError as error:
        raise BundleError("header", f"header is not canonical JSON: {error}") from error
    if not isinstance(header, dict) or header.keys() != _HEADER_KEYS:
        raise BundleError("header", "header fields are not those of bundle v1")
    if header["v"] != 1 or header["format"] != "veche-bundle":
        raise BundleError("version", "only bundle format v1 is understood")
    checks = (
        isinstance(header["node"], str)
        and isinstance(header["created"], str)
        and type(header["public"]) is bool
        and header["compression"] in COMPRESSIONS
        and isinstance(header["spaces"], list)
        and all(isinstance(s, str) for s in header["spaces"])
        and all(type(header[k]) is int and header[k] >= 0 for k in
                ("events", "recipients", "payload_bytes", "raw_bytes"))
        and isinstance(header["nonce"], str)
    )  # fmt: skip
    if not checks:
        raise BundleError("header", "a header field has the wrong type")
    if header["recipients"] > MAX_RECIPIENTS or header["raw_bytes"] > MAX_RAW_BYTES:
        raise BundleError("oversized", "header declares more than the limits allow")
    return header, at + length


def read_bundle(data: bytes, keys: Sequence[Identity] = ()) -> Bundle:
    """Check and open a bundle; raise BundleError with the reason if anything is wrong.

    Checks run cheapest and most telling first: size, magic, header, length
    (truncated or padded), the exporter's signature (tampered), then the keys
    (foreign), then decryption and decompression within the declared sizes.
    """
    header, at = _header(data)
    if len(data) < at + 4:
        raise BundleError("truncated", "file ends before the recipient list")
    (count,) = struct.unpack_from(">I", data, at)
    if count != header["recipients"]:
        raise BundleError("header", "recipient count disagrees with the header")
    at += 4
    wrapped_start = at
    at += count * _WRAPPED
    expected = at + header["payload_bytes"] + _SIG
    if len(data) < expected:
        raise BundleError(
            "truncated", f"file is {len(data)} bytes, the bundle needs {expected}: it was cut short"
        )
    if len(data) > expected:
        raise BundleError("trailing-data", f"{len(data) - expected} bytes follow the signature")
    body, signature = data[:-_SIG], data[-_SIG:]
    if not verify_signature(header["node"], body, signature):
        raise BundleError(
            "tampered", "the exporting node's signature does not verify: the file was altered"
        )
    payload = data[at:-_SIG]
    if header["public"]:
        if count:
            raise BundleError("header", "a public bundle has no wrapped keys")
        packed = payload
    else:
        packed = _decrypt(header, data[:at], data[wrapped_start:at], payload, keys)
    plain = _decompress(packed, header["compression"], header["raw_bytes"])
    if len(plain) != header["raw_bytes"]:
        raise BundleError("damaged", "payload size disagrees with the header")
    lines = plain.split(b"\n")
    try:
        contents = canonical.decode(lines[0])
    except canonical.CanonicalError as error:
        raise BundleError("damaged", f"contents line is not canonical JSON: {error}") from error
    if (
        not isinstance(contents, dict)
        or contents.keys() != {"events", "spaces"}
        or contents["events"] != len(lines) - 1
        or not isinstance(contents["spaces"], list)
    ):
        raise BundleError("damaged", "contents line disagrees with the events that follow")
    if header["public"] and (
        contents["spaces"] != header["spaces"] or contents["events"] != header["events"]
    ):
        raise BundleError("damaged", "public header disagrees with the contents")
    events = tuple(lines[1:])
    if any(not line for line in events):
        raise BundleError("damaged", "empty event line")
    return Bundle(
        node=header["node"],
        created=header["created"],
        public=header["public"],
        spaces=tuple(str(s) for s in contents["spaces"]),
        events=events,
        size=len(data),
        digest=bundle_hash(data),
    )


def _decrypt(
    header: dict[str, Any], prefix: bytes, wrapped: bytes, payload: bytes, keys: Sequence[Identity]
) -> bytes:
    try:
        nonce = b64d(header["nonce"], _NONCE)
    except EncodingError as error:
        raise BundleError("header", "nonce is not 24 bytes of base64url") from error
    content_key = None
    pairs = [x25519_keypair(identity) for identity in keys]
    for start in range(0, len(wrapped), _WRAPPED):
        box = wrapped[start : start + _WRAPPED]
        for public, secret in pairs:
            try:
                content_key = nacl.bindings.crypto_box_seal_open(box, public, secret)
            except nacl.exceptions.CryptoError:
                continue
            break
        if content_key is not None:
            break
    if content_key is None:
        raise BundleError(
            "foreign",
            "this bundle is not for us: none of the keys it was sealed to is held here "
            "(import it signed in as a member of its committee)",
        )
    try:
        return bytes(
            nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
                payload, prefix, nonce, content_key
            )
        )
    except nacl.exceptions.CryptoError as error:
        raise BundleError("tampered", "payload fails authentication under its key") from error
