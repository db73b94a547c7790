from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
        widget=forms.PasswordInput,
        help_text=_("At least 10 characters; a few unrelated words are best."),
    )
    again = forms.CharField(label=_("New passphrase, again"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new") and data.get("new") != data.get("again"):
            self.add_error("again", _("The two new passphrases differ."))
        return data
