"""`veche serve` itself: fingerprinted static files cached for ever, the access log on
its output, and the memory a sign-in rush takes bounded by VECHE_KDF_SLOTS."""

from __future__ import annotations

import http.client
import re
import threading
from pathlib import Path

import pytest
from tests.web.served import PASSPHRASE, Served, node_database, run_python, veche_serve

pytestmark = pytest.mark.slow


def _get(node: Served, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", node.port, timeout=10)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_static_files_are_fingerprinted_cached_for_ever_and_requests_logged(
    tmp_path: Path,
) -> None:
    with node_database() as database, veche_serve(tmp_path / "node", 1, database) as node:
        _status, page = node.get("/accounts/sign-in/")
        links = re.findall(r'/static/veche/[^"]+', page.decode())
        css = next(link for link in links if link.endswith(".css"))
        assert re.fullmatch(r"/static/veche/veche\.[0-9a-f]{12}\.css", css), links
        hashed = _get(node, css)
        assert hashed.status == 200
        assert hashed.getheader("Cache-Control") == "max-age=315360000, public, immutable"
        # The name without the hash still works, and is only kept a minute.
        plain = _get(node, "/static/veche/veche.css")
        assert plain.status == 200 and plain.getheader("Cache-Control") == "max-age=60, public"
        script = next(link for link in links if "htmx" in link)
        assert _get(node, script, **{"Accept-Encoding": "gzip"}).getheader("Content-Encoding") == (
            "gzip"
        )
        node.get("/committees/SPACE/join/?code=SECRETCODE")
    log = node.output()
    assert re.search(r' [0-9a-f]{12} "GET /accounts/sign-in/" 200 \d+ \d+ms', log), log
    assert '"GET /committees/SPACE/join/"' in log
    assert "SECRETCODE" not in log and "127.0.0.1 " not in log


def _worker_pids(master: int) -> list[int]:
    """gunicorn's workers: the master's children, but for the background task worker."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(fields[1]) == master and b"worker" not in command:
            pids.append(int(stat.parent.name))
    return sorted(pids)


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _sign_in(node: Served, results: list[int], start: threading.Barrier) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", node.port, timeout=60)
    connection.request("GET", "/accounts/sign-in/")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    body = f"pseudonym=Sokol&passphrase={PASSPHRASE.replace(' ', '+')}&csrfmiddlewaretoken={token}"
    start.wait(timeout=30)
    connection.request(
        "POST",
        "/accounts/sign-in/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Origin": f"http://127.0.0.1:{node.port}",
        },
    )
    answer = connection.getresponse()
    answer.read()
    connection.close()
    results.append(answer.status)


def test_a_sign_in_rush_derives_one_key_at_a_time_per_slot(tmp_path: Path) -> None:
    """Eight simultaneous sign-ins with the real "interactive" profile (64 MiB each) on
    two workers of four threads: with one slot, no worker's peak memory grows by more
    than one derivation (unbounded, a worker would run up to four at once)."""
    folder = tmp_path / "node"
    folder.mkdir()
    interactive = {"VECHE_KDF_PROFILE": "interactive"}
    with node_database() as database:
        run_python(
            folder,
            "from veche.apps.accounts.actions import create_account\n"
            f"create_account('Sokol', {PASSPHRASE!r})\n",
            database,
            **interactive,
        )
        growth, results = _rush(folder, database, interactive)
    assert results == [302] * 8
    # One derivation is 64 MiB; the rest is slack for what a first sign-in loads.
    assert max(growth.values()) < 64 + 40, growth


def _rush(
    folder: Path, database: str | None, interactive: dict[str, str]
) -> tuple[dict[int, float], list[int]]:
    with veche_serve(
        folder, 2, database, VECHE_KDF_SLOTS="1", VECHE_KDF_WAIT="60", **interactive
    ) as node:
        for _ in range(20):  # both workers warm: pages rendered, sessions used
            assert node.get("/accounts/sign-in/")[0] == 200
        workers = _worker_pids(node.process.pid)
        assert len(workers) == 2
        before = {pid: _peak_mib(pid) for pid in workers}
        results: list[int] = []
        start = threading.Barrier(8)
        rush = [threading.Thread(target=_sign_in, args=(node, results, start)) for _ in range(8)]
        for thread in rush:
            thread.start()
        for thread in rush:
            thread.join(timeout=120)
        growth = {pid: _peak_mib(pid) - before[pid] for pid in workers}
    return growth, results
