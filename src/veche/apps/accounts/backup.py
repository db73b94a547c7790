"""A member's key backup: a sealed key file, its paper copy (a QR code), and restoring
an account from either, on this node or another.

The backup is the key file ``veche keys`` writes (``veche.events.identity``:
``{"format": "veche-identity", "public": …, "sealed": …}``) with the account's
pseudonym beside it. Its ``sealed`` part is the account's own sealed seed, copied as
it is: making a backup needs no passphrase and the node never sees the bare key, and
the backup opens with the passphrase the account had when it was made. The QR code
carries the same bytes, never the bare key.

Restoring checks the passphrase opens the seed and that the seed is the key the file
names, then either makes an account for the key (its committees' memberships are the
key's, already in the log) or, when this node has one, puts that account under the
backup's passphrase and ends every session of it.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import nacl.pwhash
import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from veche.apps.accounts.actions import AccountError, end_sessions, prepare_account, save_account
from veche.apps.accounts.kdf import kdf_slot
from veche.apps.accounts.models import Account
from veche.apps.committees.models import Member
from veche.events import Identity
from veche.events.encoding import is_b64_of_length
from veche.events.identity import SealError, seal, unseal

FORMAT = "veche-identity"
# Derivation costs a backup may ask of this node: anyone may upload one, so no more
# than the "moderate" profile that ``veche keys new`` uses (256 MiB, 3 passes).
_MAX_MEMLIMIT = nacl.pwhash.argon2id.MEMLIMIT_MODERATE
_MAX_OPSLIMIT = nacl.pwhash.argon2id.OPSLIMIT_SENSITIVE
_MAX_TEXT = 4096
_MAX_PIXELS = 40_000_000


class BackupError(ValueError):
    """A backup that cannot be read or opened; ``message`` is for the member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Backup:
    public: str
    pseudonym: str
    sealed: dict[str, Any]


def document(account: Account) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "public": account.public_key,
        "pseudonym": account.pseudonym,
        "sealed": account.sealed_seed,
    }


def key_file(account: Account) -> bytes:
    """The key file's bytes: compact JSON, keys sorted (not signed, only read back)."""
    return json.dumps(
        document(account), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def paper_qr_svg(account: Account) -> str:
    """The paper backup's QR code (of the key file, never the bare key) as inline SVG."""
    code = segno.make_qr(key_file(account), error="m")
    return str(code.svg_inline(scale=4, border=4, dark="#000", light="#fff", omitsize=True))


def paper_qr_png(account: Account) -> bytes:
    out = io.BytesIO()
    segno.make_qr(key_file(account), error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def read(data: bytes) -> Backup:
    """A backup from an uploaded key file or a photo/scan of its QR code."""
    text = data.strip()
    if not text.startswith(b"{"):
        text = _qr_text(data)
    if len(text) > _MAX_TEXT:
        raise BackupError(_("This is not a Veche key backup: it is too long."))
    try:
        parsed = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BackupError(_("This is not a Veche key backup: it is not readable.")) from error
    if not isinstance(parsed, dict) or parsed.get("format") != FORMAT:
        raise BackupError(_("This is not a Veche key backup."))
    public, sealed = parsed.get("public"), parsed.get("sealed")
    pseudonym = parsed.get("pseudonym", "")
    if not is_b64_of_length(public, 32) or not isinstance(sealed, dict):
        raise BackupError(_("This key backup is damaged: its key is missing."))
    if not isinstance(pseudonym, str):
        pseudonym = ""
    memlimit, opslimit = sealed.get("memlimit"), sealed.get("opslimit")
    if (
        type(memlimit) is not int
        or type(opslimit) is not int
        or memlimit > _MAX_MEMLIMIT
        or opslimit > _MAX_OPSLIMIT
    ):
        raise BackupError(
            _(
                "This key backup asks for more work than this node gives a backup: restore it with the command line."
            )
        )
    return Backup(public=str(public), pseudonym=pseudonym[:40], sealed=sealed)


def _qr_text(data: bytes) -> bytes:
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > _MAX_PIXELS:
                raise BackupError(_("This picture is too large: at most 40 megapixels."))
            image.load()
            found = zxingcpp.read_barcodes(image.convert("L"))
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise BackupError(
            _("This is neither a key file nor a picture this node can read.")
        ) from error
    codes = [r for r in found if r.format == zxingcpp.BarcodeFormat.QRCode and r.valid]
    if not codes:
        raise BackupError(
            _("No QR code was found in the picture: take it again, flat and in good light.")
        )
    return bytes(codes[0].bytes)


def open_backup(backup: Backup, passphrase: str) -> Identity:
    """The key in the backup; BackupError for a wrong passphrase or a damaged backup."""
    try:
        with kdf_slot():
            identity = Identity(unseal(backup.sealed, passphrase))
    except (SealError, ValueError) as error:
        raise BackupError(
            _("This passphrase does not open the backup, or the backup was altered.")
        ) from error
    if identity.public != backup.public:
        raise BackupError(_("This key backup is damaged: its key does not match."))
    return identity


def pseudonym_in_log(public: str) -> str:
    """The pseudonym the key joined a committee with, if this node holds one."""
    member = Member.objects.filter(key=public).order_by("pseudonym").first()
    return member.pseudonym if member is not None else ""


def restore(backup: Backup, passphrase: str, pseudonym: str = "") -> tuple[Account, Identity]:
    """The account of the backup's key on this node, under the backup's passphrase.

    An account this node already has for the key is kept (its pseudonym too) and every
    session of it ends; otherwise one is made, named ``pseudonym`` or else as on the
    backup or in the committees. Raises BackupError or AccountError.
    """
    identity = open_backup(backup, passphrase)
    existing: Account | None = Account.objects.filter(public_key=identity.public).first()
    if existing is not None:
        with kdf_slot():
            existing.sealed_seed = seal(identity.seed, passphrase, settings.VECHE_KDF_PROFILE)
        with transaction.atomic():
            existing.save(update_fields=["sealed_seed"])
            end_sessions(existing)
        return existing, identity
    name = pseudonym.strip() or backup.pseudonym or pseudonym_in_log(identity.public)
    if not name:
        raise AccountError("pseudonym", _("Choose a pseudonym for this node."))
    # The backup's passphrase is kept as it is: it was the member's when they made it.
    with transaction.atomic():
        account = _prepare(name, passphrase, identity)
        save_account(account)
    return account, identity


def _prepare(pseudonym: str, passphrase: str, identity: Identity) -> Account:
    try:
        return prepare_account(pseudonym, passphrase, identity)
    except AccountError as error:
        if error.field == "passphrase":
            # A backup from ``veche keys`` may have a shorter passphrase than the web asks.
            raise BackupError(
                _("This backup's passphrase is too short for an account here.")
            ) from error
        raise
