"""The Belarus 2020 demo: what `make demo` shows must hold together."""

from __future__ import annotations

import json
import re

import pytest
from django.db import transaction
from tests import demo_snapshot
from tests.demo_snapshot import build_demo, load_demo_cached

from veche.apps.committees.models import Comment, Committee, Mandate, Motion, Post
from veche.apps.store.log import verify_stored
from veche.apps.store.models import RejectedInput, StoredEvent
from veche.cli import main
from veche.demo.load import DemoAlreadyLoaded, load_demo
from veche.demo.text import BELARUSIAN, DemoText, catalogs

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def _english_words() -> set[str]:
    """Every word of three letters or more in the English text file."""
    words: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)
        elif isinstance(value, str):
            words.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", value))

    walk(catalogs()["en"])
    return words


def _written() -> list[str]:
    """What the demo's people wrote that every page shows: committee names, motion
    titles, posts and comments."""
    return [
        *Committee.objects.values_list("name", flat=True),
        *Motion.objects.values_list("title", flat=True),
        *Post.objects.values_list("text", flat=True),
        *Comment.objects.values_list("text", flat=True),
    ]


def test_demo_loads_a_verifiable_federation(capsys: pytest.CaptureFixture[str]) -> None:
    summary = build_demo()  # the real load_demo(); the run's first build is its snapshot
    assert "DEMONSTRATION DATA" in summary and "veche-demo-2020" in summary
    assert Committee.objects.count() >= 12
    assert Committee.objects.values("level").distinct().count() >= 3
    assert all(Committee.objects.values_list("demo", flat=True))
    text = DemoText()  # the default, mixed: the Kozlova workers write in Russian
    letter = Motion.objects.get(
        kind="demands", title=text.say("kozlova", "motion.kozlova_demands.title")
    )
    internet = text.say("kozlova", "demands.points").splitlines()[3]
    assert letter.status == "passed" and internet.startswith("4. Включить интернет")
    assert internet in letter.text
    assert Mandate.objects.exclude(recalled_by="").count() == 1
    assert RejectedInput.objects.filter(rule="signature").exists()
    assert not StoredEvent.objects.exclude(status="applied").exists()
    count, problems = verify_stored()
    assert count > 400 and problems == []
    assert main(["committee", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {c["level"] for c in listed} >= {"local", "regional", "national"}
    assert sum(1 for c in listed if c["parent"]) >= 12
    # The demo's main account runs the node, so the demo shows the Peers page; no one else.
    from veche.apps.accounts.models import Account

    assert list(Account.objects.filter(is_operator=True).values_list("pseudonym", flat=True)) == [
        "Sokol"
    ]
    with pytest.raises(DemoAlreadyLoaded):
        load_demo()
    # Written as its people wrote in 2020: Russian and Belarusian, no English.
    english = _english_words()
    written = _written()
    assert len(written) > 90 and Post.objects.count() == 3 and Comment.objects.count() == 2
    for line in written:
        assert CYRILLIC.search(line), line
        assert not {w.lower() for w in re.findall(r"[A-Za-z]{3,}", line)} & english, line
    # The committees that write Belarusian (letters Russian has not) are the mixed demo's.
    names = Committee.objects.values_list("name", flat=True)
    belarusian = {name for name in names if re.search("[іўІЎ]", name)}
    assert belarusian == {text.name(key) for key in BELARUSIAN}


def test_a_restored_demo_is_the_built_one() -> None:
    """The other demo tests start from the run's snapshot of the demo (tests/demo_snapshot.py):
    restored, it is what the build left, read by raw SQL, through the ORM and by the store."""
    from django.conf import settings

    from veche.apps.store.integrity import state_digest

    if demo_snapshot.snapshot() is None:  # this test alone: build, then roll it back
        with transaction.atomic():
            build_demo()
            transaction.set_rollback(True)
    snap = demo_snapshot.snapshot()
    assert snap is not None and not Committee.objects.exists()
    restores = snap.restores
    assert load_demo_cached() == snap.summary
    assert snap.restores == restores + 1  # restored, not built again
    assert demo_snapshot.table_digests(sorted(snap.tables)) == {
        t: snap.after[t] for t in snap.tables
    }
    assert demo_snapshot.orm_digest(list(snap.tables)) == snap.orm
    assert state_digest() == snap.state
    count, problems = verify_stored()
    assert count > 400 and problems == []
    bundle = settings.DATA_DIR / "demo" / "national.bundle"
    assert bundle.read_bytes() == snap.files["demo/national.bundle"]
    # The database holds the demo now: as load_demo() would, the cached one refuses.
    with pytest.raises(DemoAlreadyLoaded):
        load_demo_cached()


def test_demo_lang_en_writes_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VECHE_ALLOWED_HOSTS", "127.0.0.1")  # the command widens it
    assert main(["demo", "--no-serve", "--lang", "en"]) == 0
    text = DemoText("en")
    assert Motion.objects.filter(title=text.say("mtz", "motion.strike_call.title")).exists()
    assert Committee.objects.filter(name="Kozlova Electrotechnical Plant strike committee").exists()
    english = _english_words()
    for line in _written():
        assert not CYRILLIC.search(line), line
        assert {w.lower() for w in re.findall(r"[A-Za-z]{3,}", line)} & english, line
