"""Retention (event-v1 §16): a committee's rule, passed by motion, removes old content
on every node alike; digests stay equal; ``veche log verify`` passes; forged
redacted forms are refused."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.factories import World

from veche.apps.committees import actions
from veche.apps.committees.comments import amend_comment, write_comment
from veche.apps.committees.models import Comment, Committee, Motion, Post
from veche.apps.store.integrity import verify_report
from veche.apps.store.log import ingest, rebuild, state_digest
from veche.apps.store.models import (
    CrossReference,
    DroppedSpace,
    EquivocationRecord,
    ExternalCitation,
    MissingDependency,
    RedactedWaiting,
    StoredEvent,
    Tip,
)
from veche.apps.store.retention import drop_space, redact_due
from veche.cli import main
from veche.events import EventError, canonical, parse_event

pytestmark = pytest.mark.django_db

OLD = "2020-08-10T09:00:00Z"
LATER = "2020-09-20T09:00:00Z"
RULES = {
    "quorum_percent": 50,
    "majority": "simple",
    "admission": "invitation",
    "vouches_needed": 2,
    "ratification": False,
    "weighting": "per_delegate",
}


def _committee_log() -> dict[str, str]:
    """A committee whose old posts, comments and motions a rule passed later covers."""
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka"))
    sokol, zubr, rusalka = w.person("Sokol"), w.person("Zubr"), w.person("Rusalka")
    post = actions.post(sokol, space, "Strike on Monday at the gate", at=OLD).id
    comment = write_comment(
        zubr, space, subject="post", on=post, text="I bring the banner", at=OLD
    ).id
    reply = write_comment(
        rusalka,
        space,
        subject="post",
        on=post,
        text="Me too",
        reply_to=comment,
        quote="the banner",
        at=OLD,
    ).id
    amend_comment(zubr, space, comment, "I bring the big banner", at=OLD)
    motion = actions.propose(
        sokol, space, kind="general", title="Demands", text="Wages paid on time", at=OLD
    ).id
    actions.amend(sokol, space, motion, title="Our demands", at=OLD)
    change = actions.propose(
        sokol,
        space,
        kind="rule_change",
        title="Keep texts 30 days",
        text="For our safety",
        target={"rules": {**RULES, "retention_days": 30}},
        at=LATER,
    ).id
    for person in (sokol, zubr, rusalka):
        actions.vote(person, space, change, choice="yes", at=LATER)
    close = actions.close(sokol, space, change, at=LATER).id
    fresh = actions.post(zubr, space, "A new post, kept").id
    return {
        "space": space,
        "post": post,
        "comment": comment,
        "reply": reply,
        "motion": motion,
        "change": change,
        "close": close,
        "fresh": fresh,
    }


def _wipe() -> None:
    """Another node: nothing held, projections rebuilt from nothing."""
    for model in (
        StoredEvent,
        MissingDependency,
        Tip,
        EquivocationRecord,
        CrossReference,
        ExternalCitation,
        DroppedSpace,
        RedactedWaiting,
    ):
        model.objects.all().delete()
    rebuild()


def _stored() -> list[bytes]:
    return [bytes(r) for r in StoredEvent.objects.order_by("id").values_list("raw", flat=True)]


def _forms() -> dict[str, bytes]:
    return {i: bytes(r) for i, r in StoredEvent.objects.values_list("id", "raw")}


def _redacted() -> set[str]:
    return set(StoredEvent.objects.filter(redacted=True).values_list("id", flat=True))


def _statuses() -> dict[str, str]:
    return dict(StoredEvent.objects.values_list("id", "status"))


def test_the_rule_passed_by_motion_is_in_force() -> None:
    ids = _committee_log()
    committee = Committee.objects.get(space=ids["space"])
    assert committee.rules["retention_days"] == 30
    from veche.apps.store.kinds import retention_rule

    rule = retention_rule(ids["space"])
    assert rule is not None and (rule.days, rule.close) == (30, ids["close"])


def test_two_nodes_redact_the_same_events_and_keep_equal_digests() -> None:
    with transaction.atomic():
        ids = _committee_log()
        whole = _stored()
        before = state_digest()
        statuses = _statuses()
        # Node A applies the rule now: the old content goes, the digest stays.
        done = redact_due()
        redacted_a = _redacted()
        assert done == {ids["space"]: len(redacted_a)}
        assert {ids["post"], ids["comment"], ids["reply"], ids["motion"]} <= redacted_a
        assert ids["fresh"] not in redacted_a  # newer than 30 days
        # The rule's own motion stays whole: its signed target sets the days.
        assert ids["change"] not in redacted_a
        assert Motion.objects.get(event=ids["change"]).target["rules"]["retention_days"] == 30
        assert state_digest() == before
        assert _statuses() == statuses
        forms_a = _forms()
        report = verify_report()
        assert report.problems == [] and report.redacted == len(redacted_a)
        # Pages show no text; the removed bytes are nowhere in the log.
        assert Post.objects.get(event=ids["post"]).text == ""
        assert Comment.objects.get(event=ids["comment"]).text == ""
        assert Comment.objects.get(event=ids["reply"]).quote == ""
        motion = Motion.objects.get(event=ids["motion"])
        assert (motion.title, motion.text) == ("", "")
        assert Post.objects.get(event=ids["fresh"]).text == "A new post, kept"
        assert not any(b"banner" in raw or b"Monday" in raw for raw in _stored())
        rebuild()
        assert state_digest() == before

        # Node B receives the whole events, in another order, and redacts at ingest.
        _wipe()
        shuffled = whole[:]
        random.Random(17).shuffle(shuffled)
        ingest(shuffled, source="peer")
        assert _redacted() == redacted_a
        assert state_digest() == before
        assert _forms() == forms_a

        # Node C syncs from A after A redacted: it takes A's redacted forms.
        _wipe()
        served = list(forms_a.values())
        random.Random(5).shuffle(served)
        outcomes = ingest(served, source="peer-a").outcomes
        assert [o for o in outcomes if o.status == "invalid"] == []
        assert _redacted() == redacted_a
        assert _statuses() == statuses
        assert state_digest() == before
        assert verify_report().problems == []
        rebuild()
        assert state_digest() == before
        transaction.set_rollback(True)


def _redacted_form(event_id: str) -> dict[str, Any]:
    raw = StoredEvent.objects.values_list("raw", flat=True).get(id=event_id)
    document: dict[str, Any] = canonical.decode(bytes(raw))
    assert "redacted" in document
    return document


def test_forged_redacted_forms_are_refused() -> None:
    with transaction.atomic():
        ids = _committee_log()
        whole = {parse_event(r, verify=False).id: r for r in _stored()}
        redact_due()
        comment = _redacted_form(ids["comment"])
        post = _redacted_form(ids["post"])
        digest = state_digest()

        # A node that holds the event refuses a form whose kept fields differ.
        altered = {**comment, "body": {**comment["body"], "subject": "motion"}}
        (outcome,) = ingest([canonical.encode(altered)], source="forger").outcomes
        assert outcome.status == "invalid" and "differs" in outcome.reason
        # ... and the same form again is a duplicate.
        (outcome,) = ingest([canonical.encode(comment)], source="peer").outcomes
        assert outcome.status == "duplicate"

        # A fresh node that holds what names them.
        _wipe()
        ingest([r for i, r in whole.items() if i not in (ids["post"], ids["comment"])], source="x")
        assert StoredEvent.objects.filter(status="pending").exists()

        def refused(document: dict[str, Any]) -> str:
            (result,) = ingest([canonical.encode(document)], source="forger").outcomes
            assert result.status == "invalid", result
            return result.reason

        # Another author than the chain that names it.
        assert "another author" in refused({**post, "author": comment["author"]})
        # Content kept, or an essential field removed.
        assert "still in the body" in refused({**post, "body": {"text": "forged"}})
        kept = {**comment, "body": {**comment["body"], "quote": "forged"}}
        assert "keeps content" in refused(kept)
        not_content = {
            **comment,
            "body": {k: v for k, v in comment["body"].items() if k != "on"},
            "redacted": {**comment["redacted"], "removed": ["on", "text"]},
        }
        assert "not content" in refused(not_content)
        # Not covered: its `at` is within the 30 days, or the rule named is no rule.
        recent = {**post, "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        assert "not cover it yet" in refused(recent)
        # Named by nothing this node holds, or under no rule it holds: set aside,
        # never an event (it waits for what names it and for its rule).
        no_rule = {**post, "redacted": {**post["redacted"], "rule": ids["motion"]}}
        stray = {**post, "redacted": {**post["redacted"], "id": ids["post"][:-2] + "AA"}}
        for aside in (no_rule, stray):
            (result,) = ingest([canonical.encode(aside)], source="forger").outcomes
            assert result.status == "pending" and "waits" in result.reason
            assert RedactedWaiting.objects.filter(id=aside["redacted"]["id"]).exists()
        assert not StoredEvent.objects.filter(id__in=[ids["post"], stray["redacted"]["id"]])
        # A redacted form is never taken as a whole event.
        with pytest.raises(EventError):
            parse_event(canonical.encode(post))
        # The genuine forms are taken, and the node reaches the same state.
        outcomes = ingest(
            [canonical.encode(post), canonical.encode(comment)], source="peer"
        ).outcomes
        assert {o.status for o in outcomes} == {"applied"}
        assert state_digest() == digest
        transaction.set_rollback(True)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32), batches=st.integers(1, 4), redact_first=st.booleans())
def test_any_arrival_order_and_redaction_time_gives_one_state(
    seed: int, batches: int, redact_first: bool
) -> None:
    with transaction.atomic():
        _committee_log()
        before = state_digest()
        if redact_first:
            redact_due()
        redacted = _redacted() if redact_first else None
        raws = _stored()
        _wipe()
        order = raws[:]
        random.Random(seed).shuffle(order)
        cuts = sorted(random.Random(seed ^ 7).sample(range(1, len(order)), batches - 1))
        for start, end in zip([0, *cuts], [*cuts, len(order)], strict=True):
            ingest(order[start:end], source="shuffled")
        assert not StoredEvent.objects.filter(status="pending").exists()
        assert state_digest() == before
        redact_due()
        if redacted is not None:
            assert _redacted() == redacted
        assert state_digest() == before
        transaction.set_rollback(True)


def test_log_verify_and_redact_commands(capsys: pytest.CaptureFixture[str]) -> None:
    ids = _committee_log()
    assert main(["log", "redact", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["redacted"][ids["space"]] >= 4
    assert main(["log", "verify", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["redacted"] == out["redacted"][ids["space"]]
    # Tampering with a redacted event's cited rule shows in verify.
    form = _redacted_form(ids["post"])
    form["redacted"]["rule"] = ids["motion"]
    StoredEvent.objects.filter(id=ids["post"]).update(raw=canonical.encode(form))
    assert main(["log", "verify"]) == 1
    assert "no retention rule" in capsys.readouterr().out


def test_a_dropped_space_is_gone_and_not_taken_again(capsys: pytest.CaptureFixture[str]) -> None:
    ids = _committee_log()
    raws = _stored()
    other = World().committee("Chair", name="Other")
    assert main(["space", "drop", ids["space"]]) == 2  # no terminal: needs --yes
    assert "--yes" in capsys.readouterr().err
    assert main(["space", "drop", ids["space"], "--yes"]) == 0
    assert not StoredEvent.objects.filter(space=ids["space"]).exists()
    assert not Committee.objects.filter(space=ids["space"]).exists()
    assert not Post.objects.filter(space=ids["space"]).exists()
    assert Committee.objects.filter(space=other).exists()
    outcomes = ingest(raws, source="peer").outcomes
    assert {o.status for o in outcomes} == {"invalid"}
    assert not StoredEvent.objects.filter(space=ids["space"]).exists()
    assert drop_space(other) > 0


@pytest.fixture
def _language_reset() -> Any:
    from django.utils import translation

    yield
    translation.deactivate()  # the test client's Russian requests leave Russian active


@pytest.mark.usefixtures("_language_reset")
def test_pages_show_removed_text_and_the_rule_is_proposed_by_the_form() -> None:
    from django.urls import reverse
    from tests.factories import signed_in_client

    ids = _committee_log()
    space = ids["space"]
    redact_due()
    sokol = signed_in_client(World().person("Sokol"), "Sokol", language="ru")
    page = sokol.get(reverse("committees:detail", args=[space])).content.decode()
    thread = sokol.get(reverse("committees:thread", args=[space, "post", ids["post"]]))
    motion = sokol.get(reverse("committees:motion", args=[space, ids["motion"]]))
    for html in (page, thread.content.decode(), motion.content.decode()):
        assert "Monday" not in html and "banner" not in html and "Wages" not in html
    assert "удалено по правилу хранения комитета" in thread.content.decode()
    assert "удалено по правилу хранения комитета" in motion.content.decode()
    assert "30 дней" in page  # the rule, on the committee's page
    # The event page does not claim a signature it cannot check on a redacted form.
    event_page = sokol.get(reverse("event", args=[ids["post"]])).content.decode()
    assert "Monday" not in event_page
    assert "Без этого текста его подпись нельзя проверить снова" in event_page
    assert "✔" not in event_page
    # A new rule change through the form: 7 days.
    response = sokol.post(
        reverse("committees:propose", args=[space]) + "?kind=rule_change",
        {
            "kind": "rule_change",
            "title": "Keep a week",
            "text": "Safer",
            **RULES,
            "retention_days": 7,
        },
    )
    assert response.status_code == 302
    proposed = Motion.objects.get(title="Keep a week")
    assert proposed.target["rules"]["retention_days"] == 7


def test_the_worker_applies_the_rules_when_due(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from veche.web import background

    # The worker's loop drops its connection after each round; the test's must stay.
    monkeypatch.setattr(background, "close_old_connections", lambda: None)
    ids = _committee_log()
    assert background._redact(time.monotonic() + 60) > time.monotonic()  # not due: nothing
    assert not _redacted()
    next_time = background._redact(0.0)
    assert next_time >= time.monotonic() + background.REDACT_EVERY - 5
    assert ids["post"] in _redacted()


# Vouched time (event-v1 §16.4 b): a redacted form's `at` is signed by nobody, so a
# node that lacks the event takes it only once its author's later events vouch that
# it is old enough.

TODAY_MOTION = "Sell the union hall"


def _today_motion(ids: dict[str, str]) -> dict[str, str]:
    """Zubr proposes a motion today and votes on it: the vote, his next event, names
    it in `prev` and vouches that it is recent."""
    zubr = World().person("Zubr")
    motion = actions.propose(zubr, ids["space"], kind="general", title=TODAY_MOTION, text="Now")
    vote = actions.vote(zubr, ids["space"], motion.id, choice="yes")
    return {**ids, "today": motion.id, "today_vote": vote.id}


def _backdated(event_id: str, close: str, **changes: Any) -> bytes:
    """What a malicious relay serves: the whole event stripped of its content, its
    `at` moved to 2020 and kept fields altered; it cites the real rule."""
    raw = StoredEvent.objects.values_list("raw", flat=True).get(id=event_id)
    event = parse_event(bytes(raw), verify=False)
    from veche.apps.store.kinds import REDACTABLE
    from veche.events.redaction import redact

    form = redact(event, REDACTABLE[event.kind], close)
    assert form is not None
    document: dict[str, Any] = canonical.decode(form)
    document["at"] = OLD
    document["body"] = {**document["body"], **changes}
    return canonical.encode(document)


def test_a_motion_proposed_today_served_backdated_is_refused() -> None:
    with transaction.atomic():
        ids = _today_motion(_committee_log())
        redact_due()
        assert ids["today"] not in _redacted()  # an honest node keeps it whole
        forged = _backdated(ids["today"], ids["close"], kind="recall")
        served = [r for i, r in _forms().items() if i != ids["today"]]
        # A fresh node syncs from the relay: everything, the motion backdated.
        _wipe()
        outcomes = ingest([*served, forged], source="relay").outcomes
        (outcome,) = [o for o in outcomes if o.event_id == ids["today"]]
        assert outcome.status == "invalid", outcome
        assert "does not cover it yet" in outcome.reason
        assert not StoredEvent.objects.filter(id=ids["today"]).exists()
        assert StoredEvent.objects.get(id=ids["today_vote"]).status == "pending"
        transaction.set_rollback(True)


def test_backdated_namers_by_others_do_not_vouch() -> None:
    """Another member (or anyone with a key) signs an event naming the motion, dated
    2020: it is not the motion's author's chain, so it vouches for nothing."""
    with transaction.atomic():
        ids = _committee_log()
        zubr, rusalka = World().person("Zubr"), World().person("Rusalka")
        stranger = World().person("Stranger")
        motion = actions.propose(zubr, ids["space"], kind="general", title="Now", text="Now").id
        insider = write_comment(
            rusalka, ids["space"], subject="motion", on=motion, text="Old?", at=OLD
        ).id
        from veche.events import build_event

        outsider_event = build_event(
            stranger,
            space=ids["space"],
            seq=1,
            prev=None,
            kind="space.post",
            body={"text": "Old!"},
            deps=[motion],
            at=OLD,
        )
        ingest([outsider_event.raw], source="stranger")
        outsider = outsider_event.id
        forged = _backdated(motion, ids["close"])
        served = [r for i, r in _forms().items() if i != motion]
        _wipe()
        ingest(served, source="relay")
        assert MissingDependency.objects.filter(missing=motion, event=insider).exists()
        assert MissingDependency.objects.filter(missing=motion, event=outsider).exists()
        (outcome,) = ingest([forged], source="relay").outcomes
        # Set aside, never an event: no later event of Zubr's vouches for it.
        assert outcome.status == "pending", outcome
        assert not StoredEvent.objects.filter(id=motion).exists()
        transaction.set_rollback(True)


def _vouched_on_node() -> dict[str, str | None]:
    from veche.apps.store.retention import vouched_times

    return vouched_times(parse_event(r, verify=False) for r in _stored())


def test_redacted_chains_are_taken_with_the_time_their_author_vouches() -> None:
    with transaction.atomic():
        ids = _committee_log()
        rusalka = World().person("Rusalka")
        # Old by its own `at`, but Rusalka's next event is today's: too young to redact.
        late = actions.post(rusalka, ids["space"], "Dated 2020, signed today", at=OLD).id
        actions.post(rusalka, ids["space"], "Today")
        amend = StoredEvent.objects.get(kind="comment.amend").id
        before = state_digest()
        redact_due()
        redacted_a = _redacted()
        assert late not in redacted_a
        # Zubr's comment <- his amend (redacted) <- his vote (whole, LATER); Sokol's
        # post <- motion <- amend (all redacted) <- the rule change (whole, LATER).
        assert {ids["comment"], amend, ids["post"], ids["motion"]} <= redacted_a
        vouched = _vouched_on_node()
        assert vouched[ids["comment"]] == vouched[amend] == LATER
        assert vouched[ids["post"]] == vouched[ids["motion"]] == LATER
        report = verify_report()
        assert report.problems == [] and report.redacted == len(redacted_a)
        # Verify reads the vouched time against its clock: on 2020-10-01 the vote of
        # 2020-09-20 is not 30 days old, so neither is what it vouches for.
        early = verify_report(now=datetime(2020, 10, 1, tzinfo=UTC))
        assert {p.event_id for p in early.problems} == redacted_a
        assert all("does not cover it yet" in p.message for p in early.problems)
        forms = _forms()
        forged = _backdated(late, ids["close"])

        # Fresh nodes take the honest node's forms in any order and batches, and
        # reach its state; the chains' vouched times are the same.
        for seed in (1, 2, 3):
            _wipe()
            order = list(forms.values())
            random.Random(seed).shuffle(order)
            cuts = [0, len(order) // 3, 2 * len(order) // 3, len(order)]
            for start, end in itertools.pairwise(cuts):
                outcomes = ingest(order[start:end], source="peer").outcomes
                assert [o for o in outcomes if o.status == "invalid"] == []
            assert not StoredEvent.objects.filter(status="pending").exists()
            assert _redacted() == redacted_a and _forms() == forms
            assert state_digest() == before
            assert _vouched_on_node() == vouched
            assert verify_report().problems == []
            rebuild()
            assert state_digest() == before
        # A relay's form of the post signed with an old date: refused, uncovered.
        _wipe()
        relayed = [*(f for i, f in forms.items() if i != late), forged]
        (outcome,) = [o for o in ingest(relayed, source="relay").outcomes if o.event_id == late]
        assert outcome.status == "invalid" and "does not cover it yet" in outcome.reason
        transaction.set_rollback(True)


def test_a_rule_changes_motion_is_never_taken_redacted() -> None:
    """Its target sets the days every redaction is checked against: a relay that
    served it redacted could shorten them (say to 1 day) unseen."""
    with transaction.atomic():
        ids = _committee_log()
        redact_due()
        assert ids["change"] not in _redacted()
        forged = _backdated(
            ids["change"], ids["close"], target={"rules": {**RULES, "retention_days": 1}}
        )
        served = [r for i, r in _forms().items() if i != ids["change"]]
        _wipe()
        outcomes = ingest([*served, forged], source="relay").outcomes
        (outcome,) = [o for o in outcomes if o.event_id == ids["change"]]
        assert outcome.status == "invalid" and "never redacted" in outcome.reason
        # Without the rule's motion whole, no redacted form of the space is taken.
        assert not _redacted()
        assert RedactedWaiting.objects.exists()
        transaction.set_rollback(True)


@pytest.mark.usefixtures("_language_reset")
def test_founding_days_remove_nothing_and_the_page_does_not_claim_them() -> None:
    """retention_days in a space.create is read, but only a passed rule change puts a
    retention rule in force (event-v1 §16.1): the page says texts are kept for good,
    and nothing is redacted, until the committee votes one."""
    from django.urls import reverse
    from tests.factories import signed_in_client

    w = World()
    space = w.committee("Sokol", ("Zubr",), rules={**RULES, "retention_days": 30})
    post = actions.post(w.person("Sokol"), space, "Strike on Monday", at=OLD).id
    actions.post(w.person("Sokol"), space, "A later post")
    redact_due()
    assert post not in _redacted()
    page = signed_in_client(w.person("Sokol"), "Sokol", language="ru")
    html = page.get(reverse("committees:detail", args=[space])).content.decode()
    assert "30 дней" not in html and "Monday" in html
