"""Points ballots (planning-v1 §1, §3, §4): a budget whose members share out points
between projects, counted as cumulative ballots by greedy and by equal shares. Every
bad ballot is refused through the one write path with its rule, a listed message and
the digest unchanged; the web vote form keeps what was typed when it refuses; the CLI;
shuffled arrival gives the digest of a rebuild."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.apps.planning.test_budget_pages import client_for
from tests.factories import PASS

from veche.apps.planning import actions
from veche.apps.planning.models import Budget, BudgetVote
from veche.apps.store.log import ingest, rebuild, record, state_digest
from veche.apps.store.models import StoredEvent
from veche.apps.store.reasons import FIXED_MESSAGES, PATTERN_MESSAGES
from veche.cli import main
from veche.events import RuleViolation
from veche.events.identity import save_identity

pytestmark = pytest.mark.django_db


def refused(call: Any, rule: str, field: str | None = None) -> RuleViolation:
    before = state_digest()
    with pytest.raises(RuleViolation) as caught:
        call()
    assert caught.value.rule == rule, caught.value
    if field is not None:
        assert caught.value.field == field, caught.value
    message = caught.value.message
    assert message in FIXED_MESSAGES or any(
        p.split("%(")[0] in message for p in PATTERN_MESSAGES
    ), message
    assert state_digest() == before
    return caught.value


def _open(plan: Any, rule: str = "greedy", points: int = 10) -> str:
    return actions.open_budget(
        plan.who("Sokol"),
        plan.space,
        title="Points budget",
        amount=1000_00,
        rule=rule,
        ballot="points",
        points=points,
        proposals_close=plan.proposals_close,
        votes_close=plan.votes_close,
    ).id


def _projects(plan: Any, budget: str) -> dict[str, str]:
    return {
        name: actions.propose_project(plan.who("Zubr"), plan.space, budget, name=name, cost=cost).id
        for name, cost in [("Food parcels", 600_00), ("Lawyers", 400_00), ("Transport", 500_00)]
    }


def _raw_vote(plan: Any, who: str, budget: str, body: dict[str, Any]) -> Any:
    return record(
        plan.who(who),
        space=plan.space,
        kind="budget.vote",
        body={"budget": budget, **body},
        deps=[budget],
    )


@pytest.fixture
def points_plan(plan: Any) -> Any:
    from veche.events.envelope import format_time

    plan.budget_times = (format_time(plan.proposals_close), format_time(plan.votes_close))
    return plan


def test_opening_a_points_budget(points_plan: Any) -> None:
    plan = points_plan
    budget = Budget.objects.get(event=_open(plan, points=7))
    assert (budget.ballot, budget.points) == ("points", 7)
    assert Budget.objects.get(event=plan.budget).ballot == "approval"

    def opened(body: dict[str, Any]) -> Any:
        base = {
            "title": "Bad",
            "amount": 100_00,
            "currency": "BYN",
            "rule": "mes",
            "from_fund": False,
            "proposals_close": plan.budget_times[0],
            "votes_close": plan.budget_times[1],
        }
        return lambda: record(
            plan.who("Sokol"), space=plan.space, kind="budget.open", body={**base, **body}
        )

    refused(opened({"ballot": "points"}), "budget-points", "body.points")
    refused(opened({"points": 10}), "budget-points", "body.points")
    refused(opened({"ballot": "approval", "points": 10}), "budget-points", "body.points")
    for bad in (0, 101, True):
        with pytest.raises(RuleViolation):
            opened({"ballot": "points", "points": bad})()


def test_bad_points_ballots_are_refused(points_plan: Any) -> None:
    plan = points_plan
    budget = _open(plan)
    p = _projects(plan, budget)
    approval_projects = {
        "x": actions.propose_project(
            plan.who("Zubr"), plan.space, plan.budget, name="Other", cost=10_00
        ).id
    }
    plan.world.committee("Chuzhoy", name="Another committee")
    plan.to_voting()
    food, lawyers = p["Food parcels"], p["Lawyers"]
    vote = lambda body, who="Vasilek": lambda: _raw_vote(plan, who, budget, body)  # noqa: E731
    refused(vote({"points": {food: 6, lawyers: 5}}), "budget-points-total", "body.points")
    refused(vote({"points": {food: 0}}), "budget-points-value", "body.points")
    refused(vote({"points": {food: -1}}), "budget-points-value", "body.points")
    refused(vote({"points": {food: True}}), "budget-points-value", "body.points")
    refused(vote({"points": {food: "3"}}), "budget-points-value", "body.points")
    refused(vote({"points": {food: [3]}}), "budget-points-value", "body.points")
    refused(vote({"points": {approval_projects["x"]: 3}}), "budget-project", "body.points")
    refused(vote({"points": {"not-an-event": 3}}), "budget-project", "body.points")
    refused(vote({"approve": [food]}), "budget-ballot", "body.approve")
    refused(vote({"approve": [food], "points": {food: 1}}), "budget-ballot", "body.approve")
    refused(vote({}), "budget-ballot", "body.points")
    refused(vote({"points": {food: 3}}, "Chuzhoy"), "member")
    # a non-integer number cannot be signed at all (canonical JSON has no fractions)
    with pytest.raises((RuleViolation, ValueError, TypeError)):
        vote({"points": {food: 1.5}})()
    with pytest.raises(RuleViolation):
        vote({"points": [food]})()  # not an object: the schema
    # on an approval budget, points are refused and approve is required
    refused(
        lambda: _raw_vote(plan, "Vasilek", plan.budget, {"points": {approval_projects["x"]: 1}}),
        "budget-ballot",
        "body.points",
    )
    refused(lambda: _raw_vote(plan, "Vasilek", plan.budget, {}), "budget-ballot", "body.approve")
    # exactly the total is fine; an empty ballot too
    _raw_vote(plan, "Vasilek", budget, {"points": {food: 6, lawyers: 4}})
    _raw_vote(plan, "Zubr", budget, {"points": {}})
    assert BudgetVote.objects.filter(budget=budget).count() == 2


def _vote_all(plan: Any, budget: str, p: dict[str, str]) -> None:
    plan.to_voting()
    food, lawyers, transport = p["Food parcels"], p["Lawyers"], p["Transport"]
    actions.vote(plan.who("Sokol"), plan.space, budget, points={food: 10})
    actions.vote(plan.who("Zubr"), plan.space, budget, points={food: 4, lawyers: 6})
    actions.vote(plan.who("Vasilek"), plan.space, budget, points={transport: 10})
    actions.vote(plan.who("Rusalka"), plan.space, budget, points={lawyers: 3, transport: 7})
    plan.to_close()
    actions.close(plan.who("Rusalka"), plan.space, budget)


def test_a_points_budget_counted_greedy_by_points(plan: Any) -> None:
    budget = _open(plan, "greedy")
    p = _projects(plan, budget)
    _vote_all(plan, budget, p)
    row = Budget.objects.get(event=budget)
    # points: Food 14, Transport 17, Lawyers 9: Transport (500) then Lawyers (400) fit
    assert row.winners == [p["Transport"], p["Lawyers"]]
    assert (row.spent, row.voters) == (900_00, 4)
    votes = {o["project"]: o["votes"] for o in row.outcomes}
    assert votes == {p["Food parcels"]: "14", p["Lawyers"]: "9", p["Transport"]: "17"}
    page = client_for(plan, "Zubr").get(f"/planning/{plan.space}/budgets/{budget}/")
    html = page.content.decode()
    assert "Funded: 17 points" in html and "4 voters" in html


def test_a_points_budget_counted_by_equal_shares(plan: Any) -> None:
    from veche.counting.budget import BudgetError, count_budget, make_election

    try:
        count_budget(make_election(10, [("a", 5)], [{"a": 1}], "cumulative"), "mes")
    except BudgetError:
        pytest.skip("the counting core does not count cumulative ballots by mes yet")
    budget = _open(plan, "mes")
    p = _projects(plan, budget)
    _vote_all(plan, budget, p)
    row = Budget.objects.get(event=budget)
    assert row.status == "decided" and row.voters == 4
    assert row.spent <= 1000_00 and row.winners
    reasons = {o["project"]: o["reason"] for o in row.outcomes}
    assert "funded_equal_shares" in reasons.values()
    # the same count as the core's on the ballots
    direct = count_budget(
        make_election(
            1000_00,
            sorted(
                [
                    (p[n], c)
                    for n, c in [
                        ("Food parcels", 600_00),
                        ("Lawyers", 400_00),
                        ("Transport", 500_00),
                    ]
                ]
            ),
            [
                {p["Food parcels"]: 10},
                {p["Food parcels"]: 4, p["Lawyers"]: 6},
                {p["Transport"]: 10},
                {p["Lawyers"]: 3, p["Transport"]: 7},
            ],
            "cumulative",
        ),
        "mes",
    )
    assert row.winners == list(direct.winners)
    page = client_for(plan, "Zubr").get(f"/planning/{plan.space}/budgets/{budget}/")
    assert "a point (" in page.content.decode()


def test_points_converge_shuffled(plan: Any) -> None:
    budget = _open(plan, "greedy")
    _vote_all(plan, budget, _projects(plan, budget))
    digest = state_digest()
    rebuild()
    assert state_digest() == digest
    raws = [bytes(r) for r in StoredEvent.objects.values_list("raw", flat=True)]
    for seed in (1, 2):
        random.Random(seed).shuffle(raws)
        StoredEvent.objects.all().delete()
        rebuild()
        assert ingest(raws, source="test").count("applied") == len(raws)
        assert state_digest() == digest


def test_the_web_points_vote_form(plan: Any) -> None:
    budget = _open(plan, "greedy", points=10)
    p = _projects(plan, budget)
    zubr = client_for(plan, "Zubr")
    base = f"/planning/{plan.space}/budgets/{budget}/"
    page = zubr.get(base).content.decode()
    assert 'id="points-form"' not in page  # proposals still open
    plan.to_voting()
    page = zubr.get(base).content.decode()
    assert 'id="points-form"' in page and 'inputmode="numeric"' in page
    assert "planning/points.js" in page and 'data-total="10"' in page
    food, lawyers = p["Food parcels"], p["Lawyers"]
    # too many points: refused with the reason, what was typed kept, nothing signed
    before = state_digest()
    response = zubr.post(base + "vote/", {f"points-{food}": "7", f"points-{lawyers}": "5"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "You gave 12 points in all; you have 10 to give." in html
    assert 'value="7"' in html and 'value="5"' in html
    assert state_digest() == before
    response = zubr.post(base + "vote/", {f"points-{food}": "-2"})
    assert response.status_code == 200 and state_digest() == before
    # in Belarusian the error is translated
    be = client_for(plan, "Rusalka", "be")
    html = be.post(base + "vote/", {f"points-{food}": "6", f"points-{lawyers}": "5"})
    html = html.content.decode()
    assert "11" in html and "You gave" not in html and state_digest() == before
    # a good ballot is signed; blanks and 0 are left out
    zubr.post(base + "vote/", {f"points-{food}": "7", f"points-{lawyers}": "0"})
    vote = BudgetVote.objects.get(budget=budget)
    assert vote.points == {food: 7} and vote.approve == []
    page = zubr.get(base).content.decode()
    assert 'value="7"' in page  # the form shows the vote held


def test_points_from_the_command_line(
    plan: Any, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("VECHE_PASSPHRASE", PASS)
    key = str(tmp_path / "sokol.key")
    save_identity(Path(key), plan.who("Sokol"), PASS, profile="test")
    common = ("--space", plan.space, "--key", key)
    status = main(
        [
            "plan",
            "budget",
            "open",
            *common,
            "--title",
            "Points",
            "--amount",
            "1000",
            "--rule",
            "greedy",
            "--ballot",
            "points",
            "--points",
            "10",
            "--proposal-hours",
            "1",
            "--voting-hours",
            "1",
            "--json",
        ]
    )
    out, _ = capsys.readouterr()
    assert status == 0
    budget = json.loads(out)["event"]
    assert Budget.objects.get(event=budget).points == 10
    assert main(["plan", "budget", "open", *common, "--title", "Bad", "--amount", "10",
                 "--ballot", "points"]) != 0  # fmt: skip
    capsys.readouterr()
    p = _projects(plan, budget)
    opened = Budget.objects.get(event=budget).proposals_close
    plan.clock.pass_(datetime.strptime(opened, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC))
    status = main(
        [
            "plan",
            "budget",
            "vote",
            budget,
            *common,
            "--points",
            f"{p['Lawyers']}=6",
            "--points",
            f"{p['Transport']}=4",
        ]
    )
    assert status == 0, capsys.readouterr()
    assert BudgetVote.objects.get(budget=budget).points == {p["Lawyers"]: 6, p["Transport"]: 4}
    capsys.readouterr()
    status = main(["plan", "budget", "vote", budget, *common, "--points", f"{p['Lawyers']}=11"])
    _, err = capsys.readouterr()
    assert status != 0 and "more than the 10" in err
    status = main(["plan", "budget", "vote", budget, *common, "--points", "nonsense"])
    assert status != 0
    capsys.readouterr()
    assert main(["plan", "budget", "show", budget]) == 0
    out, _ = capsys.readouterr()
    assert "points (10 each)" in out


def test_the_web_open_form_chooses_points(plan: Any) -> None:
    sokol = client_for(plan, "Sokol")
    url = f"/planning/{plan.space}/budgets/open/"
    form = {
        "title": "Points from the page",
        "amount": "500",
        "currency": "BYN",
        "rule": "mes",
        "ballot": "points",
        "points": "",
        "proposal_hours": "24",
        "voting_hours": "24",
    }
    before = state_digest()
    page = sokol.post(url, form, follow=True).content.decode()
    assert "Give how many points each member gives (1 to 100)." in page
    assert state_digest() == before
    sokol.post(url, {**form, "points": "12"})
    made = Budget.objects.get(title="Points from the page")
    assert (made.ballot, made.points, made.rule) == ("points", 12, "mes")
    sokol.post(url, {**form, "title": "Approval from the page", "ballot": "approval"})
    made = Budget.objects.get(title="Approval from the page")
    assert (made.ballot, made.points) == ("approval", 0)


def test_a_price_below_a_kopeck_per_point_is_in_the_readers_number_format() -> None:
    from django.utils import translation

    from veche.apps.planning.labels import _amount_fine

    with translation.override("ru"):
        assert _amount_fine("1/3", "BYN") == "0,0033 BYN"
    with translation.override("be"):
        assert _amount_fine("250/3", "BYN") == "0,83 BYN"
    with translation.override("en"):
        assert _amount_fine("2/3", "BYN") == "0.0067 BYN"


@pytest.mark.parametrize("language", ["be", "ru"])
def test_points_pages_have_no_english_in_belarusian_and_russian(plan: Any, language: str) -> None:
    """The demo has no points budget, so the no-English check of every demo page
    (tests/web/test_no_english.py) does not see these: the open form, the vote form with
    its points and the decided page's explanations (equal shares, completion, not
    funded), in be and ru."""
    from tests.web.test_no_english import english_phrases, leaks

    # The fixture's own budget is titled "Solidarity fund, September": people's words.
    phrases = english_phrases() - {"Solidarity fund"}
    client = client_for(plan, "Zubr", language=language)
    budget = _open(plan, "mes")
    p = _projects(plan, budget)

    def clean(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert leaks(page, phrases) == [], (url, leaks(page, phrases))
        return page

    assert 'value="points"' in clean(f"/planning/{plan.space}/budgets/")  # the open form
    plan.to_voting()
    assert 'inputmode="numeric"' in clean(f"/planning/{plan.space}/budgets/{budget}/")
    food, lawyers, transport = p["Food parcels"], p["Lawyers"], p["Transport"]
    actions.vote(plan.who("Sokol"), plan.space, budget, points={food: 10})
    actions.vote(plan.who("Zubr"), plan.space, budget, points={food: 4, lawyers: 6})
    actions.vote(plan.who("Vasilek"), plan.space, budget, points={transport: 10})
    actions.vote(plan.who("Rusalka"), plan.space, budget, points={lawyers: 3, transport: 7})
    plan.to_close()
    actions.close(plan.who("Rusalka"), plan.space, budget)
    page = clean(f"/planning/{plan.space}/budgets/{budget}/")
    assert "data-winner" in page
    clean(f"/planning/{plan.space}/budgets/")
