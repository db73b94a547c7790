"""Forms for committee actions; the rules themselves are checked by the event log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from veche.appeals import AUDIENCES, MIRROR_MAX_CHARS, text_problem
from veche.apps.accounts.forms import refuse_weak_passphrase
from veche.apps.committees.labels import AUDIENCE_LABELS, KIND_LABELS, LEVEL_LABELS, METHOD_LABELS
from veche.apps.committees.rules.founding import COMMITTEE_KINDS, LEVELS
from veche.apps.store.reasons import message_text


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


# What each motion kind asks for on its form (the propose page shows only these), and
# a sentence on what the kind is for: the page that lists the kinds shows it.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "general": ("method", "options"),
    "demands": (),
    "strike_call": (),
    "election": (),
    "delegate_election": ("method_delegates", "candidates", "seats"),
    "recall": ("delegate",),
    "ratification": ("decision",),
    "rule_change": (
        "quorum_percent",
        "majority",
        "admission",
        "vouches_needed",
        "ratification",
        "weighting",
        "retention_days",
    ),
    "admission": ("candidate",),
    "expulsion": ("member",),
    "revocation": ("member", "seized_at"),
    "federation_join": ("council",),
    "federation_accept": ("join",),
    "endorsement": ("letter",),
    "equivocation": ("branch",),
    "appeal": ("audience", "mirror"),
}
KIND_HELP = {
    "general": _("Any question for the committee: yes or no, or a choice among options."),
    "demands": _("A letter of demands; once passed, other committees can endorse it."),
    "strike_call": _("A call to strike, decided yes or no."),
    "election": _("Decide to hold a secret-ballot election; it is then set up on its page."),
    "delegate_election": _("Elect the committee's delegates to the council it has joined."),
    "recall": _("End the mandate of one of the committee's delegates."),
    "ratification": _("Ratify a decision of the council this committee belongs to."),
    "rule_change": _(
        "Change the quorum, majority, admission or weighting rules, or how long texts are kept."
    ),
    "admission": _("Admit a candidate who joined by invitation."),
    "expulsion": _("Expel a member: they lose their vote and their access."),
    "revocation": _(
        "A member's key was seized: its events after the moment it was lost stop counting."
    ),
    "federation_join": _("Ask to join a council of delegates."),
    "federation_accept": _("Accept a committee that asked to join this council."),
    "endorsement": _("Endorse another committee's passed demands letter."),
    "equivocation": _("A member signed two different histories: accept one of them as theirs."),
    "appeal": _(
        "A short appeal to police and army conscripts, to workers of another plant or to the"
        " public; once passed it is public, with a leaflet to print and a QR code."
    ),
}
# A picker's value names two things: an event id and a key (both base64url, no ":").
PAIR = ":"


def pair(first: str, second: str) -> str:
    return f"{first}{PAIR}{second}"


class ProposeForm(forms.Form):
    """The propose form of one motion kind: the common fields, then only what the kind
    needs, each thing it names picked from a list (members by pseudonym, delegates,
    councils, decisions by title), never typed as an id."""

    title = forms.CharField(label=_("Title"), min_length=3, max_length=300)
    text = forms.CharField(label=_("Text"), max_length=20000, widget=forms.Textarea)
    method = forms.ChoiceField(
        label=_("Voting method"),
        choices=[(m, METHOD_LABELS[m]) for m in ("yes_no", "approval", "ranked")],
    )
    method_delegates = forms.ChoiceField(
        label=_("Voting method"),
        choices=[(m, METHOD_LABELS[m]) for m in ("stv", "approval")],
    )
    options = forms.CharField(
        label=_("Options, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For approval and ranked votes; leave empty for yes / no / abstain."),
    )
    candidates = forms.MultipleChoiceField(
        label=_("Candidates"), widget=forms.CheckboxSelectMultiple
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=50, initial=1)
    delegate = forms.ChoiceField(label=_("Delegate to recall"))
    decision = forms.ChoiceField(label=_("The council's decision to ratify"))
    candidate = forms.ChoiceField(label=_("Candidate to admit"))
    member = forms.ChoiceField(label=_("Member concerned"))
    seized_at = forms.DateTimeField(
        label=_("When the key was lost or seized"),
        help_text=_("What it signed after this moment stops counting."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    council = forms.ChoiceField(label=_("Council to join"))
    join = forms.ChoiceField(label=_("Committee that asked to join"))
    letter = forms.ChoiceField(label=_("Demands letter to endorse"))
    branch = forms.ChoiceField(label=_("History to accept"))
    audience = forms.ChoiceField(
        label=_("To whom"), choices=[(k, AUDIENCE_LABELS[k]) for k in AUDIENCES]
    )
    mirror = forms.URLField(
        label=_("Address of the committee's mirror (optional)"),
        required=False,
        max_length=MIRROR_MAX_CHARS,
        assume_scheme="https",
        help_text=_(
            "The leaflet's QR code points there; without it the QR code carries the text itself."
        ),
    )
    quorum_percent = CommitteeForm.base_fields["quorum_percent"]
    majority = CommitteeForm.base_fields["majority"]
    admission = CommitteeForm.base_fields["admission"]
    vouches_needed = CommitteeForm.base_fields["vouches_needed"]
    ratification = CommitteeForm.base_fields["ratification"]
    weighting = CommitteeForm.base_fields["weighting"]
    retention_days = forms.IntegerField(
        label=_("Remove posts, comments and motion texts after this many days (0: keep them)"),
        help_text=_(
            "Every node removes the text; who wrote what, and the decisions, stay."
            " Removed text cannot be brought back."
        ),
        min_value=0,
        max_value=3650,
        initial=0,
        required=False,
    )
    deadline = forms.DateTimeField(
        label=_("Deadline (optional; after it any member may close the vote)"),
        required=False,
        # The browser's picker reads and writes ISO, whatever the page's language.
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        choices: dict[str, list[tuple[str, str]]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        wanted = {"title", "text", *KIND_FIELDS[kind], "deadline"}
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        for name, picked in (choices or {}).items():
            field = self.fields.get(name)
            if isinstance(field, forms.ChoiceField):
                field.choices = picked if name == "candidates" else [("", "—"), *picked]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choosing = self.kind == "general" and data.get("method") in ("approval", "ranked")
        if choosing and len(self.option_lines()) < 2:
            self.add_error("options", _("Give at least two options, one per line."))
        electing = self.kind == "delegate_election" and data.get("seats") and data.get("candidates")
        if electing and data["seats"] >= len(data["candidates"]):
            self.add_error("seats", _("There must be more candidates than seats."))
        if self.kind == "appeal" and data.get("title") and data.get("text"):
            problem = text_problem(data["title"], data["text"], {"mirror": data.get("mirror")})
            if problem is not None:
                self.add_error("text", message_text(problem))
        return data

    def option_lines(self) -> list[str]:
        text = self.cleaned_data.get("options") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def voting_method(self) -> str:
        data = self.cleaned_data
        if self.kind == "general":
            return str(data["method"])
        if self.kind == "delegate_election":
            return str(data["method_delegates"])
        return "yes_no"

    def ballot_options(self) -> list[str]:
        if self.kind == "delegate_election":
            return list(self.cleaned_data["candidates"])
        return self.option_lines() if self.voting_method != "yes_no" else []

    def target(self, *, after_seq: int | None = None, space: str = "") -> dict[str, Any]:
        """The proposal's ``target`` from the picked values. ``after_seq`` (revocation)
        is the key's last event before it was seized, which the view looks up; ``space``
        is the committee the picked decision belongs to (ratification, endorsement)."""
        data = self.cleaned_data
        kind = self.kind
        if kind == "recall":
            mandate, key = data["delegate"].split(PAIR)
            return {"mandate": mandate, "key": key}
        if kind == "admission":
            return {"key": data["candidate"]}
        if kind == "expulsion":
            return {"key": data["member"]}
        if kind == "revocation":
            return {"key": data["member"], "after_seq": after_seq or 0}
        if kind == "ratification":
            return {"motion": data["decision"], "space": space}
        if kind == "endorsement":
            return {"motion": data["letter"], "space": space}
        if kind == "federation_join":
            return {"parent": data["council"]}
        if kind == "federation_accept":
            join, child = data["join"].split(PAIR)
            return {"join": join, "child": child}
        if kind == "equivocation":
            key, event = data["branch"].split(PAIR)
            return {"key": key, "event": event}
        if kind == "appeal":
            mirror = data.get("mirror")
            return {"audience": data["audience"], **({"mirror": mirror} if mirror else {})}
        if kind == "rule_change":
            return {
                "rules": {
                    "quorum_percent": data["quorum_percent"],
                    "majority": data["majority"],
                    "admission": data["admission"],
                    "vouches_needed": data["vouches_needed"],
                    "ratification": bool(data["ratification"]),
                    "weighting": data["weighting"],
                    # absent: keep forever (event-v1 §16)
                    **(
                        {"retention_days": data["retention_days"]}
                        if data.get("retention_days")
                        else {}
                    ),
                }
            }
        return {}


class AmendForm(forms.Form):
    title = forms.CharField(label=_("Title"), min_length=3, max_length=300)
    text = forms.CharField(label=_("Text"), max_length=20000, widget=forms.Textarea)
