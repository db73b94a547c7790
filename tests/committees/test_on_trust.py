"""A light node follows a council without holding a member committee's log: the
seats citing that committee's mandates are taken on trust, and the pages say so
(council page, motion page, seat event page) until the log arrives. What the pages
add is read-only: the state digest is the one a full node has."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.committees.test_motions import _elect, _join_two
from tests.factories import World

from veche.apps.accounts.actions import create_account
from veche.apps.committees import actions, federation, tally
from veche.apps.committees.models import Committee, Motion, Seat, Vote
from veche.apps.store import log
from veche.apps.store.log import ingest, rebuild, state_digest
from veche.apps.store.models import MissingDependency, StoredEvent
from veche.apps.store.reasons import TRUSTED_PREFIX
from veche.events import parse_event

pytestmark = pytest.mark.django_db
PASS = "correct horse battery"
BADGE = "mandate not checked here"
SUMMARY = "1 of 2 seats are taken on trust on this node"
UNKNOWN = "This node does not hold the electing committee's log"
NOTE = "1 vote (weight 3) comes from a delegate whose mandate this node has not checked"
# The badge and the summary line in the reader's language.
TRANSLATED = {
    "be": (
        "мандат тут не правераны",
        "1 з 2 месцаў на гэтым вузле прынята на давер",
        "прынята на давер",
    ),
    "ru": (
        "мандат здесь не проверен",
        "1 из 2 мест на этом узле принято на доверии",
        "принято на доверии",
    ),
}


def test_the_trusted_reason_prefix_is_the_one_the_log_writes() -> None:
    assert log._TRUSTED_REASON.startswith(TRUSTED_PREFIX)


def _council_log() -> dict[str, object]:
    """Zubr (MTZ, 3 members: weight 3) and Lyubava (Kozlova, 2 members: weight 2) sit in
    a council weighted by members; one motion is open, one closed, both with their votes."""
    w = World()
    council = w.committee(
        "Chair",
        name="Minsk city council",
        kind="council",
        level="city",
        rules={"weighting": "by_members"},
    )
    mtz, kozlova = _join_two(w, council)
    mandate = _elect(
        w, mtz, ("Sokol", "Zubr", "Rusalka"), ("Zubr", "Rusalka"), 1, [[0, 1], [0, 1], [1, 0]]
    )
    kmandate = _elect(
        w, kozlova, ("Vasilek", "Lyubava"), ("Vasilek", "Lyubava"), 1, [[1, 0], [1, 0]]
    )
    seat = actions.take_seat(w.person("Zubr"), council, mandate).id
    actions.take_seat(w.person("Lyubava"), council, kmandate)
    strike = actions.propose(
        w.person("Chair"), council, kind="strike_call", title="City-wide strike", text="Monday."
    ).id
    for person, choice in (("Zubr", "yes"), ("Lyubava", "yes"), ("Chair", "no")):
        actions.vote(w.person(person), council, strike, choice=choice)
    demands = actions.propose(
        w.person("Chair"), council, kind="demands", title="Demands", text="Wages."
    ).id
    for person in ("Zubr", "Chair"):
        actions.vote(w.person(person), council, demands, choice="yes")
    actions.close(w.person("Chair"), council, demands)
    raws = [bytes(r) for r in StoredEvent.objects.order_by("id").values_list("raw", flat=True)]
    return {
        "w": w,
        "council": council,
        "mtz": mtz,
        "seat": seat,
        "strike": strike,
        "demands": demands,
        "raws": raws,
    }


def _light_node(setup: dict[str, object]) -> list[bytes]:
    """Forget everything, then take every log but MTZ's; return MTZ's events."""
    raws: list[bytes] = setup["raws"]  # type: ignore[assignment]
    StoredEvent.objects.all().delete()
    MissingDependency.objects.all().delete()
    rebuild()
    spaces = {raw: parse_event(raw, verify=False).space_id for raw in raws}
    ingest([r for r in raws if spaces[r] != setup["mtz"]], source="light")
    assert not StoredEvent.objects.filter(status="pending").exists()
    return [r for r in raws if spaces[r] == setup["mtz"]]


def _client(w: World, name: str, language: str | None = None) -> Client:
    create_account(name, PASS, w.person(name))
    client = Client()
    assert (
        client.post("/accounts/sign-in/", {"pseudonym": name, "passphrase": PASS}).status_code
        == 302
    )
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_light_node_shows_seats_and_votes_taken_on_trust_until_the_log_arrives() -> None:
    with transaction.atomic():
        setup = _council_log()
        w, council, mtz = setup["w"], setup["council"], setup["mtz"]
        full, council_digest = state_digest(), state_digest(council)  # type: ignore[arg-type]
        seat = setup["seat"]
        detail = reverse("committees:detail", args=[council])
        strike = reverse("committees:motion", args=[council, setup["strike"]])
        demands = reverse("committees:motion", args=[council, setup["demands"]])
        # On the full node nothing is taken on trust.
        chair = _client(w, "Chair")  # type: ignore[arg-type]
        for url in (detail, strike, demands):
            assert BADGE not in _page(chair, url)

        late = _light_node(setup)
        assert StoredEvent.objects.get(id=seat).reason.startswith(TRUSTED_PREFIX)
        assert not Committee.objects.filter(space=mtz).exists()
        # Vasilek (Kozlova) reads the council above his committee.
        client = _client(w, "Vasilek")  # type: ignore[arg-type]
        page = _page(client, detail)
        assert SUMMARY in page
        assert page.count(BADGE) == 1
        assert UNKNOWN in page
        zubr = w.person("Zubr").public  # type: ignore[attr-defined]
        # Zubr's name and MTZ's are in MTZ's log: his key and MTZ's id, shortened,
        # linked to the seat event.
        assert zubr[:8] in page
        assert f'href="{reverse("event", args=[seat])}"' in page
        assert f"{mtz[:11]}…" in page  # type: ignore[index]
        assert "Lyubava" in page  # Kozlova's delegate, checked here
        for url in (strike, demands):
            assert NOTE in _page(client, url), url
        assert BADGE in _page(client, reverse("committees:federation"))
        motion = Motion.objects.get(event=setup["strike"])
        unchecked = tally.unchecked_votes(motion, tally.standing(motion))
        assert (unchecked.votes, unchecked.weight) == (1, 3)
        # The seat event says why, in words, and does not link to what is not here.
        event_page = _page(client, reverse("event", args=[seat]))
        assert "judged on trust" in event_page
        assert "not available here" in event_page
        # Showing it changed nothing: the council's state is the full node's.
        assert state_digest(council) == council_digest  # type: ignore[arg-type]

        ingest(late, source="late")
        assert not StoredEvent.objects.filter(reason__startswith=TRUSTED_PREFIX).exists()
        page = _page(client, detail)
        assert BADGE not in page and "on trust" not in page
        assert "MTZ" in page and "Zubr" in page
        for url in (strike, demands):
            assert "has not checked" not in _page(client, url), url
        assert BADGE not in _page(client, reverse("committees:federation"))
        assert state_digest() == full
        transaction.set_rollback(True)


@pytest.mark.parametrize("language", ["be", "ru"])
def test_the_badge_is_translated(language: str) -> None:
    with transaction.atomic():
        setup = _council_log()
        _light_node(setup)
        client = _client(setup["w"], "Vasilek", language)  # type: ignore[arg-type]
        page = _page(client, reverse("committees:detail", args=[setup["council"]]))
        badge, summary, reason = TRANSLATED[language]
        assert badge in page and summary in page
        assert BADGE not in page and "on trust" not in page
        note = _page(client, reverse("committees:motion", args=[setup["council"], setup["strike"]]))
        assert badge in note and "has not checked" not in note
        event_page = _page(client, reverse("event", args=[setup["seat"]]))
        assert reason in event_page and "on trust" not in event_page
        transaction.set_rollback(True)


def test_delegates_of_lists_every_seat() -> None:
    with transaction.atomic():
        setup = _council_log()
        council = setup["council"]
        full = federation.delegates_of(council)  # type: ignore[arg-type]
        assert [d.unchecked for d in full] == [False, False]
        _light_node(setup)
        light = federation.delegates_of(council)  # type: ignore[arg-type]
        assert len(light) == Seat.objects.filter(space=council).count() == 2
        trusted = [d for d in light if d.unchecked]
        assert [(d.child, d.child_name, d.seat_event, d.weight) for d in trusted] == [
            (setup["mtz"], "", setup["seat"], 3)
        ]
        assert federation.unchecked_seats(council).count() == 1  # type: ignore[arg-type]
        transaction.set_rollback(True)


def _council_with_seats(w: World, n: int) -> tuple[str, str]:
    """A council with ``n`` seats whose mandates this node never saw, and their votes."""
    council = w.committee("Chair", name="Council", kind="council", level="city")
    motion = actions.propose(w.person("Chair"), council, kind="general", title="Tea", text="?").id
    # Projections written directly: this test is about page queries only.
    Seat.objects.bulk_create(
        [
            Seat(
                space=council,
                key=f"{i:043d}",
                mandate=f"m{i:042d}",
                child=f"c{i % 3:042d}",
                event=f"s{i:042d}",
            )
            for i in range(n)
        ]
    )
    Vote.objects.bulk_create(
        [
            Vote(
                space=council,
                motion=motion,
                person=f"{i:043d}",
                key=f"{i:043d}",
                event="e",
                version=0,
                choice="yes",
                mandate=f"m{i:042d}",
                at="x",
            )
            for i in range(n)
        ]
    )
    return council, motion


@pytest.mark.parametrize("size", [3, 300])
def test_council_pages_use_a_constant_number_of_queries(size: int) -> None:
    w = World()
    council, motion = _council_with_seats(w, size)
    client = _client(w, "Chair")
    counts = []
    pages = []
    for url in (
        reverse("committees:detail", args=[council]),
        reverse("committees:motion", args=[council, motion]),
    ):
        with CaptureQueriesContext(connection) as queries:
            pages.append(_page(client, url))
        counts.append(len(queries))
    assert f"{size} of {size} seats are taken on trust" in pages[0]
    assert f"{size} votes (weight {size}) come from delegates" in pages[1]
    assert counts == COUNCIL_QUERIES


COUNCIL_QUERIES = [22, 21]  # pinned, like EXPECTED_QUERIES in test_views.py (+1: delegates' names)


def test_a_council_motion_names_voting_delegates_by_their_committees_pseudonym() -> None:
    from tests.committees.test_motions import _elect, _federate

    w = World()
    council, mtz, _ = _federate(w)
    mandate = _elect(
        w, mtz, ("Sokol", "Zubr", "Rusalka"), ("Zubr", "Rusalka"), 1, [[0, 1], [0, 1], [1, 0]]
    )
    actions.take_seat(w.person("Zubr"), council, mandate)
    strike = actions.propose(
        w.person("Chair"), council, kind="strike_call", title="City-wide strike", text="Monday."
    ).id
    actions.vote(w.person("Zubr"), council, strike, choice="yes")
    page = _page(_client(w, "Chair"), reverse("committees:motion", args=[council, strike]))
    assert "Zubr" in page
    assert w.person("Zubr").public[:10] not in page


def test_the_event_page_links_only_deps_the_viewer_may_read() -> None:
    """A full node holds MTZ's log; a Kozlova member reading Zubr's seat event in the
    council must not learn from a link that this node holds MTZ's mandate."""
    setup = _council_log()
    w, seat = setup["w"], setup["seat"]
    mandate = parse_event(
        bytes(StoredEvent.objects.get(id=seat).raw),
        verify=False,  # type: ignore[arg-type]
    ).body["mandate"]
    assert StoredEvent.objects.filter(id=mandate).exists()
    outsider = _page(_client(w, "Vasilek"), reverse("event", args=[seat]))  # type: ignore[arg-type]
    insider = _page(_client(w, "Sokol"), reverse("event", args=[seat]))  # type: ignore[arg-type]
    link = f'href="{reverse("event", args=[mandate])}"'
    assert link not in outsider and "not available here" in outsider
    assert link in insider


def test_a_close_that_ignores_a_recall_this_node_holds_is_flagged() -> None:
    from tests.committees.test_motions import _recall_zubr, _two_seated_delegates

    from veche.apps.committees.models import Committee
    from veche.apps.committees.motions import compute_result, counted_votes
    from veche.events import build_event

    w = World()
    council, mtz, mandate = _two_seated_delegates(w)
    chair = w.person("Chair")
    motions = {}
    for title in ("Ignored", "Honest"):
        motions[title] = actions.propose(
            chair, council, kind="strike_call", title=title, text="Monday."
        ).id
        actions.vote(w.person("Zubr"), council, motions[title], choice="yes")
        actions.vote(w.person("Rusalka"), council, motions[title], choice="no")
    _recall_zubr(w, mtz, mandate)
    # The chair closes one motion as if the recall did not exist: a close names the
    # recalls it took into account, so every node accepts it...
    motion = Motion.objects.get(event=motions["Ignored"])
    electorate = tally._electorate(council, set())
    result = compute_result(
        motion,
        counted_votes(None, motion, set()),
        electorate,
        Committee.objects.get(space=council).rules,
        represented=electorate,
    )
    head = StoredEvent.objects.filter(space=council).order_by("-height").first()
    last = StoredEvent.objects.filter(space=council, author=chair.public).order_by("-seq").first()
    ignoring = build_event(
        chair,
        space=council,
        seq=last.seq + 1,
        prev=last.id,
        deps=[head.id, motion.event],
        kind="motion.close",
        body={"motion": motion.event, "result": result},
        at="2099-01-01T00:00:00Z",
    )
    assert ingest([ignoring.raw], source="chair").outcomes[0].status == "applied"
    actions.close(chair, council, motions["Honest"])
    # ... and this node, which holds the recall, says so on the page.
    client = _client(w, "Chair")
    flagged = _page(client, reverse("committees:motion", args=[council, motions["Ignored"]]))
    honest = _page(client, reverse("committees:motion", args=[council, motions["Honest"]]))
    warning = "This close did not take into account recalls this node holds."
    assert warning in flagged and "Zubr" in flagged
    assert warning not in honest
    assert [o.key for o in tally.overlooked_recalls(Motion.objects.get(event=motion.event))] == [
        w.person("Zubr").public
    ]
