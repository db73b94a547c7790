"""Forms of the planning pages: open a budget, propose a project, vote, open a survey."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from veche.apps.elections.forms import ElectionForm
from veche.apps.fund.forms import CURRENCY_CHOICES, AmountField
from veche.apps.planning.labels import BALLOT_LABELS, RULE_LABELS


class BudgetForm(forms.Form):
    title = forms.CharField(label=_("Title"), min_length=2, max_length=200)
    amount = AmountField(label=_("Amount to share out"))
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="BYN")
    rule = forms.ChoiceField(
        label=_("How the winners are chosen"), choices=list(RULE_LABELS.items()), initial="mes"
    )
    ballot = forms.ChoiceField(
        label=_("How members vote"),
        choices=list(BALLOT_LABELS.items()),
        initial="approval",
        widget=forms.RadioSelect,
    )
    points = forms.IntegerField(
        label=_("Points each member gives (points ballots)"),
        min_value=1,
        max_value=100,
        initial=10,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    from_fund = forms.BooleanField(
        label=_("Paid from the committee's solidarity fund"), required=False
    )
    proposal_hours = forms.IntegerField(
        label=_("Hours to propose projects"), min_value=1, max_value=24 * 90, initial=72
    )
    voting_hours = forms.IntegerField(
        label=_("Then hours to vote"), min_value=1, max_value=24 * 90, initial=72
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("ballot") == "points" and not data.get("points"):
            self.add_error("points", _("Give how many points each member gives (1 to 100)."))
        if data.get("ballot") != "points":
            data["points"] = None
        return data


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Project"), min_length=2, max_length=200)
    cost = AmountField(label=_("Cost"))
    description = forms.CharField(
        label=_("What it does"), required=False, max_length=2000, widget=forms.Textarea
    )


class VoteForm(forms.Form):
    approve = forms.MultipleChoiceField(
        label=_("The projects you approve"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, projects: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approve"].choices = projects  # type: ignore[attr-defined]


class PointsForm(forms.Form):
    """A points ballot: how many points to each project (0 or blank for none), at most the
    budget's points in all. The rule checks the same (planning-v1 §3)."""

    def __init__(
        self, *args: Any, projects: list[tuple[str, str]], total: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.total = total
        for event, name in projects:
            self.fields[f"points-{event}"] = forms.IntegerField(
                label=name,
                min_value=0,
                max_value=total,
                required=False,
                widget=forms.NumberInput(
                    attrs={"inputmode": "numeric", "class": "points", "data-project": event}
                ),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = {
            name.removeprefix("points-"): value
            for name, value in data.items()
            if name.startswith("points-") and value
        }
        if sum(given.values()) > self.total:
            raise forms.ValidationError(
                _("You gave %(given)s points in all; you have %(total)s to give.")
                % {"given": sum(given.values()), "total": self.total}
            )
        data["points"] = given
        return data


SURVEY_ROWS = 6  # blank item rows on the page (no script): empty ones are ignored


class SurveyForm(ElectionForm):
    """A needs survey (planning-v1 §6): the election form's title, call and trustees, and
    up to six items, each its text, unit and the most one member may answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (
            "question",
            "options",
            "method",
            "seats",
            "divisor",
            "threshold_percent",
            "constituencies",
            "public_board",
        ):
            del self.fields[name]
        self.fields["title"].label = _("Survey title")
        for i in range(SURVEY_ROWS):
            self.fields[f"item_{i}"] = forms.CharField(
                label=_("Item %(n)d") % {"n": i + 1},
                required=False,
                max_length=300,
                widget=forms.TextInput(attrs={"placeholder": _("Food parcels per week")}),
            )
            self.fields[f"unit_{i}"] = forms.CharField(
                label=_("Unit"),
                required=False,
                max_length=100,
                widget=forms.TextInput(attrs={"placeholder": _("parcels")}),
            )
            self.fields[f"max_{i}"] = forms.IntegerField(
                label=_("At most"), required=False, min_value=1, max_value=200
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        items: list[tuple[str, int]] = []
        for i in range(SURVEY_ROWS):
            text = (data.get(f"item_{i}") or "").strip()
            unit = (data.get(f"unit_{i}") or "").strip()
            most = data.get(f"max_{i}")
            if not text:
                continue
            if not most:
                self.add_error(f"max_{i}", _("Give the most one member may answer (1 to 200)."))
                continue
            items.append((f"{text} ({unit})" if unit else text, int(most)))
        if not items:
            self.add_error("item_0", _("Give at least one item."))
        elif sum(most for _t, most in items) > 200:
            self.add_error(None, _("At most 200 answers over all items together."))
        elif len({t for t, _m in items}) != len(items):
            self.add_error(None, _("Each item must differ from the others."))
        data["items"] = items
        return data
