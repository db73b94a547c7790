"""Forms for committee actions; the rules themselves are checked by the event log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from veche.apps.accounts.forms import refuse_weak_passphrase
from veche.apps.committees.labels import KIND_LABELS, LEVEL_LABELS, METHOD_LABELS, MOTION_LABELS
from veche.apps.committees.rules.founding import COMMITTEE_KINDS, LEVELS
from veche.decisions import MOTION_KINDS


class CommitteeForm(forms.Form):
    name = forms.CharField(label=_("Name"), min_length=2, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k, KIND_LABELS[k]) for k in COMMITTEE_KINDS]
    )
    level = forms.ChoiceField(label=_("Level"), choices=[(k, LEVEL_LABELS[k]) for k in LEVELS])
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea
    )
    pseudonym = forms.CharField(label=_("Your pseudonym in this committee"), max_length=40)
    quorum_percent = forms.IntegerField(
        # xgettext:no-python-format
        label=_("Quorum (% of members)"),
        min_value=0,
        max_value=100,
        initial=50,
    )
    majority = forms.ChoiceField(
        label=_("Majority"),
        choices=[
            ("simple", _("Simple: more yes than no")),
            ("absolute", _("Absolute: more than half of all members")),
            ("two_thirds", _("Two thirds of yes and no")),
        ],
    )
    admission = forms.ChoiceField(
        label=_("Admission"),
        choices=[
            ("invitation", _("A one-time invitation is enough")),
            ("vouching", _("Invitation, then vouches by members")),
            ("motion", _("Invitation, then an admission motion")),
        ],
    )
    vouches_needed = forms.IntegerField(
        label=_("Vouches needed"), min_value=1, max_value=20, initial=2
    )
    ratification = forms.BooleanField(
        label=_("Decisions need ratification by member committees"), required=False
    )
    weighting = forms.ChoiceField(
        label=_("Delegates' votes weigh"),
        choices=[
            ("per_delegate", _("One per delegate")),
            ("by_members", _("By members represented")),
        ],
    )

    def rules(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "quorum_percent": data["quorum_percent"],
            "majority": data["majority"],
            "admission": data["admission"],
            "vouches_needed": data["vouches_needed"],
            "ratification": bool(data["ratification"]),
            "weighting": data["weighting"],
        }


class JoinForm(forms.Form):
    code = forms.CharField(label=_("Invitation code"), max_length=64)
    pseudonym = forms.CharField(label=_("Your pseudonym in this committee"), max_length=40)

    def __init__(self, *args: Any, committee: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.committee = committee  # its name: words a passphrase must not lean on


class NewMemberForm(JoinForm):
    passphrase = forms.CharField(
        label=_("Choose a passphrase"),
        min_length=10,
        max_length=1000,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "It unlocks your key on this node. Nobody can recover it for you: after "
            "joining, back up your key. Four or more unrelated words are best."
        ),
    )
    again = forms.CharField(
        label=_("The passphrase, again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("passphrase") and "again" in data and data["again"] != data["passphrase"]:
            self.add_error("again", _("The two passphrases differ: type the same one twice."))
        else:
            related = [data.get("pseudonym") or "", *self.committee.split()]
            refuse_weak_passphrase(self, "passphrase", related)
        return data


class PostForm(forms.Form):
    text = forms.CharField(
        label=_("Message to the committee"), max_length=10000, widget=forms.Textarea
    )


class MotionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k, MOTION_LABELS[k]) for k in MOTION_KINDS])
    title = forms.CharField(label=_("Title"), min_length=3, max_length=300)
    text = forms.CharField(label=_("Text"), max_length=20000, widget=forms.Textarea)
    method = forms.ChoiceField(label=_("Voting method"), choices=list(METHOD_LABELS.items()))
    options = forms.CharField(
        label=_("Options, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For approval and ranked votes. For a delegate election, the candidates are chosen below."
        ),
    )
    candidates = forms.MultipleChoiceField(
        label=_("Candidates"), required=False, widget=forms.CheckboxSelectMultiple
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=50, required=False)
    deadline = forms.DateTimeField(
        label=_("Deadline (optional; after it any member may close the vote)"),
        required=False,
        # The browser's picker reads and writes ISO, whatever the page's language.
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    member = forms.ChoiceField(label=_("Member concerned"), required=False)
    after_seq = forms.IntegerField(
        label=_("Last good event of the seized key (its sequence number)"),
        required=False,
        min_value=0,
    )
    target_event = forms.CharField(
        label=_("Decision, mandate or parent body (event id)"), required=False, max_length=43
    )
    child = forms.CharField(
        label=_("Committee to accept (space id)"), required=False, max_length=43
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = members or []
        candidates, member = self.fields["candidates"], self.fields["member"]
        assert isinstance(candidates, forms.ChoiceField) and isinstance(member, forms.ChoiceField)
        candidates.choices = choices
        member.choices = [("", "—"), *choices]


class AmendForm(forms.Form):
    title = forms.CharField(label=_("Title"), min_length=3, max_length=300)
    text = forms.CharField(label=_("Text"), max_length=20000, widget=forms.Textarea)
