"""The form that creates an election in a committee."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from veche.events.encoding import is_b64_of_length


class ElectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), min_length=2, max_length=200)
    question = forms.CharField(label=_("Question"), max_length=500)
    options = forms.CharField(
        label=_("Options, one per line"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Candidates, or party lists for a party-list election."),
    )
    method = forms.ChoiceField(
        label=_("Counting method"),
        choices=[
            ("plurality", _("Plurality: one mark, most votes win")),
            ("approval", _("Approval: mark any number, most approvals win")),
            ("party_list", _("Party list: proportional seats")),
        ],
    )
    seats = forms.IntegerField(label=_("Winners or seats"), min_value=1, max_value=1000, initial=1)
    divisor = forms.ChoiceField(
        label=_("Seat method (party lists)"),
        choices=[("dhondt", _("D'Hondt")), ("sainte-lague", _("Sainte-Laguë"))],
        required=False,
    )
    threshold_percent = forms.DecimalField(
        label=_("National threshold, percent (party lists)"),
        min_value=0,
        max_value=100,
        decimal_places=3,
        required=False,
    )
    trustees = forms.CharField(
        label=_("Trustees, one per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Each trustee runs 'veche trustee keygen' on their own machine and gives you "
            "the line it prints (KEY:BOX)."
        ),
    )
    threshold = forms.IntegerField(
        label=_("Trustees needed to decrypt"), min_value=1, max_value=15, initial=2
    )
    motion = forms.ChoiceField(
        label=_("Called by the committee's motion"),
        help_text=_(
            "The committee's passed motion to hold this election, which you closed: "
            "the election is the committee's only if its motion called it."
        ),
    )
    public_board = forms.BooleanField(
        label=_("Publish the ballot board and the result to anyone holding the link"),
        required=False,
    )

    def __init__(self, *args: Any, motions: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["motion"].choices = list(motions)  # type: ignore[attr-defined]

    def clean_options(self) -> list[str]:
        options = [line.strip() for line in self.cleaned_data["options"].splitlines()]
        options = [o for o in options if o]
        if len(options) < 2:
            raise forms.ValidationError(_("Give at least two options."))
        if len(set(options)) != len(options):
            raise forms.ValidationError(_("Each option must differ from the others."))
        return options

    def clean_trustees(self) -> list[tuple[str, str]]:
        out = []
        for raw in self.cleaned_data["trustees"].splitlines():
            line = raw.strip()
            if not line:
                continue
            key, _sep, box = line.partition(":")
            if not (is_b64_of_length(key, 32) and is_b64_of_length(box, 32)):
                raise forms.ValidationError(
                    _("Each line is KEY:BOX as 'veche trustee keygen' prints it.")
                )
            out.append((key, box))
        if not out:
            raise forms.ValidationError(_("Name at least one trustee."))
        return out

    def question_body(self) -> dict[str, Any]:
        options = self.cleaned_data["options"]
        approval = self.cleaned_data["method"] == "approval"
        return {
            "text": self.cleaned_data["question"],
            "options": options,
            "min": 0 if approval else 1,
            "max": len(options) if approval else 1,
        }
