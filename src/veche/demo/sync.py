"""Demo of moving data without the network: the national council's log as a public
bundle and as QR codes, written into the data folder for the operator to try."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from veche.apps.committees.models import Committee
from veche.apps.sync.bundles import export_bundle
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
    # Only the council's own log: a node without the member committees' logs judges
    # the events citing them on trust (see docs/architecture.md), so publishing the
    # national decisions never publishes a plant committee's internal log.
    spaces = [national.space]
    try:
        data, count = export_bundle(spaces=spaces, public=True, compression="lzma")
        bundle.write_bytes(data)
        for stale in (folder / "qr").glob("qr-*"):  # codes of an earlier demo bundle
            stale.unlink()
        codes = write_codes(data, folder / "qr", kind="svg")
    except (BundleError, QrError) as error:
        return [f"(sync demo skipped: {error})"]
    return [
        f"The {national.name}'s log ({count} events) as a public bundle: {bundle}",
        f"  and as {len(codes)} QR codes: open {folder / 'qr' / 'index.html'}",
        f"  Try on another node: veche bundle import {bundle}",
    ]
