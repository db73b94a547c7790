"""Bundle size per event against the raw canonical JSON of the same events, and QR codes.

Figures: bundle bytes per event (private bundle: signed, sealed to 100
members, zlib as ``veche bundle export`` writes by default) as a ratio of raw
canonical JSON bytes per event (target: bundle ≤ 0.6 × raw, i.e. ratio ≥
1/0.6); QR codes needed per 100 events (lzma, as the QR page exports), against
the codes the raw JSON would need. The table compares the two stdlib
compressors the format allows, for size and time.
"""

from __future__ import annotations

import sys
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, figure, parser
from log_ingest import make_events, setup_store


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    total = 2_000 if args.quick else 20_000
    setup_store()  # make_events uses the committee kinds' invitation hash
    from veche.events import Identity, parse_event
    from veche.sync.bundle import read_bundle, write_bundle
    from veche.sync.qr import CHUNK, split

    raws = make_events(total, committees=10, members=100)
    raws = raws[-total // 2 :] if not args.quick else raws  # mostly posts, as a day's traffic is
    node = Identity(b"n" * 32)
    members = [Identity(i.to_bytes(2, "big").ljust(32, b"m")) for i in range(100)]
    spaces = sorted({parse_event(r, verify=False).space_id for r in raws})
    raw_bytes = sum(len(r) + 1 for r in raws)
    rows = []
    sizes = {}
    for method in ("lzma", "zlib"):
        start = time.perf_counter()
        data = write_bundle(
            node,
            raws,
            spaces=spaces,
            recipients=[m.public for m in members],
            created=datetime.now(UTC),
            compression=method,
        )
        written = time.perf_counter() - start
        start = time.perf_counter()
        assert read_bundle(data, [members[-1]]).events == tuple(raws)
        read = time.perf_counter() - start
        sizes[method] = len(data)
        rows.append((method, len(data), len(data) / len(raws), written, read))
    print(
        f"{len(raws)} events, raw canonical JSON {raw_bytes} bytes ({raw_bytes / len(raws):.0f}/event)"
    )
    print(f"{'method':>6} {'bytes':>10} {'per event':>10} {'write s':>8} {'read s':>7}")
    for method, size, per, written, read in rows:
        print(f"{method:>6} {size:>10} {per:>10.1f} {written:>8.2f} {read:>7.2f}")

    # QR codes for a day's decisions: 100 events, as a small bundle would carry them.
    hundred = raws[:100]
    small = write_bundle(
        node, hundred, spaces=spaces, recipients=[m.public for m in members[:30]],
        created=datetime.now(UTC), compression="lzma",  # as the QR page exports
    )  # fmt: skip
    codes = len(split(small))
    raw_codes = -(-sum(len(r) + 1 for r in hundred) // CHUNK)
    print(
        f"100 events: bundle {len(small)} bytes in {codes} QR codes; raw JSON would need {raw_codes}"
    )
    plain = zlib.compress(b"\n".join(raws), 9)
    print(f"(zlib level 9 of the raw lines alone, unsigned, unencrypted: {len(plain)} bytes)")
    per_event = sizes["zlib"] / len(raws)  # the default for files
    emit(
        [
            figure(
                "bundle_size",
                "bundle_bytes_per_event",
                per_event,
                "raw_canonical_json_bytes_per_event",
                raw_bytes / len(raws),
                lower_is_better=True,
                target=round(1 / 0.6, 4),
            ),
            figure(
                "bundle_size",
                "qr_codes_per_100_events",
                float(codes),
                "raw_json_qr_codes_per_100_events",
                float(raw_codes),
                lower_is_better=True,
            ),
        ]
    )


if __name__ == "__main__":
    main()
