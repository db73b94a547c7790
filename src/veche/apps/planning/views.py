"""Planning pages: a committee's participatory budgets, one budget's projects, votes and
result. Reads go through ``access``; writes through ``actions``. Members only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from veche.apps.committees.access import active_member_names
from veche.apps.fund import access as fund_access
from veche.apps.fund.models import Fund, Payout
from veche.apps.planning import access, actions
from veche.apps.planning.forms import BudgetForm, PointsForm, ProjectForm, VoteForm
from veche.apps.planning.labels import BALLOT_LABELS, RULE_LABELS, STATUS_LABELS, explanation
from veche.apps.planning.models import Budget, BudgetVote, Project
from veche.events import Event, Identity, envelope
from veche.events.envelope import format_time
from veche.web.labels import label
from veche.web.viewer import run_signed_action, unlocked, viewer


def _now() -> datetime:
    """The clock new events are stamped with (the one tests move: tests/clock.py), so the
    page offers what the rules will accept."""
    clock: type[datetime] = vars(envelope)["datetime"]
    return clock.now(UTC)


@login_required
def budgets(request: HttpRequest, space: str) -> HttpResponse:
    committee, rows = access.access_budgets_by_space(viewer(request), space)
    return render(
        request,
        "planning/budgets.html",
        {
            "committee": committee,
            "budgets": [(b, label(STATUS_LABELS, b.status)) for b in rows],
            "form": BudgetForm(),
        },
    )


@login_required
def budget_detail(request: HttpRequest, space: str, budget: str) -> HttpResponse:
    return _detail(request, space, budget)


def _detail(
    request: HttpRequest, space: str, budget: str, points_form: PointsForm | None = None
) -> HttpResponse:
    key = viewer(request)
    committee, row = access.access_budget_by_id(key, space, budget)
    now = format_time(_now())
    projects = list(Project.objects.filter(budget=budget).order_by("name", "event"))
    names = active_member_names(space)
    names_of = {p.event: p.name for p in projects}
    outcomes = {o["project"]: o for o in row.outcomes}
    # One query for every vote of the budget: the reader's, and those the result did not count.
    votes = list(BudgetVote.objects.filter(budget=budget).order_by("at", "event"))
    persons = set(_persons(key, space))
    mine = next((v for v in votes if v.voter in persons), None)
    proposing = now < row.proposals_close
    voting = row.proposals_close <= now < row.votes_close and row.status == "open"
    fund = Fund.objects.filter(space=space).first() if row.from_fund else None
    return render(
        request,
        "planning/budget.html",
        {
            "committee": committee,
            "budget": row,
            "rule": label(RULE_LABELS, row.rule),
            "status": label(STATUS_LABELS, row.status),
            "projects": [
                (
                    p,
                    names.get(p.proposer, p.proposer[:8]),
                    outcomes.get(p.event),
                    explanation(outcomes[p.event], row.currency, row.ballot)
                    if p.event in outcomes
                    else "",
                )
                for p in projects
            ],
            "winners": [p for w in row.winners for p in projects if p.event == w],
            "uncounted": _uncounted(row, votes, names),
            "proposing": proposing,
            "voting": voting,
            "closable": row.status == "open" and now >= row.votes_close,
            "project_form": ProjectForm() if proposing else None,
            "ballot": label(BALLOT_LABELS, row.ballot),
            "vote_form": VoteForm(
                projects=[(p.event, p.name) for p in projects],
                initial={"approve": mine.approve if mine else []},
            )
            if voting and row.ballot == "approval"
            else None,
            "points_form": (
                points_form
                or PointsForm(
                    projects=[(p.event, p.name) for p in projects],
                    total=row.points,
                    initial={f"points-{e}": n for e, n in (mine.points if mine else {}).items()},
                )
            )
            if voting and row.ballot == "points"
            else None,
            "my_points": sorted(
                ((names_of.get(e, e[:8]), n) for e, n in mine.points.items()),
            )
            if mine is not None and row.ballot == "points"
            else [],
            "voted": mine is not None,
            "treasurer": fund_access.is_treasurer(key, fund),
            "payouts": list(
                Payout.objects.filter(space=space, note__contains=f"[budget {budget}]").order_by(
                    "event"
                )
            ),
        },
    )


def _uncounted(
    row: Budget, votes: list[BudgetVote], names: dict[str, str]
) -> list[tuple[str, BudgetVote]]:
    """Votes held here that the decided budget's result did not count: signed in time
    but not in the result's causal past (planning-v1 §4), so kept and shown, not counted."""
    if row.status != Budget.Status.DECIDED:
        return []
    counted = set(row.counted)
    return [(names.get(v.voter, v.voter[:8]), v) for v in votes if v.event not in counted]


def _persons(key: str | None, space: str) -> list[str]:
    """The viewer's person key (the key they signed in with is their person's, or one of
    its devices'); votes are kept by person."""
    from veche.apps.committees.models import Member

    if key is None:
        return []
    person = Member.objects.filter(space=space, key=key).values_list("person", flat=True).first()
    return [person or key]


def _signed(
    request: HttpRequest,
    space: str,
    back: Callable[[], HttpResponse],
    form: forms.Form | None,
    act: Callable[[Identity, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """Sign ``act`` with the form's data; every outcome is a message on the page ``back``."""
    if form is not None and not form.is_valid() and unlocked(request) is not None:
        problems = "; ".join(
            f"{form.fields[n].label}: {' '.join(str(e) for e in errors)}"
            if n in form.fields
            else " ".join(str(e) for e in errors)
            for n, errors in form.errors.items()
        )
        messages.error(request, _("Nothing was recorded: %(problems)s") % {"problems": problems})
        return back()
    run_signed_action(
        request,
        lambda identity: act(identity, form.cleaned_data if form is not None else {}),
        done=done,
    )
    return back()


@login_required
@require_POST
def open_budget(request: HttpRequest, space: str) -> HttpResponse:
    access.access_budgets_by_space(viewer(request), space)
    made: list[Event] = []

    def act(identity: Identity, data: dict[str, Any]) -> Event:
        now = _now().replace(microsecond=0)
        proposals = now + timedelta(hours=data["proposal_hours"])
        event = actions.open_budget(
            identity,
            space,
            title=data["title"],
            amount=data["amount"],
            currency=data["currency"],
            rule=data["rule"],
            ballot=data["ballot"],
            points=data["points"],
            from_fund=data["from_fund"],
            proposals_close=proposals,
            votes_close=proposals + timedelta(hours=data["voting_hours"]),
        )
        made.append(event)
        return event

    def back() -> HttpResponse:
        if made:
            return redirect("planning:budget", space=space, budget=made[0].id)
        return redirect("planning:budgets", space=space)

    return _signed(request, space, back, BudgetForm(request.POST), act, _("The budget is open."))


def _back(space: str, budget: str) -> Callable[[], HttpResponse]:
    return lambda: redirect("planning:budget", space=space, budget=budget)


@login_required
@require_POST
def propose(request: HttpRequest, space: str, budget: str) -> HttpResponse:
    access.access_budget_by_id(viewer(request), space, budget)
    return _signed(
        request,
        space,
        _back(space, budget),
        ProjectForm(request.POST),
        lambda identity, data: actions.propose_project(identity, space, budget, **data),
        _("Project proposed."),
    )


@login_required
@require_POST
def vote(request: HttpRequest, space: str, budget: str) -> HttpResponse:
    _committee, row = access.access_budget_by_id(viewer(request), space, budget)
    if row.ballot == "points":
        return _vote_points(request, space, row)
    # Any id is accepted here: the rule refuses one that is not a project of the budget.
    form = VoteForm(request.POST, projects=[(v, v) for v in request.POST.getlist("approve")[:100]])
    return _signed(
        request,
        space,
        _back(space, budget),
        form,
        lambda identity, data: actions.vote(identity, space, budget, list(data["approve"])),
        _("Your vote is recorded."),
    )


def _vote_points(request: HttpRequest, space: str, row: Budget) -> HttpResponse:
    """A points ballot: an invalid one (more points than the voter has, say) shows the
    page again with what was typed and the reason; nothing is signed."""
    projects = list(Project.objects.filter(budget=row.event).order_by("name", "event"))
    form = PointsForm(
        request.POST, projects=[(p.event, p.name) for p in projects], total=row.points
    )
    if not form.is_valid():
        return _detail(request, space, row.event, points_form=form)
    return _signed(
        request,
        space,
        _back(space, row.event),
        form,
        lambda identity, data: actions.vote(identity, space, row.event, points=data["points"]),
        _("Your vote is recorded."),
    )


@login_required
@require_POST
def close(request: HttpRequest, space: str, budget: str) -> HttpResponse:
    access.access_budget_by_id(viewer(request), space, budget)
    return _signed(
        request,
        space,
        _back(space, budget),
        None,
        lambda identity, data: actions.close(identity, space, budget),
        _("The budget is decided."),
    )


@login_required
@require_POST
def payouts(request: HttpRequest, space: str, budget: str) -> HttpResponse:
    key = viewer(request)
    _committee, row = access.access_budget_by_id(key, space, budget)
    fund = Fund.objects.filter(space=space).first()
    if not fund_access.is_treasurer(key, fund):
        raise PermissionDenied(_("Only the fund's treasurers may do this."))
    return _signed(
        request,
        space,
        _back(space, row.event),
        None,
        lambda identity, data: actions.propose_payouts(identity, space, budget),
        _("The winning projects are proposed as payouts; each needs the treasurers' approvals."),
    )


@login_required
def needs(request: HttpRequest, space: str) -> HttpResponse:
    key = viewer(request)
    committee, _rows = access.access_budgets_by_space(key, space)
    return render(
        request,
        "planning/needs.html",
        {"committee": committee, **access.needs_view(key, committee)},
    )


@login_required
@require_POST
def publish_needs(request: HttpRequest, space: str, election: str) -> HttpResponse:
    """Publish this committee's survey totals to its council (signed in the council)."""
    key = viewer(request)
    committee, _rows = access.access_budgets_by_space(key, space)
    if not committee.parent:
        raise PermissionDenied
    return _signed(
        request,
        space,
        lambda: redirect("planning:needs", space=space),
        None,
        lambda identity, data: actions.publish_survey(identity, committee.parent, election),
        _("The totals are published to the council."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def open_survey(request: HttpRequest, space: str) -> HttpResponse:
    """Open a needs survey (planning-v1 §6): a totals-only committee election, called by
    an election motion the viewer closed, its trustees picked as the election form does."""
    from veche.apps.committees.access import access_committee_by_space, is_participant
    from veche.apps.elections import access as election_access
    from veche.apps.elections.calls import callable_motions
    from veche.apps.planning.forms import SurveyForm
    from veche.apps.store.reasons import refusal_text
    from veche.web.viewer import account

    key = viewer(request)
    committee = access_committee_by_space(key, space)
    if not is_participant(key, space):
        raise Http404
    motions = callable_motions(space, key or "")[:50]
    candidates = [(name, t.key, t.box) for name, t in election_access.trustee_candidates(space)]
    form = SurveyForm(request.POST or None, motions=motions, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        event = run_signed_action(
            request,
            lambda identity: actions.open_survey(
                identity,
                space,
                motion=data["motion"],
                title=data["title"],
                items=data["items"],
                trustees=data["all_trustees"],
                threshold=data["threshold"],
            ),
            on_refused=lambda violation: form.add_error(None, refusal_text(violation)),
            locked_is_404=True,
        )
        if event is not None:
            return redirect("elections:detail", event.id)
    return render(
        request,
        "planning/survey_open.html",
        {
            "committee": committee,
            "form": form,
            "no_call": not motions,
            "no_candidates": not candidates,
            "has_key": election_access.active_trustee_key(account(request)) is not None,
        },
    )
