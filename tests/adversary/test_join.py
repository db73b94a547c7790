"""Issue 11, attack 6: a join that cannot complete must not burn its invitation.

A newcomer without an account redeems an invitation by choosing a pseudonym and a
passphrase (on the web, or ``veche committee join --new-account``). If anything
fails (a pseudonym an account of this node already has, two passphrases that
differ, a pseudonym no account may have, a name taken while the join was being
signed), nothing is kept: no member.join event, no Member row (no ghost member
with a lost key counting toward quorum), no account, and the same invitation
still works for a correct join afterwards.
"""

from __future__ import annotations

import getpass
import html
import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from tests.factories import PASS, World, sign_in

from veche.apps.accounts import actions as account_actions
from veche.apps.accounts.actions import AccountError, create_account
from veche.apps.accounts.models import Account
from veche.apps.committees import actions
from veche.apps.committees.kinds import invitation_hash
from veche.apps.committees.models import Invitation, Member
from veche.apps.store.log import state_digest
from veche.apps.store.models import StoredEvent
from veche.cli import main

pytestmark = pytest.mark.django_db
NEW = "a long enough passphrase"


@pytest.fixture
def committee() -> dict[str, object]:
    """MTZ with Sokol and Zubr; Vasilek, no member, has an account on this node; one
    invitation out."""
    w = World()
    space = w.committee("Sokol", ("Zubr",), name="MTZ")
    create_account("Vasilek", PASS, w.person("Vasilek"))
    code, _ = actions.invite(w.person("Sokol"), space)
    return {"w": w, "space": space, "code": code}


def _snapshot(space: str) -> dict[str, object]:
    return {
        "joins": StoredEvent.objects.filter(space=space, kind="member.join").count(),
        "events": StoredEvent.objects.count(),
        "members": sorted(Member.objects.filter(space=space).values_list("key", "status")),
        "accounts": sorted(Account.objects.values_list("pseudonym", flat=True)),
        "digest": state_digest(),
    }


def _unused(space: str, code: str) -> bool:
    return Invitation.objects.get(space=space, code_hash=invitation_hash(space, code)).used_by == ""


def _post(space: str, **fields: str) -> tuple[int, str]:
    response = Client().post(reverse("committees:join", args=[space]), fields)
    return response.status_code, html.unescape(response.content.decode())


def _joined_as(space: str, pseudonym: str) -> Member:
    member = Member.objects.get(space=space, pseudonym=pseudonym)
    account = Account.objects.get(pseudonym=pseudonym)
    assert member.key == account.public_key
    assert member.status == "active"
    return member


# -- the web ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pseudonym", "passphrase", "again", "says"),
    [
        # Vasilek has an account on this node (and is no member of MTZ).
        ("Vasilek", NEW, NEW, "this pseudonym is taken on this node"),
        ("Lastauka", NEW, "a different passphrase", "The two passphrases differ"),
        ("Lastauka", NEW, "", "This field is required."),
        ("Lastauka", "short", "short", "at least 10 characters"),
        # Allowed in a committee (2 to 40 characters) but not as an account's name.
        ("Lastauka <3", NEW, NEW, "2 to 40 letters, digits"),
    ],
)
def test_a_failed_web_join_leaves_the_invitation_unused(
    committee: dict, pseudonym: str, passphrase: str, again: str, says: str
) -> None:  # type: ignore[type-arg]
    space, code = committee["space"], committee["code"]
    before = _snapshot(space)
    status, page = _post(space, code=code, pseudonym=pseudonym, passphrase=passphrase, again=again)
    assert status == 200
    assert says in page
    assert _snapshot(space) == before
    assert _unused(space, code)
    # The same invitation then works.
    status, _page = _post(space, code=code, pseudonym="Lastauka", passphrase=NEW, again=NEW)
    assert status == 302
    _joined_as(space, "Lastauka")
    assert not _unused(space, code)


def test_taken_pseudonym_says_which_field_and_what_to_do(committee: dict) -> None:  # type: ignore[type-arg]
    space, code = committee["space"], committee["code"]
    response = Client().post(
        reverse("committees:join", args=[space]),
        {"code": code, "pseudonym": "Vasilek", "passphrase": NEW, "again": NEW},
    )
    errors = response.context["form"].errors
    assert "this pseudonym is taken on this node" in errors["pseudonym"]
    assert any("sign in first" in e for e in errors["pseudonym"])
    assert _unused(space, code)


@pytest.mark.parametrize(
    ("language", "taken", "differ"),
    [
        ("be", "гэты псеўданім ужо заняты на гэтым вузле", "Дзве пароль-фразы не супадаюць"),
        ("ru", "этот псевдоним уже занят на этом узле", "Две парольные фразы не совпадают"),
    ],
)
def test_join_errors_in_the_readers_language(
    committee: dict, language: str, taken: str, differ: str
) -> None:  # type: ignore[type-arg]
    space, code = committee["space"], committee["code"]
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("committees:join", args=[space])
    page = client.post(
        url, {"code": code, "pseudonym": "Vasilek", "passphrase": NEW, "again": NEW}
    ).content.decode()
    assert taken in html.unescape(page)
    with translation.override(language):
        hint = translation.gettext(
            "Choose another pseudonym. If it is yours on this node, "
            "sign in first, then open the invitation link again."
        )
    assert hint in html.unescape(page) and "sign in first" not in page
    page = client.post(
        url, {"code": code, "pseudonym": "Lastauka", "passphrase": NEW, "again": NEW + "!"}
    ).content.decode()
    assert differ in html.unescape(page)
    assert _unused(space, code)


def test_committee_refusals_land_on_their_field(committee: dict) -> None:  # type: ignore[type-arg]
    space, code = committee["space"], committee["code"]
    before = _snapshot(space)
    # The committee's own pseudonym rule (Sokol is a member's name; no account has it).
    response = Client().post(
        reverse("committees:join", args=[space]),
        {"code": code, "pseudonym": "sokol", "passphrase": NEW, "again": NEW},
    )
    errors = response.context["form"].errors
    assert "this pseudonym is taken in the committee" in errors["pseudonym"]
    # A wrong code.
    response = Client().post(
        reverse("committees:join", args=[space]),
        {"code": "WRONG-CODE-12345", "pseudonym": "Lastauka", "passphrase": NEW, "again": NEW},
    )
    errors = response.context["form"].errors
    assert "no such invitation in this committee" in errors["code"]
    assert any("new invitation" in e for e in errors["code"])
    assert _snapshot(space) == before
    assert _unused(space, code)


def test_a_name_taken_while_signing_takes_the_join_back(
    committee: dict, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[type-arg]
    """The race: the name was free when checked, and another account took it before
    this one was saved. The join, signed in the same transaction, is taken back."""
    space, code = committee["space"], committee["code"]
    monkeypatch.setattr(account_actions, "check_pseudonym_free", lambda pseudonym: None)
    before = _snapshot(space)
    with pytest.raises(AccountError) as error:
        actions.join_as_new_account(space, code, "Vasilek", NEW)
    assert error.value.field == "pseudonym"
    assert error.value.code == "taken"
    assert _snapshot(space) == before
    assert _unused(space, code)
    # Through the page too.
    status, page = _post(space, code=code, pseudonym="Vasilek", passphrase=NEW, again=NEW)
    assert status == 200 and "this pseudonym is taken on this node" in page
    assert _snapshot(space) == before
    monkeypatch.undo()
    event, account, identity = actions.join_as_new_account(space, code, "Lastauka", NEW)
    assert _joined_as(space, "Lastauka").key == identity.public == account.public_key
    assert StoredEvent.objects.get(id=event.id).status == "applied"


def test_a_signed_in_join_with_a_taken_pseudonym_keeps_the_invitation(committee: dict) -> None:  # type: ignore[type-arg]
    space, code, w = committee["space"], committee["code"], committee["w"]
    client = sign_in("Vasilek")
    before = _snapshot(space)
    response = client.post(
        reverse("committees:join", args=[space]), {"code": code, "pseudonym": "ZUBR"}
    )
    assert (
        "this pseudonym is taken in the committee" in response.context["form"].errors["pseudonym"]
    )
    assert _snapshot(space) == before
    assert _unused(space, code)
    response = client.post(
        reverse("committees:join", args=[space]), {"code": code, "pseudonym": "Vasilek"}
    )
    assert response.status_code == 302
    assert Member.objects.get(space=space, pseudonym="Vasilek").key == w.person("Vasilek").public


# -- the command line ------------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _cli_join(capsys: pytest.CaptureFixture[str], space: str, code: str, pseudonym: str):  # type: ignore[no-untyped-def]
    return _cli(
        capsys,
        "committee",
        "join",
        "--new-account",
        space,
        "--code",
        code,
        "--pseudonym",
        pseudonym,
        "--json",
    )


def test_a_failed_cli_join_leaves_the_invitation_unused(
    committee: dict, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[type-arg]
    space, code = committee["space"], committee["code"]
    before = _snapshot(space)

    monkeypatch.setenv("VECHE_PASSPHRASE", NEW)
    status, _out, err = _cli_join(capsys, space, code, "Vasilek")
    assert status == 2
    assert "--pseudonym: this pseudonym is taken on this node" in err
    assert "--account 'Vasilek'" in err
    assert _snapshot(space) == before and _unused(space, code)

    status, _out, err = _cli_join(capsys, space, code, "Lastauka <3")
    assert status == 2 and "--pseudonym: 2 to 40 letters" in err
    assert _snapshot(space) == before and _unused(space, code)

    monkeypatch.setenv("VECHE_PASSPHRASE", "short")
    status, _out, err = _cli_join(capsys, space, code, "Lastauka")
    assert status == 2 and "the passphrase: at least 10 characters" in err
    assert _snapshot(space) == before and _unused(space, code)

    monkeypatch.setenv("VECHE_PASSPHRASE", NEW)
    status, _out, err = _cli_join(capsys, space, "WRONG-CODE-12345", "Lastauka")
    assert status == 2 and "body.code: no such invitation" in err
    assert _snapshot(space) == before and _unused(space, code)

    # Typed at the terminal, twice, differently.
    monkeypatch.delenv("VECHE_PASSPHRASE")
    typed = iter([NEW, "a different passphrase"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    status, _out, err = _cli_join(capsys, space, code, "Lastauka")
    assert status == 2 and "the two passphrases differ" in err
    assert _snapshot(space) == before and _unused(space, code)

    # The same code, typed the same twice: the join works and the account signs.
    typed = iter([NEW, NEW])
    status, out, err = _cli_join(capsys, space, code, "Lastauka")
    assert status == 0, err
    joined = json.loads(out)
    assert joined["account"] == "Lastauka"
    member = _joined_as(space, "Lastauka")
    assert member.key == joined["public"] and member.joined_event == joined["event"]
    assert not _unused(space, code)
    monkeypatch.setenv("VECHE_PASSPHRASE", NEW)
    status, _out, err = _cli(capsys, "committee", "leave", "--account", "Lastauka", space)
    assert status == 0, err
