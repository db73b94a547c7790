"""The forms of the election pages: creating an election in a committee, and registering a
member's public trustee key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from veche.election.spec import MAX_TRUSTEES
from veche.events.encoding import is_b64_of_length

#: The creation body's limits on constituencies (veche.election.spec.CREATE_BODY).
MAX_CONSTITUENCIES = 200
MAX_SEATS = 1000


def parse_key_box(line: str) -> tuple[str, str] | None:
    """A ``KEY:BOX`` line as ``veche trustee keygen`` prints it (and the trustee-key page
    shows it), or None if it is not one."""
    key, _sep, box = line.strip().partition(":")
    if is_b64_of_length(key, 32) and is_b64_of_length(box, 32):
        return key, box
    return None


class TrusteeKeyForm(forms.Form):
    """The public half of a trustee key: made by the page's script, or pasted."""

    key_box = forms.CharField(
        label=_("Your public trustee key (KEY:BOX)"),
        max_length=100,
        help_text=_("The line 'veche trustee keygen' prints, if you made your key on a computer."),
    )

    def clean_key_box(self) -> tuple[str, str]:
        parsed = parse_key_box(self.cleaned_data["key_box"])
        if parsed is None:
            raise forms.ValidationError(
                _("This is not a trustee key: give KEY:BOX as 'veche trustee keygen' prints it.")
            )
        return parsed


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
    seats = forms.IntegerField(
        label=_("Winners or seats"),
        min_value=1,
        max_value=MAX_SEATS,
        initial=1,
        help_text=_("With constituencies, each constituency's seats below count instead."),
    )
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
    constituencies = forms.CharField(
        label=_("Constituencies (party lists, optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Minsk: 3: Zubr, Lyn")}),
        help_text=_(
            "One line per constituency: its name, its seats and the pseudonyms of the members "
            "who vote in it, separated by colons and commas. Every member of the electorate "
            "votes in exactly one constituency."
        ),
    )
    trustee_members = forms.MultipleChoiceField(
        label=_("Trustees"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Members of the committee who registered a trustee key. Pick the people you "
            "trust to hold a share of the key; a member who is not listed registers a key "
            "on the trustee key page first."
        ),
    )
    trustees = forms.CharField(
        label=_("Offline trustees (advanced): KEY:BOX, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For trustees who made their key with 'veche trustee keygen' on their own "
            "machine and are not listed above: the line it prints."
        ),
    )
    threshold = forms.IntegerField(
        label=_("Trustees needed to decrypt"), min_value=1, max_value=MAX_TRUSTEES, initial=2
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

    def clean_options(self) -> list[str]:
        options = [line.strip() for line in self.cleaned_data["options"].splitlines()]
        options = [o for o in options if o]
        if len(options) < 2:
            raise forms.ValidationError(_("Give at least two options."))
        if len(set(options)) != len(options):
            raise forms.ValidationError(_("Each option must differ from the others."))
        if any(len(o) > 200 for o in options):
            raise forms.ValidationError(_("An option is at most 200 characters."))
        if len(options) > 200:
            raise forms.ValidationError(_("At most 200 options."))
        return options

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

    def clean_constituencies(self) -> list[tuple[str, int, list[str]]]:
        """(name, seats, pseudonyms) per line."""
        out: list[tuple[str, int, list[str]]] = []
        for number, raw in enumerate(self.cleaned_data["constituencies"].splitlines(), start=1):
            if not raw.strip():
                continue
            parts = raw.rsplit(":", 2)
            if len(parts) != 3 or not parts[1].strip().isdigit():
                raise forms.ValidationError(
                    _("Line %(n)d: write NAME: SEATS: pseudonym, pseudonym.") % {"n": number}
                )
            name, seats = parts[0].strip(), int(parts[1])
            if not 1 <= len(name) <= 100:
                raise forms.ValidationError(
                    _("Line %(n)d: a constituency's name has 1 to 100 characters.") % {"n": number}
                )
            if not 1 <= seats <= MAX_SEATS:
                raise forms.ValidationError(
                    _("Line %(n)d: a constituency has 1 to %(max)d seats.")
                    % {"n": number, "max": MAX_SEATS}
                )
            members = [p.strip() for p in parts[2].split(",") if p.strip()]
            out.append((name, seats, members))
        if len({name for name, _s, _m in out}) != len(out):
            raise forms.ValidationError(_("Each constituency needs a name of its own."))
        if len(out) > MAX_CONSTITUENCIES:
            raise forms.ValidationError(
                _("At most %(max)d constituencies.") % {"max": MAX_CONSTITUENCIES}
            )
        if sum(seats for _n, seats, _m in out) > MAX_SEATS:
            raise forms.ValidationError(
                _("At most %(max)d seats in all constituencies together.") % {"max": MAX_SEATS}
            )
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picked = [(key, self.boxes[key]) for key in data.get("trustee_members") or ()]
        offline = data.get("trustees") or []
        trustees = picked + [t for t in offline if t not in picked]
        if "trustees" in data and "trustee_members" in data:
            if not trustees:
                self.add_error(
                    "trustee_members",
                    _("Pick at least one trustee (or give an offline trustee's KEY:BOX)."),
                )
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
        method = data.get("method")
        if method and method != "party_list":
            if data.get("constituencies"):
                self.add_error("constituencies", _("Constituencies are for party-list elections."))
            options = data.get("options")
            if options and data.get("seats") and data["seats"] > len(options):
                self.add_error("seats", _("More winners than options."))
        return data

    def question_body(self) -> dict[str, Any]:
        options = self.cleaned_data["options"]
        approval = self.cleaned_data["method"] == "approval"
        return {
            "text": self.cleaned_data["question"],
            "options": options,
            "min": 0 if approval else 1,
            "max": len(options) if approval else 1,
        }
