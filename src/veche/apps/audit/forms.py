"""The upload form of an audit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD = 200 * 1024 * 1024  # a national protocol is ~10 MB; witness files can be larger


def _columns(*names: str) -> SafeString:
    return format_html_join(", ", "<code>{}</code>", ((name,) for name in names))


def _check_size(upload: UploadedFile[bytes] | None) -> UploadedFile[bytes] | None:
    if upload is not None and upload.size is not None and upload.size > MAX_UPLOAD:
        raise forms.ValidationError(_("The file is larger than 200 MB."))
    return upload


class AuditUploadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example: Presidential election, 9 August 2020, official protocols."),
    )
    official = forms.FileField(
        label=_("Official protocol (CSV or Excel .xlsx)"),
    )
    witness = forms.FileField(
        label=_("Witness reports (CSV, optional)"),
        required=False,
    )
    observer = forms.FileField(
        label=_("Observer counts (CSV, optional)"),
        required=False,
    )
    language = forms.ChoiceField(label=_("Language of the plots and report"), choices=())
    skip_bad_rows = forms.BooleanField(
        label=_("Leave out bad rows (and list them) instead of rejecting the file"),
        required=False,
    )
    simulated = forms.BooleanField(
        label=_("These are simulated data (the report says so in a banner)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (code, name) for code, name in settings.LANGUAGES if code in ("en", "ru", "be")
        ]
        # The files' column names are codes, shown as such in the reader's sentence.
        self.fields["official"].help_text = format_html(
            gettext("One row per polling station: {columns}, then one column per candidate."),
            columns=_columns("station", "region", "registered", "ballots", "invalid"),
        )
        self.fields["witness"].help_text = format_html(
            gettext("Columns: {first} or {second}."),
            first=_columns("station", "candidate", "evidence"),
            second=_columns("station", "candidate", "count"),
        )
        self.fields["observer"].help_text = format_html(
            gettext("Columns: {columns}."), columns=_columns("station", "observed_turnout")
        )

    def clean_official(self) -> UploadedFile[bytes] | None:
        upload = _check_size(self.cleaned_data.get("official"))
        if upload is not None and not (upload.name or "").lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload

    def clean_witness(self) -> UploadedFile[bytes] | None:
        return _check_size(self.cleaned_data.get("witness"))

    def clean_observer(self) -> UploadedFile[bytes] | None:
        return _check_size(self.cleaned_data.get("observer"))
