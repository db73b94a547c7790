"""A whole party-list election with two constituencies, run only in browsers: trustees
make their keys and deal on their pages, the creator picks them by pseudonym, voters
vote (one audits a ballot first, and `veche election check-audit` checks it), two
trustees decrypt, the creator publishes; the record verifies offline with the same
seats. Screenshots of the trustee pages at 360 px in be and ru go to
$VECHE_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.apps.elections.helpers import call_election
from tests.factories import PASS, World

from veche.apps.accounts.actions import create_account
from veche.apps.elections import actions
from veche.apps.elections.models import Election
from veche.election.record import verify_record

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MEMBERS = ("Zubr", "Rusalka", "Busel", "Lyn")
TRUSTEES = ("Zubr", "Rusalka", "Busel")
KEY_PASS = "trustee passphrase 1"
SHOTS = os.environ.get("VECHE_SCREENSHOTS", "")


def _tab(browser: Any, url: str, name: str, *, language: str = "en", width: int = 412) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    context.add_cookies([{"name": "django_language", "value": language, "url": url}])
    tab = context.new_page()
    tab.set_default_timeout(20000)
    tab.goto(url + "/accounts/sign-in/")
    tab.locator("input[name=pseudonym]").fill(name)
    tab.locator("input[name=passphrase]").fill(PASS)
    tab.locator("input[name=passphrase]").press("Enter")
    tab.wait_for_url(lambda u: "sign-in" not in u)
    return tab


def _shot(tab: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= tab.viewport_size["width"], (name, width)


def _make_key(tab: Any, url: str, folder: Path) -> Path:
    tab.goto(url + "/elections/trustee-key/")
    tab.locator("#key-passphrase").fill(KEY_PASS)
    tab.locator("#key-passphrase-again").fill(KEY_PASS)
    with tab.expect_download() as download:
        tab.locator("#make-key-button").click()
    path = folder / download.value.suggested_filename
    path = path.with_name(f"{id(tab)}-{path.name}")
    download.value.save_as(path)
    tab.locator("#made-key").wait_for()
    tab.locator("#register-key button[type=submit]").click()
    tab.locator("#current-key").wait_for()
    return path


def _trustee_step(tab: Any, url: str, space: str, key: Path, done: str) -> None:
    tab.goto(f"{url}/elections/{space}/")
    tab.locator("#trustee-file").set_input_files(str(key))
    tab.locator("#trustee-passphrase").fill(KEY_PASS)
    tab.locator("#trustee-run").click()
    tab.locator("#trustee-status.found", has_text=done).wait_for(timeout=60000)


def _audit(tab: Any, url: str, space: str, party: str, folder: Path) -> Path:
    """Encrypt a ballot, audit it instead of casting it, and keep the audit file."""
    tab.goto(f"{url}/elections/{space}/vote/")
    tab.get_by_label(party).check()
    tab.locator("#encrypt").click()
    tab.locator("#audit").wait_for(state="visible")
    tab.locator("#audit").click()
    tab.locator("#audit-result").wait_for(state="visible")
    with tab.expect_download() as download:
        tab.locator("#audit-download").click()
    path = folder / "audit.json"
    download.value.save_as(path)
    return path


def _veche(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("veche")), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _vote(tab: Any, url: str, space: str, party: str) -> None:
    tab.goto(f"{url}/elections/{space}/vote/")
    tab.get_by_label(party).check()
    tab.locator("#encrypt").click()
    tab.locator("#cast").wait_for(state="visible")
    tab.locator("#cast").click()
    tab.locator("#cast-tracker").wait_for()


def test_a_party_list_election_with_constituencies_only_in_browsers(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    world = World()
    committee = world.committee("Sokol", MEMBERS, name="MTZ strike committee")
    motion = call_election(world, committee, ("Sokol", *MEMBERS))
    for name in ("Sokol", *MEMBERS):
        create_account(name, PASS, world.person(name))
    url = live_server.url
    tabs = {name: _tab(browser, url, name) for name in ("Sokol", *MEMBERS)}

    # Three members make and register their trustee keys in their browsers.
    keys = {name: _make_key(tabs[name], url, tmp_path) for name in TRUSTEES}
    for path in keys.values():
        assert '"format": "veche-trustee"' in path.read_text()

    # The creator picks them by pseudonym, threshold 2, two constituencies.
    sokol = tabs["Sokol"]
    sokol.goto(f"{url}/elections/committee/{committee}/new/")
    sokol.locator("#id_title").fill("Strike council")
    sokol.locator("#id_question").fill("Which list?")
    sokol.locator("#id_options").fill("Workers\nStudents\nPensioners")
    sokol.locator("#id_method").select_option("party_list")
    sokol.locator("#id_constituencies").fill(
        "Minsk: 3: Sokol, Zubr, Lyn\nHomiel: 2: Rusalka, Busel"
    )
    for name in TRUSTEES:
        sokol.get_by_label(name, exact=True).check()
    sokol.locator("#id_threshold").fill("2")
    sokol.locator("#id_motion").select_option(motion)
    sokol.locator("form.card button[type=submit]").click()
    sokol.wait_for_url(lambda u: "/new/" not in u)
    election = Election.objects.get()
    space = election.space
    assert [c["name"] for c in election.body["constituencies"]] == ["Minsk", "Homiel"]

    # The ceremony: each trustee deals in their browser; one then checks the others.
    for name in TRUSTEES:
        _trustee_step(tabs[name], url, space, keys[name], "Your dealing is on the record.")
    _trustee_step(tabs["Zubr"], url, space, keys["Zubr"], "Every share sealed to you checks out")
    sokol.goto(f"{url}/elections/{space}/")
    sokol.get_by_text("Every trustee has dealt.").wait_for()
    sokol.get_by_role("button", name="Open for voting").click()
    sokol.locator('[data-stage="open"]').wait_for()

    # Lyn first audits a ballot for Pensioners (never cast), then votes for Students.
    audit = _audit(tabs["Lyn"], url, space, "Pensioners", tmp_path)
    # Voters in both constituencies; Busel does not vote.
    for name, party in (("Sokol", "Workers"), ("Zubr", "Workers"), ("Lyn", "Students")):
        _vote(tabs[name], url, space, party)
    _vote(tabs["Rusalka"], url, space, "Pensioners")

    sokol.goto(f"{url}/elections/{space}/")
    sokol.get_by_role("button", name="Close the vote").click()
    sokol.get_by_role("button", name="Close the vote now").click()  # the confirmation
    sokol.locator('[data-stage="closed"]').wait_for()

    # Two of the three trustees decrypt in their browsers.
    for name in ("Zubr", "Busel"):
        _trustee_step(
            tabs[name], url, space, keys[name], "Your share of the decryption is on the record."
        )
    sokol.goto(f"{url}/elections/{space}/")
    sokol.get_by_text("Enough trustees have decrypted.").wait_for()
    sokol.get_by_role("button", name="Publish the result").click()
    sokol.wait_for_url(lambda u: u.endswith("/result/"))
    sokol.locator('[data-verified="yes"]').wait_for()
    page = sokol.content()
    assert "Seats in Minsk" in page and "Seats in Homiel" in page

    # The record verifies offline, with the same seats.
    stored = Election.objects.get(space=space)
    record = tmp_path / "record.jsonl"
    record.write_bytes(actions.export_record(space))
    report = verify_record(record.read_bytes()[:-1].split(b"\n"))
    assert report.ok and list(report.seats or ()) == stored.seats
    verified = _veche("election", "verify", str(record))
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # A second device checks Lyn's audited ballot against the record, independently.
    checked = _veche("election", "check-audit", str(audit), "--record", str(record), "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Pensioners" in checked.stdout


@pytest.mark.parametrize("language", ["be", "ru"])
def test_the_trustee_pages_fit_a_phone(live_server: Any, browser: Any, language: str) -> None:
    """The trustee key page, the create form and the trustee's step at 360 px: no
    sideways scrolling (screenshots in $VECHE_SCREENSHOTS)."""
    from veche.apps.accounts.models import Account
    from veche.election.offline import TrusteeKeys

    world = World()
    committee = world.committee("Sokol", MEMBERS, name="MTZ strike committee")
    motion = call_election(world, committee, ("Sokol", *MEMBERS))
    trustees = []
    for name in ("Sokol", *MEMBERS):
        create_account(name, PASS, world.person(name))
    for name in TRUSTEES:
        keys = TrusteeKeys.generate()
        actions.register_trustee_key(
            Account.objects.get(pseudonym=name), keys.identity.public, keys.box_public
        )
        trustees.append((keys.identity.public, keys.box_public))
    space = actions.create_election(
        world.person("Sokol"),
        committee=committee,
        motion=motion,
        title="Strike council of the Minsk Tractor Works",
        questions=[{"text": "Which list?", "options": ["Workers", "Students"], "min": 1, "max": 1}],
        method="party_list",
        seats=3,
        trustees=trustees,
        threshold=2,
    ).id
    url = live_server.url
    zubr = _tab(browser, url, "Zubr", language=language, width=360)
    zubr.goto(url + "/elections/trustee-key/")
    _shot(zubr, f"trustee-key-{language}")
    zubr.goto(f"{url}/elections/{space}/")
    zubr.locator("#trustee-form").wait_for()
    _shot(zubr, f"trustee-step-{language}")
    sokol = _tab(browser, url, "Sokol", language=language, width=360)
    sokol.goto(f"{url}/elections/committee/{committee}/new/")
    sokol.locator("#id_constituencies").wait_for()
    _shot(sokol, f"create-{language}")
