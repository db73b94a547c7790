"""Demo of moving data without the network: the national council's log as a public
bundle and as QR codes, written into the data folder for the operator to try.

What the public bundle carries, and why: only the national council's own log. Its
delegates' seats cite mandates decided in the councils below it, whose own votes
were cast by delegates of plant and college committees: checking one national
decision means holding every log down to those committees, and a plant committee's
log (its members, its posts, its internal motions) is never published. So a node
made from the bundle verifies every signature and chain, the council's federation
(its acceptances, decided by its own members) and whatever its members alone
decided, and shows the seats and every decision that counted a delegate's vote as
*not verified* (event-v1 §14.6): nothing is counted on a claim. Such a decision is
verified by a node that holds the logs it rests on, i.e. by members of the
committees concerned (docs/architecture.md, "Across committees").
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from veche.apps.committees.models import Committee, Seat
from veche.apps.sync.bundles import export_bundle
from veche.sync import fountain
from veche.sync.errors import BundleError, QrError
from veche.sync.qr import write_codes


def load_sync(demo: object = None) -> list[str]:
    """Write DATA_DIR/demo/national.bundle and DATA_DIR/demo/qr/; return lines to print.

    ``demo`` is load.py's Demo (unused: nothing is signed here, only exported).
    """
    national = Committee.objects.filter(level="national").order_by("space").first()
    if national is None:
        return []
    folder = Path(settings.DATA_DIR) / "demo"
    folder.mkdir(exist_ok=True)
    bundle = folder / "national.bundle"
    # Only the council's own log (see the module's docstring): publishing the national
    # decisions never publishes a member committee's log.
    spaces = [national.space]
    try:
        data, count = export_bundle(spaces=spaces, public=True, compression="lzma")
        bundle.write_bytes(data)
        for stale in (folder / "qr").glob("qr-*"):  # codes of an earlier demo bundle
            stale.unlink()
        # Fountain codes (qr-v2): any of them in any order, about as many as fragments.
        codes = write_codes(data, folder / "qr", kind="svg", framing=2)
    except (BundleError, QrError) as error:
        return [f"(sync demo skipped: {error})"]
    codes_needed = fountain.encode(data, 1)[0].count
    lines = [
        f"The national council's log ({national.name}, {count} events) as a public bundle:"
        f" {bundle}",
        f"  and as {len(codes)} QR codes (any {codes_needed} of them will do):"
        f" open {folder / 'qr' / 'index.html'}",
        f"  Try on another node: veche bundle import {bundle} --space={national.space}",
    ]
    seats = Seat.objects.filter(space=national.space).count()
    if seats:
        lines.append(
            f"  There its {seats} delegates' seats, and the decisions that counted their"
            " votes, show as not verified: their mandates rest on member committees' logs,"
            " which are not published."
        )
    return lines
