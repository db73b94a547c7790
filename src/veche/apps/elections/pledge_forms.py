"""The form for opening a strike pledge in a committee (format pledge-v1)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from veche.apps.elections.forms import parse_key_box
from veche.election.spec import MAX_TRUSTEES
from veche.pledge.spec import MAX_REVEAL, MAX_WORKFORCE


class PledgeForm(forms.Form):
    title = forms.CharField(label=_("Title"), min_length=2, max_length=200)
    workplace = forms.CharField(label=_("Workplace"), max_length=200)
    shop = forms.CharField(
        label=_("Shop, site or shift (optional)"), max_length=200, required=False
    )
    strike_date = forms.DateField(
        label=_("Strike from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateTimeField(
        label=_("Pledging closes"),
        help_text=_("In the node's time zone; the pledge records it in UTC."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    needed = forms.IntegerField(
        label=_("Workers needed"),
        min_value=1,
        max_value=MAX_WORKFORCE,
        required=False,
        help_text=_("The strike goes ahead if at least this many pledge."),
    )
    percent = forms.DecimalField(
        label=_("Or: percent of the workforce"),
        min_value=0,
        max_value=100,
        decimal_places=3,
        required=False,
    )
    workforce = forms.IntegerField(
        label=_("Workforce"), min_value=1, max_value=MAX_WORKFORCE, required=False
    )
    trustee_members = forms.MultipleChoiceField(
        label=_("Trustees"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Members who registered a trustee key. Any threshold of them decrypts the total, and only the total."
        ),
    )
    trustees = forms.CharField(
        label=_("Offline trustees (advanced): KEY:BOX, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    threshold = forms.IntegerField(
        label=_("Trustees needed to decrypt"), min_value=1, max_value=MAX_TRUSTEES, initial=2
    )
    reveal = forms.ChoiceField(
        label=_("What the result shows"),
        choices=[
            ("total", _("The total number of pledges")),
            ("crossed", _("Only whether the target was reached")),
        ],
        initial="total",
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "“Only whether” hides the total even from the trustees: each trustee then runs "
            "one extra step on a computer (veche pledge blind)."
        ),
    )
    strike_call = forms.ChoiceField(
        label=_("The strike call it passes"),
        required=False,
        help_text=_(
            "An open motion of the committee calling the strike: it passes by itself when "
            "the target is reached."
        ),
    )

    registry = forms.ChoiceField(
        label=_("The workplace whose strike status it sets"),
        required=False,
        help_text=_(
            "From the committee's workplace registry: when the target is reached, its status "
            "becomes a full strike from the strike date, on the strike map too."
        ),
    )

    def __init__(
        self,
        *args: Any,
        workplaces: Sequence[tuple[str, str]] = (),
        motions: Sequence[tuple[str, str]] = (),
        candidates: Sequence[tuple[str, str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["strike_call"].choices = [("", "—"), *motions]  # type: ignore[attr-defined]
        self.fields["registry"].choices = [("", "—"), *workplaces]  # type: ignore[attr-defined]
        self.boxes = {key: box for _name, key, box in candidates}
        self.fields["trustee_members"].choices = [  # type: ignore[attr-defined]
            (key, name) for name, key, _box in candidates
        ]

    def clean_trustees(self) -> list[tuple[str, str]]:
        out = []
        for raw in self.cleaned_data["trustees"].splitlines():
            if not raw.strip():
                continue
            parsed = parse_key_box(raw)
            if parsed is None:
                raise forms.ValidationError(
                    _("Each line is KEY:BOX as 'veche trustee keygen' prints it.")
                )
            out.append(parsed)
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picked = [(key, self.boxes[key]) for key in data.get("trustee_members") or ()]
        trustees = picked + [t for t in data.get("trustees") or [] if t not in picked]
        if "trustees" in data and "trustee_members" in data:
            if not trustees:
                self.add_error("trustee_members", _("Pick at least one trustee."))
            elif len({key for key, _box in trustees}) != len(trustees):
                self.add_error("trustees", _("Each trustee needs a key of their own."))
            elif len(trustees) > MAX_TRUSTEES:
                self.add_error(
                    "trustee_members",
                    ngettext("At most %(max)d trustee.", "At most %(max)d trustees.", MAX_TRUSTEES)
                    % {"max": MAX_TRUSTEES},
                )
            elif data.get("threshold") and data["threshold"] > len(trustees):
                self.add_error(
                    "threshold",
                    ngettext(
                        "At most the %(n)d trustee you picked.",
                        "At most the %(n)d trustees you picked.",
                        len(trustees),
                    )
                    % {"n": len(trustees)},
                )
        data["all_trustees"] = trustees
        needed, percent, workforce = data.get("needed"), data.get("percent"), data.get("workforce")
        if needed is None and (percent is None or workforce is None):
            self.add_error("needed", _("Give the workers needed, or a percent and the workforce."))
        elif needed is not None and (percent is not None or workforce is not None):
            self.add_error("needed", _("Give the workers needed or a percent, not both."))
        elif percent is not None and percent <= 0:
            self.add_error("percent", _("A percent above 0."))
        if (
            data.get("reveal") == "crossed"
            and data.get("needed") is not None
            and data["needed"] > MAX_REVEAL
        ):
            self.add_error(
                "reveal",
                ngettext(
                    "Only whether the target was reached: at most %(max)d worker needed.",
                    "Only whether the target was reached: at most %(max)d workers needed.",
                    MAX_REVEAL,
                )
                % {"max": MAX_REVEAL},
            )
        if data.get("registry") and not data.get("strike_call"):
            self.add_error("registry", _("Name the strike call too."))
        return data

    def deadline_text(self) -> str:
        moment = self.cleaned_data["deadline"]
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        # (an aware time in the node's zone: Django read it in settings.TIME_ZONE)
        return str(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
