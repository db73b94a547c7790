"""Fund pages: the ledger for members, forms for treasurers, reports for everyone.

Only members of the committee see its ledger (others get 404); only the
treasurers named in the fund's rules record entries, propose and approve
payouts and publish reports (other members get 403). Anonymous visitors see
published reports only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from veche.apps.committees.access import active_member_names, committee_names
from veche.apps.fund import access, actions
from veche.apps.fund.forms import (
    CheckPayoutForm,
    CostForm,
    DonationForm,
    FundForm,
    PayoutForm,
    PublishForm,
)
from veche.apps.fund.labels import period_label
from veche.apps.fund.models import Fund, Payout, Receipt
from veche.apps.fund.receipts import ReceiptData, receipt_text
from veche.apps.fund.reports import document_of, report_context
from veche.apps.fund.templatetags.money import money
from veche.events import Event, Identity
from veche.solidarity.commitment import CommitmentError
from veche.solidarity.ledger import ACCOUNTS
from veche.solidarity.report import document_bytes, find_payout, render_html
from veche.web.confirm import Confirmation, ask, confirmed, isolated
from veche.web.templatetags.veche import day
from veche.web.viewer import run_signed_action, unlocked, viewer


@login_required
def ledger(request: HttpRequest, space: str) -> HttpResponse:
    key = viewer(request)
    committee, fund = access.access_ledger_by_space(key, space)
    treasurer = access.is_treasurer(key, fund)
    members = active_member_names(space)
    context: dict[str, Any] = {
        "committee": committee,
        "fund": fund,
        "treasurer": treasurer,
        "accounts": ACCOUNTS,
        "names": members,
        "treasurer_names": [members.get(k, k[:8]) for k in fund.treasurers] if fund else [],
    }
    if fund is None:
        context["fund_form"] = FundForm(members=members, initial={"treasurers": [key], "k": 1})
    else:
        context.update(access.ledger_view(fund))
        if treasurer:
            context.update(
                donation_form=DonationForm(prefix="donation"),
                cost_form=CostForm(prefix="cost"),
                payout_form=PayoutForm(prefix="payout"),
                publish_form=PublishForm(prefix="publish"),
            )
    return render(request, "fund/ledger.html", context)


def _signed(
    request: HttpRequest,
    space: str,
    *,
    treasurer_only: bool,
    form: Callable[[], forms.Form] | None,
    act: Callable[[Identity, dict[str, Any]], Event | None],
    done: str,
    after: Callable[[Event], HttpResponse] | None = None,
) -> HttpResponse:
    """Check who may sign (404 for non-members, 403 for members who are not treasurers),
    then the form, then sign; every outcome is a message on the ledger page."""
    key = viewer(request)
    if treasurer_only:
        if not access.is_treasurer(key, access.access_fund_by_space(key, space)):
            raise PermissionDenied(_("Only the fund's treasurers may do this."))
    else:
        access.check_ledger_readable(key, space)
    filled = form() if form is not None else None
    # A locked key is said first: a form is not worth correcting until it can be signed.
    if filled is not None and not filled.is_valid() and unlocked(request) is not None:
        problems = "; ".join(
            _problem(filled, name, [str(e) for e in errors])
            for name, errors in filled.errors.items()
        )
        messages.error(request, _("Nothing was recorded: %(problems)s") % {"problems": problems})
    else:
        event = run_signed_action(
            request,
            lambda identity: act(identity, filled.cleaned_data if filled is not None else {}),
            done=done,
        )
        if event is not None and after is not None:
            return after(event)
    return redirect("fund:ledger", space=space)


@login_required
@require_POST
def create(request: HttpRequest, space: str) -> HttpResponse:
    return _signed(
        request,
        space,
        treasurer_only=False,
        form=lambda: FundForm(request.POST, members=active_member_names(space)),
        act=lambda identity, data: actions.create_fund(
            identity, space, name=data["name"], treasurers=data["treasurers"], k=data["k"]
        ),
        done=_("The fund is set up."),
    )


def _entry(data: dict[str, Any]) -> dict[str, Any]:
    """A ledger entry form's fields as the action takes them: the same names (the forms
    are made so), the day as ISO text."""
    return {**data, "day": data["day"].isoformat()}


@login_required
@require_POST
def donation(request: HttpRequest, space: str) -> HttpResponse:
    return _signed(
        request,
        space,
        treasurer_only=True,
        form=lambda: DonationForm(request.POST, prefix="donation"),
        act=lambda identity, data: actions.record_donation(identity, space, **_entry(data)),
        done=_("Donation recorded."),
    )


@login_required
@require_POST
def cost(request: HttpRequest, space: str) -> HttpResponse:
    return _signed(
        request,
        space,
        treasurer_only=True,
        form=lambda: CostForm(request.POST, prefix="cost"),
        act=lambda identity, data: actions.record_cost(identity, space, **_entry(data)),
        done=_("Cost recorded."),
    )


@login_required
@require_POST
def payout(request: HttpRequest, space: str) -> HttpResponse:
    def act(identity: Identity, data: dict[str, Any]) -> Event:
        event, salt = actions.propose_payout(
            identity,
            space,
            recipient=data["recipient"],
            amount=data["amount"],
            currency=data["currency"],
            source=data["source"],
            day=data["day"].isoformat(),
            note=data["note"],
        )
        # Kept on this node for its treasurers only, so the receipt can be printed again.
        Receipt.objects.create(space=space, payout=event.id, salt=salt)
        return event

    return _signed(
        request,
        space,
        treasurer_only=True,
        form=lambda: PayoutForm(request.POST, prefix="payout"),
        act=act,
        done=_(
            "Payout proposed; it takes effect after the treasurers' approvals. "
            "Print the receipt below, or show its QR code, and hand it to the recipient."
        ),
        after=lambda event: redirect("fund:receipt", space=space, payout=event.id),
    )


@login_required
def receipt(request: HttpRequest, space: str, payout: str) -> HttpResponse:
    """The recipient's receipt, for the treasurers to print or show as a QR code: the
    pseudonym, amount and salt the recipient needs to find their payout in a report."""
    fund, row, kept = access.access_receipt_by_payout(viewer(request), space, payout)
    context: dict[str, Any] = {"fund": fund, "payout": row, "receipt": kept}
    if kept is not None:
        text = receipt_text(ReceiptData(row.recipient, row.amount, row.currency, kept.salt))
        context.update(
            qr_svg=segno.make(text, error="m").svg_inline(scale=4, dark="#1b1b1b"),
            qr_text=text,
            period=period_label(row.day[:7]),
            reports_url=request.build_absolute_uri(reverse("fund:reports")),
        )
    response = render(request, "fund/receipt.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def approve(request: HttpRequest, space: str, payout: str) -> HttpResponse:
    if not confirmed(request):
        key = viewer(request)
        fund = access.access_fund_by_space(key, space)
        if not access.is_treasurer(key, fund):
            raise PermissionDenied(_("Only the fund's treasurers may do this."))
        assert fund is not None  # a treasurer's fund exists
        row = Payout.objects.filter(space=space, event=payout).first()
        if row is None or row.status != Payout.Status.PENDING:
            messages.error(request, _("This payout is not waiting for approval."))
            return redirect("fund:ledger", space=space)
        return ask(request, _approval_confirmation(fund, row))
    return _signed(
        request,
        space,
        treasurer_only=True,
        form=None,
        act=lambda identity, _data: actions.approve_payout(identity, space, payout),
        done=_("Approval signed."),
    )


def _approval_confirmation(fund: Fund, payout: Payout) -> Confirmation:
    """What approving a payout means: the money leaves the fund once enough treasurers
    have approved, and this approval may be the one that makes it so."""
    amount = money(payout.amount, payout.currency)
    last = payout.approvals + 1 >= fund.k
    consequences = [
        _(
            "You vouch, with your signature, that this payout is right: that %(recipient)s "
            "is a vetted recipient and that %(amount)s is what was agreed."
        )
        % {"recipient": isolated(payout.recipient), "amount": amount},
        _(
            "Yours is the last approval needed: the payout takes effect now, and the money "
            "is recorded as paid out of the fund."
        )
        if last
        else ngettext(
            "After yours, %(n)d more treasurer's approval is needed before it takes effect.",
            "After yours, %(n)d more treasurers' approvals are needed before it takes effect.",
            fund.k - payout.approvals - 1,
        )
        % {"n": fund.k - payout.approvals - 1},
        _("An approval cannot be withdrawn; the fund's public reports will include the payout."),
    ]
    return Confirmation(
        question=_("Approve the payout of %(amount)s?") % {"amount": amount},
        consequences=consequences,
        button=_("Sign the approval"),
        back=reverse("fund:ledger", args=[fund.space]),
        facts=[
            (_("Recipient"), payout.recipient),
            (_("Amount"), amount),
            (_("Paid from"), str(payout.source_label)),
            (_("Day"), day(payout.day)),
            (_("Note"), payout.note or "—"),
            (_("Approvals"), f"{payout.approvals}/{fund.k}"),
        ],
    )


@login_required
@require_POST
def publish(request: HttpRequest, space: str) -> HttpResponse:
    return _signed(
        request,
        space,
        treasurer_only=True,
        form=lambda: PublishForm(request.POST, prefix="publish"),
        act=lambda identity, data: actions.publish_report(identity, space, data["period"]),
        done=_("Report published."),
    )


def _problem(form: forms.Form, name: str, errors: Iterable[str]) -> str:
    """One field's errors, named by the field's label (not its code)."""
    field = form.fields.get(name)
    text = " ".join(errors)
    return f"{field.label}: {text}" if field is not None else text


# -- public --------------------------------------------------------------------------


def report_list(request: HttpRequest) -> HttpResponse:
    reports = list(access.published_reports())
    names = committee_names([r.space for r in reports])
    return render(
        request,
        "fund/reports.html",
        {"reports": [(r, r.content["fund"]["name"], names.get(r.space, "")) for r in reports]},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def report_page(request: HttpRequest, event: str) -> HttpResponse:
    """A published report in the reader's language, with the form where a recipient
    checks that their payout is counted (the same check as ``veche fund check-payout``)."""
    report = access.access_report_by_event(event)
    document = document_of(report)
    check = CheckPayoutForm(request.POST if request.method == "POST" else None)
    found: list[dict[str, Any]] | None = None
    if request.method == "POST" and check.is_valid():
        data = check.cleaned_data
        try:
            found = find_payout(
                document,
                salt=data["salt"],
                recipient=data["recipient"],
                amount=data["amount"],
                currency=data["currency"],
            )
        except CommitmentError:
            check.add_error("salt", _("This is not a salt as a receipt gives it."))
    response = render(
        request,
        "fund/report.html",
        {**report_context(report, document), "check": check, "found": found},
    )
    if request.method == "POST":
        response["Cache-Control"] = "no-store"
    return response


def report_file(request: HttpRequest, event: str) -> HttpResponse:
    """report.html, the self-contained file ``veche fund verify-report`` checks next to
    report.json (its byte-exact rendering, so it stays in one language)."""
    report = access.access_report_by_event(event)
    response = HttpResponse(
        render_html(document_of(report)), content_type="text/html; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="report.html"'
    return response


def report_json(request: HttpRequest, event: str) -> HttpResponse:
    report = access.access_report_by_event(event)
    response = HttpResponse(document_bytes(document_of(report)), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="report.json"'
    return response
