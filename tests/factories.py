"""Named people and committees for tests, built through the real actions, and test
clients signed in as them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.test import Client

from veche.apps.accounts.actions import create_account
from veche.apps.committees import actions
from veche.events import Identity

# The passphrase of every account the tests make on the test node.
PASS = "correct horse battery"


@dataclass
class World:
    people: dict[str, Identity] = field(default_factory=dict)

    def person(self, name: str) -> Identity:
        if name not in self.people:
            self.people[name] = Identity(name.encode().ljust(32, b"\0")[:32])
        return self.people[name]

    def committee(self, founder: str, members: tuple[str, ...] = (), **kwargs: object) -> str:
        space = actions.create_committee(
            self.person(founder),
            name=str(kwargs.pop("name", f"{founder}'s committee")),
            kind=str(kwargs.pop("kind", "workplace")),
            level=str(kwargs.pop("level", "local")),
            pseudonym=founder,
            **kwargs,  # type: ignore[arg-type]
        ).id
        for name in members:
            code, _ = actions.invite(self.person(founder), space)
            actions.join(self.person(name), space, code, name)
        return space


def sign_in(pseudonym: str, *, language: str | None = None) -> Client:
    """A test client signed in, through the sign-in form, as an account of this node
    that has the passphrase ``PASS``; ``language`` sets the reader's language cookie."""
    client = Client()
    response = client.post("/accounts/sign-in/", {"pseudonym": pseudonym, "passphrase": PASS})
    assert response.status_code == 302, response.status_code
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def signed_in_client(identity: Identity, pseudonym: str, *, language: str | None = None) -> Client:
    """An account of this node for ``identity`` (passphrase ``PASS``), and a test client
    signed in as it."""
    create_account(pseudonym, PASS, identity)
    return sign_in(pseudonym, language=language)
