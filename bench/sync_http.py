"""Two nodes on loopback: an empty node pulls 100,000 events from another with ``veche sync``.

Figure: events/s of the whole sync (handshake, vectors, batches over HTTP,
decryption, ingest on the receiving node; measured as wall time of the
``veche sync`` command, process start included) as a ratio to the single-node
ingest rate of the same events measured in the same run (target ≥ 0.5).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, figure, parser
from log_ingest import make_events, setup_store

PASSPHRASE = "bench passphrase"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if server.poll() is not None:
                raise SystemExit("veche serve exited") from None
            time.sleep(0.1)
    raise SystemExit("veche serve did not start")


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    total = 3_000 if args.quick else 100_000
    committees = 10
    members = 20 if args.quick else 100
    setup_store()
    from django.db import connection

    from veche.apps.store.log import ingest
    from veche.apps.store.models import StoredEvent
    from veche.events import Identity
    from veche.events.identity import save_identity

    print(f"signing {total} events…", flush=True)
    raws = make_events(total, committees=committees, members=members)
    start = time.perf_counter()
    for offset in range(0, total, 5_000):
        ingest(raws[offset : offset + 5_000], source="bench")
    ingest_seconds = time.perf_counter() - start
    assert StoredEvent.objects.count() == total
    connection.close()
    ingest_rate = total / ingest_seconds

    work = Path(tempfile.mkdtemp(prefix="veche-bench-sync-"))
    keys = []
    for c in range(committees):  # one founder per committee: the member keys that prove access
        founder = Identity((c * members).to_bytes(4, "big").ljust(32, b"\1"))
        path = work / f"founder{c}.key"
        save_identity(path, founder, PASSPHRASE, profile="test")
        keys += ["--as", str(path)]
    veche = str(Path(sys.executable).with_name("veche"))
    base_env = dict(os.environ, VECHE_KDF_PROFILE="test", VECHE_PASSPHRASE=PASSPHRASE)
    base_env.pop("DJANGO_SETTINGS_MODULE", None)
    port = free_port()
    server = subprocess.Popen(
        [veche, "serve", "--port", str(port), "--workers", "1"],
        env=base_env,  # VECHE_DATA_DIR is the store filled above
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, server)
        client_env = dict(base_env, VECHE_DATA_DIR=str(work / "client"))
        start = time.perf_counter()
        done = subprocess.run(
            [veche, "sync", f"http://127.0.0.1:{port}/", *keys, "--json"],
            env=client_env,
            capture_output=True,
            text=True,
            check=False,
        )
        sync_seconds = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    if done.returncode != 0:
        raise SystemExit(f"veche sync failed: {done.stderr}")
    result = json.loads(done.stdout)
    received = result["pulled"].get("applied", 0)
    assert received == total, result
    sync_rate = total / sync_seconds
    print(
        f"{'events':>10} {'ingest s':>9} {'ingest/s':>9} {'sync s':>8} {'sync/s':>8} {'rounds':>7}"
    )
    print(
        f"{total:>10} {ingest_seconds:>9.2f} {ingest_rate:>9.0f} {sync_seconds:>8.2f}"
        f" {sync_rate:>8.0f} {result['rounds']:>7}"
    )
    emit(
        [
            figure(
                "sync_http",
                "events_per_s",
                sync_rate,
                "single_node_ingest_per_s",
                ingest_rate,
                target=0.5,
            )
        ]
    )


if __name__ == "__main__":
    main()
