"""The only writers of planning state: each action appends one signed event.

``propose_payouts`` writes the fund's own ``fund.payout`` events through the fund's
action, one per winning project, so the money trail runs from the decision to the
payout in the fund's ledger and report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from veche.apps.fund import actions as fund_actions
from veche.apps.fund.models import Payout, Receipt
from veche.apps.planning.models import Budget, BudgetVote, Project
from veche.apps.store.log import record
from veche.events import Event, Identity, RuleViolation
from veche.events.envelope import format_time


def open_budget(
    identity: Identity,
    space: str,
    *,
    title: str,
    amount: int,
    currency: str = "BYN",
    rule: str = "mes",
    ballot: str = "approval",
    points: int | None = None,
    from_fund: bool = False,
    proposals_close: datetime | str,
    votes_close: datetime | str,
    at: datetime | None = None,
) -> Event:
    def when(value: datetime | str) -> str:
        return value if isinstance(value, str) else format_time(value.astimezone(UTC))

    body = {
        "title": title.strip(),
        "amount": amount,
        "currency": currency,
        "rule": rule,
        "from_fund": from_fund,
        "proposals_close": when(proposals_close),
        "votes_close": when(votes_close),
    }
    if ballot != "approval":
        body["ballot"] = ballot
    if points is not None:
        body["points"] = points
    return record(identity, space=space, kind="budget.open", body=body, at=at)


def propose_project(
    identity: Identity,
    space: str,
    budget: str,
    *,
    name: str,
    cost: int,
    description: str = "",
    at: datetime | None = None,
) -> Event:
    body: dict[str, Any] = {"budget": budget, "name": name.strip(), "cost": cost}
    if description.strip():
        body["description"] = description.strip()
    return record(identity, space=space, kind="budget.propose", body=body, deps=[budget], at=at)


def vote(
    identity: Identity,
    space: str,
    budget: str,
    approve: list[str] | None = None,
    at: datetime | None = None,
    *,
    points: dict[str, int] | None = None,
) -> Event:
    """An approval ballot (``approve``) or, on a points budget, ``points`` per project
    (projects given 0 are left out)."""
    body: dict[str, Any] = {"budget": budget}
    if points is not None:
        body["points"] = {p: n for p, n in sorted(points.items()) if n != 0}
    else:
        body["approve"] = sorted(set(approve or []))
    return record(identity, space=space, kind="budget.vote", body=body, deps=[budget], at=at)


def close(identity: Identity, space: str, budget: str, at: datetime | None = None) -> Event:
    """Count the budget from the votes held here and sign the result; every node counts again.

    The body is computed under the space's lock (``record`` evaluates it there).
    """
    from veche.apps.planning.kinds import ballot_of, count, result_body

    def body() -> dict[str, Any]:
        row = Budget.objects.filter(event=budget, space=space).first()
        if row is None:
            raise RuleViolation(
                "budget-known",
                "this is not a participatory budget of this committee",
                "body.budget",
            )
        votes = BudgetVote.objects.filter(budget=budget).order_by("voter")
        ballots = [ballot_of(row, v) for v in votes]
        projects = list(Project.objects.filter(budget=budget))
        return result_body(count(row, projects, ballots), budget)

    return record(identity, space=space, kind="budget.result", body=body, deps=[budget], at=at)


def payout_note(budget: Budget, project: Project) -> str:
    """The note of a winning project's payout: names the budget, so its page finds it."""
    return f"{budget.title}: {project.name} [budget {budget.event}]"[:500]


def propose_payouts(
    identity: Identity,
    space: str,
    budget: str,
    *,
    day: str | None = None,
    at: datetime | None = None,
) -> list[Event]:
    """A treasurer proposes the fund's payouts for the budget's winning projects not yet
    proposed; each still needs the fund's k treasurer approvals."""
    row = Budget.objects.filter(event=budget, space=space).first()
    if row is None or row.status != Budget.Status.DECIDED:
        raise RuleViolation("budget-decided", "this budget is not decided yet", "body.budget")
    if not row.from_fund:
        raise RuleViolation(
            "budget-from-fund", "this budget is not paid from the fund", "body.budget"
        )
    projects = {p.event: p for p in Project.objects.filter(budget=budget)}
    made = set(
        Payout.objects.filter(space=space, note__contains=f"[budget {budget}]").values_list(
            "note", flat=True
        )
    )
    today = day or datetime.now(UTC).date().isoformat()
    events = []
    for winner in row.winners:
        project = projects[winner]
        note = payout_note(row, project)
        if note in made:
            continue
        event, salt = fund_actions.propose_payout(
            identity,
            space,
            recipient=project.name[:200],
            amount=project.cost,
            currency=row.currency,
            source="bank",
            day=today,
            note=note,
            at=at,
        )
        # Kept as the fund's payout form keeps it: the treasurers can print the receipt.
        Receipt.objects.create(space=space, payout=event.id, salt=salt)
        events.append(event)
    return events


def publish_survey(identity: Identity, council: str, election: str) -> Event:
    """Publish a member committee's needs-survey totals to its council (signed by a member
    or delegate of the council); every node recomputes the totals from the survey's
    verified result. Only totals leave the committee."""
    from veche.apps.elections.models import Election
    from veche.apps.planning.kinds import survey_totals

    row = Election.objects.filter(space=election).first()
    if row is None or not row.result_event:
        raise RuleViolation(
            "survey-result",
            "not the verified result of this survey's election on this node",
            "body.election",
        )
    items = survey_totals(
        row.body.get("questions", []),
        list(row.counts or []),
        totals=bool(row.body.get("totals")),
    )
    body = {
        "election": election,
        "result": row.result_event,
        "title": row.title,
        "items": items or [],
    }
    return record(
        identity,
        space=council,
        kind="survey.summary",
        body=body,
        deps=[row.result_event],
    )


def open_survey(
    identity: Identity,
    committee: str,
    *,
    motion: str,
    title: str,
    items: list[tuple[str, int]],
    trustees: list[tuple[str, str]],
    threshold: int,
) -> Event:
    """A needs survey is the committee's own election (election-v1): one question per item,
    whose options are the quantities 1..max (at most one marked, none for 0), with
    ``totals``: the tally is one ciphertext per item, its total, so no per-quantity count
    is ever decrypted. Called by a passed ``election`` motion, as any committee election."""
    from veche.apps.elections import actions as elections

    questions = [
        {"text": text, "options": [str(n) for n in range(1, most + 1)], "min": 0, "max": 1}
        for text, most in items
    ]
    return elections.create_election(
        identity,
        committee=committee,
        motion=motion,
        title=title,
        questions=questions,
        method="plurality",
        seats=1,
        trustees=trustees,
        threshold=threshold,
        totals=True,
    )
