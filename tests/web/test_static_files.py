"""Static files: the vote page's weight, libsodium's module build, and how a real
``veche serve`` sends them (brotli or gzip, hashed names kept for a year).

The weight is counted, not timed: every file the vote page loads on a first visit,
compressed with brotli as WhiteNoise compresses it, plus the page and its JavaScript
catalogue, must fit the 400 KB budget (bench/vote_page.py measures the same page over a
throttled link). The module build of libsodium must hold every function ballot.js and
vote.js call: node imports it as the page's import map does.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
from pathlib import Path

import brotli
import pytest
from django.contrib.staticfiles import finders
from tests.apps.elections.helpers import setup_election
from tests.factories import signed_in_client
from tests.web.served import node_database, veche_serve

from veche.apps.elections import actions

BUDGET = 400_000
STATIC = Path(__file__).resolve().parents[2] / "src" / "veche" / "web" / "static" / "veche"
MODULES = {
    "libsodium-sumo": STATIC / "vendor" / "libsodium-sumo-0.8.4.mjs",
    "libsodium-wrappers-sumo": STATIC / "vendor" / "libsodium-wrappers-sumo-0.8.4.mjs",
}


def _vote_page_links(page: str) -> list[str]:
    """What a browser with import maps fetches: scripts, styles, module preloads, the map."""
    links = re.findall(r'<script[^>]* src="([^"]+)"', page)
    links += re.findall(r'<link rel="(?:stylesheet|modulepreload)" href="([^"]+)"', page)
    (imports,) = re.findall(r'<script type="importmap">(.*?)</script>', page, re.S)
    links += json.loads(imports)["imports"].values()
    return sorted(set(links))


@pytest.mark.django_db
def test_a_first_visit_to_the_vote_page_fits_the_budget() -> None:
    election = setup_election(("Zubr",))
    election.deal_all()
    actions.open_election(election.world.person("Sokol"), election.space)
    client = signed_in_client(election.world.person("Zubr"), "Zubr")
    page = client.get(f"/elections/{election.space}/vote/").content.decode()
    links = _vote_page_links(page)
    files = [link.removeprefix("/static/") for link in links if link.startswith("/static/")]
    # The module build only: the classic scripts (asm.js inside) are for old browsers.
    assert "veche/vendor/libsodium-sumo-0.8.4.mjs" in files
    assert not any(name.endswith("libsodium-sumo-0.8.4.js") for name in files)
    sizes = {name: len(brotli.compress(Path(finders.find(name)).read_bytes())) for name in files}
    catalogue = client.get("/jsi18n/").content
    total = len(page.encode()) + len(catalogue) + sum(sizes.values())
    assert total <= BUDGET, sizes


def test_the_module_build_has_every_function_the_vote_page_calls(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    used = set()
    for script in ("ballot.js", "vote.js"):
        used |= set(re.findall(r"\bsodium\.(\w+)", (STATIC / script).read_text()))
    assert "crypto_core_ed25519_add" in used
    # Bare names resolve as the page's import map resolves them: to the vendored files.
    for name, path in MODULES.items():
        package = tmp_path / "node_modules" / name
        package.mkdir(parents=True)
        shutil.copyfile(path, package / "index.mjs")
        (package / "package.json").write_text(json.dumps({"name": name, "exports": "./index.mjs"}))
    check = tmp_path / "check.mjs"
    check.write_text(
        'import sodium from "libsodium-wrappers-sumo";\n'
        "await sodium.ready;\n"
        f"const names = {json.dumps(sorted(used))};\n"
        "console.log(JSON.stringify(names.filter((n) => sodium[n] === undefined)));\n"
    )
    done = subprocess.run(
        [node, str(check)], capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def _get(port: int, path: str, encoding: str | None) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": encoding} if encoding else {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


@pytest.mark.slow
def test_served_static_files_are_brotli_or_gzip_and_kept_for_a_year(tmp_path: Path) -> None:
    with node_database() as database, veche_serve(tmp_path / "node", 1, database) as node:
        manifest = json.loads((node.folder / "static" / "staticfiles.json").read_text())
        hashed = "/static/" + manifest["paths"]["veche/vendor/libsodium-sumo-0.8.4.mjs"]
        source = MODULES["libsodium-sumo"].read_bytes()

        response, body = _get(node.port, hashed, "gzip, deflate, br")
        assert response.status == 200
        assert response.getheader("Content-Encoding") == "br"
        # Module scripts are refused by browsers under any other type.
        assert response.getheader("Content-Type", "").startswith("text/javascript")
        assert response.getheader("Cache-Control") == "max-age=315360000, public, immutable"
        assert brotli.decompress(body) == source
        assert len(body) < len(source) / 2

        response, body = _get(node.port, hashed, "gzip")
        assert response.getheader("Content-Encoding") == "gzip"

        response, body = _get(node.port, hashed, None)
        assert response.getheader("Content-Encoding") is None and body == source

        # Only hashed copies are collected; the plain name is still served, for a minute.
        assert not (
            node.folder / "static" / "veche" / "vendor" / "libsodium-sumo-0.8.4.mjs"
        ).exists()
        response, body = _get(node.port, "/static/veche/vendor/libsodium-sumo-0.8.4.mjs", None)
        assert response.status == 200 and body == source
        assert response.getheader("Cache-Control") == "max-age=60, public"
