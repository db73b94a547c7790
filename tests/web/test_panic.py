"""The operators' panic button (``/node/panic/``) and ``Cache-Control: no-store``.

Who may press it and what the page asks are checked with the test client; the wipe
itself on a real, served, encrypted node: the answer tells the browser to forget the
site, the server stops, and the folder holds a new, empty node under the same
passphrase (docs/node.md, "Encryption at rest")."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from tests.factories import PASS, World, signed_in_client
from tests.web.locked_nodes import (
    PASSPHRASE,
    data_key,
    env,
    found,
    hidden_fields,
    opens_with,
    read_node,
    run,
    serve,
    written_node,
)

from veche.apps.accounts.models import Account
from veche.web import panic


@pytest.fixture
def no_wipe(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The test run's own data folder must survive: a call is recorded, not made."""
    calls: list[Path] = []
    monkeypatch.setattr(panic, "panic_wipe", calls.append)
    return calls


@pytest.mark.django_db
@pytest.mark.skipif(
    os.environ.get("VECHE_TEST_DATABASE") == "postgres",
    reason="a hub has no panic button (its data is in PostgreSQL)",
)
def test_only_operators_reach_the_panic_button(no_wipe: list[Path]) -> None:
    world = World()
    assert Client().get("/node/panic/").status_code == 302  # to the sign-in page
    member = signed_in_client(world.person("Zubr"), "Zubr")
    assert member.get("/node/panic/").status_code == 403
    assert member.post("/node/panic/", {"confirm": "wipe"}).status_code == 403
    operator = signed_in_client(world.person("Sova"), "Sova")
    Account.objects.filter(pseudonym="Sova").update(is_operator=True)
    page = operator.get("/node/panic/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert b'name="confirm" value="wipe"' in page.content
    unconfirmed = operator.post("/node/panic/", {})
    assert unconfirmed.status_code == 200 and b"Tick the box to confirm." in unconfirmed.content
    assert no_wipe == []
    # Without the CSRF token the POST is refused too.
    strict = Client(enforce_csrf_checks=True)
    strict.post("/accounts/sign-in/", {"pseudonym": "Sova", "passphrase": PASS})
    assert strict.post("/node/panic/", {"confirm": "wipe"}).status_code == 403
    assert no_wipe == []


@pytest.mark.django_db
@pytest.mark.skipif(os.environ.get("VECHE_TEST_DATABASE") != "postgres", reason="the hub's refusal")
def test_a_hub_has_no_panic_button(no_wipe: list[Path]) -> None:
    world = World()
    operator = signed_in_client(world.person("Sova"), "Sova")
    Account.objects.filter(pseudonym="Sova").update(is_operator=True)
    page = operator.get("/node/panic/")
    assert page.status_code == 200 and b"PostgreSQL" in page.content
    assert b'name="confirm"' not in page.content
    assert operator.post("/node/panic/", {"confirm": "wipe"}).status_code == 403
    assert no_wipe == []


@pytest.mark.django_db
def test_pages_are_sent_with_no_store() -> None:
    world = World()
    space = world.committee("Zubr", ("Sova",), name="Minsk Tractor Works strike committee")
    client = signed_in_client(world.person("Sova"), "Sova")
    for url in ("/", f"/committees/{space}/", "/committees/", "/accounts/sign-in/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", url
    assert Client().get("/strike/")["Cache-Control"] == "no-store"


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("VECHE_TEST_DATABASE") == "postgres",
    reason="the wipe is for the embedded database; a hub drops its PostgreSQL database",
)
def test_the_panic_button_wipes_a_served_node_and_stops_it(tmp_path: Path) -> None:
    folder = written_node(tmp_path)
    made = run(
        [
            sys.executable,
            "-c",
            "import django\ndjango.setup()\n"
            "from veche.cli.base import unlock_database\nunlock_database()\n"
            "from veche.apps.accounts.actions import create_account\n"
            "from veche.events import Identity\n"
            f"account, _ = create_account('Sova', {PASS!r}, Identity(b'S' * 32))\n"
            "account.is_operator = True\naccount.save()\n",
        ],
        env(folder),
    )
    assert made.returncode == 0, made.stderr[-2000:]
    old_key = data_key(folder)
    with serve(folder, PASSPHRASE, workers=2) as server:
        server.wait_for("/accounts/sign-in/", 'name="pseudonym"')
        browser = server.http()
        form = hidden_fields(browser.get("/accounts/sign-in/")[2])
        status, _h, _page = browser.post(
            "/accounts/sign-in/", {**form, "pseudonym": "Sova", "passphrase": PASS}
        )
        assert status == 302
        status, _h, page = browser.get("/node/panic/")
        assert status == 200
        # What a browser sends: the panic form's own fields (the page's sign-out form
        # carries a submission key, which the panic form must not).
        form = page[page.index('<form method="post" class="card">') :].split("</form>")[0]
        status, headers, wiped = browser.post(
            "/node/panic/", {**hidden_fields(form), "confirm": "wipe"}
        )
        assert status == 200, wiped
        assert headers["clear-site-data"] == '"cache", "cookies", "storage"'
        assert headers["cache-control"] == "no-store"
        assert "destroyed in" in wiped
        print("\n" + wiped[wiped.index("This node") :].split("<")[0])
        server.process.wait(timeout=60)  # it stops itself: its processes held the old key
    # The new, empty node under the same passphrase, its database made by `veche init`.
    deadline = time.monotonic() + 60
    while not (folder / "veche.sqlite3").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)
    assert found(folder) == set()
    assert not opens_with(folder / "veche.sqlite3", old_key)
    empty = read_node(folder, PASSPHRASE)
    assert empty.returncode == 0, empty.stderr[-2000:]
    assert empty.stdout.splitlines() == ["[]", "[]", "[]"]
    assert "Traceback" not in server.output(), server.output()[-3000:]
