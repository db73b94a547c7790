"""What SQLite's synchronous=FULL costs against NORMAL, in WAL mode, on this disk.

docs/node.md ("Durability: SQLite on an SD card") explains the choice. In WAL mode,
NORMAL does not fsync the write-ahead log at each commit (only at checkpoints): a
power cut keeps the database consistent but may take back the last transactions
committed, events that members were told were recorded and peers may already hold.
FULL fsyncs the log at every commit.

Figures, each FULL as a ratio to NORMAL measured in the same run, in the same folder
(``ratio`` = FULL's rate / NORMAL's; 1.0 means FULL is free):

- ``commits/s``: one small row per transaction and nothing else: the fsync alone,
  the worst case;
- ``events/s, one per transaction``: signed events received one per transaction
  through the store (verify, store, place, judge), as a web post or a sync message
  with one event writes them;
- ``events/s, 500 per transaction``: a bundle or a sync batch.

Run it on the medium the node uses (an SD card, a USB disk):
``python bench/sqlite_sync.py --dir /path/on/that/disk``. The default is a temporary
folder inside ``$VECHE_DATA_DIR`` (or ./data), never /tmp, which may be in memory.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from common import emit, figure, parser

HERE = Path(__file__).resolve().parent

MODES = ("NORMAL", "FULL")


def raw_commits(folder: Path, mode: str, commits: int) -> float:
    """Commits per second of one ~1 KiB row each, with the node's other pragmas."""
    folder.mkdir(exist_ok=True)
    path = folder / f"raw-{mode.lower()}.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={mode}")
        db.execute("PRAGMA busy_timeout=10000")
        db.execute(
            "CREATE TABLE event (id TEXT PRIMARY KEY, space TEXT, author TEXT, seq INTEGER,"
            " raw BLOB)"
        )
        db.execute("CREATE INDEX event_chain ON event (space, author, seq)")
        payload = os.urandom(1024)
        start = time.perf_counter()
        for n in range(commits):
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT INTO event VALUES (?, ?, ?, ?, ?)",
                (f"e{n:08d}", "space", "author", n, payload),
            )
            db.execute("COMMIT")
        return commits / (time.perf_counter() - start)
    finally:
        db.close()


def store_child(folder: Path, mode: str, events: Path, batch: int) -> None:
    """In its own process (settings are per process): ingest ``events`` ``batch`` at a time."""
    os.environ["VECHE_DATA_DIR"] = str(folder)
    os.environ["VECHE_KDF_PROFILE"] = "test"
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "veche.web.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    from veche.apps.store.ingest import ingest

    with connection.cursor() as cursor:
        # The setting is per connection: this one, after the settings' init_command.
        cursor.execute(f"PRAGMA synchronous={mode}")
        cursor.execute("PRAGMA synchronous")
        level = cursor.fetchone()[0]
    assert level == {"NORMAL": 1, "FULL": 2}[mode], level
    raws = events.read_bytes().splitlines()
    setup, measured = raws[: len(raws) // 2], raws[len(raws) // 2 :]
    ingest(setup, source="bench")  # the committees and members, in one go
    start = time.perf_counter()
    for first in range(0, len(measured), batch):
        report = ingest(measured[first : first + batch], source="bench")
        assert all(o.status == "applied" for o in report.outcomes), report.outcomes[:3]
    print(json.dumps({"rate": len(measured) / (time.perf_counter() - start)}))


def store_rate(folder: Path, mode: str, events: Path, batch: int) -> float:
    child = folder / f"store-{mode.lower()}-{batch}"
    child.mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(child), mode, str(events), str(batch)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return float(json.loads(done.stdout.strip().splitlines()[-1])["rate"])


def make_events(path: Path, posts: int) -> None:
    """Two committees of 20 members, then messages: ``2 * posts`` events in all."""
    code = (
        "import sys, tempfile, os\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"
        "from log_ingest import make_events, setup_store\n"
        "setup_store()\n"
        "raws = make_events(int(sys.argv[1]), committees=2, members=20)\n"
        "open(sys.argv[2], 'wb').write(b'\\n'.join(raws) + b'\\n')\n"
    )
    # About 80 events found the committees, then messages: the child ingests the
    # first half untimed and measures the second, ``posts`` messages.
    subprocess.run([sys.executable, "-c", code, str(2 * posts), str(path)], check=True)


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        store_child(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]), int(sys.argv[5]))
        return
    args_parser = parser(__doc__ or "")
    args_parser.add_argument("--dir", type=Path, help="a folder on the disk to measure")
    args = args_parser.parse_args()
    base = args.dir or Path(os.environ.get("VECHE_DATA_DIR", "data"))
    base.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-sqlite-sync-", dir=base))
    commits = 200 if args.quick else 1000
    posts = 200 if args.quick else 1000
    try:
        rows = []
        # Two rounds, the modes alternating, the better of each: other work on the
        # machine slows one round, not a mode.
        raw = {mode: 0.0 for mode in MODES}
        for round_ in range(2):
            for mode in MODES:
                rate = raw_commits(folder / f"round{round_}", mode, commits)
                raw[mode] = max(raw[mode], rate)
        rows.append(
            figure(
                "sqlite_sync",
                "commits/s, synchronous=FULL (WAL)",
                raw["FULL"],
                "synchronous=NORMAL (WAL)",
                raw["NORMAL"],
                ms_per_commit_full=round(1000 / raw["FULL"], 3),
                ms_per_commit_normal=round(1000 / raw["NORMAL"], 3),
                folder=str(base.resolve()),
            )
        )
        events = folder / "events.jsonl"
        make_events(events, posts)
        for batch, label in ((1, "one per transaction"), (500, "500 per transaction")):
            rates = {mode: 0.0 for mode in MODES}
            for round_ in range(2):
                for mode in MODES:
                    rate = store_rate(folder / f"round{round_}", mode, events, batch)
                    rates[mode] = max(rates[mode], rate)
            rows.append(
                figure(
                    "sqlite_sync",
                    f"received events/s, {label}, synchronous=FULL (WAL)",
                    rates["FULL"],
                    "synchronous=NORMAL (WAL)",
                    rates["NORMAL"],
                )
            )
        for row in rows:
            print(f"{row['metric']}: {row['value']:.1f} against {row['baseline_value']:.1f}")
        emit(rows)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
