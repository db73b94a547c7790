"""A member's account on this node, and the sign-in throttle's counters."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils.crypto import salted_hmac


class AccountManager(BaseUserManager["Account"]):
    def get_by_natural_key(self, username: str | None) -> Account:
        return self.get(pseudonym=username)


class Account(AbstractBaseUser):
    pseudonym = models.CharField(max_length=40, unique=True)
    public_key = models.CharField(max_length=43, unique=True)
    sealed_seed = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Runs this node: manages its peers. Set only from the command line by whoever
    # runs the node (``veche node operator add``), never through the web UI: any
    # member who joined by invitation has an account, and some may be infiltrators.
    is_operator = models.BooleanField(default=False)
    # Bumped by a passphrase change, a restore from a backup and "sign out everywhere":
    # every session (and every unlocked key in one) made under an older value is over.
    # It is part of the session's auth hash (checked on every request by Django) and
    # sealed with the session's key (checked again before anything is signed).
    session_generation = models.PositiveIntegerField(default=0)

    # Set by the sign-in backend on the account it returns (never stored): the seed the
    # passphrase unsealed, which the sign-in view seals again for the session.
    unlocked_seed: bytes | None = None

    USERNAME_FIELD = "pseudonym"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects: ClassVar[Any] = AccountManager()

    def __str__(self) -> str:
        return self.pseudonym

    def get_session_auth_hash(self) -> str:
        """Django keeps a session only while this matches the one stored at sign-in.

        The password field is unusable (the passphrase seals the key instead), so the
        default hash never changes; the generation makes it change when every session
        must end. Generation 0 keeps the default, so sessions from before this field
        stay valid until the first change.
        """
        if not self.session_generation:
            return super().get_session_auth_hash()
        return salted_hmac(
            "veche.apps.accounts.Account.session",
            f"{self.password}:{self.session_generation}",
            algorithm="sha256",
        ).hexdigest()


class SignInFailures(models.Model):
    """Failed sign-ins for one address or one pseudonym in the current window.

    Kept in the database, not the per-process cache, so that every server
    process (and a restart) sees the same count. ``key`` is a keyed hash
    (HMAC with the node's secret key) of the address or pseudonym, never either
    in the clear. Written only by ``veche.apps.accounts.throttle``.
    """

    key = models.CharField(max_length=64, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key[:8]}: {self.failures}"


class Submission(models.Model):
    """One form a signed-in member submitted, kept a day, so that a repeat of it (a
    double tap, a browser's or a proxy's retry, the back button) gets the first one's
    outcome instead of acting twice. ``key`` is the form's hidden ``submission`` field,
    new at every rendering. Written only by ``veche.apps.accounts.submissions``."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32)
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Empty until the first submission has its answer: a redirect, and the messages
    # it gave, replayed to each repeat.
    status = models.PositiveSmallIntegerField(null=True)
    location = models.CharField(max_length=2000, blank=True)
    messages = models.JSONField(default=list)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["account", "key"], name="one_submission_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.key}"


class HomeVisit(models.Model):
    """When the member last opened the home page: what arrived on this node since then is
    marked unread there. A local row, never an event. Written only by ``veche.web.home``."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.account_id}: {self.seen_at.isoformat()}"
