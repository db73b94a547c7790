"""The vote page in Chromium: an audit a second device can check, the crypto library
failing to load, the classic libsodium for browsers without import maps, a 360 px phone.

The audit file the page offers is checked by the Python core (not by the page's own
JavaScript): the election, the ballot and the secrets it holds re-encrypt to the same
ciphertexts, and the tracker is the ballot's. The page's QR codes are read back from a
screenshot with zxing-cpp and put together with veche.sync.qr, as `veche bundle unqr`
does: they give the very same file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.apps.elections.helpers import NodeElection, setup_election
from tests.factories import PASS

from veche.apps.accounts.actions import create_account
from veche.apps.elections import actions
from veche.apps.elections.kinds import state_of
from veche.apps.elections.models import Ballot as BallotRow
from veche.apps.store.context import Context
from veche.crypto.ballot import Ballot, BallotSecrets, Election, audit_ballot
from veche.crypto.errors import AuditFailed
from veche.sync.qr import assemble, decode_images

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VECHE = str(Path(sys.executable).with_name("veche"))


def _open_vote_page(live_server: Any, page: Any, *, language: str = "en") -> NodeElection:
    election = setup_election(("Zubr", "Rusalka"))
    election.deal_all()
    actions.open_election(election.world.person("Sokol"), election.space)
    create_account("Zubr", PASS, election.world.person("Zubr"))
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Pseudonym").fill("Zubr")
    page.get_by_label("Passphrase").fill(PASS)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "sign-in" not in url)
    if language != "en":
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
    page.goto(f"{live_server.url}/elections/{election.space}/vote/")
    return election


def _fits(page: Any, width: int) -> None:
    """Nothing runs off a phone's screen: no sideways scrolling, every code inside."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for selector in ("#tracker", "#audit-tracker", "#audit-secrets", "#audit-codes svg"):
        for box in page.locator(selector).all():
            if box.is_visible():
                edge = box.evaluate("e => e.getBoundingClientRect().right")
                assert edge <= width, (selector, edge)


def test_an_audit_downloads_a_file_and_codes_the_python_core_checks(
    live_server: Any, page: Any, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    election = _open_vote_page(live_server, page)
    page.get_by_label("Sviatlana").check()
    page.get_by_role("button", name="Encrypt my ballot").click()
    shown = page.locator("#tracker").inner_text()
    _fits(page, 360)
    page.get_by_role("button", name="Audit this ballot (it will not be cast)").click()
    page.get_by_text("Audit passed").wait_for()
    assert page.locator("#audit-tracker").inner_text() == shown
    assert page.locator("#audit-marks").inner_text() == "Who chairs?: Sviatlana"
    _fits(page, 360)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the audit file").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == f"ballot-audit-{shown[:8]}.json"
    data = path.read_bytes()
    audit = json.loads(data)

    # Contract B: the election as election.json gives it, the ballot, the secrets, the tracker.
    assert set(audit) == {"format", "v", "election", "ballot", "secrets", "tracker"}
    assert (audit["format"], audit["v"], audit["tracker"]) == ("veche-ballot-audit", 1, shown)
    crypto = state_of(Context(), election.space).crypto_election()
    assert audit["election"] == crypto.to_json()
    ballot = Ballot.from_json(audit["ballot"])
    secrets = BallotSecrets.from_json(audit["secrets"])
    audit_ballot(Election.from_json(audit["election"]), ballot, secrets)
    assert ballot.tracker() == shown
    assert [list(marks) for marks in secrets.selections] == [[0, 0, 1]]
    # The audited ballot was never cast.
    assert not BallotRow.objects.filter(space=election.space).exists()

    # The same file, read back from the QR codes on the screen.
    codes = page.locator("#audit-codes figure")
    assert codes.count() >= 2  # ~2.5 KB: several 700-byte codes
    shots = [codes.nth(i).screenshot() for i in range(codes.count())]
    parts, problems = decode_images(shots)
    assert problems == []
    assert assemble(parts) == data

    # A tampered file fails: one mark changed, its randomness kept.
    lying = json.loads(data)
    lying["secrets"]["selections"] = [[0, 1, 0]]
    with pytest.raises(AuditFailed):
        audit_ballot(
            Election.from_json(lying["election"]),
            Ballot.from_json(lying["ballot"]),
            BallotSecrets.from_json(lying["secrets"]),
        )
    lying_path = tmp_path / "lying.json"
    lying_path.write_text(json.dumps(lying), encoding="utf-8")
    record = tmp_path / "record.jsonl"
    record.write_bytes(actions.export_record(election.space))
    _check_with_cli(path, lying_path, record)


def _check_with_cli(path: Path, lying: Path, record: Path) -> None:
    """`veche election check-audit FILE`: a second device's check, with and without the record."""
    done = subprocess.run(
        [VECHE, "election", "check-audit", str(path), "--record", str(record)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    refused = subprocess.run(
        [VECHE, "election", "check-audit", str(lying)], capture_output=True, check=False
    )
    assert refused.returncode == 1
    broken = path.with_name("broken.json")
    broken.write_text("{not json", encoding="utf-8")
    unreadable = subprocess.run(
        [VECHE, "election", "check-audit", str(broken)], capture_output=True, check=False
    )
    assert unreadable.returncode == 2


def test_the_page_says_when_the_crypto_library_does_not_load(live_server: Any, page: Any) -> None:
    page.route("**/*libsodium*", lambda route: route.abort())
    _open_vote_page(live_server, page, language="ru")
    alert = page.get_by_role("alert")
    alert.wait_for()
    # Translated, visible, and the button that could not work stays off.
    assert "библиотека шифрования" in alert.inner_text().lower()
    assert page.locator("#encrypt").is_disabled()
    assert not page.locator("#crypto-loading").is_visible()


def test_a_browser_without_import_maps_gets_the_classic_libsodium(
    live_server: Any, page: Any
) -> None:
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    page.add_init_script("HTMLScriptElement.supports = function () { return false; };")
    _open_vote_page(live_server, page)
    page.get_by_label("Maria").check()
    page.get_by_role("button", name="Encrypt my ballot").click()
    assert len(page.locator("#tracker").inner_text()) == 43
    sodium = [url.rsplit("/", 1)[1] for url in loaded if "libsodium" in url]
    assert "libsodium-sumo-0.8.4.js" in sodium and "libsodium-wrappers-sumo-0.8.4.js" in sodium


def test_a_modern_browser_loads_only_the_module_build(live_server: Any, page: Any) -> None:
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    _open_vote_page(live_server, page)
    page.locator("#encrypt:enabled").wait_for()
    sodium = sorted(url.rsplit("/", 1)[1] for url in loaded if "libsodium" in url)
    assert sodium == ["libsodium-sumo-0.8.4.mjs", "libsodium-wrappers-sumo-0.8.4.mjs"]


@pytest.mark.parametrize("language", ["be", "ru"])
def test_sealed_and_audited_at_360_px(
    live_server: Any, page: Any, language: str, tmp_path: Path
) -> None:
    """The phone layout in both languages; screenshots land in $VECHE_SCREENSHOTS if set."""
    page.set_viewport_size({"width": 360, "height": 740})
    _open_vote_page(live_server, page, language=language)
    page.locator("#encrypt:enabled").wait_for()
    page.locator("input[name=q0]").nth(1).check()
    page.locator("#encrypt").click()
    page.locator("#sealed").wait_for()
    _fits(page, 360)
    folder = Path(os.environ.get("VECHE_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"vote-sealed-{language}.png"), full_page=True)
    page.locator("#audit").click()
    page.locator("#audit-codes svg").first.wait_for()
    _fits(page, 360)
    page.screenshot(path=str(folder / f"vote-audited-{language}.png"), full_page=True)
    assert page.locator("#audit-status").get_attribute("class") == "found"
