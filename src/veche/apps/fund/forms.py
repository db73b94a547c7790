"""Forms for the fund pages. Amounts are typed in major units and kept in minor units."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from veche.apps.fund.labels import ACCOUNT_LABELS
from veche.apps.fund.receipts import parse_receipt_text
from veche.apps.fund.templatetags.money import money
from veche.solidarity.ledger import CURRENCIES, HOLDINGS, AmountError, parse_amount
from veche.solidarity.report import PeriodError, parse_period

CURRENCY_CHOICES = [(c, c) for c in CURRENCIES]
HOLDING_CHOICES = [(h, ACCOUNT_LABELS[h]) for h in sorted(HOLDINGS)]  # bank first: the usual case


def amount_locale() -> dict[str, str]:
    """The reader's decimal and thousands separators, as ``parse_amount`` takes them."""
    return {
        "decimal": str(formats.get_format("DECIMAL_SEPARATOR")),
        "group": str(formats.get_format("THOUSAND_SEPARATOR")),
    }


def amount_example() -> str:
    """An amount written the way the reader's pages write amounts: ``1 250,50``."""
    return money(125050)


def amount_error_text(error: AmountError) -> str:
    """Why an amount was refused, in the reader's language, with an example written the
    way the reader's own pages write amounts."""
    values = {"text": error.params.get("text", ""), "example": amount_example()}
    texts = {
        "amount-empty": gettext("Write an amount, like %(example)s."),
        "amount-positive": gettext("The amount must be more than zero."),
        "amount-max": gettext("The amount is too large for this fund."),
        "amount-ambiguous": gettext(
            "“%(text)s” can be read two ways (thousands or decimals). Write it like %(example)s."
        ),
        "amount-decimals": gettext(
            "“%(text)s” has more than two digits after the decimal separator. "
            "Write it like %(example)s."
        ),
        "amount-grouping": gettext(
            "In “%(text)s” the thousands are not groups of three digits. Write it like %(example)s."
        ),
    }
    text = texts.get(error.code, gettext("“%(text)s” is not an amount. Write it like %(example)s."))
    return str(text) % values


class AmountField(forms.CharField):
    """'350,50', '1 250,00' or '1250.5' -> minor units: decimal text, never a float, read
    with the reader's locale's separators."""

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs: dict[str, Any] = super().widget_attrs(widget)
        attrs.update(inputmode="decimal", autocomplete="off", maxlength="40")
        return attrs

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return text
        try:
            return parse_amount(str(text), **amount_locale())
        except AmountError as error:
            raise forms.ValidationError(amount_error_text(error)) from error


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

    def clean_period(self) -> str:
        period = str(self.cleaned_data["period"]).strip()
        try:
            parse_period(period)
        except PeriodError as error:
            if error.code == "month":
                raise forms.ValidationError(
                    _("“%(period)s” is no month of the calendar."), params={"period": period}
                ) from error
            raise forms.ValidationError(
                _("Write a month like 2020-08, or all for the whole time."),
            ) from error
        return period


class CheckPayoutForm(forms.Form):
    """A recipient checks their payout against a published report: the three values of
    their receipt typed in, or the text of its QR code pasted (it holds all three)."""

    receipt = forms.CharField(
        label=_("The text of your receipt's QR code (optional)"),
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Scan the code with your phone's camera and paste its text here."),
    )
    recipient = forms.CharField(label=_("Your pseudonym"), required=False, max_length=200)
    amount = AmountField(label=_("Amount"), required=False)
    salt = forms.CharField(
        label=_("Salt"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        data["currency"] = None
        if data.get("receipt"):
            receipt = parse_receipt_text(data["receipt"])
            if receipt is None:
                raise forms.ValidationError(
                    gettext("This is not the text of a Veche payout receipt.")
                )
            data.update(
                recipient=receipt.recipient,
                amount=receipt.amount,
                salt=receipt.salt,
                currency=receipt.currency,
            )
            return data
        for name in ("recipient", "amount", "salt"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, gettext("Write this from your receipt."))
        return data
