"""A rateless (fountain-code) framing of a bundle for animated QR codes: QR parts v2.

The message (a bundle file) is cut into ``count`` equal fragments. Frames 1…count
carry the fragments as they are; every later frame carries the XOR of a subset
of fragments that the sender and receiver both derive from the frame's number
and the message's checksum (Xoshiro256** seeded by SplitMix64, each fragment
taken with probability 1/2). A receiver collects frames in any order, whichever it missed, and solves
for the fragments by elimination over GF(2); it typically needs ``count`` or a
frame or two more of the frames it saw. Each frame ends in a CRC-32, so a
misread code is refused before it can spoil the others.

The design follows Blockchain Commons' UR fountain encoder (BCR-2020-005): the
same systematic start, PRNG family, XOR mixing and CRC-32 checksums, but denser
mixed frames, decoded by elimination rather than peeling (fewer frames needed
past the fragments; see the document for measurements).
docs/formats/qr-v2.md is the normative description.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from veche.sync.errors import QrError

__all__ = [
    "FRAME_BYTES",
    "HEADER",
    "MAX_FRAGMENTS",
    "MIN_FRAME_BYTES",
    "PREFIX",
    "Decoder",
    "Frame",
    "Xoshiro256",
    "choose_fragments",
    "decode",
    "encode",
    "fragment_length",
    "fragment_mask",
    "parse_frame",
]

PREFIX = b"VQ2"
# 1,273 bytes fill QR version 25 (117 modules) at error correction L exactly: see
# docs/formats/qr-v2.md for why that suits one phone filming another's screen.
FRAME_BYTES = 1273
MIN_FRAME_BYTES = 64
MAX_FRAGMENTS = 4000
MAX_SEQ = 0xFFFFFFFF
_HEAD = struct.Struct(">3sIHII")  # prefix, seq, count, length, checksum
HEADER = _HEAD.size  # 17
_CRC = struct.Struct(">I")
OVERHEAD = HEADER + _CRC.size  # 21
_MASK64 = (1 << 64) - 1


def _crc32(data: bytes) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


def _splitmix64(state: int) -> tuple[int, int]:
    state = (state + 0x9E3779B97F4A7C15) & _MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return state, z ^ (z >> 31)


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & _MASK64


class Xoshiro256:
    """Xoshiro256** (Blackman and Vigna), its four words filled by SplitMix64 from ``seed``."""

    __slots__ = ("_s",)

    def __init__(self, seed: int) -> None:
        state = seed & _MASK64
        words = []
        for _ in range(4):
            state, word = _splitmix64(state)
            words.append(word)
        self._s = words

    def next(self) -> int:
        s = self._s
        result = (_rotl((s[1] * 5) & _MASK64, 7) * 9) & _MASK64
        t = (s[1] << 17) & _MASK64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result


def fragment_mask(seq: int, count: int, checksum: int) -> int:
    """The fragments XORed into frame ``seq`` as a bit set: bit i is fragment i (from 0).

    Frames 1…count are the fragments themselves. A later frame takes each fragment
    with probability 1/2: the PRNG's 64-bit outputs, lowest bit first, one bit per
    fragment, drawn again whole if no fragment was taken. Such dense, random
    combinations are what lets elimination finish a frame or two past ``count``.
    """
    if seq <= count:
        return 1 << (seq - 1)
    rng = Xoshiro256((checksum << 32) | seq)
    words = -(-count // 64)
    keep = (1 << count) - 1
    while True:
        mask = 0
        for k in range(words):
            mask |= rng.next() << (64 * k)
        mask &= keep
        if mask:
            return mask


def choose_fragments(seq: int, count: int, checksum: int) -> list[int]:
    """The 0-based fragment indices XORed into frame ``seq``, in order."""
    mask = fragment_mask(seq, count, checksum)
    return [i for i in range(count) if mask >> i & 1]


def fragment_length(length: int, frame_bytes: int = FRAME_BYTES) -> int:
    """Fragment size for a message: as even as possible, each frame at most frame_bytes."""
    if frame_bytes < MIN_FRAME_BYTES:
        raise QrError("frame-size", f"a frame must hold at least {MIN_FRAME_BYTES} bytes")
    most = frame_bytes - OVERHEAD
    count = -(-length // most)
    return -(-length // count)


@dataclass(frozen=True, slots=True)
class Frame:
    seq: int  # from 1
    count: int  # fragments of the message
    length: int  # message bytes
    checksum: int  # CRC-32 of the message
    data: bytes  # one fragment's length: a fragment, or the XOR of several

    def encode(self) -> bytes:
        body = _HEAD.pack(PREFIX, self.seq, self.count, self.length, self.checksum) + self.data
        return body + _CRC.pack(_crc32(body))

    @property
    def message(self) -> tuple[int, int, int]:
        """What ties frames of one message together."""
        return (self.checksum, self.length, self.count)


def parse_frame(payload: bytes) -> Frame:
    """Read one frame's bytes; QrError if they are not a whole, well-formed v2 frame."""
    if len(payload) < 3 or payload[:3] != PREFIX:
        raise QrError("not-veche", "this QR code is not part of a Veche bundle")
    if len(payload) <= OVERHEAD:
        raise QrError("truncated", "this QR code is cut short")
    body, (crc,) = payload[:-4], _CRC.unpack(payload[-4:])
    if _crc32(body) != crc:
        raise QrError("checksum", "this QR code was misread or altered (its checksum fails)")
    _, seq, count, length, checksum = _HEAD.unpack_from(body)
    data = body[HEADER:]
    if not 1 <= count <= MAX_FRAGMENTS or seq < 1:
        raise QrError("numbering", f"frame {seq} of a {count}-fragment message is not valid")
    if not (count - 1) * len(data) < length <= count * len(data):
        raise QrError(
            "length",
            f"a message of {length} bytes cannot be {count} fragments of {len(data)} bytes",
        )
    return Frame(seq, count, length, checksum, data)


def encode(
    message: bytes, frames: int | None = None, *, frame_bytes: int = FRAME_BYTES
) -> list[Frame]:
    """The first ``frames`` frames of a message (default: its fragments, then half as many
    mixed frames again, at least three)."""
    if not message:
        raise QrError("empty", "nothing to split")
    size = fragment_length(len(message), frame_bytes)
    count = -(-len(message) // size)
    if count > MAX_FRAGMENTS:
        raise QrError(
            "too-large",
            f"{count} QR codes would be needed (at most {MAX_FRAGMENTS}): use a file instead",
        )
    if frames is None:
        frames = count + max(3, -(-count // 2))
    if not 1 <= frames <= MAX_SEQ:
        raise QrError("numbering", f"cannot make {frames} frames")
    padded = message.ljust(count * size, b"\0")
    fragments = [int.from_bytes(padded[i * size : (i + 1) * size], "big") for i in range(count)]
    checksum = _crc32(message)
    out = []
    for seq in range(1, frames + 1):
        mixed = 0
        mask = fragment_mask(seq, count, checksum)
        while mask:
            low = mask & -mask
            mixed ^= fragments[low.bit_length() - 1]
            mask ^= low
        out.append(Frame(seq, count, len(message), checksum, mixed.to_bytes(size, "big")))
    return out


class Decoder:
    """Collects frames of one message in any order; solves by Gauss–Jordan elimination.

    Rows are kept fully reduced: each pivot fragment appears in its own row only,
    so a new frame is reduced in one pass and the message is ready once every
    fragment is a pivot.
    """

    def __init__(self) -> None:
        self.message: tuple[int, int, int] | None = None
        self.size = 0
        self.received = 0  # distinct frames taken
        self._seen: set[int] = set()
        self._rows: dict[int, tuple[int, int]] = {}  # pivot -> (mask, data)

    @property
    def solved(self) -> int:
        """Fragments pinned down so far (the rank): a progress bar's numerator."""
        return len(self._rows)

    @property
    def count(self) -> int:
        return self.message[2] if self.message else 0

    @property
    def done(self) -> bool:
        return self.message is not None and len(self._rows) == self.count

    def add(self, frame: Frame) -> bool:
        """Take a frame; True if it taught something new. QrError if it does not belong."""
        if self.message is None:
            self.message, self.size = frame.message, len(frame.data)
        elif frame.message != self.message or len(frame.data) != self.size:
            if frame.checksum == self.message[0]:
                raise QrError(
                    "length", "these codes disagree on the length of the bundle: one was altered"
                )
            raise QrError("mixed", "codes of two different bundles were given; scan one")
        if frame.seq in self._seen:
            return False
        self._seen.add(frame.seq)
        self.received += 1
        mask = fragment_mask(frame.seq, frame.count, frame.checksum)
        data = int.from_bytes(frame.data, "big")
        rows = self._rows
        bits = mask
        while bits:  # reduce by every pivot present
            low = bits & -bits
            bits ^= low
            pivot = low.bit_length() - 1
            row = rows.get(pivot)
            if row is not None:
                mask ^= row[0]
                data ^= row[1]
        if not mask:
            if data:
                raise QrError(
                    "conflict", "a code contradicts the others although its checksum holds"
                )
            return False
        pivot = (mask & -mask).bit_length() - 1
        bit = 1 << pivot
        for other, (other_mask, other_data) in list(rows.items()):
            if other_mask & bit:
                rows[other] = (other_mask ^ mask, other_data ^ data)
        rows[pivot] = (mask, data)
        return True

    def missing(self) -> tuple[int, ...]:
        """1-based fragments not yet known on their own."""
        known = {p for p, (mask, _) in self._rows.items() if mask == 1 << p}
        return tuple(i + 1 for i in range(self.count) if i not in known)

    def result(self) -> bytes:
        if self.message is None:
            raise QrError("empty", "no Veche QR codes were found in the images")
        checksum, length, count = self.message
        if not self.done:
            short = count - len(self._rows)
            raise QrError(
                "missing",
                f"{self.received} codes read, {short} more needed at least: keep scanning",
                self.missing(),
            )
        message = b"".join(self._rows[i][1].to_bytes(self.size, "big") for i in range(count))
        message, padding = message[:length], message[length:]
        if padding.strip(b"\0") or _crc32(message) != checksum:
            raise QrError("damaged", "the codes do not add up to the bundle they name")
        return message


def decode(frames: Iterable[Frame]) -> bytes:
    """The message from frames of one message, in any order; QrError otherwise."""
    decoder = Decoder()
    for frame in frames:
        decoder.add(frame)
        if decoder.done:
            break
    return decoder.result()
