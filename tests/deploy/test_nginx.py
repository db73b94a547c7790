"""deploy/nginx/veche.conf in front of a real ``veche serve``, over TLS, on loopback.

nginx (Debian's ``nginx`` package) runs the shipped configuration with a self-signed
certificate, ports of the test's own and paths in a temporary folder; a client signs
in and posts through it. The CSRF check must pass: the node trusts the proxy and
learns from it that the browser came over HTTPS. The same node without trusting the
proxy refuses the POST, as every node did before VECHE_TRUSTED_PROXIES.

Skipped, with the reason, where nginx or openssl is not installed (.ci/run installs
them: apt-get install nginx openssl).
"""

from __future__ import annotations

import http.client
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
from pathlib import Path

import pytest
from tests.web.served import (
    PASSPHRASE,
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
            from urllib.parse import urlencode

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

    def sign_in(self) -> http.client.HTTPResponse:
        token = self.token("/accounts/sign-in/")
        form = {"pseudonym": "Sokol", "passphrase": PASSPHRASE, "csrfmiddlewaretoken": token}
        return self.request("POST", "/accounts/sign-in/", form)


@contextmanager
def _node(folder: Path, **env: str) -> Iterator[Served]:
    """A node with Sokol's account, served behind TLS (a hub, on the PostgreSQL pass)."""
    folder.mkdir()
    with node_database() as database:
        run_python(
            folder,
            "from veche.apps.accounts.actions import create_account\n"
            f"create_account('Sokol', {PASSPHRASE!r})\n",
            database,
        )
        with veche_serve(
            folder, 1, database, VECHE_HTTPS="1", VECHE_ALLOWED_HOSTS="localhost", **env
        ) as node:
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
        token = browser.token("/")
        language = browser.request(
            "POST", "/i18n/setlang/", {"language": "be", "next": "/", "csrfmiddlewaretoken": token}
        )
        assert language.status == 302
        token = browser.token("/")
        assert (
            browser.request("POST", "/accounts/sign-out/", {"csrfmiddlewaretoken": token}).status
            == 302
        )
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
