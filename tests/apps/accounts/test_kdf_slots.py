"""Bounded memory at sign-in: at most VECHE_KDF_SLOTS Argon2id derivations at once on
the machine, across server processes; beyond a short wait, "busy, retry" (503)."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from tests.factories import PASS

from veche.apps.accounts.actions import create_account
from veche.apps.accounts.kdf import KdfBusy, kdf_slot
from veche.apps.accounts.models import Account, SignInFailures

# Run in other processes: N threads each take a slot, count who is inside (a counter
# under its own lock), and write the most seen at once.
_WORKER = r"""
import fcntl, os, sys, threading, time
from pathlib import Path
folder, slots, threads = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
import django
from django.conf import settings
settings.configure()
from veche.apps.accounts.kdf import kdf_slot

def count(step):
    with open(folder / "counter", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        inside, most = (int(x) for x in (handle.read() or "0 0").split())
        inside += step
        handle.seek(0); handle.truncate(); handle.write(f"{inside} {max(most, inside)}")

def one():
    with kdf_slot(slots=slots, wait=60, folder=folder / "slots"):
        count(+1)
        time.sleep(0.15)
        count(-1)

workers = [threading.Thread(target=one) for _ in range(threads)]
for w in workers: w.start()
for w in workers: w.join()
"""


def test_slots_bound_derivations_across_processes_and_threads(tmp_path: Path) -> None:
    (tmp_path / "slots").mkdir()
    processes = [
        subprocess.Popen([sys.executable, "-c", _WORKER, str(tmp_path), "2", "3"]) for _ in range(3)
    ]
    for process in processes:
        assert process.wait(timeout=120) == 0
    inside, most = (int(x) for x in (tmp_path / "counter").read_text().split())
    assert inside == 0
    assert most == 2  # nine derivations, never more than two at once, and both slots used


@contextmanager
def _all_slots_taken(folder: Path, slots: int) -> Iterator[None]:
    """Hold every slot, as other requests deriving keys would."""
    folder.mkdir(parents=True, exist_ok=True)
    handles = [open(folder / f"slot-{n}", "a+") for n in range(slots)]  # noqa: SIM115
    try:
        for handle in handles:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        for handle in handles:
            handle.close()


def test_a_slot_waits_briefly_then_gives_up(tmp_path: Path) -> None:
    with _all_slots_taken(tmp_path, 2):
        start = time.monotonic()
        with pytest.raises(KdfBusy), kdf_slot(slots=2, wait=0.3, folder=tmp_path):
            pass
        assert 0.3 <= time.monotonic() - start < 2
    with kdf_slot(slots=2, wait=0, folder=tmp_path):  # free again
        pass


def test_a_waiting_request_gets_the_slot_as_soon_as_it_frees(tmp_path: Path) -> None:
    holder = open(tmp_path / "slot-0", "a+")  # noqa: SIM115
    fcntl.flock(holder, fcntl.LOCK_EX)
    releaser = threading.Timer(0.3, holder.close)  # the other derivation ends
    releaser.start()
    start = time.monotonic()
    with kdf_slot(slots=1, wait=5, folder=tmp_path):
        waited = time.monotonic() - start
    releaser.join()
    assert 0.25 <= waited < 1.5


def test_a_killed_process_leaves_no_slot_taken(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            f"handle = open({str(tmp_path / 'slot-0')!r}, 'a+')\n"
            "fcntl.flock(handle, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        with pytest.raises(KdfBusy), kdf_slot(slots=1, wait=0.1, folder=tmp_path):
            pass
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
    with kdf_slot(slots=1, wait=1, folder=tmp_path):
        pass


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "sentence"),
    [
        ("be", "Вузел заняты", "паспрабуйце зноў праз 5 секунд"),
        ("ru", "Узел занят", "попробуйте снова через 5 секунд"),
        ("en", "The node is busy", "try again in 5 seconds"),
    ],
)
def test_sign_in_answers_busy_503_with_retry_after(
    language: str, title: str, sentence: str
) -> None:
    create_account("Sokol", PASS)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    with (
        override_settings(VECHE_KDF_WAIT=0.2),
        _all_slots_taken(Path(settings.DATA_DIR) / "kdf-slots", settings.VECHE_KDF_SLOTS),
    ):
        response = client.post("/accounts/sign-in/", {"pseudonym": "Sokol", "passphrase": PASS})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert title in page and sentence in page
    assert 'href="/accounts/sign-in/"' in page
    # Busy is no failed attempt, and no session was opened.
    assert not SignInFailures.objects.exists()
    assert "_auth_user_id" not in client.session
    # Once a slot is free, the same request signs in.
    response = client.post("/accounts/sign-in/", {"pseudonym": "Sokol", "passphrase": PASS})
    assert response.status_code == 302


@pytest.mark.django_db
def test_passphrase_change_answers_busy_and_changes_nothing() -> None:
    account, _ = create_account("Sokol", PASS)
    client = Client()
    assert (
        client.post("/accounts/sign-in/", {"pseudonym": "Sokol", "passphrase": PASS}).status_code
        == 302
    )
    new = "another horse battery"
    with (
        override_settings(VECHE_KDF_WAIT=0.1),
        _all_slots_taken(Path(settings.DATA_DIR) / "kdf-slots", settings.VECHE_KDF_SLOTS),
    ):
        response = client.post("/accounts/passphrase/", {"old": PASS, "new": new, "again": new})
    assert response.status_code == 503
    assert Account.objects.get(pk=account.pk).sealed_seed == account.sealed_seed


@pytest.mark.django_db
def test_joining_by_invitation_answers_busy_and_leaves_the_invitation_unused() -> None:
    from django.urls import reverse
    from tests.factories import World

    from veche.apps.committees import actions

    world = World()
    space = world.committee("Sokol")
    code, _ = actions.invite(world.person("Sokol"), space)
    url = reverse("committees:join", args=[space]) + f"?code={code}"
    form = {"code": code, "pseudonym": "Lastauka", "passphrase": PASS, "again": PASS}
    with (
        override_settings(VECHE_KDF_WAIT=0.1),
        _all_slots_taken(Path(settings.DATA_DIR) / "kdf-slots", settings.VECHE_KDF_SLOTS),
    ):
        busy = Client(HTTP_ACCEPT_LANGUAGE="ru").post(url, form)
    assert busy.status_code == 503 and busy["Retry-After"] == "5"
    assert f'href="{url}"' in busy.content.decode()  # back to the form, code and all
    assert not Account.objects.filter(pseudonym="Lastauka").exists()
    assert Client().post(url, form).status_code == 302  # the invitation still works
