"""Forms for the strike pages: register a workplace, record a status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from veche.apps.strike.labels import REGION_NAMES, STATUS_LABELS


class WorkplaceForm(forms.Form):
    name = forms.CharField(label=_("Name"), min_length=2, max_length=200)
    city = forms.CharField(label=_("City"), max_length=100)
    region = forms.ChoiceField(label=_("Region"), choices=list(REGION_NAMES.items()))
    sector = forms.CharField(label=_("Sector"), max_length=100)
    workforce = forms.IntegerField(label=_("Workforce"), min_value=1, max_value=10_000_000)


class StatusForm(forms.Form):
    day = forms.DateField(
        label=_("From (day)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    status = forms.ChoiceField(label=_("Status"), choices=list(STATUS_LABELS.items()))
    out_percent = forms.IntegerField(
        label=_("Share of workers out (%)"), min_value=0, max_value=100, initial=0
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea)
    published = forms.BooleanField(
        label=_("Publish (the public sees this status on the map)"), required=False
    )


class BallotForm(forms.Form):
    """A secret strike ballot: the day, the quorum, the committee's call and the trustees;
    the question ("Strike from DAY?", yes or no) is preset."""

    day = forms.DateField(
        label=_("Strike from (day)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    quorum = forms.IntegerField(
        label=_("Quorum: votes cast needed (optional)"),
        min_value=1,
        max_value=10_000_000,
        required=False,
        help_text=_(
            "Yes wins with more yes than no among the votes cast; with a quorum, only if at "
            "least this many members voted. A no, a tie or a missed quorum changes nothing."
        ),
    )
    motion = forms.ChoiceField(
        label=_("Called by the committee's motion"),
        help_text=_(
            "The committee's passed motion to hold a secret ballot, which you closed: "
            "the ballot is the committee's only if its motion called it."
        ),
    )
    trustee_members = forms.MultipleChoiceField(
        label=_("Trustees"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members who registered a trustee key; any threshold of them decrypt."),
    )
    threshold = forms.IntegerField(
        label=_("Trustees needed to decrypt"), min_value=1, max_value=15, initial=2
    )

    def __init__(
        self,
        *args: Any,
        motions: Sequence[tuple[str, str]] = (),
        candidates: Sequence[tuple[str, str, str]] = (),
        **kwargs: Any,
    ) -> None:
        """``candidates``: (pseudonym, trustee key, box) of the members one may pick."""
        super().__init__(*args, **kwargs)
        self.fields["motion"].choices = list(motions)  # type: ignore[attr-defined]
        self.boxes = {key: box for _name, key, box in candidates}
        self.fields["trustee_members"].choices = [  # type: ignore[attr-defined]
            (key, name) for name, key, _box in candidates
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picked = [(key, self.boxes[key]) for key in data.get("trustee_members") or ()]
        data["trustees"] = picked
        if picked and data.get("threshold") and data["threshold"] > len(picked):
            self.add_error(
                "threshold",
                ngettext(
                    "At most the %(n)d trustee you picked.",
                    "At most the %(n)d trustees you picked.",
                    len(picked),
                )
                % {"n": len(picked)},
            )
        return data
