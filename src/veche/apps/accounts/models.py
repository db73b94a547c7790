"""A member's account on this node."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager
from django.db import models


class AccountManager(BaseUserManager["Account"]):
    def get_by_natural_key(self, username: str | None) -> Account:
        return self.get(pseudonym=username)


class Account(AbstractBaseUser):
    pseudonym = models.CharField(max_length=40, unique=True)
    public_key = models.CharField(max_length=43, unique=True)
    sealed_seed = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    USERNAME_FIELD = "pseudonym"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects: ClassVar[Any] = AccountManager()

    def __str__(self) -> str:
        return self.pseudonym
