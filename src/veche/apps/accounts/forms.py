from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from veche.apps.accounts.strength import assess

# A sealed key file is a few hundred bytes; a phone's photo of the paper backup a few MB.
MAX_BACKUP_FILE = 64 * 1024
MAX_BACKUP_PHOTO = 20 * 1024 * 1024


def refuse_weak_passphrase(form: forms.Form, field: str, related: Iterable[str] = ()) -> None:
    """Add an error with advice to ``field`` when its passphrase is easy to guess.

    Run in ``clean`` after the field's own checks; the form keeps every other value the
    member typed (a passphrase field is never shown again)."""
    value = form.cleaned_data.get(field)
    if not value:
        return
    strength = assess(value, related)
    if strength.enough:
        return
    form.add_error(
        field,
        gettext(
            "This passphrase is %(strength)s: whoever seizes this node or your backup "
            "could guess it."
        )
        % {"strength": strength.label},
    )
    for advice in strength.advice:
        form.add_error(field, advice)


class SignInForm(forms.Form):
    pseudonym = forms.CharField(label=_("Pseudonym"), max_length=40)
    passphrase = forms.CharField(
        label=_("Passphrase"), max_length=1000, widget=forms.PasswordInput(render_value=False)
    )


class PassphraseChangeForm(forms.Form):
    old = forms.CharField(label=_("Current passphrase"), widget=forms.PasswordInput)
    new = forms.CharField(
        label=_("New passphrase"),
        min_length=10,
        max_length=1000,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Four or more unrelated words are best. Every other session of your account "
            "ends: a phone someone took can no longer sign."
        ),
    )
    again = forms.CharField(
        label=_("New passphrase, again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, related: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.related = tuple(related)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new") and data.get("new") != data.get("again"):
            self.add_error("again", _("The two new passphrases differ."))
        else:
            refuse_weak_passphrase(self, "new", self.related)
        return data


class RestoreForm(forms.Form):
    """A key backup: the key file, or a photo or scan of the paper backup's QR code."""

    backup = forms.FileField(
        label=_("Key file or photo of the paper backup"),
        help_text=_("The .key file you saved, or a photo or scan of the QR code."),
    )
    passphrase = forms.CharField(
        label=_("The backup's passphrase"),
        max_length=1000,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("The passphrase your account had when you made the backup."),
    )
    pseudonym = forms.CharField(
        label=_("Pseudonym on this node"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to keep the one on the backup or in your committees."),
    )
