"""A member votes in Chromium: encrypts on the page, audits one ballot, casts another,
finds its tracker on the board; the tally counts the browser's ballot."""

from __future__ import annotations

from typing import Any

import pytest
from tests.apps.elections.helpers import setup_election
from tests.factories import PASS

from veche.apps.accounts.actions import create_account
from veche.apps.elections import actions
from veche.apps.elections.kinds import state_of
from veche.apps.elections.models import Ballot, Election
from veche.apps.store.context import Context
from veche.crypto.ballot import check_ballot
from veche.crypto.encoding import canonical_json

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_vote_audit_cast_and_find_the_tracker(live_server: Any, page: Any) -> None:
    election = setup_election(("Zubr", "Rusalka"))
    election.deal_all()
    actions.open_election(election.world.person("Sokol"), election.space)
    create_account("Zubr", PASS, election.world.person("Zubr"))

    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Pseudonym").fill("Zubr")
    page.get_by_label("Passphrase").fill(PASS)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "sign-in" not in url)

    page.goto(f"{live_server.url}/elections/{election.space}/")
    page.get_by_role("link", name="Vote").click()
    page.get_by_label("Maria").check()
    page.get_by_role("button", name="Encrypt my ballot").click()
    audited = page.locator("#tracker").inner_text()
    assert len(audited) == 43

    # Benaloh: audit this one; the page reveals the randomness, checks it, discards it.
    page.get_by_role("button", name="Audit this ballot (it will not be cast)").click()
    page.get_by_text("Audit passed").wait_for()
    assert '"selections"' in page.locator("#audit-secrets").inner_text()
    assert not page.get_by_role("button", name="Cast this ballot").is_visible()

    # A fresh encryption for casting: a new tracker.
    page.get_by_role("button", name="Encrypt my ballot").click()
    fresh = page.locator("#tracker").inner_text()
    assert fresh != audited
    page.get_by_role("button", name="Cast this ballot").click()
    page.locator("#cast-tracker").wait_for()
    assert page.locator("#cast-tracker").inner_text() == fresh

    page.get_by_role("link", name="find it on the ballot board").click()
    page.get_by_text("Found: this ballot is on the board and counts.").wait_for()
    assert page.get_by_text(fresh).count() >= 1
    stored = set(Ballot.objects.filter(space=election.space).values_list("tracker", flat=True))
    assert fresh in stored and audited not in stored
    # The browser's ballot, checked again by the Python core, byte for byte.
    row = Ballot.objects.get(space=election.space, tracker=fresh)
    crypto = state_of(Context(), election.space).crypto_election()
    assert check_ballot(crypto, canonical_json(row.ballot)).tracker() == fresh

    # The others vote from the CLI path; the tally counts the browser's ballot.
    election.cast("Rusalka", 2)
    election.cast("Sokol", 1)
    actions.close_election(election.world.person("Sokol"), election.space)
    election.decrypt(2)
    election.decrypt(3)
    actions.publish_result(election.world.person("Sokol"), election.space)
    assert Election.objects.get(space=election.space).counts == [0, 2, 1]
    page.goto(f"{live_server.url}/elections/{election.space}/result/")
    page.locator('[data-verified="yes"]').wait_for()
