"""Issue 11, attack 2: seats taken by citing mandates this node cannot check.

A node that holds the city council but not a member committee's log (MTZ's) used to
judge seats citing that committee "on trust": fresh keys took council seats with a
made-up mandate, voted, and passed a demands letter the public page showed as the
council's. Now nothing counts on a claim (event-v1 §14.6): such seats are unverified,
and so are their votes and the decisions that count them; they give no access; a
mandate seats only the keys it elected; and once MTZ's log arrives the node is where
a node that had everything from the start is, in either arrival order.

Everything arrives by public paths: bundles, ``veche log import``, ingest of raw bytes
and the HTTP sync endpoints.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse
from tests.apps.committees.test_motions import _elect, _join_two
from tests.factories import World, signed_in_client

from veche.apps.committees import actions, federation
from veche.apps.committees.access import may_hold_space, readable_spaces
from veche.apps.committees.models import Motion, Seat
from veche.apps.committees.motions import compute_result
from veche.apps.store.log import ingest, rebuild, state_digest
from veche.apps.store.models import StoredEvent
from veche.apps.sync.service import authorize, sync_with
from veche.events import Event, Identity, build_event, parse_event
from veche.events.encoding import b64e
from veche.sync.errors import SyncError

pytestmark = pytest.mark.django_db
FORGED_TITLE = "Demands of the Minsk city council"


def _made_up(label: str) -> str:
    """A well-formed id of an event nobody holds: a mandate no committee decided."""
    return b64e(hashlib.blake2b(label.encode(), digest_size=32).digest())


def _fresh(label: str) -> Identity:
    """A key that belongs to nobody's committee (an infiltrator's)."""
    return Identity(hashlib.blake2b(f"fresh key {label}".encode(), digest_size=32).digest())


class City:
    """The honest history: a city council weighted per delegate, MTZ (Sokol, Zubr,
    Rusalka) and Kozlova (Vasilek, Lyubava) joined it; MTZ elected Zubr and Kozlova
    Lyubava, both seated; the council passed a demands letter counting Zubr's vote."""

    def __init__(self) -> None:
        self.w = World()
        w = self.w
        self.council = w.committee("Chair", name="Minsk city council", kind="council", level="city")
        self.mtz, self.kozlova = _join_two(w, self.council)
        self.mandate = _elect(
            w, self.mtz, ("Sokol", "Zubr", "Rusalka"), ("Zubr", "Rusalka"), 1,
            [[0, 1], [0, 1], [1, 0]],
        )  # fmt: skip
        kmandate = _elect(
            w, self.kozlova, ("Vasilek", "Lyubava"), ("Vasilek", "Lyubava"), 1, [[1, 0], [1, 0]]
        )
        self.seat = actions.take_seat(w.person("Zubr"), self.council, self.mandate).id
        actions.take_seat(w.person("Lyubava"), self.council, kmandate)
        letter = actions.propose(
            w.person("Chair"), self.council, kind="demands", title="Honest demands", text="Wages."
        ).id
        for name in ("Chair", "Zubr", "Lyubava"):
            actions.vote(w.person(name), self.council, letter, choice="yes")
        self.letter = letter
        self.letter_close = actions.close(w.person("Chair"), self.council, letter).id
        self.events = {
            e.id: e
            for e in (
                parse_event(bytes(raw), verify=False)
                for raw in StoredEvent.objects.order_by("height", "id").values_list(
                    "raw", flat=True
                )
            )
        }
        self.head = StoredEvent.objects.filter(space=self.council).order_by("-height", "-id")[0].id

    def of(self, *spaces: str) -> list[bytes]:
        return [e.raw for e in self.events.values() if e.space_id in spaces]


class Forger:
    """Signs a fresh key's events in the council, each naming the latest one it signed
    (so they hang on the honest history's head and on each other)."""

    def __init__(self, council: str, head: str) -> None:
        self.council = council
        self.head = head
        self.chains: dict[str, tuple[int, str]] = {}
        self.events: list[Event] = []

    def sign(
        self, who: Identity, kind: str, body: dict[str, Any], cite: tuple[str, ...] = ()
    ) -> Event:
        seq, prev = 1, None
        if who.public in self.chains:
            last_seq, last_id = self.chains[who.public]
            seq, prev = last_seq + 1, last_id
        event = build_event(
            who,
            space=self.council,
            seq=seq,
            prev=prev,
            kind=kind,
            body=body,
            deps=sorted({self.head, *cite} - {prev}),
        )
        self.chains[who.public] = (seq, event.id)
        self.head = event.id
        self.events.append(event)
        return event

    def seat(self, who: Identity, mandate: str, child: str, elected: int = 1) -> Event:
        body = {"mandate": mandate, "child": child, "represented": 5000, "elected": elected}
        return self.sign(who, "delegate.seat", body, cite=(mandate,))


def _seize_the_council(city: City, forger: Forger, mandate: str, n: int = 3) -> dict[str, Any]:
    """``n`` fresh keys take seats by ``mandate`` (as MTZ's delegates), propose a demands
    letter, vote for it and close it as passed."""
    keys = [_fresh(f"{mandate}{i}") for i in range(n)]
    seats = [forger.seat(k, mandate, city.mtz).id for k in keys]
    propose = forger.sign(
        keys[0],
        "motion.propose",
        {"kind": "demands", "title": FORGED_TITLE, "text": "Whatever we say.", "method": "yes_no"},
    )
    votes = [
        forger.sign(k, "motion.vote", {"motion": propose.id, "version": 0, "choice": "yes"}).id
        for k in keys
    ]
    motion = Motion(kind="demands", method="yes_no", options=[], seats=1, event=propose.id)
    result = compute_result(motion, [("yes", 1)] * n, n + 1, {}, represented=n + 1)
    assert result["passed"]
    close = forger.sign(
        keys[0], "motion.close", {"motion": propose.id, "result": result}, (propose.id,)
    )
    return {"keys": keys, "seats": seats, "propose": propose.id, "votes": votes, "close": close.id}


def _wipe() -> None:
    """Forget every event, as a fresh node would."""
    for model in django_apps.get_app_config("store").get_models():
        model.objects.all().delete()
    rebuild()


def _status(event_id: str) -> str:
    return str(StoredEvent.objects.get(id=event_id).status)


def _import_lines(path: Path, events: list[Event]) -> None:
    """``veche log import FILE``, in this process."""
    from veche.cli import main

    path.write_bytes(b"".join(e.raw + b"\n" for e in events))
    assert main(["log", "import", str(path)]) == 0


def _light_node(city: City) -> None:
    """A node that received the council's and Kozlova's logs, nothing of MTZ's."""
    _wipe()
    ingest(city.of(city.council, city.kozlova), source="council and Kozlova")
    assert not StoredEvent.objects.filter(space=city.mtz).exists()
    assert not StoredEvent.objects.filter(status="pending").exists()


def _client(identity: Identity, name: str) -> Client:
    return signed_in_client(identity, name)


def _through(client: Client) -> Any:
    """A sync transport over this node's own HTTP endpoints (Django's test client)."""

    def post(url: str, body: bytes) -> bytes:
        answer = client.post(urlsplit(url).path, body, content_type="application/octet-stream")
        if answer.status_code != 200:
            problem = json.loads(answer.content)
            raise SyncError(problem["reason"], problem["message"])
        return bytes(answer.content)

    return post


# -- on a node that does not hold MTZ's log -----------------------------------------------


def test_made_up_mandates_take_no_seat_and_pass_nothing(tmp_path: Path) -> None:
    city = City()
    _light_node(city)
    forger = Forger(city.council, city.head)
    attack = _seize_the_council(city, forger, _made_up("a mandate MTZ never gave"))
    _import_lines(tmp_path / "attack.jsonl", forger.events)

    for event_id in (*attack["seats"], attack["propose"], *attack["votes"], attack["close"]):
        assert _status(event_id) == "unverified", event_id
    # No seat, no motion, no vote, no decision: nothing of it counts.
    forged = {k.public for k in attack["keys"]}
    assert not Seat.objects.filter(key__in=forged).exists()
    assert not Motion.objects.filter(event=attack["propose"]).exists()
    # Zubr's real seat cites MTZ's log too: unverified here, and so is the honest
    # letter that counted his vote. Lyubava's (Kozlova is held) counts.
    assert _status(city.seat) == "unverified"
    assert _status(city.letter_close) == "unverified"
    assert Motion.objects.get(event=city.letter).status == "open"
    assert [s.key for s in Seat.objects.filter(space=city.council)] == [
        city.w.person("Lyubava").public
    ]
    # The public demands page shows neither as the council's decision.
    page = Client().get(reverse("strike:demands")).content.decode()
    assert FORGED_TITLE not in page and "Honest demands" not in page
    # The council's page lists the claims apart, counted nowhere.
    listed = {s.key: s for s in federation.unverified_seats(city.council)}
    assert set(listed) == forged | {city.w.person("Zubr").public}
    assert {s.child for s in listed.values()} == {city.mtz}
    assert [d.key for d in federation.delegates_of(city.council) if d.seated] == [
        city.w.person("Lyubava").public
    ]
    reader = _client(city.w.person("Vasilek"), "Vasilek")
    council_page = reader.get(reverse("committees:detail", args=[city.council])).content.decode()
    assert "mandate not verified on this node — not counted" in council_page
    assert council_page.count(reverse("event", args=[attack["seats"][0]])) == 1
    event_page = reader.get(reverse("event", args=[attack["votes"][1]])).content.decode()
    assert "Unverified" in event_page and "seat is not verified" in event_page


def test_forged_keys_cannot_hold_or_sync_the_council(tmp_path: Path) -> None:
    city = City()
    _light_node(city)
    forger = Forger(city.council, city.head)
    attack = _seize_the_council(city, forger, _made_up("a mandate MTZ never gave"))
    ingest([e.raw for e in forger.events], source="forger")
    assert _status(attack["seats"][0]) == "unverified"
    key = attack["keys"][0]
    # Access reads the Seat projection: unverified seats are not in it.
    assert readable_spaces(key.public) == set()
    assert not may_hold_space(key.public, city.council)
    assert authorize([k.public for k in attack["keys"]]) == []
    # The sync service over this node's HTTP endpoints names no space for them ...
    result = sync_with("http://testserver/", members=[key], transport=_through(Client()))
    assert result.spaces == []
    # ... while a verified delegate's key gets the council.
    lyubava = city.w.person("Lyubava")
    assert city.council in authorize([lyubava.public])
    # Nor can they read its pages or take its log as a bundle.
    browser = _client(key, "Infiltrator")
    assert browser.get(reverse("committees:detail", args=[city.council])).status_code == 404
    assert browser.get(reverse("event", args=[attack["seats"][0]])).status_code == 404
    assert city.council.encode() not in browser.get("/sync/bundles/").content
    assert browser.post("/sync/bundles/download/", {"space": city.council}).status_code == 400


# -- on a node that holds MTZ's log ----------------------------------------------------------


def test_a_mandate_seats_only_the_keys_it_elected() -> None:
    """Zubr's mandate elected one key: strangers, and Rusalka (an MTZ member who was a
    candidate), citing it are refused, however many try."""
    city = City()
    forger = Forger(
        city.council,
        StoredEvent.objects.filter(space=city.council).order_by("-height", "-id")[0].id,
    )
    tries = [forger.seat(_fresh(f"extra {i}"), city.mandate, city.mtz) for i in range(3)]
    tries.append(forger.seat(city.w.person("Rusalka"), city.mandate, city.mtz))
    report = ingest([e.raw for e in tries], source="forger")
    assert [o.status for o in report.outcomes] == ["rejected"] * 4
    assert all("mandate" in o.reason for o in report.outcomes)
    assert list(Seat.objects.filter(mandate=city.mandate).values_list("key", flat=True)) == [
        city.w.person("Zubr").public
    ]


# -- convergence ------------------------------------------------------------------------------


def _converges(city: City, attacks: list[bytes]) -> None:
    """A node that had everything from the start, one that receives MTZ's log last and
    one that receives it first end with the same outcomes and the same state."""
    everything = [e.raw for e in city.events.values()] + attacks
    mtz = city.of(city.mtz)
    rest = [r for r in everything if r not in set(mtz)]
    _wipe()
    ingest(everything, source="full")
    full, statuses = state_digest(), dict(StoredEvent.objects.values_list("id", "status"))
    assert Motion.objects.get(event=city.letter).status == "passed"
    assert not Motion.objects.filter(title=FORGED_TITLE).exists()
    for order in ((rest, mtz), (mtz, rest)):
        _wipe()
        for part in order:
            ingest(part, source="in parts")
        now = dict(StoredEvent.objects.values_list("id", "status"))
        assert now == statuses, {
            i: (statuses.get(i), s) for i, s in now.items() if statuses.get(i) != s
        }
        assert state_digest() == full
        assert Motion.objects.get(event=city.letter).status == "passed"


def test_nodes_with_and_without_the_childs_log_converge() -> None:
    """Fresh keys cite Zubr's real mandate (MTZ elected one key: him). Where MTZ's log
    is missing their seats, votes and letter are unverified, like Zubr's seat and the
    honest letter; when it arrives, theirs are rejected and his counts."""
    city = City()
    forger = Forger(city.council, city.head)
    attack = _seize_the_council(city, forger, city.mandate, n=2)
    raws = [e.raw for e in forger.events]
    _light_node(city)
    ingest(raws, source="forger")
    assert {_status(i) for i in (*attack["seats"], *attack["votes"], attack["close"])} == {
        "unverified"
    }
    _converges(city, raws)
    assert {_status(i) for i in attack["seats"]} == {"rejected"}
    assert _status(city.seat) == "applied"


def test_a_made_up_mandate_converges_too() -> None:
    """The cited mandate never arrives: a node holding MTZ's log and one that received
    it after the forged seat must still agree, and an honest delegate's later vote
    must count on both."""
    city = City()
    forger = Forger(city.council, city.head)
    _seize_the_council(city, forger, _made_up("a mandate MTZ never gave"))
    _light_node(city)
    ingest([e.raw for e in forger.events], source="forger")
    later = actions.propose(
        city.w.person("Chair"), city.council, kind="general", title="Assembly", text="Thu?"
    ).id
    vote = actions.vote(city.w.person("Lyubava"), city.council, later, choice="yes")
    honest = [
        bytes(r)
        for r in StoredEvent.objects.filter(id__in=[later, vote.id]).values_list("raw", flat=True)
    ]
    _converges(city, [e.raw for e in forger.events] + honest)
    assert _status(vote.id) == "applied"
