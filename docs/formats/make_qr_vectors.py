"""Write qr-v2-vectors.json: known answers for QR parts v2 (fountain frames), from
fixed inputs (run from the repository root: python docs/formats/make_qr_vectors.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from veche.sync.fountain import Xoshiro256, choose_fragments, encode, fragment_length

# A message every implementation can rebuild: bytes (7·i + 3) mod 256, i = 0, 1, …
MESSAGE = bytes((7 * i + 3) % 256 for i in range(1000))


def vectors() -> dict[str, Any]:
    rng = Xoshiro256(0x0123456789ABCDEF)
    prng = {"seed": "0123456789abcdef", "outputs": [f"{rng.next():016x}" for _ in range(6)]}
    mixing = [
        {
            "seq": seq,
            "count": count,
            "checksum": f"{checksum:08x}",
            "fragments": choose_fragments(seq, count, checksum),
        }
        for count, checksum in ((5, 0xDEADBEEF), (70, 0x01020304))
        for seq in (1, count, count + 1, count + 2, count + 3, 1000)
    ]
    frame_bytes = 200
    frames = encode(MESSAGE, 12, frame_bytes=frame_bytes)
    return {
        "format": "veche-qr-v2-vectors",
        "prng": prng,
        "mixing": mixing,
        "message": {
            "rule": "byte i is (7*i + 3) mod 256",
            "length": len(MESSAGE),
            "hex": MESSAGE.hex(),
            "frame_bytes": frame_bytes,
            "fragment_length": fragment_length(len(MESSAGE), frame_bytes),
            "frames": [
                {
                    "seq": f.seq,
                    "fragments": choose_fragments(f.seq, f.count, f.checksum),
                    "hex": f.encode().hex(),
                }
                for f in frames
            ],
            "decodable_from": [2, 4, 6, 7, 8, 9, 10, 11, 12],
        },
        "refused": [
            {"reason": "checksum", "hex": _flip(frames[0].encode(), 30).hex()},
            {"reason": "length", "hex": _relength(frames[1].encode(), 10_000).hex()},
            {"reason": "not-veche", "hex": b"VQ3".hex() + frames[2].encode()[3:].hex()},
        ],
    }


def _flip(frame: bytes, at: int) -> bytes:
    return frame[:at] + bytes([frame[at] ^ 1]) + frame[at + 1 :]


def _relength(frame: bytes, length: int) -> bytes:
    """A frame claiming another message length, its CRC-32 recomputed (a forger's)."""
    import zlib

    body = frame[:9] + length.to_bytes(4, "big") + frame[13:-4]
    return body + zlib.crc32(body).to_bytes(4, "big")


def main() -> None:
    out = Path(__file__).with_name("qr-v2-vectors.json")
    out.write_text(json.dumps(vectors(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
