"""QR codes per 100 events, fountain frames (QR parts v2) against today's numbered
parts (v1), on the same bundle in the same run; and decoding with a fifth dropped.

The bundle is built as bench/bundle_size.py builds its QR case: 100 events of a
demo-sized log (10 committees of 100 members), private, sealed to 30 members,
lzma as the QR page exports. v1 needs every one of its parts; v2 needs its
fragments, or a frame or two more when some were missed. Frames are shown in
order and each is lost with probability 0.2; the figure is the frames a receiver
had to read, over the fragments (trials from fixed seeds).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, figure, parser
from log_ingest import make_events, setup_store


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    trials = 50 if args.quick else 500
    setup_store()  # make_events uses the committee kinds' invitation hash
    from veche.events import Identity, parse_event
    from veche.sync.bundle import write_bundle
    from veche.sync.fountain import Decoder, encode
    from veche.sync.qr import split

    raws = make_events(2_000, committees=10, members=100)
    node = Identity(b"n" * 32)
    members = [Identity(i.to_bytes(2, "big").ljust(32, b"m")) for i in range(30)]
    spaces = sorted({parse_event(r, verify=False).space_id for r in raws})
    rows = []
    for label, hundred in (
        ("first 100 (committees forming)", raws[:100]),
        ("last 100 (posts)", raws[-100:]),
    ):
        data = write_bundle(
            node, hundred, spaces=spaces, recipients=[m.public for m in members],
            created=datetime(2020, 8, 16, tzinfo=UTC), compression="lzma",
        )  # fmt: skip
        v1 = len(split(data))
        frames = encode(data, 400)
        fragments = frames[0].count
        needed = []
        start = time.perf_counter()
        for trial in range(trials):
            rng = random.Random(trial)
            decoder = Decoder()
            for frame in frames:
                if rng.random() < 0.2:
                    continue
                decoder.add(frame)
                if decoder.done:
                    break
            assert decoder.result() == data
            needed.append(decoder.received)
        spent = (time.perf_counter() - start) / trials
        needed.sort()
        rows.append((label, len(data), v1, fragments, needed, spent))
    print(
        f"{'events':<31} {'bytes':>6} {'v1':>4} {'v2':>4} {'read@20%drop mean/p95/max':>27} {'decode ms':>9}"
    )
    for label, size, v1, fragments, needed, spent in rows:
        mean = sum(needed) / len(needed)
        p95 = needed[int(0.95 * (len(needed) - 1))]
        print(
            f"{label:<31} {size:>6} {v1:>4} {fragments:>4} "
            f"{mean:>15.2f} /{p95:>4} /{needed[-1]:>4} {1000 * spent:>9.1f}"
        )
    label, size, v1, fragments, needed, spent = rows[0]
    mean = sum(needed) / len(needed)
    print(
        f"{label}: {v1} v1 codes vs {fragments} v2 fragments ({v1 / fragments:.2f}x fewer);"
        f" with 20% of frames dropped a receiver read {mean:.2f} frames on average"
        f" ({mean / fragments:.3f} per fragment) and always decoded ({trials} trials)"
    )
    emit(
        [
            figure(
                "qr_transfer",
                "v2_qr_codes_per_100_events",
                float(fragments),
                "v1_qr_codes_per_100_events",
                float(v1),
                lower_is_better=True,
                target=1.5,
            ),
            figure(
                "qr_transfer",
                "frames_read_per_fragment_at_20pct_drop",
                mean / fragments,
                "frames_per_fragment_with_nothing_lost",
                1.0,
                lower_is_better=True,
                frames_read_mean=round(mean, 2),
                frames_read_max=needed[-1],
                fragments=fragments,
                trials=trials,
                decoded=trials,
            ),
        ]
    )


if __name__ == "__main__":
    main()
