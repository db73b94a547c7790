"""Account errors reach the member in their language."""

from __future__ import annotations

import pytest
from django.utils import translation
from tests.factories import PASS

from veche.apps.accounts.actions import AccountError, create_account

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "short", "taken"),
    [
        ("be", "не менш за 10 сімвалаў", "гэты псеўданім ужо заняты на гэтым вузле"),
        ("ru", "не меньше 10 символов", "этот псевдоним уже занят на этом узле"),
        ("en", "at least 10 characters", "this pseudonym is taken on this node"),
    ],
)
def test_account_errors_in_the_readers_language(language: str, short: str, taken: str) -> None:
    create_account("Zubr", PASS)
    with translation.override(language):
        with pytest.raises(AccountError) as error:
            create_account("Sokol", "short")
        assert error.value.message == short
        with pytest.raises(AccountError) as error:
            create_account("Zubr", PASS)
        assert error.value.message == taken
