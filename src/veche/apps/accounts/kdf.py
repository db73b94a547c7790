"""At most VECHE_KDF_SLOTS passphrase derivations at once on this machine.

Every sign-in, new account and passphrase change runs Argon2id, which takes the
profile's ``memlimit`` of memory for its duration (64 MiB for ``interactive``).
Left alone, a rush of sign-ins takes that much per request being served, in every
server process at once, and can push a Raspberry Pi into swap or the OOM killer.

A derivation first takes one of ``VECHE_KDF_SLOTS`` lock files in the data folder
(``kdf-slots/slot-N``) with ``flock``. The lock is held by an open file, so:

- it is shared by every gunicorn worker and thread (each ``open`` is its own lock
  holder), and by the command line on the same data folder;
- a process that dies, even by SIGKILL, releases its slot: nothing to clean up;
- it does not depend on the database, so SQLite and PostgreSQL nodes behave the
  same; on a hub with several machines each machine bounds its own memory, which
  is what the bound is for.

A request that finds every slot taken polls for ``VECHE_KDF_WAIT`` seconds and
then raises ``KdfBusy``: the member gets "busy, retry in a moment" (HTTP 503 with
Retry-After, see ``veche.web.middleware.BusyMiddleware``) instead of the node
running out of memory.
"""

from __future__ import annotations

import fcntl
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from veche.web.busy import Busy

__all__ = ["RETRY_AFTER", "KdfBusy", "kdf_slot"]

RETRY_AFTER = 5
_FIRST_PAUSE = 0.005
_LONGEST_PAUSE = 0.05


class KdfBusy(Busy):
    """Every key-derivation slot stayed taken for VECHE_KDF_WAIT seconds."""

    def __init__(self) -> None:
        super().__init__("every key-derivation slot is taken", RETRY_AFTER)


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "kdf-slots"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _try_slot(path: Path) -> int | None:
    """An open descriptor holding ``path``'s lock, or None if someone else holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def kdf_slot(
    slots: int | None = None, wait: float | None = None, folder: Path | None = None
) -> Iterator[None]:
    """Hold one derivation slot for the ``with`` block; KdfBusy if none frees up in time."""
    slots = max(1, int(settings.VECHE_KDF_SLOTS if slots is None else slots))
    wait = float(settings.VECHE_KDF_WAIT if wait is None else wait)
    paths = [(folder or _folder()) / f"slot-{index}" for index in range(slots)]
    deadline = time.monotonic() + wait
    pause = _FIRST_PAUSE
    while True:
        # Start at a random slot so that waiting processes do not all queue on slot 0.
        start = random.randrange(slots)  # noqa: S311 - spreading load, not a secret
        for path in paths[start:] + paths[:start]:
            fd = _try_slot(path)
            if fd is not None:
                try:
                    yield
                finally:
                    os.close(fd)  # closing the last descriptor releases the lock
                return
        left = deadline - time.monotonic()
        if left <= 0:
            raise KdfBusy
        time.sleep(min(pause * random.uniform(0.5, 1.5), left))  # noqa: S311
        pause = min(pause * 2, _LONGEST_PAUSE)
