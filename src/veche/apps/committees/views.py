"""Committee pages. Reads go through ``access`` (``access_*`` checks, then reads of what
it let in); every write calls an action through ``run_signed_action``, which appends one
signed event; a refused event shows the rule's reason on the form or the next page.

A locked key (the unlock cookie is gone) answers 404 here: sign in again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from decimal import Decimal
from typing import Any, TypeVar

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from veche.apps.accounts import unlock
from veche.apps.accounts.actions import AccountError
from veche.apps.committees import (
    access,
    actions,
    closing,
    discussion,
    federation,
    needs,
    proposing,
    tally,
)
from veche.apps.committees.access import (
    access_committee_by_space,
    access_committee_to_join,
    access_motion_by_event,
    is_participant,
    readable_committees,
    readable_spaces,
)
from veche.apps.committees.forms import (
    KIND_HELP,
    AmendForm,
    CommitteeForm,
    JoinForm,
    NewMemberForm,
    ProposeForm,
    pair,
)
from veche.apps.committees.labels import (
    AUDIENCE_LABELS,
    METHOD_LABELS,
    MOTION_LABELS,
    stv_action,
)
from veche.apps.committees.models import Committee, Motion
from veche.apps.committees.rules.retention import in_force as retention_in_force
from veche.apps.store.reasons import refusal_text
from veche.events import Identity, RuleViolation
from veche.events.envelope import format_time
from veche.web.confirm import Confirmation, ask, confirmed, isolated
from veche.web.labels import label
from veche.web.viewer import run_signed_action, signer, viewer

MEMBERS_PER_PAGE = 100
T = TypeVar("T")


def _signed(
    request: HttpRequest,
    act: Callable[[Identity], T],
    *,
    done: str = "",
    form: forms.Form | None = None,
) -> T | None:
    """``run_signed_action`` as these pages use it: a locked key is a 404, a refusal goes
    on the form if there is one."""
    return run_signed_action(
        request,
        act,
        done=done,
        on_refused=(lambda violation: form.add_error(None, refusal_text(violation)))
        if form is not None
        else None,
        locked_is_404=True,
    )


@login_required
def committee_list(request: HttpRequest) -> HttpResponse:
    committees = readable_committees(viewer(request))
    return render(request, "committees/list.html", {"committees": committees})


@login_required
@require_http_methods(["GET", "POST"])
def committee_create(request: HttpRequest) -> HttpResponse:
    form = CommitteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        event = _signed(
            request,
            lambda identity: actions.create_committee(
                identity,
                name=data["name"],
                kind=data["kind"],
                level=data["level"],
                pseudonym=data["pseudonym"],
                rules=form.rules(),
                description=data["description"],
            ),
            form=form,
        )
        if event is not None:
            return redirect("committees:detail", event.id)
    return render(request, "committees/create.html", {"form": form})


@login_required
def committee_detail(request: HttpRequest, space: str) -> HttpResponse:
    key = viewer(request)
    committee = access_committee_by_space(key, space)
    page = Paginator(access.active_members(committee), MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    candidates = access.candidates(committee)
    names = access.pseudonyms_of_persons(committee, [c.person for c in candidates])
    vouches = access.vouches(committee)
    voucher_names = access.pseudonyms_of_persons(
        committee, {v for vs in vouches.values() for v in vs}
    )
    delegates = federation.delegates_of(space) if committee.kind == "council" else []
    open_motions = list(access.open_motions(committee))
    retention = retention_in_force(space) if committee.rules.get("retention_days") else None
    context: dict[str, Any] = {
        "committee": committee,
        "members": page,
        "member_count": page.paginator.count,
        "candidates": [
            (c, [voucher_names.get(v, v[:8]) for v in vouches.get(c.person, [])])
            for c in candidates
        ],
        "open_motions": open_motions,
        "voted": needs.voted_motions(key, committee, open_motions),
        "closed_motions": access.closed_motions(committee),
        "posts": access.posts(committee),
        "mandates": federation.with_pseudonyms(access.mandates(committee)),
        "delegates": delegates,
        "unverified_seats": federation.unverified_seats(space)
        if committee.kind == "council"
        else [],
        "parent": access.parent_of(committee),
        "equivocations": access.equivocations(committee),
        "participant": is_participant(key, space),
        "is_member": access.is_member(key, space),
        "my_mandates": access.unseated_mandates(key, committee)
        if committee.kind == "council"
        else [],
        "names": names,
        # The rule in force, not the rules' figure: days a founding space.create names,
        # or a rule change not yet applied, remove nothing (event-v1 §16.1).
        "retention_days": retention.days if retention is not None else 0,
    }
    return render(request, "committees/detail.html", context)


@login_required
@require_POST
def post_message(request: HttpRequest, space: str) -> HttpResponse:
    """Post to the committee. A text the form or the rules refuse is shown again on the
    message box with the reason (it used to be dropped without a word: the box's
    ``maxlength`` cut pastes, and CR LF line breaks counted twice against the limit)."""
    committee = access_committee_by_space(viewer(request), space)
    form = discussion.MessageForm(request.POST)
    if form.is_valid():
        text = form.cleaned_data["text"]
        if _signed(request, lambda identity: actions.post(identity, space, text), form=form):
            return redirect("committees:detail", space)
    return discussion.message_page(request, committee, form)


@login_required
@require_POST
def invite(request: HttpRequest, space: str) -> HttpResponse:
    committee = access_committee_by_space(viewer(request), space)
    invited = _signed(request, lambda identity: actions.invite(identity, space))
    if invited is None:
        return redirect("committees:detail", space)
    code, _event = invited
    url = request.build_absolute_uri(reverse("committees:join", args=[space])) + f"?code={code}"
    qr = segno.make(url, error="m")
    return render(
        request,
        "committees/invitation.html",
        {
            "committee": committee,
            "code": code,
            "url": url,
            "qr_svg": qr.svg_inline(scale=5, dark="#1b1b1b"),
        },
    )


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, space: str) -> HttpResponse:
    """Redeem an invitation: with the current account, or by making one here.

    A new member's key, account and join are made together or not at all
    (``actions.join_as_new_account``): a refused join leaves the invitation unused.
    """
    committee = access_committee_to_join(space)
    signed_in = request.user.is_authenticated
    form_class = JoinForm if signed_in else NewMemberForm
    initial = {"code": request.GET.get("code", "")}
    form = form_class(request.POST or None, initial=initial, committee=committee.name)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if signed_in:
                actions.join(signer(request), space, data["code"], data["pseudonym"])
                return redirect("committees:detail", space)
            _event, account, identity = actions.join_as_new_account(
                space, data["code"], data["pseudonym"], data["passphrase"]
            )
        except RuleViolation as violation:
            _join_refused(form, violation)
        except AccountError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
            if error.code == "taken":
                form.add_error(
                    field,
                    _(
                        "Choose another pseudonym. If it is yours on this node, sign in "
                        "first, then open the invitation link again."
                    ),
                )
        else:
            login(request, account, backend="veche.apps.accounts.backend.PassphraseBackend")
            # A new member's first page says what to do next and offers the key backup.
            response = redirect("accounts:welcome")
            unlock.unlock(request, response, identity.seed)
            return response
    return render(request, "committees/join.html", {"committee": committee, "form": form})


def _join_refused(form: Any, violation: RuleViolation) -> None:
    """The committee's refusal of a join, on the field it concerns, with what to do."""
    if violation.field == "body.pseudonym":
        form.add_error("pseudonym", refusal_text(violation))
        form.add_error("pseudonym", _("Choose another pseudonym."))
    elif violation.field == "body.code" or violation.rule in ("invitation", "invitation-used"):
        form.add_error("code", refusal_text(violation))
        form.add_error(
            "code", _("Check the code, or ask a member of the committee for a new invitation.")
        )
    else:
        form.add_error(None, refusal_text(violation))


@login_required
@require_POST
def vouch(request: HttpRequest, space: str, key: str) -> HttpResponse:
    access_committee_by_space(viewer(request), space)
    _signed(
        request,
        lambda identity: actions.vouch(identity, space, key),
        done=_("Your vouch was recorded."),
    )
    return redirect("committees:detail", space)


@login_required
@require_POST
def leave(request: HttpRequest, space: str) -> HttpResponse:
    key = viewer(request)
    committee = access_committee_by_space(key, space)
    if not confirmed(request):
        consequences = [
            _(
                "You stop being a member of %(committee)s: you can no longer vote, propose, "
                "post or read its new events."
            )
            % {"committee": isolated(committee.name)},
            _(
                "Coming back takes a new invitation, and the committee's admission rules "
                "apply again."
            ),
            _("What you signed stays in the committee's log."),
        ]
        return ask(
            request,
            Confirmation(
                question=_("Leave %(committee)s?") % {"committee": isolated(committee.name)},
                consequences=consequences,
                button=_("Leave the committee"),
                back=reverse("committees:detail", args=[space]),
            ),
        )
    if _signed(request, lambda identity: actions.leave(identity, space)) is None:
        return redirect("committees:detail", space)
    messages.success(request, _("You left the committee."))
    return redirect("home")


@login_required
@require_POST
def take_seat(request: HttpRequest, space: str, mandate: str) -> HttpResponse:
    access_committee_by_space(viewer(request), space)
    _signed(request, lambda identity: actions.take_seat(identity, space, mandate))
    return redirect("committees:detail", space)


@login_required
@require_http_methods(["GET", "POST"])
def motion_propose(request: HttpRequest, space: str) -> HttpResponse:
    """Pick a kind first (a list, each with a sentence), then that kind's form."""
    committee = access_committee_by_space(viewer(request), space)
    kinds = proposing.kinds(committee)
    kind = request.POST.get("kind") or request.GET.get("kind", "")
    if kind not in kinds:
        return render(
            request,
            "committees/propose.html",
            {
                "committee": committee,
                "kinds": [(k, MOTION_LABELS[k], KIND_HELP[k]) for k in kinds],
            },
        )
    initial: dict[str, Any] = {}
    if kind == "recall" and "target_event" in request.GET and "member" in request.GET:
        initial["delegate"] = pair(request.GET["target_event"], request.GET["member"])
    if kind in ("expulsion", "revocation", "admission") and "member" in request.GET:
        initial["member" if kind != "admission" else "candidate"] = request.GET["member"]
    if kind == "rule_change":
        initial.update(committee.rules)
    form = ProposeForm(
        request.POST or None, kind=kind, choices=proposing.pickers(committee, kind), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        picked = data.get("decision") or data.get("letter")
        target = form.target(
            after_seq=proposing.last_seq_before(
                space, data["member"], data["seized_at"].astimezone(UTC)
            )
            if kind == "revocation"
            else None,
            space=proposing.space_of(picked) if picked else "",
        )
        method = form.voting_method
        event = _signed(
            request,
            lambda identity: actions.propose(
                identity,
                space,
                kind=kind,
                title=data["title"],
                text=data["text"],
                method=method,
                options=form.ballot_options() or None,
                seats=data["seats"] if kind == "delegate_election" else None,
                deadline=format_time(data["deadline"].astimezone(UTC))
                if data["deadline"]
                else None,
                target=target or None,
            ),
            form=form,
        )
        if event is not None:
            return redirect("committees:motion", space, event.id)
    return render(
        request,
        "committees/propose.html",
        {
            "committee": committee,
            "form": form,
            "kind": kind,
            "kind_label": MOTION_LABELS[kind],
            "kind_help": KIND_HELP[kind],
        },
    )


@login_required
def motion_detail(request: HttpRequest, space: str, motion: str) -> HttpResponse:
    key = viewer(request)
    committee, row = access_motion_by_event(key, space, motion)
    standing = tally.standing(row)
    pseudonyms = access.all_pseudonyms(committee)
    votes = access.motion_votes(row)
    # A delegate's person is their key; their name is the one their committee knows.
    delegates = {p for p, _, _, mandate, _ in votes if mandate and p not in pseudonyms}
    if delegates:
        pseudonyms.update(federation.pseudonyms(delegates))
    option_names = [
        pseudonyms.get(o, o[:10]) if row.kind == "delegate_election" else o for o in row.options
    ]
    my_person = access.person_of(key, committee)
    mine = next((v for v in votes if v[0] == my_person), None)
    # Votes and closes this node could not verify (their delegates' seats are not
    # verified here): shown apart, never counted.
    unverified = (
        tally.unverified_acts(row) if committee.kind == "council" else tally.UnverifiedActs()
    )
    overlooked = tally.overlooked_recalls(row) if committee.kind == "council" else []
    if overlooked or unverified.votes:
        pseudonyms.update(
            federation.pseudonyms({o.key for o in overlooked} | {v.key for v in unverified.votes})
        )
    context = {
        "committee": committee,
        "motion": row,
        "kind_label": label(MOTION_LABELS, row.kind),
        "method_label": label(METHOD_LABELS, row.method),
        "standing": standing,
        "unverified": unverified,
        "unverified_votes": [
            {
                "who": pseudonyms.get(v.key, v.key[:10]),
                "choice": _describe_claimed(row, v.choice, option_names),
                "current": v.version == row.version,
                "event": v.event,
            }
            for v in unverified.votes
        ],
        "overlooked": [
            {
                "who": pseudonyms.get(o.key, o.key[:10]),
                "recall": o.recall,
                "at": o.recalled_at,
            }
            for o in overlooked
        ],
        "result": standing.result,
        "options": list(enumerate(option_names)),
        "votes": [
            {
                "who": pseudonyms.get(person, person[:10]),
                "choice": _describe_choice(row, choice, option_names),
                "current": version == row.version,
                "delegate": bool(mandate),
                "weight": weight,
            }
            for person, choice, version, mandate, weight in votes
        ],
        "my_vote": _describe_choice(row, mine[1], option_names) if mine else None,
        "participant": is_participant(key, space),
        "can_close": row.status == Motion.Status.OPEN
        and (my_person == row.proposer or bool(row.deadline)),
        "is_proposer": my_person == row.proposer,
        "amend_form": AmendForm(initial={"title": row.title, "text": row.text}),
        "ratifications": federation.ratifications(row),
        "appeal_audience": label(AUDIENCE_LABELS, row.target.get("audience", ""))
        if row.kind == "appeal"
        else "",
        "general": _general_progress(key, committee, row),
        "endorsements": access.endorsement_count(row),
        "endorsers": access.endorsers(row),
        "proposer_name": pseudonyms.get(row.proposer, row.proposer[:10]),
        "winner_names": [
            option_names[i]
            for i in standing.result.get("winners", standing.result.get("elected", []))
        ],
        **_stv_count(row, option_names, standing),
        "ranking_names": [
            [option_names[i] for i in tier] for tier in standing.result.get("ranking", [])
        ],
    }
    return render(request, "committees/motion.html", context)


def _general_progress(key: str | None, committee: Committee, row: Motion) -> Any:
    """A council's strike call counting plants' pledges (pledge-v1 §8): its progress."""
    if committee.kind != "council" or row.kind != "strike_call":
        return None
    from veche.apps.elections.pledge_views import general_progress

    return general_progress(key, row)


def _stv_count(motion: Motion, names: list[str], standing: tally.Standing) -> dict[str, Any]:
    """The STV count stage by stage: what each stage did, in words, and exact vote totals
    as decimals (so that the page writes them in the reader's number format)."""
    counted = tally.stv_stages(motion, standing)
    if not counted:
        return {"stages": [], "quota": None}
    stages = [
        {
            **stage,
            "action": stv_action(
                stage["action"],
                names[stage["candidate"]] if stage["candidate"] is not None else "",
            ),
            "votes": [Decimal(v) for v in stage["votes"]],
            "non_transferable": Decimal(stage["non_transferable"]),
        }
        for stage in counted[:-1]
    ]
    return {"stages": stages, "quota": Decimal(counted[-1]["quota"])}


def _describe_choice(motion: Motion, choice: Any, names: list[str]) -> str:
    if motion.method == "yes_no":
        return {"yes": _("yes"), "no": _("no"), "abstain": _("abstain")}.get(choice, str(choice))
    if motion.method == "approval":
        return ", ".join(names[i] for i in choice) or "—"
    return " > ".join(" = ".join(names[i] for i in group) for group in choice)


def _describe_claimed(motion: Motion, choice: Any, names: list[str]) -> str:
    """An unverified vote's choice: its rule never ran, so it may not fit the motion."""
    try:
        return _describe_choice(motion, choice, names)
    except (IndexError, KeyError, TypeError):
        return "—"


@login_required
@require_POST
def motion_vote(request: HttpRequest, space: str, motion: str) -> HttpResponse:
    _committee, row = access_motion_by_event(viewer(request), space, motion)
    choice: dict[str, Any]
    if row.method == "yes_no":
        choice = {"choice": request.POST.get("choice", "")}
    elif row.method == "approval":
        choice = {
            "approve": sorted({int(i) for i in request.POST.getlist("approve") if i.isdigit()})
        }
    else:
        ranks = []
        for index in range(len(row.options)):
            value = request.POST.get(f"rank_{index}", "").strip()
            if value.isdigit() and int(value) > 0:
                ranks.append((int(value), index))
        groups: dict[int, list[int]] = {}
        for rank, index in sorted(ranks):
            groups.setdefault(rank, []).append(index)
        choice = {"ranking": [groups[r] for r in sorted(groups)]}
    _signed(
        request,
        lambda identity: actions.vote(identity, space, motion, **choice),
        done=_("Your vote was recorded. You can change it until the vote closes."),
    )
    # A vote from the home page goes back there: only to a page of this node.
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("committees:motion", space, motion)


@login_required
@require_POST
def motion_close(request: HttpRequest, space: str, motion: str) -> HttpResponse:
    key = viewer(request)
    committee, row = access_motion_by_event(key, space, motion)
    if not confirmed(request) and closing.may_close(key, committee, row):
        return ask(request, closing.confirmation(committee, row))
    _signed(request, lambda identity: actions.close(identity, space, motion))
    return redirect("committees:motion", space, motion)


@login_required
@require_POST
def motion_amend(request: HttpRequest, space: str, motion: str) -> HttpResponse:
    access_committee_by_space(viewer(request), space)
    form = AmendForm(request.POST)
    if form.is_valid():
        _signed(
            request,
            lambda identity: actions.amend(
                identity,
                space,
                motion,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
            ),
            done=_("The motion was amended; earlier votes must be cast again."),
        )
    return redirect("committees:motion", space, motion)


@login_required
def federation_tree(request: HttpRequest) -> HttpResponse:
    visible = readable_spaces(viewer(request))
    nodes = federation.tree(visible=visible)
    counts = access.active_member_counts(visible)
    return render(
        request,
        "committees/federation.html",
        {"nodes": nodes, "counts": counts},
    )
