"""Forms for the strike pages: register a workplace, record a status."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
