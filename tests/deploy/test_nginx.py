"""deploy/nginx/veche.conf in front of a real ``veche serve``, over TLS, on loopback.

nginx (Debian's ``nginx`` package) runs the shipped configuration with a self-signed
certificate, ports of the test's own and paths in a temporary folder; a client signs
in and posts through it. The CSRF check must pass: the node trusts the proxy and
learns from it that the browser came over HTTPS. The same node without trusting the
proxy refuses the POST, as every node did before VECHE_TRUSTED_PROXIES.

Through the same proxy a member votes on their committee's motion with the web form,
and a second node (a data folder and database of its own) runs ``veche sync
https://localhost:PORT/`` and receives the committee's log, that vote included. The
sync client checks the proxy's certificate as any HTTPS client of Python does
(``urllib`` with the default context: the system's CAs, or the file named by
``SSL_CERT_FILE``); the test's self-signed certificate is trusted through
``SSL_CERT_FILE``, and without it the sync is refused.

Skipped, with the reason, where nginx or openssl is not installed (.ci/run installs
them: apt-get install nginx openssl).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from tests.apps.sync.nodes import PASSPHRASE as KEY_PASSPHRASE
from tests.apps.sync.nodes import Node
from tests.web.served import (
    PASSPHRASE,
    VECHE,
    Served,
    free_port,
    node_database,
    run_python,
    veche_serve,
)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CONF = REPO / "deploy" / "nginx" / "veche.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
OPENSSL = shutil.which("openssl")

if NGINX is None or OPENSSL is None:
    pytest.skip(
        "nginx and openssl are needed to test deploy/nginx/veche.conf"
        " (apt-get install nginx openssl)",
        allow_module_level=True,
    )


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx/veche.conf no longer has {old!r}: update this test"
    return text.replace(old, new)


def _site(folder: Path, https_port: int, http_port: int, upstream: int) -> str:
    """The shipped site with this test's ports, certificate and folders."""
    site = CONF.read_text(encoding="utf-8")
    site = _replace(site, "server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
    site = _replace(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = _replace(site, "listen 80;", f"listen 127.0.0.1:{http_port};")
    # No IPv6 on every CI machine; the IPv4 lines above are the ones tested.
    site = _replace(site, "    listen [::]:443 ssl http2;\n", "")
    site = _replace(site, "    listen [::]:80;\n", "")
    site = _replace(site, "veche.example.org", "localhost")
    site = _replace(site, "/etc/letsencrypt/live/localhost/fullchain.pem", str(folder / "cert.pem"))
    site = _replace(site, "/etc/letsencrypt/live/localhost/privkey.pem", str(folder / "key.pem"))
    site = _replace(site, "/var/log/nginx/", f"{folder}/")
    return _replace(site, "root /var/www/html;", f"root {folder};")


@contextmanager
def nginx_in_front(folder: Path, upstream: int) -> Iterator[tuple[int, int]]:
    """nginx with the shipped site, proxying to 127.0.0.1:upstream; yields its ports
    (HTTPS, HTTP)."""
    assert NGINX is not None and OPENSSL is not None
    folder.mkdir(exist_ok=True)
    files = ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")]
    name = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", *files, *name],
        check=True,
        capture_output=True,
        timeout=60,
    )
    https_port, http_port = free_port(), free_port()
    (folder / "veche.conf").write_text(_site(folder, https_port, http_port, upstream))
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    (folder / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/nginx-error.log info;\n"
        + "events { worker_connections 256; }\nhttp {\n"
        + f"  client_body_temp_path {temp['body']};\n  proxy_temp_path {temp['proxy']};\n"
        + f"  fastcgi_temp_path {temp['fastcgi']};\n  uwsgi_temp_path {temp['uwsgi']};\n"
        + f"  scgi_temp_path {temp['scgi']};\n  access_log {folder}/default-access.log;\n"
        + f"  include {folder}/veche.conf;\n}}\n"
    )
    paths = [
        "-p",
        str(folder),
        "-c",
        str(folder / "nginx.conf"),
        "-e",
        str(folder / "nginx-error.log"),
    ]
    process = subprocess.Popen(
        [NGINX, *paths, "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise AssertionError(f"nginx exited: {process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", https_port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield https_port, http_port
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGQUIT)  # graceful: workers finish and exit
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class _Forms(HTMLParser):
    """Each form of a page: its action and its hidden inputs (name to value)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((named.get("action", ""), {}))
        elif tag == "input" and self.forms and named.get("type") == "hidden" and "name" in named:
            self.forms[-1][1][named["name"]] = named.get("value", "")


class Browser:
    """Just enough of a browser: TLS checked against the test's certificate, cookies."""

    def __init__(self, port: int, cafile: Path) -> None:
        self.port = port
        self.context = ssl.create_default_context(cafile=str(cafile))
        self.cookies: dict[str, str] = {}
        self.cookie_flags: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"https://localhost:{self.port}"

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> http.client.HTTPResponse:
        connection = http.client.HTTPSConnection(
            "localhost", self.port, context=self.context, timeout=30
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}{path}",
            }
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.body = response.read()  # type: ignore[attr-defined]
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            pair, _, flags = header.partition(";")
            name, _, value = pair.partition("=")
            self.cookies[name.strip()] = value.strip()
            self.cookie_flags[name.strip()] = flags
        return response

    def token(self, path: str) -> str:
        page = self.request("GET", path)
        assert page.status == 200
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body.decode())  # type: ignore[attr-defined]
        assert found
        return found.group(1)

    def hidden(self, page: str, action: str | None = None) -> dict[str, str]:
        """The hidden inputs (the CSRF token among them) of the form on ``page`` that
        posts to ``action`` (to the page itself when None), as a browser would send them."""
        answer = self.request("GET", page)
        assert answer.status == 200, (page, answer.status)
        parser = _Forms()
        parser.feed(answer.body.decode())  # type: ignore[attr-defined]
        found = [fields for to, fields in parser.forms if (to or page) == (action or page)]
        assert found, f"no form posting to {action or page} on {page}"
        assert "csrfmiddlewaretoken" in found[0], found[0]
        return found[0]

    def sign_in(self) -> http.client.HTTPResponse:
        form = self.hidden("/accounts/sign-in/")
        form |= {"pseudonym": "Sokol", "passphrase": PASSPHRASE}
        return self.request("POST", "/accounts/sign-in/", form)


@contextmanager
def _prepared_node(
    folder: Path, prepare: str, **env: str
) -> Iterator[tuple[Served, str | None, str]]:
    """A node prepared by the code ``prepare`` (run before it serves), served behind TLS
    (a hub, on the PostgreSQL pass); yields it, its DATABASE_URL (None: SQLite in its
    folder) and what ``prepare`` printed."""
    folder.mkdir()
    with node_database() as database:
        printed = run_python(folder, prepare, database)
        with veche_serve(
            folder, 1, database, VECHE_HTTPS="1", VECHE_ALLOWED_HOSTS="localhost", **env
        ) as node:
            yield node, database, printed


@contextmanager
def _node(folder: Path, **env: str) -> Iterator[Served]:
    """A node with Sokol's account, served behind TLS (a hub, on the PostgreSQL pass)."""
    sokol = f"from veche.apps.accounts.actions import create_account\ncreate_account('Sokol', {PASSPHRASE!r})\n"
    with _prepared_node(folder, sokol, **env) as (node, _database, _printed):
        yield node


def test_sign_in_and_post_through_nginx_over_tls(tmp_path: Path) -> None:
    folder = tmp_path / "node"
    with (
        _node(folder, VECHE_TRUSTED_PROXIES="127.0.0.1") as node,
        nginx_in_front(tmp_path / "nginx", node.port) as (port, plain_port),
    ):
        browser = Browser(port, tmp_path / "nginx" / "cert.pem")
        page = browser.request("GET", "/accounts/sign-in/")
        assert page.status == 200
        assert page.getheader("Strict-Transport-Security") == "max-age=31536000"
        assert len(page.headers.get_all("Strict-Transport-Security")) == 1
        signed_in = browser.sign_in()
        assert signed_in.status == 302, signed_in.body  # type: ignore[attr-defined]
        assert signed_in.getheader("Location") == "/"
        for cookie in ("sessionid", "veche_unlock", "csrftoken"):
            assert "secure" in browser.cookie_flags[cookie].lower(), browser.cookie_flags
        home = browser.request("GET", "/")
        assert b"Welcome, Sokol" in home.body  # type: ignore[attr-defined]
        # Another POST through the proxy: changing the language, then signing out.
        form = browser.hidden("/", "/i18n/setlang/") | {"language": "be", "next": "/"}
        assert browser.request("POST", "/i18n/setlang/", form).status == 302
        form = browser.hidden("/", "/accounts/sign-out/")
        assert browser.request("POST", "/accounts/sign-out/", form).status == 302
        browser.request("GET", "/committees/SPACE/join/?code=SECRETCODE")
        # Plain HTTP is only sent on to HTTPS.
        plain = http.client.HTTPConnection("127.0.0.1", plain_port, timeout=10)
        plain.request("GET", "/accounts/sign-in/?next=/", headers={"Host": "localhost"})
        redirect = plain.getresponse()
        plain.close()
        assert redirect.status == 301
        assert redirect.getheader("Location") == "https://localhost/accounts/sign-in/?next=/"
        veche_log = node.output()
    nginx_log = (tmp_path / "nginx" / "access.log").read_text()
    assert (
        '"POST /accounts/sign-in/" 302' in nginx_log
        and '"POST /accounts/sign-in/" 302' in veche_log
    )
    for log in (nginx_log, veche_log):
        assert "SECRETCODE" not in log and "code=" not in log
    assert '"GET /committees/SPACE/join/"' in nginx_log


def test_without_trusting_the_proxy_the_post_is_refused(tmp_path: Path) -> None:
    """What every TLS proxy on another machine met before: 403 on every POST."""
    folder = tmp_path / "node"
    with (
        _node(folder, VECHE_TRUSTED_PROXIES="none") as node,
        nginx_in_front(tmp_path / "nginx", node.port) as (port, _plain),
    ):
        browser = Browser(port, tmp_path / "nginx" / "cert.pem")
        assert browser.sign_in().status == 403


# -- voting and syncing through the proxy --------------------------------------------------

_COMMITTEE = """
import base64, json
from pathlib import Path
from veche.apps.accounts.actions import create_account
from veche.apps.committees import actions
from veche.events import Identity
from veche.events.identity import save_identity
_, sokol = create_account('Sokol', {passphrase!r})
space = actions.create_committee(
    sokol, name='Belshina strike committee', kind='workplace', level='local', pseudonym='Sokol'
).id
zubr = Identity.generate()
code, _ = actions.invite(sokol, space)
actions.join(zubr, space, code, 'Zubr')
motion = actions.propose(zubr, space, kind='general', title='Strike on Monday', text='All out.').id
save_identity(Path({key!r}), sokol, {key_passphrase!r}, profile='test')
print(json.dumps({{
    'space': space, 'motion': motion, 'sokol': sokol.public, 'code': code,
    'seed': [sokol.seed.hex(), base64.urlsafe_b64encode(sokol.seed).decode().rstrip('=')],
}}))
"""

_STATE = """
import json
from veche.apps.committees.models import Vote
from veche.apps.store.log import state_digest
from veche.apps.store.models import StoredEvent
events = StoredEvent.objects.filter(space={space!r})
vote = Vote.objects.filter(space={space!r}, motion={motion!r}, person={sokol!r}).first()
print(json.dumps({{
    'vote': vote and {{
        'choice': vote.choice, 'event': vote.event, 'kind': events.get(id=vote.event).kind,
        'status': events.get(id=vote.event).status,
    }},
    'events': sorted(events.values_list('id', 'status')), 'digest': state_digest({space!r}),
}}))
"""


def _state(node: Served, database: str | None, made: dict[str, object]) -> dict[str, Any]:
    """The running node's committee: Sokol's vote on the motion (None before), every
    event of the space with its status, and the space's state digest."""
    state: dict[str, Any] = json.loads(run_python(node.folder, _STATE.format(**made), database))
    return state


@contextmanager
def _committee_behind_nginx(
    tmp_path: Path,
) -> Iterator[tuple[Served, str | None, dict[str, object], int]]:
    """Sokol's account, founder of a committee with Zubr, whose motion is open; Sokol's
    key also in a key file (for ``veche sync --as``). Served behind nginx: yields the
    node, its DATABASE_URL, what was made (ids, the code, the seed) and nginx's port."""
    prepare = _COMMITTEE.format(
        passphrase=PASSPHRASE, key=str(tmp_path / "sokol.key"), key_passphrase=KEY_PASSPHRASE
    )
    with (
        _prepared_node(tmp_path / "node", prepare, VECHE_TRUSTED_PROXIES="127.0.0.1") as (
            node,
            database,
            printed,
        ),
        nginx_in_front(tmp_path / "nginx", node.port) as (port, _plain),
    ):
        yield node, database, json.loads(printed), port


def _vote_through_nginx(browser: Browser, space: str, motion: str) -> None:
    """Sign in and vote yes with the motion page's form, as a browser does."""
    assert browser.sign_in().status == 302
    page = f"/committees/{space}/motions/{motion}/"
    action = f"{page}vote/"
    form = browser.hidden(page, action) | {"choice": "yes"}
    voted = browser.request("POST", action, form)
    assert voted.status == 302, voted.body  # type: ignore[attr-defined]
    assert voted.getheader("Location") == page
    after = browser.request("GET", page).body.decode()  # type: ignore[attr-defined]
    assert "Your vote was recorded" in after
    assert "You voted: yes" in after


def _secrets(browser: Browser, made: dict[str, object]) -> list[str]:
    """What no log may hold: passphrases, the member's seed, the invitation code, cookies."""
    seeds = made["seed"]
    assert isinstance(seeds, list)
    cookies = [browser.cookies[name] for name in ("sessionid", "veche_unlock", "csrftoken")]
    return [PASSPHRASE, KEY_PASSPHRASE, str(made["code"]), "code=", *seeds, *cookies]


def test_a_member_votes_through_nginx_over_tls(tmp_path: Path) -> None:
    with _committee_behind_nginx(tmp_path) as (node, database, made, port):
        space, motion = str(made["space"]), str(made["motion"])
        browser = Browser(port, tmp_path / "nginx" / "cert.pem")
        assert _state(node, database, made)["vote"] is None
        _vote_through_nginx(browser, space, motion)
        # The vote is in the running node's state: its projection and its signed log.
        vote = _state(node, database, made)["vote"]
        assert vote is not None
        assert (vote["choice"], vote["kind"], vote["status"]) == ("yes", "motion.vote", "applied")
        veche_log = node.output()
    nginx_log = (tmp_path / "nginx" / "access.log").read_text()
    voted = f'"POST /committees/{space}/motions/{motion}/vote/" 302'
    assert voted in nginx_log and voted in veche_log
    for log in (nginx_log, veche_log):
        for secret in _secrets(browser, made):
            assert secret not in log
    assert "127.0.0.1" not in nginx_log  # no client addresses


def _sync(
    second: Node, port: int, key: Path, cert: Path | None
) -> subprocess.CompletedProcess[str]:
    """``veche sync https://localhost:PORT/ --as KEY --json`` on the second node, trusting
    the certificate file ``cert`` (``SSL_CERT_FILE``), or only the system's CAs if None."""
    env = second.env()
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        env.pop(name, None)
    if cert is not None:
        env["SSL_CERT_FILE"] = str(cert)
    return subprocess.run(
        [VECHE, "sync", f"https://localhost:{port}/", "--as", str(key), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_second_node_syncs_through_nginx_over_tls(tmp_path: Path) -> None:
    with _committee_behind_nginx(tmp_path) as (node, database, made, port):
        space, motion = str(made["space"]), str(made["motion"])
        cert = tmp_path / "nginx" / "cert.pem"
        browser = Browser(port, cert)
        _vote_through_nginx(browser, space, motion)
        first = _state(node, database, made)

        # The second node: a data folder and (on the PostgreSQL pass) a database of its own.
        second = Node(tmp_path / "second")
        second.folder.mkdir()
        untrusted = _sync(second, port, tmp_path / "sokol.key", None)
        assert untrusted.returncode == 2, untrusted.stdout  # the certificate is checked
        assert "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr, untrusted.stderr
        synced = _sync(second, port, tmp_path / "sokol.key", cert)
        assert synced.returncode == 0, synced.stderr
        result = json.loads(synced.stdout)
        assert result["spaces"] == [space]
        assert set(result["pulled"]) == {"applied"}, result
        assert result["refused"] == 0 and not result["refused_by_peer"], result
        assert result["pushed"] == {}, result
        veche_log = node.output()

    # The second node holds the committee's log as the first does, the vote included.
    held = second.query(f"SELECT id, status FROM store_storedevent WHERE space = '{space}'")
    assert sorted(map(list, held)) == first["events"]
    assert [first["vote"]["event"], "applied"] in first["events"]
    votes = second.query(
        "SELECT choice FROM committees_vote"
        f" WHERE motion = '{motion}' AND person = '{made['sokol']}'"
    )
    assert [json.loads(choice) for (choice,) in votes] == ["yes"]
    assert second.json("state", "digest", f"--space={space}")["digest"] == first["digest"]

    nginx_log = (tmp_path / "nginx" / "access.log").read_text()
    for step in ("hello", "auth", "session"):
        line = f'"POST /sync/v1/{step}" 200'
        assert line in nginx_log and line in veche_log, line
    for log in (nginx_log, veche_log):
        for secret in _secrets(browser, made):
            assert secret not in log
    assert "127.0.0.1" not in nginx_log


def test_the_first_sync_through_nginx_reports_each_event_once(tmp_path: Path) -> None:
    with _committee_behind_nginx(tmp_path) as (node, database, made, port):
        space = str(made["space"])
        events = _state(node, database, made)
        second = Node(tmp_path / "second")
        second.folder.mkdir()
        synced = _sync(second, port, tmp_path / "sokol.key", tmp_path / "nginx" / "cert.pem")
    assert synced.returncode == 0, synced.stderr
    result = json.loads(synced.stdout)
    assert result["spaces"] == [space]
    stored = second.query(f"SELECT count(*) FROM store_storedevent WHERE space = '{space}'")
    assert stored == [(len(events["events"]),)]  # what was stored is right ...
    # ... and so is what the operator is told: each event once, no fork made up.
    assert (result["pulled"], result["forks_repaired"]) == ({"applied": stored[0][0]}, 0), result
