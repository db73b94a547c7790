"""Rebuild the projections of 100,000 stored (already verified) events.

Figure: rebuild events/s as a ratio to the ingest rate of the same events measured in
the same run (target ≥ 2: re-deriving state must be much cheaper than receiving it).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, figure, parser, peak_rss_mb
from log_ingest import make_events, setup_store


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    total = 5_000 if args.quick else 100_000
    setup_store()
    from veche.apps.store.log import ingest, rebuild, state_digest

    raws = make_events(total, members=20 if args.quick else 100)
    start = time.perf_counter()
    for offset in range(0, total, 5_000):
        ingest(raws[offset : offset + 5_000], source="bench")
    ingest_rate = total / (time.perf_counter() - start)
    digest = state_digest()
    start = time.perf_counter()
    count = rebuild()
    rebuild_rate = count / (time.perf_counter() - start)
    assert count == total and state_digest() == digest
    print(f"{'events':>10} {'ingest/s':>10} {'rebuild/s':>10} {'peak MB':>8}")
    print(f"{total:>10} {ingest_rate:>10.0f} {rebuild_rate:>10.0f} {peak_rss_mb():>8.0f}")
    emit(
        [
            figure(
                "log_rebuild",
                "events_per_s",
                rebuild_rate,
                "ingest_events_per_s",
                ingest_rate,
                target=2.0,
            )
        ]
    )


if __name__ == "__main__":
    main()
