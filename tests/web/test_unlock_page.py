"""The unlock page: what an encrypted node started without a terminal serves, and
all it serves, until its operator types the node passphrase (docs/node.md,
"Encryption at rest"). Each test runs a real ``veche serve`` with no terminal and no
$VECHE_NODE_PASSPHRASE, as systemd starts it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from tests.web.locked_nodes import (
    PASSPHRASE,
    SECRETS,
    folder_bytes,
    hidden_fields,
    read_node,
    serve,
    written_node,
)

from veche.web.unlock_server import TRIES_FILE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("VECHE_TEST_DATABASE") == "postgres",
        reason="encryption at rest is for the embedded database; hubs use disk encryption",
    ),
]


def _unchanged(before: dict[str, bytes], folder: Path) -> None:
    after = folder_bytes(folder)
    after.pop(TRIES_FILE, None)
    assert after == before


def test_a_locked_node_serves_only_the_unlock_page_and_opens_with_its_passphrase(
    tmp_path: Path,
) -> None:
    folder = written_node(tmp_path)
    before = folder_bytes(folder)
    with serve(folder) as server:
        page = server.wait_for("/", "Node passphrase")
        assert "Locked: the unlock page is on" in server.output()
        browser = server.http()
        status, headers, page = browser.get("/")
        assert status == 200 and headers["cache-control"] == "no-store"
        assert 'type="password"' in page and SECRETS[0] not in page
        # Every other path: the same page, 503, nothing of the node.
        for path in ("/committees/", "/accounts/sign-in/", "/static/veche/veche.css", "/sync/"):
            status, headers, other = browser.get(path)
            assert status == 503 and "Unlock this node" in other, path
            assert headers["retry-after"] == "30"
        # Translated, in the reader's language (be, ru) or by choice.
        _s, _h, belarusian = browser.get("/", headers={"Accept-Language": "be,en;q=0.5"})
        assert 'lang="be"' in belarusian and "Разблакаваць" in belarusian
        _s, _h, russian = browser.get("/?lang=ru")
        assert 'lang="ru"' in russian and "Разблокировать" in russian

        # No CSRF token, a forged one, or another site's form: refused, no try counted.
        token = hidden_fields(page)["csrf"]
        assert browser.post("/", {"passphrase": PASSPHRASE})[0] == 403
        assert browser.post("/", {"passphrase": PASSPHRASE, "csrf": "x" * 32})[0] == 403
        evil = {"Origin": "http://evil.example"}
        assert browser.post("/", {"passphrase": PASSPHRASE, "csrf": token}, headers=evil)[0] == 403
        assert not (folder / TRIES_FILE).exists()

        # A wrong passphrase: refused after a pause, nothing changed.
        start = time.monotonic()
        status, _h, wrong = browser.post("/", {"passphrase": "not it", "csrf": token})
        assert status == 200 and "Wrong node passphrase. Nothing was changed." in wrong
        assert time.monotonic() - start >= 2.0
        _unchanged(before, folder)

        status, _h, done = browser.post("/", {"passphrase": PASSPHRASE, "csrf": token})
        assert status == 200 and "Unlocked" in done
        # The real node starts in the same process, with the key held.
        server.wait_for("/accounts/sign-in/", 'name="pseudonym"')
        assert server.process.poll() is None
        assert not (folder / TRIES_FILE).exists()
    assert "Traceback" not in server.output(), server.output()[-3000:]
    read = read_node(folder, PASSPHRASE)
    assert read.returncode == 0 and SECRETS[0] in read.stdout


def test_wrong_passphrases_are_throttled_and_change_nothing(tmp_path: Path) -> None:
    folder = written_node(tmp_path)
    before = folder_bytes(folder)
    with serve(folder) as server:
        server.wait_for("/", "Node passphrase")
        browser = server.http()
        token = hidden_fields(browser.get("/")[2])["csrf"]
        for _ in range(5):
            status, _h, answer = browser.post("/", {"passphrase": "guess", "csrf": token})
            assert "Wrong node passphrase" in answer
        # The sixth try in the minute is not even tried: not the right passphrase either.
        start = time.monotonic()
        status, _h, answer = browser.post("/", {"passphrase": PASSPHRASE, "csrf": token})
        assert status == 429 and "Too many wrong tries. Wait" in answer
        assert time.monotonic() - start < 1.5  # no Argon2id run, no pause
        # Across a restart too: the count is kept in the data folder.
    _unchanged(before, folder)
    with serve(folder) as server:
        server.wait_for("/", "Node passphrase")
        browser = server.http()
        token = hidden_fields(browser.get("/")[2])["csrf"]
        status, _h, answer = browser.post("/", {"passphrase": PASSPHRASE, "csrf": token})
        assert status == 429
    _unchanged(before, folder)


@pytest.mark.browser
def test_the_unlock_page_on_a_phone_in_belarusian(tmp_path: Path, browser: object) -> None:
    folder = tmp_path / "node"
    from tests.web.locked_nodes import env, run
    from tests.web.served import VECHE

    made = run([VECHE, "init", "--kdf-profile", "interactive"], env(folder))
    assert made.returncode == 0, made.stderr[-2000:]
    with serve(folder) as server:
        server.wait_for("/", "Node passphrase")
        context = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": 360, "height": 740}, locale="be-BY"
        )
        try:
            tab = context.new_page()
            tab.set_default_timeout(30000)
            tab.goto(f"http://127.0.0.1:{server.port}/")
            assert tab.locator("h1").inner_text() == "Разблакаваць гэты вузел"
            assert tab.evaluate("document.documentElement.scrollWidth") <= 360
            tab.fill("#passphrase", PASSPHRASE)
            tab.click("button[type=submit]")
            assert "Разблакавана" in tab.locator("[role=status]").inner_text()
            # The page reloads into the node itself once it has started.
            tab.wait_for_selector("a[href='/accounts/sign-in/'], input[name=pseudonym]")
        finally:
            context.close()
