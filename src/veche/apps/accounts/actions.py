"""The only writers of accounts: create, change passphrase."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from veche.apps.accounts.kdf import kdf_slot
from veche.apps.accounts.models import Account
from veche.events import Identity
from veche.events.identity import seal, unseal

PSEUDONYM = re.compile(r"\A[\w .'-]{2,40}\Z", re.UNICODE)
MIN_PASSPHRASE = 10


class AccountError(ValueError):
    """``field`` is the input at fault; ``code`` names the problem (``taken``) for
    callers that add advice of their own."""

    def __init__(self, field: str, message: str, code: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code


def check_pseudonym(pseudonym: str) -> str:
    pseudonym = pseudonym.strip()
    if not PSEUDONYM.match(pseudonym):
        raise AccountError(
            "pseudonym", _("2 to 40 letters, digits, spaces, dots, apostrophes or hyphens")
        )
    return pseudonym


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise AccountError("passphrase", _("at least %(n)d characters") % {"n": MIN_PASSPHRASE})


def check_pseudonym_free(pseudonym: str) -> None:
    """Refuse a pseudonym an account on this node already has (before anything is signed)."""
    if Account.objects.filter(pseudonym=pseudonym).exists():
        raise AccountError("pseudonym", _("this pseudonym is taken on this node"), "taken")


def prepare_account(pseudonym: str, passphrase: str, identity: Identity) -> Account:
    """An account ready to save, after every check that can fail before saving it.

    Nothing is written: a caller that must sign something with ``identity`` first
    (joining a committee) checks here, signs, then calls ``save_account`` in the
    same transaction, so that a refusal leaves no trace of either.
    """
    pseudonym = check_pseudonym(pseudonym)
    check_passphrase(passphrase)
    check_pseudonym_free(pseudonym)
    with kdf_slot():  # Argon2id: bounded per machine (veche.apps.accounts.kdf)
        sealed = seal(identity.seed, passphrase, settings.VECHE_KDF_PROFILE)
    account = Account(pseudonym=pseudonym, public_key=identity.public, sealed_seed=sealed)
    account.set_unusable_password()
    return account


def save_account(account: Account) -> None:
    """Save a prepared account; a pseudonym taken meanwhile is an AccountError."""
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as error:
        raise AccountError(
            "pseudonym", _("this pseudonym is taken on this node"), "taken"
        ) from error


def create_account(
    pseudonym: str, passphrase: str, identity: Identity | None = None
) -> tuple[Account, Identity]:
    identity = identity or Identity.generate()
    account = prepare_account(pseudonym, passphrase, identity)
    save_account(account)
    return account, identity


def change_passphrase(account: Account, old: str, new: str) -> None:
    """Re-seal the member's key under a new passphrase (the key itself stays the same)
    and end every session of the account: whoever holds one (a seized phone) can no
    longer sign. The caller keeps its own session with ``unlock.renew``."""
    check_passphrase(new)
    with kdf_slot():  # two Argon2id derivations, one after the other, in one slot
        seed = unseal(account.sealed_seed, old)
        account.sealed_seed = seal(seed, new, settings.VECHE_KDF_PROFILE)
    with transaction.atomic():
        account.save(update_fields=["sealed_seed"])
        end_sessions(account)


def end_sessions(account: Account) -> None:
    """End every session of the account, on every device: the next page of each is
    signed out, and a key unlocked in one signs nothing more (``unlock.identity_of``).
    The counter is raised in the database, so two changes at once both count."""
    Account.objects.filter(pk=account.pk).update(session_generation=F("session_generation") + 1)
    account.refresh_from_db(fields=["session_generation"])
