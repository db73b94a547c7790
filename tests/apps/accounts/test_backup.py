"""Joining: a passphrase typed twice and strong enough, a welcome page, a key backup
(file and paper QR) that restores the account on this node or another."""

from __future__ import annotations

import io
import json
import re
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image
from tests.apps.sync.nodes import Node
from tests.factories import PASS, World, sign_in

from veche.apps.accounts import backup
from veche.apps.accounts.actions import create_account
from veche.apps.accounts.models import Account
from veche.apps.committees import actions
from veche.apps.committees.models import Invitation, Member
from veche.apps.store.models import StoredEvent
from veche.apps.sync.gate import Source, admit
from veche.events.identity import load_identity

pytestmark = pytest.mark.django_db

STRONG = "pine needle ferry lantern"
COMMITTEE = "Kozlova plant strike committee"


@pytest.fixture
def space(world: World) -> str:
    return world.committee("Sokol", name=COMMITTEE)


def _join(world: World, space: str, pseudonym: str = "Zubr", passphrase: str = STRONG) -> Any:
    code, _ = actions.invite(world.person("Sokol"), space)
    client = Client()
    answer = client.post(
        reverse("committees:join", args=[space]),
        {"code": code, "pseudonym": pseudonym, "passphrase": passphrase, "again": passphrase},
    )
    return client, answer


def _upload(
    client: Client, data: bytes, passphrase: str, name: str = "backup", **extra: str
) -> Any:
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(
        reverse("accounts:restore"), {"backup": upload, "passphrase": passphrase, **extra}
    )


def test_joining_refuses_a_guessable_passphrase_with_advice_and_keeps_the_rest(
    world: World, space: str
) -> None:
    _client, answer = _join(world, space, passphrase="zubrzubrzubr")
    assert answer.status_code == 200
    errors = answer.context["form"].errors["passphrase"]
    assert any("could guess it" in e for e in errors)
    assert any("repeated word" in e for e in errors)
    assert answer.context["form"]["pseudonym"].value() == "Zubr"
    assert not Member.objects.filter(space=space, pseudonym="Zubr").exists()


def test_a_weak_passphrase_is_refused_in_russian_too(world: World, space: str) -> None:
    code, _ = actions.invite(world.person("Sokol"), space)
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    answer = client.post(
        reverse("committees:join", args=[space]),
        {"code": code, "pseudonym": "Zubr", "passphrase": "qwertyuiop12", "again": "qwertyuiop12"},
    )
    text = " ".join(answer.context["form"].errors["passphrase"])
    assert "could guess" not in text and "смог" in text


def test_a_new_member_is_welcomed_and_offered_the_backup(world: World, space: str) -> None:
    client, answer = _join(world, space)
    assert answer.status_code == 302 and answer["Location"] == reverse("accounts:welcome")
    page = client.get(answer["Location"]).content.decode()
    for link in (
        reverse("committees:detail", args=[space]),
        reverse("committees:propose", args=[space]),
        reverse("home"),
        "/elections/trustee-key/",
        reverse("accounts:key-file"),
        reverse("accounts:paper"),
    ):
        assert f'href="{link}"' in page, link
    assert COMMITTEE in page


def test_the_key_file_is_a_veche_keys_file_sealed_with_the_passphrase(
    world: World, space: str, tmp_path: Path
) -> None:
    client, _ = _join(world, space)
    account = Account.objects.get(pseudonym="Zubr")
    answer = client.get(reverse("accounts:key-file"))
    assert answer["Content-Disposition"].startswith("attachment;")
    assert answer["Cache-Control"] == "no-store"
    document = json.loads(answer.content)
    assert document["format"] == "veche-identity" and document["public"] == account.public_key
    path = tmp_path / "zubr.key"
    path.write_bytes(answer.content)
    assert load_identity(path, STRONG).public == account.public_key  # as `veche keys` reads it
    # Nothing in it is the bare key.
    seed = load_identity(path, STRONG).seed
    assert seed.hex() not in answer.content.decode()
    assert Client().get(reverse("accounts:key-file")).status_code == 302  # members only


def test_the_paper_backup_holds_the_sealed_file_never_the_bare_key(
    world: World, space: str
) -> None:
    client, _ = _join(world, space)
    account = Account.objects.get(pseudonym="Zubr")
    page = client.get(reverse("accounts:paper")).content.decode()
    assert "<svg" in page and "@media print" in page and account.public_key in page
    png = client.get(reverse("accounts:paper-png")).content
    found = backup.read(png)
    assert (found.public, found.pseudonym, found.sealed) == (
        account.public_key,
        "Zubr",
        account.sealed_seed,
    )


def test_restore_on_this_node_resets_the_passphrase_and_ends_sessions(
    world: World, space: str
) -> None:
    create_account("Sokol", PASS, world.person("Sokol"))
    old_phone = sign_in("Sokol")
    sheet = backup.paper_qr_png(Account.objects.get(pseudonym="Sokol"))
    # The member forgot their passphrase, or a seized phone is signed in: the sheet and
    # the passphrase it was made with put the account back under the member's control.
    restorer = Client()
    answer = _upload(restorer, sheet, PASS, name="photo.png")
    assert answer.status_code == 302 and answer["Location"] == reverse("accounts:welcome")
    assert Account.objects.get(pseudonym="Sokol").session_generation == 1
    assert old_phone.get(reverse("accounts:account")).status_code == 302
    before = Invitation.objects.filter(space=space).count()
    restorer.post(reverse("committees:invite", args=[space]))
    assert Invitation.objects.filter(space=space).count() == before + 1


@pytest.mark.parametrize(
    ("data", "passphrase", "field", "says"),
    [
        (b"hello", STRONG, "backup", "neither a key file nor a picture"),
        (b'{"format": "other"}', STRONG, "backup", "not a Veche key backup"),
        (b"{not json", STRONG, "backup", "not readable"),
        ("blank", STRONG, "backup", "No QR code was found"),
        ("greedy", STRONG, "backup", "more work than this node gives"),
        ("good", "not the passphrase", "passphrase", "does not open the backup"),
        ("altered", STRONG, "passphrase", "does not open the backup"),
    ],
)
def test_restore_refuses_bad_backups_with_a_message(
    world: World, space: str, data: Any, passphrase: str, field: str, says: str
) -> None:
    _join(world, space)
    good = backup.key_file(Account.objects.get(pseudonym="Zubr"))
    document = json.loads(good)
    if data == "blank":
        out = io.BytesIO()
        Image.new("RGB", (200, 200), "white").save(out, "PNG")
        data = out.getvalue()
    elif data == "greedy":
        document["sealed"]["memlimit"] = 4 * 1024**3
        data = json.dumps(document).encode()
    elif data == "good":
        data = good
    elif data == "altered":
        box = document["sealed"]["box"]
        document["sealed"]["box"] = box[:-2] + ("AA" if box[-2:] != "AA" else "BB")
        data = json.dumps(document).encode()
    answer = _upload(Client(), data, passphrase)
    assert answer.status_code == 200
    assert any(says in e for e in answer.context["form"].errors[field]), answer.context[
        "form"
    ].errors


def test_wrong_backup_passphrases_are_throttled(world: World, space: str) -> None:
    _join(world, space)
    good = backup.key_file(Account.objects.get(pseudonym="Zubr"))
    statuses = [_upload(Client(), good, f"wrong guess {i}").status_code for i in range(12)]
    assert statuses[-1] == 429


# -- a second node --------------------------------------------------------------------


class Browser:
    """A browser's forms on a served node: cookies, CSRF token and multipart uploads."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(
        self, path: str, fields: dict[str, str], files: dict[str, bytes] | None = None
    ) -> tuple[int, str]:
        _status, page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        # A POST-only path shows no form: the CSRF cookie's value is a token too.
        cookie = {c.name: c.value for c in self.jar}.get("csrftoken", "")
        fields = {"csrfmiddlewaretoken": token.group(1) if token else cookie, **fields}
        boundary = uuid.uuid4().hex
        body = b""
        for name, value in fields.items():
            body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, data in (files or {}).items():
            body += (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{name}.png"\r\nContent-Type: image/png\r\n\r\n'
                ).encode()
                + data
                + b"\r\n"
            )
        body += f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(
            self.base + path,
            data=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": self.base + path,
            },
        )
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.status, answer.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "") or error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.mark.slow
def test_a_paper_backup_restores_the_member_on_a_second_node_whose_event_the_first_accepts(
    world: World, space: str, tmp_path: Path
) -> None:
    # On the first node: Zubr joins, lands on the welcome page, saves the paper backup.
    client, answer = _join(world, space)
    assert answer["Location"] == reverse("accounts:welcome")
    sheet = client.get(reverse("accounts:paper-png")).content
    zubr = Account.objects.get(pseudonym="Zubr").public_key
    # A photo of the printed sheet: the QR code smaller, on grey paper, off-centre.
    code = Image.open(io.BytesIO(sheet)).convert("L").resize((330, 330))
    photo = Image.new("L", (900, 700), 200)
    photo.paste(code, (310, 140))
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=85)

    # The first node is seized; the committee's log reached a second node before.
    log = tmp_path / "committee.jsonl"
    rows = StoredEvent.objects.filter(space=space).order_by("height", "id")
    log.write_bytes(b"".join(bytes(row.raw) + b"\n" for row in rows))
    second = Node(tmp_path / "second")
    second.folder.mkdir()
    second.veche("log", "import", str(log), f"--space={space}")
    second.start()
    try:
        browser = Browser(second.url)
        status, where = browser.post(
            "/accounts/restore/",
            {"passphrase": STRONG, "pseudonym": ""},
            {"backup": out.getvalue()},
        )
        assert (status, where) == (302, "/accounts/welcome/"), where
        status, page = browser.get("/accounts/welcome/")
        assert status == 200 and COMMITTEE in page and "Zubr" in page
        # Zubr signs on the second node: an invitation to the committee.
        status, _where = browser.post(f"/committees/{space}/invite/", {})
        assert status == 200
    finally:
        second.stop()
    made = second.query(
        f"SELECT raw FROM store_storedevent WHERE author = '{zubr}' AND kind = 'member.invite'"
    )
    assert len(made) == 1
    raw = bytes(made[0][0])

    # Back on the first node, the event comes in as a file would: it is applied.
    admit([raw], Source.operator("file:second-node", spaces=[space]))
    event = StoredEvent.objects.get(author=zubr, kind="member.invite")
    assert event.status == "applied"
    assert Invitation.objects.filter(space=space, invited_by=zubr).exists()
