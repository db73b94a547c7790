"""Behind a TLS proxy: forwarding headers count only from trusted proxies, CSRF passes
for the proxy's clients, HSTS over TLS, and an access log that keeps no secrets."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client, override_settings
from tests.factories import PASS
from tests.web.served import node_env

from veche.apps.accounts.actions import create_account
from veche.apps.accounts.models import SignInFailures
from veche.apps.accounts.throttle import MAX_FAILURES
from veche.web.proxies import client_address, parse_networks, parse_origins

PROXY = "10.0.0.1"
ORIGIN = "https://testserver"


def test_client_address_reads_x_forwarded_for_from_the_right() -> None:
    trusted = parse_networks("10.0.0.0/24, ::1")
    # The proxy appended the client's address; what the client wrote before it is ignored.
    assert client_address(PROXY, "1.2.3.4, 203.0.113.9", trusted) == "203.0.113.9"
    # Two trusted proxies in a row: the first untrusted hop is the client.
    assert client_address(PROXY, "203.0.113.9, 10.0.0.7", trusted) == "203.0.113.9"
    # A hop that is no address stops the walk at the last trusted hop.
    assert client_address(PROXY, "203.0.113.9, junk, 10.0.0.7", trusted) == "10.0.0.7"
    assert client_address(PROXY, "", trusted) == PROXY
    assert client_address(PROXY, "[2001:db8::1]", trusted) == "2001:db8::1"
    assert client_address(PROXY, "::ffff:203.0.113.9", trusted) == "203.0.113.9"


def test_settings_values_are_checked() -> None:
    assert parse_networks("none") == () == parse_networks("")
    assert [str(n) for n in parse_networks("127.0.0.1, 172.18.0.0/16, [::1]")] == [
        "127.0.0.1/32",
        "172.18.0.0/16",
        "::1/128",
    ]
    with pytest.raises(ValueError, match="VECHE_TRUSTED_PROXIES"):
        parse_networks("proxy.example.org")
    assert parse_origins("https://Veche.Example.org/, http://10.0.0.5:8080") == [
        "https://veche.example.org",
        "http://10.0.0.5:8080",
    ]
    with pytest.raises(ValueError, match="VECHE_ORIGINS"):
        parse_origins("veche.example.org")


def _settings_from(tmp_path: Path, **env: str) -> dict[str, object]:
    code = (
        "import json\nfrom veche.web import settings as s\n"
        "print(json.dumps({'hsts': s.SECURE_HSTS_SECONDS, 'origins': s.CSRF_TRUSTED_ORIGINS,"
        " 'hosts': s.ALLOWED_HOSTS, 'proxies': [str(n) for n in s.VECHE_TRUSTED_PROXIES],"
        " 'secure': s.SESSION_COOKIE_SECURE, 'static': s.STORAGES['staticfiles']['BACKEND']}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=node_env(tmp_path, **env),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_settings_from_the_environment(tmp_path: Path) -> None:
    plain = _settings_from(tmp_path)
    assert plain["hsts"] == 0 and plain["origins"] == [] and plain["secure"] is False
    assert plain["proxies"] == ["127.0.0.1/32", "::1/128"]
    assert plain["static"].endswith(".StaticFilesStorage")  # type: ignore[union-attr]
    behind_tls = _settings_from(
        tmp_path,
        VECHE_HTTPS="1",
        VECHE_ORIGINS="https://veche.example.org",
        VECHE_TRUSTED_PROXIES="172.18.0.0/16",
        VECHE_STATIC_MANIFEST="1",
    )
    assert behind_tls["hsts"] == 365 * 24 * 3600 and behind_tls["secure"] is True
    assert behind_tls["origins"] == ["https://veche.example.org"]
    assert "veche.example.org" in behind_tls["hosts"]  # type: ignore[operator]
    assert behind_tls["proxies"] == ["172.18.0.0/16"]
    assert behind_tls["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert _settings_from(tmp_path, VECHE_HTTPS="1", VECHE_HSTS_SECONDS="600")["hsts"] == 600


def _signed_in_post(peer: str, **headers: str) -> int:
    """A browser's sign-in through the proxy (CSRF checks on), as ``peer`` sees it."""
    # A browser always names the host; the proxy passes it on (proxy_set_header Host).
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=peer, HTTP_HOST="testserver")
    page = client.get("/accounts/sign-in/", **headers)
    assert page.status_code == 200
    token = page.context["csrf_token"]
    return client.post(
        "/accounts/sign-in/",
        {"pseudonym": "Sokol", "passphrase": PASS, "csrfmiddlewaretoken": str(token)},
        HTTP_ORIGIN=ORIGIN,
        HTTP_REFERER=f"{ORIGIN}/accounts/sign-in/",
        **headers,
    ).status_code


@pytest.mark.django_db
@override_settings(VECHE_TRUSTED_PROXIES=parse_networks(PROXY), SECURE_HSTS_SECONDS=3600)
def test_csrf_passes_through_a_trusted_tls_proxy_only() -> None:
    create_account("Sokol", PASS)
    tls = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert _signed_in_post(PROXY, **tls) == 302
    # The same headers from anyone else are dropped: the request is plain HTTP,
    # and a page served over HTTPS does not match it.
    assert _signed_in_post("10.0.0.2", **tls) == 403
    # Without the header the proxy says the client came over plain HTTP.
    assert _signed_in_post(PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9") == 403


@pytest.mark.django_db
@override_settings(
    VECHE_TRUSTED_PROXIES=parse_networks(PROXY),
    CSRF_TRUSTED_ORIGINS=["https://veche.example.org"],
)
def test_a_trusted_origin_passes_csrf_when_the_proxy_changes_the_host() -> None:
    create_account("Sokol", PASS)
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=PROXY)
    tls = {"HTTP_X_FORWARDED_PROTO": "https"}
    token = str(client.get("/accounts/sign-in/", **tls).context["csrf_token"])
    form = {"pseudonym": "Sokol", "passphrase": PASS, "csrfmiddlewaretoken": token}
    assert (
        client.post(
            "/accounts/sign-in/", form, HTTP_ORIGIN="https://veche.example.org", **tls
        ).status_code
        == 302
    )
    other = Client(enforce_csrf_checks=True, REMOTE_ADDR=PROXY)
    token = str(other.get("/accounts/sign-in/", **tls).context["csrf_token"])
    form["csrfmiddlewaretoken"] = token
    assert (
        other.post(
            "/accounts/sign-in/", form, HTTP_ORIGIN="https://evil.example", **tls
        ).status_code
        == 403
    )


@pytest.mark.django_db
@override_settings(VECHE_TRUSTED_PROXIES=parse_networks(PROXY), SECURE_HSTS_SECONDS=3600)
def test_hsts_is_sent_over_tls_only() -> None:
    over_tls = Client(REMOTE_ADDR=PROXY).get("/", HTTP_X_FORWARDED_PROTO="https")
    assert over_tls["Strict-Transport-Security"] == "max-age=3600"
    assert "Strict-Transport-Security" not in Client(REMOTE_ADDR=PROXY).get("/")
    spoofed = Client(REMOTE_ADDR="10.0.0.2").get("/", HTTP_X_FORWARDED_PROTO="https")
    assert "Strict-Transport-Security" not in spoofed


@pytest.mark.django_db
@override_settings(VECHE_TRUSTED_PROXIES=parse_networks(PROXY))
def test_the_throttle_counts_the_proxys_clients_apart() -> None:
    create_account("Sokol", PASS)
    create_account("Zubr", PASS)

    def attempt(peer: str, forwarded_for: str, pseudonym: str, passphrase: str) -> int:
        return (
            Client(REMOTE_ADDR=peer)
            .post(
                "/accounts/sign-in/",
                {"pseudonym": pseudonym, "passphrase": passphrase},
                HTTP_X_FORWARDED_FOR=forwarded_for,
            )
            .status_code
        )

    for index in range(MAX_FAILURES):
        assert attempt(PROXY, "203.0.113.9", f"Guess{index}", "wrong wrong wrong") == 200
    assert attempt(PROXY, "203.0.113.9", "Zubr", PASS) == 429  # that client is throttled
    assert attempt(PROXY, "203.0.113.10", "Zubr", PASS) == 302  # another is not
    # A client that is not a proxy cannot pick another address to be counted under.
    SignInFailures.objects.all().delete()
    for index in range(MAX_FAILURES):
        attempt("10.0.0.66", f"198.51.100.{index}", f"Guess{index}", "wrong wrong wrong")
    assert attempt("10.0.0.66", "198.51.100.200", "Zubr", PASS) == 429


@pytest.fixture
def access_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("veche.access")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


@pytest.mark.django_db
@override_settings(VECHE_TRUSTED_PROXIES=parse_networks(PROXY))
def test_the_access_log_keeps_no_secrets(access_lines: io.StringIO) -> None:
    create_account("Sokol", PASS)
    client = Client(REMOTE_ADDR=PROXY)
    client.post(
        "/accounts/sign-in/",
        {"pseudonym": "Sokol", "passphrase": PASS},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    client.get(
        "/committees/SPACE/join/?code=SECRETCODE&tracker=T", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    client.get("/x%0A127.0.0.1 forged/")
    lines = access_lines.getvalue().splitlines()
    assert len(lines) == 3, lines
    who, request, status = lines[0].split(" ", 1)[0], lines[0].split('"')[1], lines[0].split('"')[2]
    assert request == "POST /accounts/sign-in/" and status.split()[0] == "302"
    assert len(who) == 12 and set(who) <= set("0123456789abcdef")
    assert lines[1].split(" ")[0] == who  # one client, one pseudonymous name
    assert '"GET /committees/SPACE/join/"' in lines[1]
    assert "/x%0A127.0.0.1%20forged/" in lines[2]
    text = access_lines.getvalue()
    session = client.cookies["sessionid"].value
    for secret in ("SECRETCODE", "code=", "tracker", "203.0.113.9", PASS, "Sokol", session):
        assert secret not in text
    with override_settings(VECHE_ACCESS_LOG_ADDRESSES=True):
        client.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert access_lines.getvalue().splitlines()[-1].startswith('203.0.113.9 "GET /" 200 ')
