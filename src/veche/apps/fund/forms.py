"""Forms for the fund pages. Amounts are typed in major units and kept in minor units."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from veche.apps.fund.labels import ACCOUNT_LABELS
from veche.apps.store.reasons import refusal_text
from veche.solidarity.ledger import CURRENCIES, HOLDINGS, LedgerError, parse_amount

CURRENCY_CHOICES = [(c, c) for c in CURRENCIES]
HOLDING_CHOICES = [(h, ACCOUNT_LABELS[h]) for h in sorted(HOLDINGS)]  # bank first: the usual case


class AmountField(forms.CharField):
    """'150.50' -> 15050: decimal text, never a float."""

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return text
        try:
            return parse_amount(str(text))
        except LedgerError as error:
            raise forms.ValidationError(refusal_text(error)) from error


class DayField(forms.DateField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Day"))
        super().__init__(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d"],
            **kwargs,
        )


class FundForm(forms.Form):
    name = forms.CharField(label=_("Fund name"), min_length=2, max_length=200)
    treasurers = forms.MultipleChoiceField(
        label=_("Treasurers (members of the committee)"), widget=forms.CheckboxSelectMultiple
    )
    k = forms.IntegerField(label=_("Approvals needed for a payout (k)"), min_value=1, max_value=20)

    def __init__(self, *args: Any, members: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        treasurers = self.fields["treasurers"]
        assert isinstance(treasurers, forms.MultipleChoiceField)
        by_name: list[tuple[str, str]] = sorted(members.items(), key=lambda kv: kv[1])
        treasurers.choices = by_name

    def clean_treasurers(self) -> list[str]:
        return sorted(set(self.cleaned_data["treasurers"]))


class DonationForm(forms.Form):
    day = DayField()
    amount = AmountField(label=_("Amount"))
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    account = forms.ChoiceField(label=_("Received into"), choices=HOLDING_CHOICES)
    donor = forms.CharField(label=_("Donor (pseudonym, optional)"), required=False, max_length=100)
    memo = forms.CharField(label=_("Memo"), required=False, max_length=500)


class CostForm(forms.Form):
    day = DayField()
    amount = AmountField(label=_("Amount"))
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    account = forms.ChoiceField(label=_("Paid from"), choices=HOLDING_CHOICES)
    memo = forms.CharField(label=_("What for"), max_length=500)


class PayoutForm(forms.Form):
    day = DayField()
    recipient = forms.CharField(
        label=_("Recipient id (pseudonymous, from the vetting committee)"), max_length=200
    )
    amount = AmountField(label=_("Amount"))
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    source = forms.ChoiceField(label=_("Paid from"), choices=HOLDING_CHOICES)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class PublishForm(forms.Form):
    period = forms.CharField(
        label=_("Period (a month like 2020-08, or all)"), max_length=7, initial="2020-08"
    )
