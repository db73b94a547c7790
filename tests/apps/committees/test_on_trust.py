"""A node that follows a council without holding a member committee's log counts
nothing on a claim (event-v1 §14.6): the seats citing that committee's mandates are
*unverified* there, and so are their votes and the decisions that counted them. The
pages show them apart, counted nowhere (council page, motion page, event page), until
the log arrives; then the node is where a node that had everything is."""

from __future__ import annotations

import hashlib
import html

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.apps.committees.test_motions import _elect, _join_two
from tests.factories import World, signed_in_client

from veche.apps.committees import actions, federation, tally
from veche.apps.committees.models import Committee, Motion, Seat, Vote
from veche.apps.store.log import ingest, rebuild, state_digest
from veche.apps.store.models import MissingDependency, StoredEvent
from veche.events import build_event, parse_event
from veche.events.encoding import b64e

pytestmark = pytest.mark.django_db
BADGE = "mandate not verified on this node — not counted"
SEATS = "1 seat event cites a mandate this node cannot check"
VOTES = "1 vote comes from a delegate whose seat this node cannot verify"
CLOSES = "1 closing event of this motion is not verified on this node"
EVENT_NOTE = "This node cannot check what this event relies on"
# The badge, the seats line and the event page's outcome in the reader's language.
TRANSLATED = {
    "be": ("мандат на гэтым вузле не правераны — не залічваецца", "Заяў на месца", "Не праверана"),
    "ru": ("мандат на этом узле не проверен — не учитывается", "Заявок на место", "Не проверено"),
}


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
    close = actions.close(w.person("Chair"), council, demands).id
    raws = [bytes(r) for r in StoredEvent.objects.order_by("id").values_list("raw", flat=True)]
    return {
        "w": w,
        "council": council,
        "mtz": mtz,
        "seat": seat,
        "strike": strike,
        "demands": demands,
        "close": close,
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
    return signed_in_client(w.person(name), name, language=language)


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_light_node_counts_nothing_it_cannot_verify_until_the_log_arrives() -> None:
    with transaction.atomic():
        setup = _council_log()
        w, council, mtz = setup["w"], setup["council"], setup["mtz"]
        full = state_digest()
        seat, close = setup["seat"], setup["close"]
        detail = reverse("committees:detail", args=[council])
        strike = reverse("committees:motion", args=[council, setup["strike"]])
        demands = reverse("committees:motion", args=[council, setup["demands"]])
        # On the full node everything is verified.
        chair = _client(w, "Chair")  # type: ignore[arg-type]
        for url in (detail, strike, demands):
            page = _page(chair, url)
            assert "not verified" not in page and "on trust" not in page, url

        late = _light_node(setup)
        assert not Committee.objects.filter(space=mtz).exists()
        # Zubr's seat, his votes and the close that counted his vote are unverified:
        # no effect at all, not rejected.
        zubr = w.person("Zubr").public  # type: ignore[attr-defined]
        unverified = set(
            StoredEvent.objects.filter(status="unverified").values_list("id", flat=True)
        )
        votes = set(
            StoredEvent.objects.filter(kind="motion.vote", author=zubr).values_list("id", flat=True)
        )
        assert unverified == {seat, close} | votes
        assert not Seat.objects.filter(key=zubr).exists()
        assert not Vote.objects.filter(key=zubr).exists()
        demands_row = Motion.objects.get(event=setup["demands"])
        assert demands_row.status == "open" and not demands_row.close_event
        # The open strike call counts Lyubava (weight 2) and the chair, not Zubr.
        standing = tally.standing(Motion.objects.get(event=setup["strike"]))
        assert (standing.result["yes"], standing.result["no"]) == (2, 1)
        assert standing.result["electorate"] == 3

        # Vasilek (Kozlova) reads the council above his committee.
        client = _client(w, "Vasilek")  # type: ignore[arg-type]
        page = _page(client, detail)
        assert "Seats not verified on this node" in page
        assert BADGE in page and SEATS in page
        # Zubr's name and MTZ's are in MTZ's log: his key and MTZ's id, shortened,
        # linked to the seat event; Lyubava is a delegate, Zubr is not.
        assert zubr[:11] in page
        assert f'href="{reverse("event", args=[seat])}"' in page
        assert f"{mtz[:11]}…" in page  # type: ignore[index]
        assert [d.pseudonym for d in federation.delegates_of(council)] == ["Lyubava"]  # type: ignore[arg-type]
        assert "on trust" not in page and "not checked" not in page
        strike_page = _page(client, strike)
        assert VOTES in strike_page and "Votes not verified on this node" in strike_page
        assert "seat not verified — not counted" in strike_page
        assert f'href="{reverse("event", args=[setup["close"]])}"' not in strike_page
        demands_page = _page(client, demands)
        assert CLOSES in demands_page and VOTES in demands_page
        assert f'href="{reverse("event", args=[close])}"' in demands_page
        assert "Tally so far" in demands_page  # the node counts it open
        # The public demands page shows no decision this node could not verify.
        letter = reverse("strike:letter", args=[setup["demands"]])
        assert letter not in Client().get(reverse("strike:demands")).content.decode()
        # The seat event says why, in words, and does not link to what is not here.
        event_page = _page(client, reverse("event", args=[seat]))
        assert "Unverified" in event_page and EVENT_NOTE in event_page
        assert "it cites an event of a space this node does not hold" in event_page
        assert "not available here" in event_page
        vote_page = _page(client, reverse("event", args=[sorted(votes)[0]]))
        assert "the author's seat is not verified on this node" in vote_page
        close_page = _page(client, reverse("event", args=[close]))
        assert "some seats are not verified" in close_page

        ingest(late, source="late")
        assert not StoredEvent.objects.filter(status="unverified").exists()
        page = _page(client, detail)
        assert "not verified" not in page
        assert "MTZ" in page and "Zubr" in page
        for url in (strike, demands):
            assert "not verified" not in _page(client, url), url
        assert Motion.objects.get(event=setup["demands"]).status == "passed"
        assert state_digest() == full
        transaction.set_rollback(True)


@pytest.mark.parametrize("language", ["be", "ru"])
def test_unverified_seats_are_shown_in_the_readers_language(language: str) -> None:
    with transaction.atomic():
        setup = _council_log()
        _light_node(setup)
        client = _client(setup["w"], "Vasilek", language)  # type: ignore[arg-type]
        page = _page(client, reverse("committees:detail", args=[setup["council"]]))
        badge, seats, outcome = TRANSLATED[language]
        assert badge in page and seats in page
        assert BADGE not in page and "not verified" not in page
        note = _page(client, reverse("committees:motion", args=[setup["council"], setup["strike"]]))
        assert "not verified" not in note and "seat is not" not in note
        event_page = _page(client, reverse("event", args=[setup["seat"]]))
        assert outcome in event_page and EVENT_NOTE not in event_page
        assert "it cites an event" not in event_page
        transaction.set_rollback(True)


def test_unverified_seats_are_listed_apart_from_delegates() -> None:
    with transaction.atomic():
        setup = _council_log()
        council = setup["council"]
        assert len(federation.delegates_of(council)) == 2  # type: ignore[arg-type]
        assert federation.unverified_seats(council) == []  # type: ignore[arg-type]
        _light_node(setup)
        assert [d.pseudonym for d in federation.delegates_of(council)] == ["Lyubava"]  # type: ignore[arg-type]
        (claim,) = federation.unverified_seats(council)  # type: ignore[arg-type]
        zubr = setup["w"].person("Zubr").public  # type: ignore[attr-defined]
        assert (claim.key, claim.child, claim.child_name, claim.seat_event) == (
            zubr,
            setup["mtz"],
            "",
            setup["seat"],
        )
        acts = tally.unverified_acts(Motion.objects.get(event=setup["strike"]))
        assert [(v.key, v.choice) for v in acts.votes] == [(zubr, "yes")]
        assert acts.closes == []
        acts = tally.unverified_acts(Motion.objects.get(event=setup["demands"]))
        assert acts.closes == [setup["close"]]
        transaction.set_rollback(True)


def _all_raws() -> list[bytes]:
    return [bytes(r) for r in StoredEvent.objects.values_list("raw", flat=True)]


def _same_as_a_node_that_had_everything(raws: list[bytes]) -> None:
    """The state now is the one a node that received ``raws`` at once would have."""
    digest, statuses = state_digest(), dict(StoredEvent.objects.values_list("id", "status"))
    StoredEvent.objects.all().delete()
    MissingDependency.objects.all().delete()
    rebuild()
    ingest(raws, source="everything")
    assert dict(StoredEvent.objects.values_list("id", "status")) == statuses
    assert state_digest() == digest


def test_a_close_citing_a_recall_of_an_unverified_delegate_is_unverified() -> None:
    """The close counts the recall of Zubr, whose seat this node cannot verify: what it
    withdraws is not known here, so the close is unverified, not refused."""
    from tests.apps.committees.test_motions import _recall_zubr, _two_seated_delegates

    with transaction.atomic():
        w = World()
        council, mtz, mandate = _two_seated_delegates(w)
        strike = actions.propose(
            w.person("Chair"), council, kind="strike_call", title="Strike", text="Monday."
        ).id
        for name, choice in (("Zubr", "yes"), ("Rusalka", "no"), ("Chair", "no")):
            actions.vote(w.person(name), council, strike, choice=choice)
        _recall_zubr(w, mtz, mandate)
        close = actions.close(w.person("Chair"), council, strike)
        assert close.body["recalls"]
        raws = _all_raws()
        late = _light_node({"raws": raws, "mtz": mtz})
        row = StoredEvent.objects.get(id=close.id)
        assert (row.status, row.reason.split("|")[0]) == ("unverified", "unverified-seat")
        assert Motion.objects.get(event=strike).status == "open"
        ingest(late, source="late")
        assert Motion.objects.get(event=strike).status == "failed"
        _same_as_a_node_that_had_everything(raws)
        transaction.set_rollback(True)


def test_a_committee_ratifies_a_decision_its_node_cannot_verify_yet() -> None:
    """Kozlova's node holds no MTZ log, so the council's demands (counting Zubr's vote)
    are unverified there; Kozlova still decides to ratify them (its own decision, which
    counts only where the demands are verified), and it stands once MTZ's log arrives."""
    with transaction.atomic():
        setup = _council_log()
        w = setup["w"]
        late = _light_node(setup)
        kozlova = Committee.objects.get(name="Kozlova").space
        ratify = actions.propose(
            w.person("Vasilek"),  # type: ignore[attr-defined]
            kozlova,
            kind="ratification",
            title="Ratify the city's demands",
            text="Yes.",
            target={"motion": setup["close"]},
        ).id
        for name in ("Vasilek", "Lyubava"):
            actions.vote(w.person(name), kozlova, ratify, choice="yes")  # type: ignore[attr-defined]
        actions.close(w.person("Vasilek"), kozlova, ratify)  # type: ignore[attr-defined]
        assert Motion.objects.get(event=ratify).status == "passed"
        ingest(late, source="late")
        assert Motion.objects.get(event=ratify).status == "passed"
        demands = Motion.objects.get(event=setup["demands"])
        assert demands.status == "passed"
        assert federation.ratifications(demands).ratified_by == [kozlova]
        _same_as_a_node_that_had_everything(_all_raws())
        transaction.set_rollback(True)


def test_an_election_of_delegates_whose_seats_are_unverified_is_unverified() -> None:
    """The city council elects its delegate to the national one among its seated
    delegates; where Zubr's seat is unverified, so is the election naming him, and
    so are the votes on it: none is refused, and all count once MTZ's log arrives."""
    with transaction.atomic():
        w = World()
        national = w.committee("Veche", name="National council", kind="council", level="national")
        council = w.committee("Chair", name="Minsk city council", kind="council", level="city")
        join = actions.propose(
            w.person("Chair"), council, kind="federation_join", title="Join", text="Up.",
            target={"parent": national},
        ).id  # fmt: skip
        actions.vote(w.person("Chair"), council, join, choice="yes")
        join_close = actions.close(w.person("Chair"), council, join).id
        accept = actions.propose(
            w.person("Veche"), national, kind="federation_accept", title="Accept", text="Yes.",
            target={"child": council, "join": join_close},
        ).id  # fmt: skip
        actions.vote(w.person("Veche"), national, accept, choice="yes")
        actions.close(w.person("Veche"), national, accept)
        mtz, kozlova = _join_two(w, council)
        for plant, electors, elected in (
            (mtz, ("Sokol", "Zubr", "Rusalka"), ("Zubr", "Rusalka")),
            (kozlova, ("Vasilek", "Lyubava"), ("Lyubava", "Vasilek")),
        ):
            mandate = _elect(w, plant, electors, elected, 1, [[0, 1]] * len(electors))
            actions.take_seat(w.person(elected[0]), council, mandate)
        keys = [w.person(n).public for n in ("Zubr", "Lyubava")]
        election = actions.propose(
            w.person("Chair"), council, kind="delegate_election", title="To the nation",
            text="STV", method="stv", options=keys, seats=1,
        ).id  # fmt: skip
        vote = actions.vote(w.person("Lyubava"), council, election, ranking=[[1], [0]]).id
        raws = _all_raws()
        late = _light_node({"raws": raws, "mtz": mtz})
        for event_id, rule in ((election, "unverified-seat"), (vote, "unverified-motion")):
            row = StoredEvent.objects.get(id=event_id)
            assert (row.status, row.reason.split("|")[0]) == ("unverified", rule)
        assert not Motion.objects.filter(event=election).exists()
        ingest(late, source="late")
        assert Motion.objects.get(event=election).status == "open"
        assert StoredEvent.objects.get(id=vote).status == "applied"
        _same_as_a_node_that_had_everything(raws)
        transaction.set_rollback(True)


def _council_with_claims(w: World, n: int) -> tuple[str, str]:
    """A council whose member committee's log this node does not hold, with ``n`` seat
    events citing mandates of that committee, each with a vote on one motion."""
    council = w.committee("Chair", name="Council", kind="council", level="city")
    mtz, _ = _join_two(w, council)
    raws = [bytes(r) for r in StoredEvent.objects.values_list("raw", flat=True)]
    spaces = {raw: parse_event(raw, verify=False).space_id for raw in raws}
    StoredEvent.objects.all().delete()
    MissingDependency.objects.all().delete()
    rebuild()
    ingest([r for r in raws if spaces[r] != mtz], source="light")
    motion = actions.propose(w.person("Chair"), council, kind="general", title="Tea", text="?").id
    head = StoredEvent.objects.filter(space=council).order_by("-height", "-id")[0].id
    events = []
    for i in range(n):
        who = w.person(f"Claimant {i}")
        mandate = b64e(hashlib.blake2b(f"mandate {i}".encode(), digest_size=32).digest())
        seat = build_event(
            who,
            space=council,
            seq=1,
            prev=None,
            kind="delegate.seat",
            body={"mandate": mandate, "child": mtz, "represented": 10, "elected": 1},
            deps=[head, mandate],
        )
        vote = build_event(
            who,
            space=council,
            seq=2,
            prev=seat.id,
            kind="motion.vote",
            body={"motion": motion, "version": 0, "choice": "yes"},
            deps=[motion],
        )
        events += [seat.raw, vote.raw]
    ingest(events, source="claimants")
    assert StoredEvent.objects.filter(status="unverified").count() == 2 * n
    return council, motion


@pytest.mark.parametrize("size", [3, 60])
def test_council_pages_use_a_constant_number_of_queries(size: int) -> None:
    w = World()
    council, motion = _council_with_claims(w, size)
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
    assert f"{size} seat events cite mandates this node cannot check" in pages[0]
    assert f"{size} votes come from delegates whose seats this node cannot verify" in pages[1]
    assert counts == COUNCIL_QUERIES


# Pinned, like EXPECTED_QUERIES in test_views.py (voted marks, discussion).
COUNCIL_QUERIES = [26, 23]


def test_a_council_motion_names_voting_delegates_by_their_committees_pseudonym() -> None:
    from tests.apps.committees.test_motions import _elect, _federate

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
    from tests.apps.committees.test_motions import _recall_zubr, _two_seated_delegates

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


def test_the_event_page_says_what_a_pending_event_waits_for() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",), name="MTZ")
    missing = b64e(hashlib.blake2b(b"a post never received", digest_size=32).digest())
    waiting = build_event(
        w.person("Zubr"),
        space=space,
        seq=9,
        prev=missing,
        kind="space.post",
        body={"text": "Sent after a post this node never got."},
        deps=[space],
    )
    assert ingest([waiting.raw], source="t").outcomes[0].status == "pending"
    url = reverse("event", args=[waiting.id])
    page = _page(_client(w, "Sokol"), url)
    assert f"Pending — waits for events this node does not hold yet: {missing}" in page
    ru = _page(_client(w, "Zubr", "ru"), url)
    assert f"ожидает событий, которых на этом узле ещё нет: {missing}" in ru
