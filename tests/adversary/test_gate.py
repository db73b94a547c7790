"""Issue 11, attack 5: every received event passes one gate (``apps/sync/gate.py``).

A member of the MTZ committee carries in events of committees they may not hold:
a brand-new "Belaruskali strike committee" that an outsider (Lis) created
elsewhere, and new posts of the Kozlova street committee, which this node holds
but Zubr is no member of. Whatever path brings them (the Bundles page, ``veche
bundle import``, ``veche log import``, a push over HTTP sync, the answers to our
own pull), none of them is stored unless the rule lets it in, the user is told
how many were refused and why, and nothing already stored changes. Junk input
keeps the rejected-input table within its bound (``apps/store/rejected.py``).
"""

from __future__ import annotations

import html
import importlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.db.models.functions import Length
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from tests.apps.sync.logs import Log
from tests.apps.sync.nodes import PASSPHRASE, Node, key_file, write_events
from tests.factories import World

from veche.apps.committees import actions
from veche.apps.committees.models import Member
from veche.apps.store import rejected
from veche.apps.store.log import state_digest
from veche.apps.store.models import RejectedInput, StoredEvent
from veche.apps.sync import service
from veche.apps.sync.gate import MAY_NOT_HOLD, NOT_ASKED
from veche.cli import main
from veche.events import Event, Identity
from veche.events.encoding import b64e
from veche.sync.bundle import write_bundle
from veche.sync.session import (
    client_session,
    decode_frame,
    encode_frame,
    finish_handshake,
    make_certificate,
    open_request,
    open_response,
    seal_request,
    seal_response,
    start_handshake,
)
from veche.sync.vector import BatchLimits

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line speaks $VECHE_LANGUAGE: English here, whatever the machine's."""
    monkeypatch.setenv("VECHE_LANGUAGE", "en")


# The node that wrote the attacker's bundle (any key can sign a bundle).
CARRIER = Identity(b"carrier node".ljust(32, b"\0"))


# -- the scene -------------------------------------------------------------------------


def _continue(log: Log, space: str, who: Identity) -> None:
    """Let ``log`` sign ``who``'s next event in ``space`` after what the store holds."""
    head = (
        StoredEvent.objects.filter(space=space, height__isnull=False)
        .order_by("-height", "-id")
        .first()
    )
    assert head is not None
    log.heads[space] = head.id
    last = StoredEvent.objects.filter(space=space, author=who.public).order_by("-seq").first()
    if last is not None:
        log.chains[(space, who.public)] = (last.seq, last.id)


@dataclass
class Scene:
    world: World
    mine: str  # MTZ: Zubr is a member
    other: str  # Kozlova: held here, Zubr is no member
    fake: str  # Belaruskali: new here, Lis's own
    own: list[Event]  # Zubr's new post in MTZ
    held_foreign: list[Event]  # Lis's new posts in Kozlova
    new_foreign: list[Event]  # Belaruskali's create, an admission, a post

    @property
    def zubr(self) -> Identity:
        return self.world.person("Zubr")

    def events(self) -> list[Event]:
        return self.own + self.held_foreign + self.new_foreign

    def foreign(self) -> list[Event]:
        return self.held_foreign + self.new_foreign


def _scene() -> Scene:
    world = World()
    zubr, lis = world.person("Zubr"), world.person("Lis")
    mine = world.committee("Sokol", ("Zubr",), name="MTZ strike committee")
    other = world.committee("Lis", ("Vasilek",), name="Kozlova street committee")
    actions.post(lis, other, "Meeting in the yard at 19:00")
    log = Log()
    _continue(log, mine, zubr)
    own = [log.post(zubr, mine, "The assembly shop stops at 10:00")]
    _continue(log, other, lis)
    held_foreign = [
        log.post(lis, other, "The strike is called off"),
        log.post(lis, other, "Everybody back to work"),
    ]
    start = len(log.events)
    fake = log.committee(lis, "Belaruskali strike committee")
    log.admit(lis, fake, world.person("Vasilek"), "Vasilek")
    log.post(lis, fake, "Belaruskali votes to end the strike")
    return Scene(world, mine, other, fake, own, held_foreign, log.events[start:])


def _bundle(
    events: list[Event], *, to: list[str], spaces: list[str], public: bool = False
) -> bytes:
    return write_bundle(
        CARRIER,
        [e.raw for e in events],
        spaces=spaces,
        recipients=to,
        public=public,
        created=datetime.now(UTC),
    )


def _stored(events: list[Event]) -> set[str]:
    return set(
        StoredEvent.objects.filter(id__in=[e.id for e in events]).values_list("id", flat=True)
    )


def _applied(events: list[Event]) -> bool:
    return StoredEvent.objects.filter(
        id__in=[e.id for e in events], status="applied"
    ).count() == len(events)


def _sign_in(identity: Identity, pseudonym: str, language: str = "en") -> Client:
    from veche.apps.accounts.actions import create_account

    create_account(pseudonym, PASSPHRASE, identity)
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    answer = browser.post("/accounts/sign-in/", {"pseudonym": pseudonym, "passphrase": PASSPHRASE})
    assert answer.status_code == 302
    return browser


def _upload(browser: Client, data: bytes) -> str:
    page = browser.post(
        "/sync/bundles/upload/",
        {"bundle": SimpleUploadedFile("from-a-stick.bundle", data)},
        follow=True,
    )
    assert page.status_code == 200
    return html.unescape(page.content.decode())


def _cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- the Bundles page ------------------------------------------------------------------------


def test_the_bundles_page_takes_only_the_uploaders_committees() -> None:
    scene = _scene()
    before = {s: state_digest(s) for s in (scene.other, scene.fake)}
    data = _bundle(
        scene.events(), to=[scene.zubr.public], spaces=[scene.mine, scene.other, scene.fake]
    )
    browser = _sign_in(scene.zubr, "Zubr")
    text = _upload(browser, data)
    refused = len(scene.foreign())
    assert f"{refused} events were refused: they belong to committees you may not hold" in text
    assert f"1 applied, {refused} refused" in text
    assert not _stored(scene.foreign())
    assert _applied(scene.own)
    assert {s: state_digest(s) for s in (scene.other, scene.fake)} == before
    # The same bundle again: Zubr's post is a duplicate, the rest is refused again.
    assert f"1 duplicate, {refused} refused" in _upload(browser, data)
    assert not _stored(scene.foreign())


def test_the_refusal_is_told_in_the_members_language() -> None:
    scene = _scene()
    data = _bundle(scene.new_foreign, to=[scene.zubr.public], spaces=[scene.fake])
    text = _upload(_sign_in(scene.zubr, "Zubr", language="ru"), data)
    assert "4 события не приняты: они относятся к комитетам" in text, text
    assert not _stored(scene.new_foreign)


def test_a_committee_the_member_created_elsewhere_comes_in_with_its_log() -> None:
    """The rule is judged together with the events: the bundle holds the space.create
    and the uploader's admission, so the uploader may hold the new committee."""
    world = World()
    world.committee("Sokol", ("Zubr",), name="MTZ strike committee")
    zubr, rusalka = world.person("Zubr"), world.person("Rusalka")
    log = Log()
    created = log.committee(rusalka, "Grodno Azot strike committee")
    log.admit(rusalka, created, zubr, "Zubr")
    log.post(zubr, created, "Shift B joins")
    data = _bundle(log.events, to=[zubr.public], spaces=[created])
    text = _upload(_sign_in(zubr, "Zubr"), data)
    assert "refused" not in text
    assert _applied(log.events)
    assert Member.objects.filter(space=created, key=zubr.public, status="active").exists()


# -- the command line (in this process) ----------------------------------------------------


def test_bundle_import_takes_what_the_node_holds_and_the_as_key_may_hold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VECHE_PASSPHRASE", PASSPHRASE)
    scene = _scene()
    key = key_file(tmp_path, scene.zubr, "zubr")
    path = tmp_path / "stick.bundle"
    path.write_bytes(
        _bundle(
            scene.events(), to=[scene.zubr.public], spaces=[scene.mine, scene.other, scene.fake]
        )
    )
    code, out, _ = _cli(capsys, "bundle", "import", path, "--as", key)
    assert code == 1
    count = len(scene.new_foreign)
    assert f"{count} events were refused: this node does not hold their committees" in out
    assert "--space=ID" in out and scene.fake in out
    assert not _stored(scene.new_foreign)
    # The operator's node already holds Kozlova: its events are judged like any other.
    assert _applied(scene.own + scene.held_foreign)
    # Naming the committee takes it.
    code, out, _ = _cli(capsys, "bundle", "import", path, "--as", key, f"--space={scene.fake}")
    assert code == 0 and "refused" not in out
    assert _applied(scene.new_foreign)


def test_log_import_refuses_committees_the_node_does_not_hold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = _scene()
    digest = state_digest(scene.fake)
    path = write_events(tmp_path / "carried.jsonl", scene.own + scene.new_foreign)
    code, out, err = _cli(capsys, "log", "import", path)
    assert code == 1
    assert "1 applied, 4 refused" in out
    assert "4 events were refused: this node does not hold their committees" in err
    assert not _stored(scene.new_foreign) and state_digest(scene.fake) == digest
    code, out, _ = _cli(capsys, "log", "import", path, "--json")
    report = json.loads(out)
    assert report["refused"]["events"] == 4
    assert report["refused"]["spaces"] == {scene.fake: {"events": 4, "reason": MAY_NOT_HOLD}}
    assert [o["status"] for o in report["outcomes"]] == ["duplicate"] + ["refused"] * 4


def test_the_command_line_says_it_in_the_users_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    scene = _scene()
    path = write_events(tmp_path / "carried.jsonl", scene.new_foreign)
    monkeypatch.setenv("VECHE_LANGUAGE", "be")
    code, _, err = _cli(capsys, "log", "import", path)
    assert code == 1
    assert "4 падзеі не прыняты: гэты вузел не захоўвае іх камітэты" in err
    assert "--space=ID" in err and scene.fake in err
    monkeypatch.setenv("VECHE_LANGUAGE", "en")
    code, _, err = _cli(capsys, "log", "import", path)
    assert "4 events were refused" in err  # the language was the command's only


# -- a separate node, with the real ``veche`` command ---------------------------------------


@pytest.mark.slow
def test_a_separate_node_refuses_foreign_committees_from_files(tmp_path: Path) -> None:
    founder, zubr, lis = (Identity(bytes([i]) * 32) for i in (11, 12, 13))
    honest = Log()
    space = honest.committee(founder, "MTZ strike committee")
    honest.admit(founder, space, zubr, "Zubr")
    honest.post(founder, space, "Assembly at the gate at 14:00")
    node = Node(tmp_path / "node")
    node.folder.mkdir()
    seed = write_events(tmp_path / "seed.jsonl", honest.events)
    # A fresh node holds nothing: even its operator names a committee to take it.
    first = node.veche("log", "import", str(seed), check=False)
    assert first.returncode == 1 and "--space=ID" in first.stderr and space in first.stderr
    node.veche("log", "import", str(seed), f"--space={space}")
    digest = node.digest()

    attack = Log()
    fake = attack.committee(lis, "Belaruskali strike committee")
    attack.post(lis, fake, "Belaruskali votes to end the strike")
    carried = write_events(tmp_path / "carried.jsonl", attack.events)
    refused = node.veche("log", "import", str(carried), check=False)
    assert refused.returncode == 1 and "2 events were refused" in refused.stderr
    assert node.digest() == digest

    stick = tmp_path / "stick.bundle"
    stick.write_bytes(_bundle(attack.events, to=[zubr.public], spaces=[fake]))
    key = key_file(tmp_path, zubr, "zubr")
    answer = node.veche("bundle", "import", str(stick), "--as", str(key), "--json", check=False)
    assert answer.returncode == 1
    report = json.loads(answer.stdout)
    assert report["refused"] == {
        "events": 2,
        "spaces": {fake: {"events": 2, "reason": MAY_NOT_HOLD}},
    }
    assert node.digest() == digest


# -- sync: a peer's push, and the answers to our pull --------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_push_over_http_stores_only_the_pushing_members_committees(live_server: Any) -> None:
    scene = _scene()
    before = {s: state_digest(s) for s in (scene.other, scene.fake)}
    post = service.http_transport()
    base = live_server.url + "/sync/v1/"
    # A node certified by Zubr (an infiltrator's laptop) pushes everything it carries.
    state, hello = start_handshake(CARRIER, live_server.url + "/")
    certificate = make_certificate(scene.zubr, CARRIER.public, issued=datetime.now(UTC))
    auth, keys, peer = finish_handshake(
        state, post(base + "hello", hello), certificates=[certificate]
    )
    session = client_session(post(base + "auth", auth), keys, peer)
    assert session.spaces == (scene.mine,)
    frame = encode_frame({"v": 1, "type": "push"}, [e.raw for e in scene.events()])
    header, _ = decode_frame(
        open_response(session, post(base + "session", seal_request(session, frame)))
    )
    assert header["refused"] == len(scene.foreign())
    assert header["summary"] == {"applied": 1}
    assert not _stored(scene.foreign()) and _applied(scene.own)
    assert {s: state_digest(s) for s in (scene.other, scene.fake)} == before


def test_a_peer_answering_a_pull_brings_only_what_the_member_may_hold(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A malicious peer names committees Zubr may not hold and slips other spaces into
    its batches. A committee Zubr joined elsewhere comes in, though his admission
    arrives batches after its space.create."""
    settings.DATA_DIR = str(tmp_path)  # this test's node key, tickets and certificates
    scene = _scene()
    zubr, rusalka = scene.zubr, scene.world.person("Rusalka")
    joined = Log()
    new = joined.committee(rusalka, "Grodno Azot strike committee")
    for i in range(4):
        joined.post(rusalka, new, f"Report {i}")
    joined.admit(rusalka, new, zubr, "Zubr")  # the last batch
    before = {s: state_digest(s) for s in (scene.other, scene.fake)}

    real_authorize = service.authorize
    monkeypatch.setattr(
        service, "authorize", lambda members: [*real_authorize(members), scene.fake, new]
    )
    slipped = [[e.raw for e in joined.events[i : i + 2]] for i in range(0, 7, 2)]
    slipped[0] += [e.raw for e in scene.new_foreign]  # named, but Zubr may not hold it
    slipped[1] += [e.raw for e in scene.held_foreign]  # never named: not asked for

    def peer(url: str, body: bytes) -> bytes:
        step = url.rsplit("/", 1)[1]
        if step == "hello":
            return service.serve_hello(body, "peer.test")
        if step == "auth":
            return service.serve_auth(body)
        session, plain = open_request(service.ticket_keys(), body, datetime.now(UTC))
        if decode_frame(plain)[0]["type"] != "want":
            return seal_response(session, service._answer(session, plain))
        # This node already holds the peer's MTZ log (one database): the batches carry
        # only what is slipped in. (Answered without the database: the sync asks for
        # the next batch on a thread of its own.)
        lines = slipped.pop(0) if slipped else []
        header = {"v": 1, "type": "batch", "more": bool(slipped), "after": None}
        return seal_response(session, encode_frame(header, lines))

    result = service.sync_with(
        "http://peer.test/", members=[zubr], transport=peer, limits=BatchLimits(2, 10**6)
    )
    assert sorted(result.spaces) == sorted([scene.mine, scene.fake, new])
    assert result.refused == {
        MAY_NOT_HOLD: {scene.fake: len(scene.new_foreign)},
        NOT_ASKED: {scene.other: len(scene.held_foreign)},
    }
    text = result.text()
    assert "4 received events were refused: no member this node syncs for may hold" in text
    assert "2 received events were refused: their committees were not asked for" in text
    assert not _stored(scene.foreign())
    assert {s: state_digest(s) for s in (scene.other, scene.fake)} == before
    assert _applied(joined.events)
    assert Member.objects.filter(space=new, key=zubr.public, status="active").exists()


# -- junk ------------------------------------------------------------------------------------


def _within_bounds() -> None:
    for source in set(RejectedInput.objects.values_list("source", flat=True)):
        rows = RejectedInput.objects.filter(source=source)
        assert rows.count() <= rejected.SOURCE_ROWS
        assert _weight(rows) <= rejected.SOURCE_BYTES
    assert RejectedInput.objects.count() <= rejected.TOTAL_ROWS
    assert _weight(RejectedInput.objects.all()) <= rejected.TOTAL_BYTES
    for raw, size in RejectedInput.objects.values_list("raw", "size"):
        assert len(raw) <= rejected.KEEP_BYTES and size >= len(raw)


def _weight(rows: Any) -> int:
    total = rows.aggregate(n=Sum(Length("raw") + Length("reason")))["n"]
    return int(total or 0)


def test_a_junk_bundle_that_inflates_to_megabytes_stores_at_most_the_bound() -> None:
    scene = _scene()
    digest, events = state_digest(), StoredEvent.objects.count()
    # 600 lines of 60 KiB: 36 MiB of junk in a bundle of a few KiB.
    junk = [bytes([65 + i % 26]) * (60 * 1024) for i in range(600)]
    data = write_bundle(
        CARRIER,
        junk,
        spaces=[scene.mine],
        recipients=[scene.zubr.public],
        created=datetime.now(UTC),
    )
    assert len(data) < 100 * 1024
    text = _upload(_sign_in(scene.zubr, "Zubr"), data)
    assert "600 invalid" in text
    rows = RejectedInput.objects.filter(source=f"web:{scene.zubr.public}")
    assert rows.count() == rejected.SOURCE_ROWS
    assert set(rows.values_list("size", flat=True)) == {60 * 1024}
    assert _weight(rows) <= rejected.SOURCE_BYTES
    _within_bounds()
    assert state_digest() == digest and StoredEvent.objects.count() == events


def test_a_bundle_of_made_up_committees_costs_a_few_queries() -> None:
    """Each line claims a space of its own: the gate must not ask the membership
    rule thousands of times (a space held nowhere here cannot be held by a key)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    scene = _scene()
    digest = state_digest()
    claims = [b"junk %d" % i + _tail(b64e(i.to_bytes(32, "big"))) for i in range(3000)]
    claims += [b"junk %d" % i + b',"space":null,"v":1}' for i in range(3000)]
    data = write_bundle(
        CARRIER,
        claims,
        spaces=[scene.mine],
        recipients=[scene.zubr.public],
        created=datetime.now(UTC),
    )
    browser = _sign_in(scene.zubr, "Zubr")
    with CaptureQueriesContext(connection) as queries:
        text = _upload(browser, data)
    assert "6000 events were refused" in text
    assert len(queries) < 300, len(queries)
    assert state_digest() == digest
    assert not RejectedInput.objects.exists()  # refused by the gate: nothing kept


@pytest.fixture
def held() -> dict[str, Any]:
    scene = _scene()
    return {"scene": scene, "digest": state_digest(), "events": StoredEvent.objects.count()}


def _tail(space: str) -> bytes:
    return b',"space":"' + space.encode() + b'","v":1}'


_JUNK = st.binary(min_size=1, max_size=6000).filter(lambda b: b"\n" not in b and b.strip())


@hypothesis_settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_junk_log_files_keep_rejected_input_within_the_bound(
    held: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    data: st.DataObject,
) -> None:
    scene: Scene = held["scene"]
    # Small bounds, so a dozen examples pass them many times over.
    monkeypatch.setattr(rejected, "SOURCE_ROWS", 40)
    monkeypatch.setattr(rejected, "SOURCE_BYTES", 64 * 1024)
    monkeypatch.setattr(rejected, "TOTAL_ROWS", 100)
    monkeypatch.setattr(rejected, "TOTAL_BYTES", 256 * 1024)
    # Junk, junk dressed as an event of a held committee (past the gate, refused by
    # the store), and junk dressed as one of a committee new here (refused by the gate).
    line = st.one_of(
        _JUNK,
        _JUNK.map(lambda b: b + _tail(scene.mine)),
        _JUNK.map(lambda b: b + _tail(scene.fake)),
    )
    lines = data.draw(st.lists(line, min_size=1, max_size=120))
    name = data.draw(st.sampled_from(["a", "b", "c", "d"]))
    path = tmp_path / f"junk-{name}.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    code, _, _ = _cli(capsys, "log", "import", path)
    assert code == 1
    _within_bounds()
    assert state_digest() == held["digest"]
    assert StoredEvent.objects.count() == held["events"]


def test_the_oldest_rejected_input_goes_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rejected, "SOURCE_ROWS", 10)
    monkeypatch.setattr(rejected, "TOTAL_ROWS", 25)
    for name in ("first", "second", "third"):
        path = tmp_path / f"{name}.jsonl"
        path.write_bytes(b"".join(f"{name} {i}\n".encode() for i in range(15)))
        _cli(capsys, "log", "import", path)
    kept = list(RejectedInput.objects.order_by("id").values_list("source", "raw"))
    assert len(kept) == 25
    # Each file kept its last 10 lines; the total dropped the first file's oldest.
    assert [bytes(raw) for _, raw in kept[:5]] == [f"first {i}".encode() for i in range(10, 15)]
    assert [bytes(raw) for _, raw in kept[-10:]] == [f"third {i}".encode() for i in range(5, 15)]


def test_the_migration_cuts_what_older_nodes_kept() -> None:
    migration = importlib.import_module("veche.apps.store.migrations.0004_rejected_bounds")
    now = datetime.now(UTC)
    RejectedInput.objects.bulk_create(
        RejectedInput(
            raw=b"x" * (64 * 1024),
            field="envelope",
            rule="canonical-json",
            reason="junk",
            source="bundle:old",
            received_at=now,
        )
        for _ in range(300)
    )
    migration.bound_existing(django_apps, None)
    rows = RejectedInput.objects.filter(source="bundle:old")
    assert rows.count() <= rejected.SOURCE_ROWS
    assert _weight(rows) <= rejected.SOURCE_BYTES
    assert set(rows.values_list("size", flat=True)) == {64 * 1024}
    _within_bounds()
