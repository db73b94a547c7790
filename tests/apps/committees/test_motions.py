"""Motions, votes, admission, revocation and federation: the rules, through the actions."""

from __future__ import annotations

import pytest
from tests.factories import World

from veche.apps.committees import actions, federation, tally
from veche.apps.committees.models import (
    Committee,
    FederationLink,
    Mandate,
    Member,
    Motion,
    Seat,
    Vote,
)
from veche.apps.committees.motions import compute_result, counted_votes
from veche.apps.store.log import ingest, state_digest
from veche.apps.store.models import StoredEvent
from veche.events import Event, RuleViolation, build_event

pytestmark = pytest.mark.django_db


def _refused(rule: str, call, *args, **kwargs):  # type: ignore[no-untyped-def]
    before = state_digest()
    with pytest.raises(RuleViolation) as refused:
        call(*args, **kwargs)
    assert refused.value.rule == rule, str(refused.value)
    assert state_digest() == before
    return refused.value


def test_yes_no_motion_passes_with_quorum_and_changed_votes() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka", "Vasilek"))
    motion = actions.propose(
        w.person("Sokol"), space, kind="strike_call", title="Strike on Monday", text="All out."
    ).id
    actions.vote(w.person("Zubr"), space, motion, choice="no")
    actions.vote(w.person("Zubr"), space, motion, choice="yes")  # changed mind
    actions.vote(w.person("Rusalka"), space, motion, choice="yes")
    actions.vote(w.person("Vasilek"), space, motion, choice="no")
    assert Vote.objects.filter(motion=motion).count() == 3
    actions.close(w.person("Sokol"), space, motion)
    row = Motion.objects.get(event=motion)
    assert row.status == "passed"
    assert (row.result["yes"], row.result["no"], row.result["electorate"]) == (2, 1, 4)
    _refused("closed", actions.vote, w.person("Sokol"), space, motion, choice="no")


def test_quorum_not_met_fails() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka", "Vasilek"))
    motion = actions.propose(w.person("Sokol"), space, kind="general", title="Tea", text="?").id
    actions.vote(w.person("Zubr"), space, motion, choice="yes")
    actions.close(w.person("Sokol"), space, motion)
    assert Motion.objects.get(event=motion).status == "failed"


def test_bad_votes_are_refused_with_reasons() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",))
    motion = actions.propose(w.person("Sokol"), space, kind="general", title="Tea", text="?").id
    _refused("member", actions.vote, w.person("Stranger"), space, motion, choice="yes")
    _refused("schema:enum", actions.vote, w.person("Zubr"), space, motion, choice="maybe")
    _refused("ballot", actions.vote, w.person("Zubr"), space, motion, approve=[0])
    _refused("close", actions.close, w.person("Zubr"), space, motion)


def test_amendment_voids_earlier_votes() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka"))
    motion = actions.propose(
        w.person("Sokol"), space, kind="demands", title="Demands", text="v1"
    ).id
    actions.vote(w.person("Zubr"), space, motion, choice="yes")
    _refused("proposer", actions.amend, w.person("Zubr"), space, motion, text="mine")
    actions.amend(w.person("Sokol"), space, motion, text="v2 with a fourth demand")
    stale = build_event(
        w.person("Rusalka"),
        space=space,
        seq=2,
        prev=StoredEvent.objects.get(space=space, author=w.person("Rusalka").public, seq=1).id,
        deps=[motion],
        kind="motion.vote",
        body={"motion": motion, "version": 0, "choice": "yes"},
    )
    # Cast without having seen the amendment, it sorts before it: kept, but stale.
    assert ingest([stale.raw], source="t").outcomes[0].status == "applied"
    standing = tally.standing(Motion.objects.get(event=motion))
    assert standing.stale_votes == 2 and standing.result["cast"] == 0
    _refused("version", actions.record_vote_for_version, w.person("Zubr"), space, motion, 0)


def test_a_forged_result_is_rejected_by_every_node() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",))
    motion = actions.propose(w.person("Sokol"), space, kind="general", title="Tea", text="?").id
    actions.vote(w.person("Zubr"), space, motion, choice="no")
    real, _ = tally.result_for_close(space, motion)
    forged = dict(real, yes=2, no=0, passed=True)
    head = StoredEvent.objects.filter(space=space).order_by("-height").first()
    sokol = w.person("Sokol")
    last = StoredEvent.objects.filter(space=space, author=sokol.public).order_by("-seq").first()
    event = build_event(
        sokol,
        space=space,
        seq=last.seq + 1,
        prev=last.id,
        deps=[head.id, motion],
        kind="motion.close",
        body={"motion": motion, "result": forged},
    )
    outcome = ingest([event.raw], source="t").outcomes[0]
    assert outcome.status == "rejected" and "result" in outcome.reason
    assert Motion.objects.get(event=motion).status == "open"


def test_approval_and_ranked_motions() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka"))
    options = ["Monday", "Tuesday", "Friday"]
    approve = actions.propose(
        w.person("Sokol"),
        space,
        kind="general",
        title="Day",
        text="Which day?",
        method="approval",
        options=options,
    ).id
    for name, picks in (("Sokol", [0, 2]), ("Zubr", [2]), ("Rusalka", [1, 2])):
        actions.vote(w.person(name), space, approve, approve=picks)
    actions.close(w.person("Sokol"), space, approve)
    assert Motion.objects.get(event=approve).result["winners"] == [2]
    ranked = actions.propose(
        w.person("Sokol"),
        space,
        kind="general",
        title="Order",
        text="Rank",
        method="ranked",
        options=options,
    ).id
    for name, ranking in (
        ("Sokol", [[0], [1], [2]]),
        ("Zubr", [[1], [0], [2]]),
        ("Rusalka", [[1], [2], [0]]),
    ):
        actions.vote(w.person(name), space, ranked, ranking=ranking)
    actions.close(w.person("Sokol"), space, ranked)
    assert Motion.objects.get(event=ranked).result["ranking"][0] == [1]


def test_vouching_admission() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka"))
    _change_rules(w, space, ("Sokol", "Zubr", "Rusalka"), admission="vouching", vouches_needed=2)
    # The inviter's invitation counts as the first vouch.
    code, _ = actions.invite(w.person("Sokol"), space)
    actions.join(w.person("Newcomer"), space, code, "Newcomer")
    new = Member.objects.get(space=space, key=w.person("Newcomer").public)
    assert new.status == "candidate"
    _refused("member", actions.vouch, w.person("Newcomer"), space, w.person("Newcomer").public)
    _refused("vouch-once", actions.vouch, w.person("Sokol"), space, new.key)
    _refused("vouch-candidate", actions.vouch, w.person("Sokol"), space, w.person("Sokol").public)
    actions.vouch(w.person("Zubr"), space, new.key)
    assert Member.objects.get(pk=new.pk).status == "active"


def _change_rules(w: World, space: str, voters: tuple[str, ...], **changes: object) -> None:
    rules = dict(Committee.objects.get(space=space).rules, **changes)
    keep = ("quorum_percent", "majority", "admission", "vouches_needed")
    motion = actions.propose(
        w.person(voters[0]),
        space,
        kind="rule_change",
        title="New rules",
        text="As proposed.",
        target={"rules": {k: rules[k] for k in keep}},
    ).id
    for voter in voters:
        actions.vote(w.person(voter), space, motion, choice="yes")
    actions.close(w.person(voters[0]), space, motion)
    assert all(Committee.objects.get(space=space).rules[k] == v for k, v in changes.items())


def test_vouching_members_exist_before_admission() -> None:
    w = World()
    space = w.committee("Sokol", rules={"admission": "vouching", "vouches_needed": 2})
    code, _ = actions.invite(w.person("Sokol"), space)
    actions.join(w.person("Zubr"), space, code, "Zubr")
    # A candidate cannot vouch: no vouching rings among newcomers.
    code2, _ = actions.invite(w.person("Sokol"), space)
    actions.join(w.person("Rusalka"), space, code2, "Rusalka")
    _refused("member", actions.vouch, w.person("Zubr"), space, w.person("Rusalka").public)


def test_admission_and_expulsion_by_motion() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",), rules={"admission": "motion"})
    assert Member.objects.get(key=w.person("Zubr").public).status == "candidate"
    motion = actions.propose(
        w.person("Sokol"),
        space,
        kind="admission",
        title="Admit Zubr",
        text="Known from the shop floor",
        target={"key": w.person("Zubr").public},
    ).id
    actions.vote(w.person("Sokol"), space, motion, choice="yes")
    actions.close(w.person("Sokol"), space, motion)
    assert Member.objects.get(key=w.person("Zubr").public).status == "active"
    expel = actions.propose(
        w.person("Sokol"),
        space,
        kind="expulsion",
        title="Expel the provocateur",
        text="Evidence.",
        target={"key": w.person("Zubr").public},
    ).id
    actions.vote(w.person("Sokol"), space, expel, choice="yes")
    actions.vote(w.person("Zubr"), space, expel, choice="no")
    # One for, one against: a tie is not a simple majority.
    actions.close(w.person("Sokol"), space, expel)
    assert Motion.objects.get(event=expel).status == "failed"


def test_rule_change_only_by_motion() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",))
    rules = dict(Committee.objects.get(space=space).rules, quorum_percent=75, majority="two_thirds")
    motion = actions.propose(
        w.person("Sokol"),
        space,
        kind="rule_change",
        title="Stricter rules",
        text="Two thirds.",
        target={
            "rules": {
                k: rules[k] for k in ("quorum_percent", "majority", "admission", "vouches_needed")
            }
        },
    )
    for name in ("Sokol", "Zubr"):
        actions.vote(w.person(name), space, motion.id, choice="yes")
    actions.close(w.person("Sokol"), space, motion.id)
    assert Committee.objects.get(space=space).rules["majority"] == "two_thirds"


def test_revoked_key_events_are_held() -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",))
    laptop, phone = w.person("Zubr"), w.person("Zubr-phone")
    actions.add_device(laptop, space, phone.public)
    actions.post(phone, space, "before the arrest")
    seized_after = (
        StoredEvent.objects.filter(author=phone.public, space=space).order_by("-seq").first().seq
    )
    # The police use the seized phone (its node is offline, so nobody sees it yet)…
    forged = build_event(
        phone,
        space=space,
        seq=seized_after + 1,
        prev=StoredEvent.objects.get(author=phone.public, space=space, seq=seized_after).id,
        kind="space.post",
        body={"text": "Everybody go home, the strike is over"},
    )
    assert ingest([forged.raw], source="seized phone").outcomes[0].status == "applied"
    # …the phone can revoke neither itself nor the older laptop…
    _refused(
        "revoke-other-device", actions.revoke_own_key, phone, space, phone.public, seized_after
    )
    _refused("revoke-newer", actions.revoke_own_key, phone, space, laptop.public, 0)
    # …and the member revokes the phone from the laptop, naming the last good event.
    actions.revoke_own_key(laptop, space, phone.public, seized_after)
    assert StoredEvent.objects.get(id=forged.id).status == "held"
    assert Member.objects.get(key=phone.public).status == "revoked"
    assert Member.objects.get(key=laptop.public).status == "active"
    texts = list(
        StoredEvent.objects.filter(space=space, kind="space.post", status="applied").values_list(
            "id", flat=True
        )
    )
    assert forged.id not in texts


def _federate(w: World) -> tuple[str, str, str]:
    """A city council with two plant committees that joined it."""
    council = w.committee("Chair", name="Minsk city council", kind="council", level="city")
    mtz, kozlova = _join_two(w, council)
    return council, mtz, kozlova


def _elect(
    w: World,
    plant: str,
    electors: tuple[str, ...],
    candidates: tuple[str, ...],
    seats: int,
    ballots: list[list[int]],
) -> str:
    keys = [w.person(c).public for c in candidates]
    election = actions.propose(
        w.person(electors[0]),
        plant,
        kind="delegate_election",
        title="Delegates to the city",
        text="STV",
        method="stv",
        options=keys,
        seats=seats,
    ).id
    for elector, ranking in zip(electors, ballots, strict=True):
        actions.vote(w.person(elector), plant, election, ranking=[[i] for i in ranking])
    return actions.close(w.person(electors[0]), plant, election).id


def test_federation_delegates_recall_and_ratification() -> None:
    w = World()
    council, mtz, kozlova = _federate(w)
    assert set(federation.children(council)) == {mtz, kozlova}
    mandate = _elect(
        w, mtz, ("Sokol", "Zubr", "Rusalka"), ("Zubr", "Rusalka"), 1, [[0, 1], [0, 1], [1, 0]]
    )
    assert Mandate.objects.get(space=mtz).key == w.person("Zubr").public
    kmandate = _elect(
        w, kozlova, ("Vasilek", "Lyubava"), ("Vasilek", "Lyubava"), 1, [[1, 0], [1, 0]]
    )
    _refused("mandate", actions.take_seat, w.person("Rusalka"), council, mandate)
    actions.take_seat(w.person("Zubr"), council, mandate)
    actions.take_seat(w.person("Lyubava"), council, kmandate)
    assert Seat.objects.filter(space=council).count() == 2
    strike = actions.propose(
        w.person("Chair"), council, kind="strike_call", title="City-wide strike", text="Monday."
    ).id
    actions.vote(w.person("Zubr"), council, strike, choice="yes")
    actions.vote(w.person("Lyubava"), council, strike, choice="no")
    actions.vote(w.person("Chair"), council, strike, choice="yes")
    # MTZ recalls Zubr: at once his vote no longer counts in the city council.
    recall = actions.propose(
        w.person("Sokol"),
        mtz,
        kind="recall",
        title="Recall Zubr",
        text="He broke the mandate.",
        target={"mandate": mandate, "key": w.person("Zubr").public},
    ).id
    for person in ("Sokol", "Rusalka", "Zubr"):
        actions.vote(w.person(person), mtz, recall, choice="yes" if person != "Zubr" else "no")
    recall_close = actions.close(w.person("Sokol"), mtz, recall).id
    assert Mandate.objects.get(space=mtz).recalled_by == recall_close
    assert w.person("Zubr").public not in federation.current_delegate_keys(council)
    standing = tally.standing(Motion.objects.get(event=strike))
    assert standing.recalled_votes == 1
    assert (standing.result["yes"], standing.result["no"]) == (1, 1)
    close = actions.close(w.person("Chair"), council, strike)
    assert recall_close in [r["event"] for r in close.body["recalls"]]
    row = Motion.objects.get(event=strike)
    assert (row.result["yes"], row.result["no"], row.status) == (1, 1, "failed")


def _two_seated_delegates(w: World) -> tuple[str, str, str]:
    """MTZ elects Zubr and Rusalka together by STV; both take their seats in the city
    council. Returns (council, mtz, mandate)."""
    council, mtz, _ = _federate(w)
    mandate = _elect(
        w,
        mtz,
        ("Sokol", "Zubr", "Rusalka"),
        ("Zubr", "Rusalka", "Sokol"),
        2,
        [[0, 1, 2], [1, 0, 2], [1, 0, 2]],
    )
    actions.take_seat(w.person("Zubr"), council, mandate)
    actions.take_seat(w.person("Rusalka"), council, mandate)
    return council, mtz, mandate


def _recall_zubr(w: World, mtz: str, mandate: str) -> Event:
    """MTZ recalls Zubr (Sokol and Rusalka for): the recall's closing event."""
    recall = actions.propose(
        w.person("Sokol"),
        mtz,
        kind="recall",
        title="Recall Zubr",
        text="He broke the mandate.",
        target={"mandate": mandate, "key": w.person("Zubr").public},
    ).id
    for person in ("Sokol", "Rusalka"):
        actions.vote(w.person(person), mtz, recall, choice="yes")
    return actions.close(w.person("Sokol"), mtz, recall)


def test_recalling_one_of_two_delegates_elected_together_keeps_the_others_vote() -> None:
    w = World()
    council, mtz, mandate = _two_seated_delegates(w)
    assert set(Mandate.objects.filter(event=mandate).values_list("key", flat=True)) == {
        w.person("Zubr").public,
        w.person("Rusalka").public,
    }
    strike = actions.propose(
        w.person("Chair"), council, kind="strike_call", title="City-wide strike", text="Monday."
    ).id
    actions.vote(w.person("Zubr"), council, strike, choice="yes")
    actions.vote(w.person("Rusalka"), council, strike, choice="yes")
    actions.vote(w.person("Chair"), council, strike, choice="no")
    recall_close = _recall_zubr(w, mtz, mandate)
    assert recall_close.body["result"]["key"] == w.person("Zubr").public
    assert federation.current_delegate_keys(council) >= {w.person("Rusalka").public}
    assert w.person("Zubr").public not in federation.current_delegate_keys(council)
    # Only Zubr's vote stops counting; Rusalka, elected in the same election, still votes.
    standing = tally.standing(Motion.objects.get(event=strike))
    assert standing.recalled_votes == 1
    assert (standing.result["yes"], standing.result["no"]) == (1, 1)
    real, recalls = tally.result_for_close(council, strike)
    assert recalls == [
        {"event": recall_close.id, "space": mtz, "mandate": mandate, "key": w.person("Zubr").public}
    ]
    # A close that names the recall for Rusalka instead is refused by every node.
    chair = w.person("Chair")
    head = StoredEvent.objects.filter(space=council).order_by("-height").first()
    last = StoredEvent.objects.filter(space=council, author=chair.public).order_by("-seq").first()
    wrong = [dict(recalls[0], key=w.person("Rusalka").public)]
    forged = build_event(
        chair,
        space=council,
        seq=last.seq + 1,
        prev=last.id,
        deps=[head.id, strike, recall_close.id],
        kind="motion.close",
        body={"motion": strike, "result": real, "recalls": wrong},
    )
    outcome = ingest([forged.raw], source="t").outcomes[0]
    assert outcome.status == "rejected" and "recall" in outcome.reason
    close = actions.close(chair, council, strike)
    row = Motion.objects.get(event=strike)
    assert close.body["recalls"] == recalls
    assert (row.result["yes"], row.result["no"], row.result["electorate"]) == (1, 1, 2)
    # The STV stages a council's page shows count what the result counts.
    # (A council elects by STV only once it has a parent; the stages read the ranked
    # votes of any motion, so a ranked motion read as an STV count stands in for one.)
    day = actions.propose(
        chair,
        council,
        kind="general",
        title="Day",
        text="?",
        method="ranked",
        options=["Monday", "Tuesday", "Friday"],
    ).id
    actions.vote(w.person("Zubr"), council, day, ranking=[[0], [1], [2]])
    actions.vote(w.person("Rusalka"), council, day, ranking=[[1], [0], [2]])
    actions.vote(chair, council, day, ranking=[[1], [2], [0]])
    as_stv = Motion.objects.get(event=day)
    as_stv.method, as_stv.seats = "stv", 1
    first = tally.stv_stages(as_stv)[0]
    assert [float(v) for v in first["votes"]] == [0, 2, 0]


def test_a_close_cannot_drop_delegates_by_citing_recalls_nobody_can_check() -> None:
    """A recall in a space no node holds would be taken on trust: the council's own
    seats must still show that delegate sitting by that mandate for that committee."""
    import base64
    import hashlib

    def made_up(text: str) -> str:
        digest = hashlib.blake2b(text.encode(), digest_size=32).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    w = World()
    council, mtz, mandate = _two_seated_delegates(w)
    chair = w.person("Chair")
    strike = actions.propose(
        chair, council, kind="strike_call", title="City-wide strike", text="Monday."
    ).id
    actions.vote(w.person("Zubr"), council, strike, choice="no")
    actions.vote(w.person("Rusalka"), council, strike, choice="no")
    actions.vote(chair, council, strike, choice="yes")
    motion = Motion.objects.get(event=strike)
    delegates = {(mandate, w.person(n).public) for n in ("Zubr", "Rusalka")}
    electorate = tally._electorate(council, delegates)
    forged_result = compute_result(
        motion,
        counted_votes(None, motion, delegates),
        electorate,
        Committee.objects.get(space=council).rules,
        represented=electorate,
    )
    assert forged_result["passed"]
    for space in (made_up("nobody's space"), mtz):
        head = StoredEvent.objects.filter(space=council).order_by("-height").first()
        last = (
            StoredEvent.objects.filter(space=council, author=chair.public).order_by("-seq").first()
        )
        fake = [
            {"event": made_up(f"{space}{n}"), "space": space, "mandate": mandate, "key": key}
            for n, (_, key) in enumerate(sorted(delegates))
        ]
        forged = build_event(
            chair,
            space=council,
            seq=last.seq + 1,
            prev=last.id,
            deps=sorted({head.id, strike, *(f["event"] for f in fake)}),
            kind="motion.close",
            body={"motion": strike, "result": forged_result, "recalls": fake},
        )
        outcome = ingest([forged.raw], source="seized phone").outcomes[0]
        # A made-up committee is refused outright; MTZ's real space leaves the close
        # unverified: it cites recall events this node has not placed.
        assert outcome.status in ("rejected", "unverified"), outcome
        assert Motion.objects.get(event=strike).status == "open"


def test_ratification_by_children() -> None:
    w = World()
    council = w.committee(
        "Chair",
        name="National council",
        kind="council",
        level="national",
        rules={"ratification": True},
    )
    mtz, kozlova = _join_two(w, council)
    decision = actions.propose(
        w.person("Chair"), council, kind="demands", title="Common demands", text="1. 2. 3. 4."
    ).id
    actions.vote(w.person("Chair"), council, decision, choice="yes")
    decision_close = actions.close(w.person("Chair"), council, decision).id
    motion = Motion.objects.get(event=decision)
    assert federation.ratifications(motion).needed
    assert not federation.ratifications(motion).ratified
    ratify = actions.propose(
        w.person("Sokol"),
        mtz,
        kind="ratification",
        title="Ratify",
        text="Yes.",
        target={"motion": decision_close},
    ).id
    for person in ("Sokol", "Zubr", "Rusalka"):
        actions.vote(w.person(person), mtz, ratify, choice="yes")
    actions.close(w.person("Sokol"), mtz, ratify)
    assert not federation.ratifications(motion).ratified  # 1 of 2 is not a majority
    ratify2 = actions.propose(
        w.person("Vasilek"),
        kozlova,
        kind="ratification",
        title="Ratify",
        text="Yes.",
        target={"motion": decision_close},
    ).id
    for person in ("Vasilek", "Lyubava"):
        actions.vote(w.person(person), kozlova, ratify2, choice="yes")
    actions.close(w.person("Vasilek"), kozlova, ratify2)
    assert federation.ratifications(motion).ratified


def _join_two(w: World, council: str) -> tuple[str, str]:
    plants = []
    for founder, members, name in (
        ("Sokol", ("Zubr", "Rusalka"), "MTZ"),
        ("Vasilek", ("Lyubava",), "Kozlova"),
    ):
        plant = w.committee(founder, members, name=name)
        join = actions.propose(
            w.person(founder),
            plant,
            kind="federation_join",
            title="Join",
            text="Link up.",
            target={"parent": council},
        ).id
        for person in (founder, *members):
            actions.vote(w.person(person), plant, join, choice="yes")
        join_close = actions.close(w.person(founder), plant, join).id
        accept = actions.propose(
            w.person("Chair"),
            council,
            kind="federation_accept",
            title=f"Accept {name}",
            text="Welcome.",
            target={"child": plant, "join": join_close},
        ).id
        actions.vote(w.person("Chair"), council, accept, choice="yes")
        actions.close(w.person("Chair"), council, accept)
        plants.append(plant)
    assert FederationLink.objects.filter(space=council).count() == 2
    return plants[0], plants[1]


def test_recall_of_someone_who_is_not_a_delegate_is_refused() -> None:
    w = World()
    _council, mtz, _ = _federate(w)
    mandate = _elect(
        w, mtz, ("Sokol", "Zubr", "Rusalka"), ("Zubr", "Rusalka"), 1, [[0, 1], [0, 1], [1, 0]]
    )
    _refused(
        "recall-delegate",
        actions.propose,
        w.person("Sokol"),
        mtz,
        kind="recall",
        title="Recall Rusalka",
        text="?",
        target={"mandate": mandate, "key": w.person("Rusalka").public},
    )
