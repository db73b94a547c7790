"""Sign-in by pseudonym and passphrase: the passphrase is right if it opens the sealed key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from veche.apps.accounts.kdf import kdf_slot
from veche.apps.accounts.models import Account
from veche.events.identity import SealError, seal, unseal

_DUMMY: dict[str, Any] = {}


def _dummy_sealed() -> dict[str, Any]:
    # Same cost for unknown pseudonyms, so timing does not tell who has an account.
    if not _DUMMY:
        _DUMMY.update(seal(b"\0" * 32, "not a passphrase", settings.VECHE_KDF_PROFILE))
    return _DUMMY


class PassphraseBackend(BaseBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        pseudonym: str | None = None,
        passphrase: str | None = None,
        **kwargs: Any,
    ) -> Account | None:
        if not pseudonym or not passphrase:
            return None
        account: Account | None = Account.objects.filter(pseudonym=pseudonym.strip()).first()
        # One Argon2id derivation: at most VECHE_KDF_SLOTS at once on this machine,
        # or KdfBusy (HTTP 503, "retry in a moment"; see veche.apps.accounts.kdf).
        try:
            with kdf_slot():
                seed = unseal(account.sealed_seed if account else _dummy_sealed(), passphrase)
        except SealError:
            return None
        if account is None:
            return None
        account.unlocked_seed = seed
        return account

    def get_user(self, user_id: int) -> Account | None:
        found: Account | None = Account.objects.filter(pk=user_id).first()
        return found
