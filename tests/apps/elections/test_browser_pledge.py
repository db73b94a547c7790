"""Must show (issue 18): a secret strike pledge run in browsers. Five members answer a
pledge whose target is 4 — four pledge to strike, one of them then withdraws, the fifth
answers no — the trustees decrypt the total in their browsers: 3, not reached, and no
page, no record line and no decryption reveals anyone's answer. In a second round one
more member pledges: 4 of 4, and the committee's strike call passes by itself and the
workplace shows as on strike on the public strike map. Pages are checked at 360 px."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.clock import EventClock
from tests.factories import PASS, World

from veche.apps.accounts.actions import create_account
from veche.apps.committees import actions as committees
from veche.apps.committees.models import Motion
from veche.apps.elections import actions, pledge_actions
from veche.apps.elections.models import Pledge
from veche.apps.strike import actions as strike
from veche.apps.strike.models import Workplace
from veche.election import offline
from veche.pledge.record import verify_record

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MEMBERS = ("Zubr", "Rusalka", "Busel", "Lyn", "Bobr")
TRUSTEES = ("Zubr", "Rusalka")
KEY_PASS = "trustee passphrase 1"
PLEDGING_SECONDS = 3600  # then passed on the event clock, not waited for


def _tab(browser: Any, url: str, name: str) -> Any:
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="en-US")
    context.add_cookies([{"name": "django_language", "value": "en", "url": url}])
    tab = context.new_page()
    tab.set_default_timeout(30000)
    tab.goto(url + "/accounts/sign-in/")
    tab.locator("input[name=pseudonym]").fill(name)
    tab.locator("input[name=passphrase]").fill(PASS)
    tab.locator("input[name=passphrase]").press("Enter")
    tab.wait_for_url(lambda u: "sign-in" not in u)
    return tab


def _fits(tab: Any, name: str) -> None:
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= tab.viewport_size["width"], (name, width)


def _make_key(tab: Any, url: str, folder: Path) -> Path:
    tab.goto(url + "/elections/trustee-key/")
    tab.locator("#key-passphrase").fill(KEY_PASS)
    tab.locator("#key-passphrase-again").fill(KEY_PASS)
    with tab.expect_download() as download:
        tab.locator("#make-key-button").click()
    path = folder / f"{id(tab)}-{download.value.suggested_filename}"
    download.value.save_as(path)
    tab.locator("#made-key").wait_for()
    tab.locator("#register-key button[type=submit]").click()
    tab.locator("#current-key").wait_for()
    return path


def _answer(tab: Any, url: str, space: str, strike: bool) -> None:
    """Seal on the phone and send: ticked = I strike, unticked = no (or withdraw)."""
    tab.goto(f"{url}/elections/pledge/{space}/make/")
    _fits(tab, "pledge-make")
    box = tab.locator("#pledge-yes")
    if strike:
        box.check()
    else:
        box.uncheck()
    tab.locator("#encrypt").click()
    tab.locator("#cast").wait_for(state="visible")
    tab.locator("#cast").click()
    tab.locator("#cast-tracker").wait_for()


def _round(
    world: World,
    url: str,
    tabs: dict[str, Any],
    keys: dict[str, Path],
    committee: str,
    call: str,
    workplace: str,
    answers: list[tuple[str, bool]],
) -> Pledge:
    deadline = EventClock.now(UTC).replace(microsecond=0) + timedelta(seconds=PLEDGING_SECONDS)
    space = pledge_actions.create_pledge(
        world.person("Sokol"),
        title="Belaruskali strikes from 26 August if 4 of us do",
        workplace="Belaruskali",
        shop="Mine 2",
        strike_date="2020-08-26",
        deadline=deadline.strftime("%Y-%m-%dT%H:%M:%SZ"),
        trustees=[(keys[n].identity.public, keys[n].box_public) for n in TRUSTEES],
        threshold=2,
        needed=4,
        committee=committee,
        strike_call=call,
        registry=workplace,
    ).id
    for name in TRUSTEES:  # the ceremony (its browser flow is the election's, tested there)
        data = actions.export_record(space)
        event = offline.dealing_event(data[:-1].split(b"\n"), keys[name])
        actions.ingest_file(space, event.raw + b"\n", source="test")
    sokol = tabs["Sokol"]
    sokol.goto(f"{url}/elections/pledge/{space}/")
    sokol.locator("#pledge-start").click()
    sokol.locator("#pledge-close").wait_for()
    for name, strike_yes in answers:
        _answer(tabs[name], url, space, strike_yes)
    member = tabs[answers[0][0]]
    member.goto(f"{url}/elections/pledge/{space}/")
    assert "Your answer is sealed" in member.content()
    _fits(member, "pledge")
    EventClock.pass_(deadline)  # the deadline passes on the node's event clock
    sokol.goto(f"{url}/elections/pledge/{space}/")
    sokol.locator("#pledge-close").click()
    sokol.locator("#pledge-publish").wait_for()
    for name in TRUSTEES:  # each trustee decrypts the total in their own browser
        tab = tabs[name]
        tab.goto(f"{url}/elections/pledge/{space}/")
        tab.locator("#trustee-file").set_input_files(str(keys[f"{name}-file"]))
        tab.locator("#trustee-passphrase").fill(KEY_PASS)
        tab.locator("#trustee-run").click()
        tab.locator(
            "#trustee-status.found", has_text="Your share of the decryption is on the record."
        ).wait_for(timeout=60000)
    sokol.goto(f"{url}/elections/pledge/{space}/")
    sokol.locator("#pledge-publish").click()
    sokol.locator("#pledge-result").wait_for()
    _fits(sokol, "pledge-result")
    return Pledge.objects.get(space=space)


def test_secret_strike_pledges_in_browsers_reach_their_target_and_pass_the_call(
    live_server: Any, browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    EventClock.install(monkeypatch)
    world = World()
    committee = world.committee("Sokol", MEMBERS, name="Belaruskali strike committee")
    for name in ("Sokol", *MEMBERS):
        create_account(name, PASS, world.person(name))
    workplace = strike.register_workplace(
        world.person("Sokol"),
        committee,
        name="Belaruskali",
        city="Salihorsk",
        region="minsk",
        sector="mining",
        workforce=400,
    ).id
    call = committees.propose(
        world.person("Sokol"),
        committee,
        kind="strike_call",
        title="Strike from 26 August",
        text="All out if enough of us pledge.",
    ).id
    url = live_server.url
    tabs = {name: _tab(browser, url, name) for name in ("Sokol", *MEMBERS)}
    keys: dict[str, Any] = {}
    for name in TRUSTEES:
        path = _make_key(tabs[name], url, tmp_path)
        keys[f"{name}-file"] = path
        keys[name] = offline.load_trustee_keys(path, KEY_PASS)

    # Round 1: four pledge, Lyn withdraws, Bobr answers no: 3 of the 4 needed.
    first = _round(
        world,
        url,
        tabs,
        keys,
        committee,
        call,
        workplace,
        [
            ("Zubr", True),
            ("Rusalka", True),
            ("Busel", True),
            ("Lyn", True),
            ("Lyn", False),
            ("Bobr", False),
        ],
    )
    assert (first.total, first.crossed, first.counted) == (3, False, 5)
    page = tabs["Sokol"].content()
    assert "Target not reached: 3 pledges of the 4 needed." in page
    assert Motion.objects.get(event=call).status == Motion.Status.OPEN
    # Nobody's answer is revealed: the trustees decrypted one total each, nothing else,
    # and no member's page shows another's answer (or even their own).
    data = actions.export_record(first.space)
    lines = data[:-1].split(b"\n")
    report = verify_record(lines)
    assert report.ok and (report.total, report.crossed) == (3, False)
    from veche.events import parse_event

    partials = [parse_event(line) for line in lines if b'"trustee.decrypt"' in line]
    assert len(partials) == 2
    assert all(len(e.body["partial"]["factors"]) == 1 for e in partials)
    for name in MEMBERS:
        tabs[name].goto(f"{url}/elections/pledge/{first.space}/")
        text = tabs[name].content()
        assert "Your answer is sealed" in text and "I will strike" not in text

    # Round 2: one more pledges (Bobr): 4 of 4, the strike call passes by itself.
    second = _round(
        world,
        url,
        tabs,
        keys,
        committee,
        call,
        workplace,
        [("Zubr", True), ("Rusalka", True), ("Busel", True), ("Bobr", True), ("Lyn", False)],
    )
    assert (second.total, second.crossed) == (4, True)
    assert "Target reached: 4 pledges of the 4 needed." in tabs["Sokol"].content()
    motion = Motion.objects.get(event=call)
    assert motion.status == Motion.Status.PASSED and motion.result["pledge"] == second.space
    place = Workplace.objects.get(workplace=workplace)
    assert (place.public_status, place.public_day) == ("full_strike", "2020-08-26")
    # The call shows as passed in the committee, and the public map shows the strike.
    zubr = tabs["Zubr"]
    zubr.goto(f"{url}/committees/{committee}/motions/{call}/")
    assert "passed" in zubr.content().lower()
    public = browser.new_context(viewport={"width": 360, "height": 800}).new_page()
    public.goto(url + "/strike/")
    assert "Belaruskali, Salihorsk: full strike" in public.content()
