"""Committee pages. Reads go through ``access``; every write calls an action, which
appends one signed event; a refused event shows the rule's reason on the form."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from veche.apps.accounts import unlock
from veche.apps.accounts.actions import AccountError
from veche.apps.committees import actions, federation, tally
from veche.apps.committees.access import (
    can_read_space,
    is_participant,
    readable_committees,
    readable_spaces,
)
from veche.apps.committees.forms import (
    AmendForm,
    CommitteeForm,
    JoinForm,
    MotionForm,
    NewMemberForm,
    PostForm,
)
from veche.apps.committees.labels import METHOD_LABELS, MOTION_LABELS, label, stv_action
from veche.apps.committees.models import (
    Committee,
    Endorsement,
    Mandate,
    Member,
    Motion,
    Post,
    Seat,
    Vote,
    Vouch,
)
from veche.apps.store.models import EquivocationRecord
from veche.apps.store.reasons import refusal_text
from veche.events import Identity, RuleViolation
from veche.events.envelope import format_time

MEMBERS_PER_PAGE = 100


def _key(request: HttpRequest) -> str | None:
    return request.user.public_key if request.user.is_authenticated else None  # type: ignore[union-attr]


def _identity(request: HttpRequest) -> Identity:
    identity = request.identity()  # type: ignore[attr-defined]
    if identity is None:
        raise Http404  # locked: the unlock cookie is gone; sign in again
    return identity  # type: ignore[no-any-return]


def _committee(request: HttpRequest, space: str) -> Committee:
    committee = Committee.objects.filter(space=space).first()
    if committee is None or not can_read_space(_key(request), space):
        raise Http404
    return committee


def _refused(request: HttpRequest, violation: RuleViolation) -> None:
    messages.error(request, _("Refused: %(reason)s") % {"reason": refusal_text(violation)})


@login_required
def committee_list(request: HttpRequest) -> HttpResponse:
    committees = readable_committees(_key(request))
    return render(request, "committees/list.html", {"committees": committees})


@login_required
@require_http_methods(["GET", "POST"])
def committee_create(request: HttpRequest) -> HttpResponse:
    form = CommitteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = actions.create_committee(
                _identity(request),
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                level=form.cleaned_data["level"],
                pseudonym=form.cleaned_data["pseudonym"],
                rules=form.rules(),
                description=form.cleaned_data["description"],
            )
        except RuleViolation as violation:
            form.add_error(None, refusal_text(violation))
        else:
            return redirect("committees:detail", event.id)
    return render(request, "committees/create.html", {"form": form})


def _with_author_names(space: str, records: list[EquivocationRecord]) -> list[EquivocationRecord]:
    """Equivocation records with the author's pseudonym here (one query, none if empty)."""
    if records:
        names = dict(
            Member.objects.filter(space=space, key__in={r.author for r in records}).values_list(
                "key", "pseudonym"
            )
        )
        for record in records:
            record.pseudonym = names.get(record.author, "")  # type: ignore[attr-defined]
    return records


@login_required
def committee_detail(request: HttpRequest, space: str) -> HttpResponse:
    committee = _committee(request, space)
    key = _key(request)
    active = Member.objects.filter(space=space, status=Member.Status.ACTIVE).order_by(
        "pseudonym", "key"
    )
    page = Paginator(active, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    candidates = list(
        Member.objects.filter(space=space, status=Member.Status.CANDIDATE).order_by("pseudonym")[
            :200
        ]
    )
    vouches: dict[str, list[str]] = {}
    names = dict(
        Member.objects.filter(space=space, person__in=[c.person for c in candidates]).values_list(
            "person", "pseudonym"
        )
    )
    for voucher, candidate in Vouch.objects.filter(space=space).values_list("voucher", "candidate")[
        :2000
    ]:
        vouches.setdefault(candidate, []).append(voucher)
    voucher_names = dict(
        Member.objects.filter(
            space=space, person__in={v for vs in vouches.values() for v in vs}
        ).values_list("person", "pseudonym")
    )
    open_motions = Motion.objects.filter(space=space, status=Motion.Status.OPEN).order_by(
        "-proposed_at"
    )[:50]
    closed_motions = (
        Motion.objects.exclude(status=Motion.Status.OPEN)
        .filter(space=space)
        .order_by("-closed_at")[:50]
    )
    delegates = federation.delegates_of(space) if committee.kind == "council" else []
    context: dict[str, Any] = {
        "committee": committee,
        "members": page,
        "member_count": page.paginator.count,
        "candidates": [
            (c, [voucher_names.get(v, v[:8]) for v in vouches.get(c.person, [])])
            for c in candidates
        ],
        "open_motions": open_motions,
        "closed_motions": closed_motions,
        "posts": Post.objects.filter(space=space).order_by("-at", "event")[:20],
        "mandates": _with_pseudonyms(
            list(Mandate.objects.filter(space=space).order_by("-at")[:50])
        ),
        "delegates": delegates,
        "unverified_seats": federation.unverified_seats(space)
        if committee.kind == "council"
        else [],
        "parent": Committee.objects.filter(space=committee.parent).first()
        if committee.parent
        else None,
        "equivocations": _with_author_names(
            space, list(EquivocationRecord.objects.filter(space=space)[:20])
        ),
        "participant": is_participant(key, space),
        "is_member": Member.objects.filter(
            space=space, key=key, status=Member.Status.ACTIVE
        ).exists(),
        "my_mandates": _unseated_mandates(key, space) if committee.kind == "council" else [],
        "post_form": PostForm(),
        "names": names,
    }
    return render(request, "committees/detail.html", context)


def _with_pseudonyms(mandates: list[Mandate]) -> list[Mandate]:
    names = federation.pseudonyms({m.key for m in mandates})
    for mandate in mandates:
        mandate.pseudonym = names.get(mandate.key, mandate.key[:8])  # type: ignore[attr-defined]
    return mandates


def _unseated_mandates(key: str | None, council: str) -> list[Mandate]:
    if key is None or Seat.objects.filter(space=council, key=key).exists():
        return []
    return list(Mandate.objects.filter(parent=council, key=key, recalled_by=""))


@login_required
@require_POST
def post_message(request: HttpRequest, space: str) -> HttpResponse:
    _committee(request, space)
    form = PostForm(request.POST)
    if form.is_valid():
        try:
            actions.post(_identity(request), space, form.cleaned_data["text"])
        except RuleViolation as violation:
            _refused(request, violation)
    return redirect("committees:detail", space)


@login_required
@require_POST
def invite(request: HttpRequest, space: str) -> HttpResponse:
    committee = _committee(request, space)
    try:
        code, _event = actions.invite(_identity(request), space)
    except RuleViolation as violation:
        _refused(request, violation)
        return redirect("committees:detail", space)
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
    committee = Committee.objects.filter(space=space).first()
    if committee is None:
        raise Http404
    signed_in = request.user.is_authenticated
    form_class = JoinForm if signed_in else NewMemberForm
    initial = {"code": request.GET.get("code", "")}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if signed_in:
                actions.join(_identity(request), space, data["code"], data["pseudonym"])
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
            response = redirect("committees:detail", space)
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
    _committee(request, space)
    try:
        actions.vouch(_identity(request), space, key)
    except RuleViolation as violation:
        _refused(request, violation)
    else:
        messages.success(request, _("Your vouch was recorded."))
    return redirect("committees:detail", space)


@login_required
@require_POST
def leave(request: HttpRequest, space: str) -> HttpResponse:
    _committee(request, space)
    try:
        actions.leave(_identity(request), space)
    except RuleViolation as violation:
        _refused(request, violation)
        return redirect("committees:detail", space)
    messages.success(request, _("You left the committee."))
    return redirect("home")


@login_required
@require_POST
def take_seat(request: HttpRequest, space: str, mandate: str) -> HttpResponse:
    _committee(request, space)
    try:
        actions.take_seat(_identity(request), space, mandate)
    except RuleViolation as violation:
        _refused(request, violation)
    return redirect("committees:detail", space)


def _member_choices(space: str) -> list[tuple[str, str]]:
    return list(
        Member.objects.filter(
            space=space, status__in=[Member.Status.ACTIVE, Member.Status.CANDIDATE]
        )
        .order_by("pseudonym")
        .values_list("key", "pseudonym")[:500]
    )


def _target(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    target: dict[str, Any] = {}
    event_id = (data.get("target_event") or "").strip()
    if kind in ("admission", "expulsion", "revocation", "recall") and data.get("member"):
        target["key"] = data["member"]
    if kind == "revocation" and data.get("after_seq") is not None:
        target["after_seq"] = data["after_seq"]
    if kind == "recall" and event_id:
        target["mandate"] = event_id
    if kind == "federation_join" and event_id:
        target["parent"] = event_id
    if kind in ("ratification", "endorsement") and event_id:
        target["motion"] = event_id
    if kind == "federation_accept":
        if event_id:
            target["join"] = event_id
        if data.get("child"):
            target["child"] = data["child"].strip()
    return target


@login_required
@require_http_methods(["GET", "POST"])
def motion_propose(request: HttpRequest, space: str) -> HttpResponse:
    committee = _committee(request, space)
    members = _member_choices(space)
    initial = {
        k: request.GET[k] for k in ("kind", "target_event", "member", "child") if k in request.GET
    }
    form = MotionForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, method = data["kind"], data["method"]
        options = [line.strip() for line in data["options"].splitlines() if line.strip()]
        if kind == "delegate_election":
            options = list(data["candidates"])
        try:
            event = actions.propose(
                _identity(request),
                space,
                kind=kind,
                title=data["title"],
                text=data["text"],
                method=method,
                options=options or None,
                seats=data["seats"] if method in ("stv", "approval") and data["seats"] else None,
                deadline=format_time(data["deadline"].astimezone(UTC))
                if data["deadline"]
                else None,
                target=_target(kind, data) or None,
            )
        except RuleViolation as violation:
            form.add_error(None, refusal_text(violation))
        else:
            return redirect("committees:motion", space, event.id)
    return render(request, "committees/propose.html", {"committee": committee, "form": form})


@login_required
def motion_detail(request: HttpRequest, space: str, motion: str) -> HttpResponse:
    committee = _committee(request, space)
    row = Motion.objects.filter(space=space, event=motion).first()
    if row is None:
        raise Http404
    key = _key(request)
    standing = tally.standing(row)
    pseudonyms = dict(Member.objects.filter(space=space).values_list("person", "pseudonym"))
    votes = list(
        Vote.objects.filter(motion=row.event)
        .order_by("person")
        .values_list("person", "choice", "version", "mandate", "weight")[:1000]
    )
    # A delegate's person is their key; their name is the one their committee knows.
    delegates = {p for p, _, _, mandate, _ in votes if mandate and p not in pseudonyms}
    if delegates:
        pseudonyms.update(federation.pseudonyms(delegates))
    option_names = [
        pseudonyms.get(o, o[:10]) if row.kind == "delegate_election" else o for o in row.options
    ]
    my_person = (
        Member.objects.filter(space=space, key=key).values_list("person", flat=True).first() or key
    )
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
        "endorsements": Endorsement.objects.filter(letter_close=row.close_event).count()
        if row.close_event
        else 0,
        "endorsers": Committee.objects.filter(
            space__in=Endorsement.objects.filter(letter_close=row.close_event).values("space")
        ).order_by("name")
        if row.close_event
        else [],
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
    _committee(request, space)
    row = Motion.objects.filter(space=space, event=motion).first()
    if row is None:
        raise Http404
    try:
        if row.method == "yes_no":
            actions.vote(_identity(request), space, motion, choice=request.POST.get("choice", ""))
        elif row.method == "approval":
            picks = sorted({int(i) for i in request.POST.getlist("approve") if i.isdigit()})
            actions.vote(_identity(request), space, motion, approve=picks)
        else:
            ranks = []
            for index in range(len(row.options)):
                value = request.POST.get(f"rank_{index}", "").strip()
                if value.isdigit() and int(value) > 0:
                    ranks.append((int(value), index))
            groups: dict[int, list[int]] = {}
            for rank, index in sorted(ranks):
                groups.setdefault(rank, []).append(index)
            actions.vote(
                _identity(request), space, motion, ranking=[groups[r] for r in sorted(groups)]
            )
    except RuleViolation as violation:
        _refused(request, violation)
    else:
        messages.success(
            request, _("Your vote was recorded. You can change it until the vote closes.")
        )
    return redirect("committees:motion", space, motion)


@login_required
@require_POST
def motion_close(request: HttpRequest, space: str, motion: str) -> HttpResponse:
    _committee(request, space)
    try:
        actions.close(_identity(request), space, motion)
    except RuleViolation as violation:
        _refused(request, violation)
    return redirect("committees:motion", space, motion)


@login_required
@require_POST
def motion_amend(request: HttpRequest, space: str, motion: str) -> HttpResponse:
    _committee(request, space)
    form = AmendForm(request.POST)
    if form.is_valid():
        try:
            actions.amend(
                _identity(request),
                space,
                motion,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
            )
        except RuleViolation as violation:
            _refused(request, violation)
        else:
            messages.success(
                request, _("The motion was amended; earlier votes must be cast again.")
            )
    return redirect("committees:motion", space, motion)


@login_required
def federation_tree(request: HttpRequest) -> HttpResponse:
    visible = readable_spaces(_key(request))
    nodes = federation.tree(visible=visible)
    counts = dict(
        Member.objects.filter(space__in=visible, status=Member.Status.ACTIVE)
        .values("space")
        .annotate(n=Count("person", distinct=True))
        .values_list("space", "n")
    )
    return render(
        request,
        "committees/federation.html",
        {"nodes": nodes, "counts": counts},
    )
