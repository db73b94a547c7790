"""The mirror opened from file:// at 412 px in Belarusian (issue 19's must-show): the
demands, the map and the appeal are readable without sideways scrolling, and the
in-browser check (libsodium.js, no network) says "verified"; with one event's byte
changed it does not."""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from veche.publish.facts import select_public
from veche.publish.mirror import write_mirror

pytestmark = [pytest.mark.browser]

WIDE = "document.documentElement.scrollWidth <= innerWidth"


def test_the_mirror_reads_on_a_phone_and_checks_itself(
    federation, browser: Any, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "site"
    write_mirror(root, [e.raw for e in select_public(federation.events)], federation.documents)
    context = browser.new_context(viewport={"width": 412, "height": 915}, locale="be-BY")
    tab = context.new_page()
    tab.set_default_timeout(15000)
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))

    tab.goto((root / "be" / "index.html").as_uri())
    assert tab.locator("html").get_attribute("lang") == "be"
    tab.get_by_role("link", name="Стачком МТЗ").click()
    body = tab.locator("main").inner_text()
    assert "Требования рабочих МТЗ" in body  # the demands letter
    assert "Не стреляйте в свой народ" in body  # the appeal
    assert "Супрацоўнікам міліцыі" in body  # to whom, in Belarusian
    assert tab.evaluate(WIDE)

    tab.goto((root / "be" / "strike.html").as_uri())
    assert tab.locator("main svg").first.is_visible()  # the map
    assert "13\u202f800" in tab.locator("main dl").inner_text()  # MTZ 6,800 + Azot by ballot
    assert tab.evaluate(WIDE)
    tab.set_viewport_size({"width": 360, "height": 740})  # a cheap phone
    assert tab.evaluate(WIDE)
    # The new page kinds read on the same phone, with no script, in Belarusian.
    for page, words in (
        (f"be/election/{federation.election}.html", "Хто старшыня?"),
        (f"be/fund/{federation.fund_report.id}.html", "Ахвяраванні"),
    ):
        tab.goto((root / page).as_uri())
        assert words in tab.locator("main").inner_text()
        assert tab.evaluate(WIDE), page
    tab.set_viewport_size({"width": 412, "height": 915})

    tab.goto((root / "verify.html").as_uri())
    status = tab.locator("#status")
    # From file:// the page cannot read the pages: it says so and asks for the folder.
    status.filter(has_text="pages not read yet").wait_for()
    assert tab.locator("#problems li").count() == 0
    assert tab.get_by_text("Choose the copy's folder").is_visible()
    tab.locator("#folder").set_input_files(root)
    status.filter(has_text="verified").wait_for()
    assert status.inner_text().startswith("verified")
    assert tab.locator("#problems li").count() == 0
    compared = tab.locator("#facts").inner_text()
    assert "be/strike.html" in compared and f"be/fund/{federation.fund_report.id}.html" in compared
    unchecked = tab.locator("#unchecked").inner_text()  # shown with the verdict
    assert f"be/election/{federation.election}.html" in unchecked
    assert "Checked by signature only" in tab.locator("#signature-only").inner_text()
    assert tab.evaluate(WIDE)
    assert all(url.startswith("file://") for url in requests)  # no network, no CDN

    # Over http the page fetches the pages itself (no folder to choose).
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        tab.goto(f"http://127.0.0.1:{server.server_address[1]}/verify.html")
        tab.locator("#status").filter(has_text="verified — ").wait_for()
        assert tab.locator("#status").inner_text().startswith("verified")
        assert f"be/c/{federation.plant}.html" in tab.locator("#facts").inner_text()
    finally:
        server.shutdown()
        server.server_close()

    # One digit of one figure's visible text changed on a page: the check names the page.
    for path, old, new in (
        ("be/strike.html", ">13\u202f800</data>", ">13\u202f900</data>"),
        (
            "be/strike.html",
            'data-fact="workers_out" value="13800"',
            'data-fact="workers_out" value="13900"',
        ),
    ):
        forged = tmp_path / f"forged-{len(old)}"
        shutil.copytree(root, forged)
        page = forged / path
        assert page.read_text().count(old) == 1
        page.write_text(page.read_text().replace(old, new))
        tab.goto((forged / "verify.html").as_uri())
        tab.locator("#status").filter(has_text="pages not read yet").wait_for()
        tab.locator("#folder").set_input_files(forged)
        tab.locator("#status").filter(has_text="NOT verified").wait_for()
        assert "be/strike.html: figure workers_out" in tab.locator("#problems").inner_text()

    # One byte of one event changed: the browser check fails and says which.
    altered = tmp_path / "altered"
    shutil.copytree(root, altered)
    data = altered / "mirror-data.js"
    data.write_text(data.read_text().replace("17000", "17001", 1))
    tab.goto((altered / "verify.html").as_uri())
    altered_status = tab.locator("#status")
    altered_status.filter(has_text="NOT verified").wait_for()
    assert "do not hash to its id" in tab.locator("#problems").inner_text()
    # A figure the check shows changed (not the events): it says which pages.
    data.write_text(
        (root / "mirror-data.js").read_text().replace('"workers_out":13800', '"workers_out":13900')
    )
    tab.goto((altered / "verify.html").as_uri())
    tab.locator("#status").filter(has_text="NOT verified").wait_for()
    assert "be/strike.html: the strike totals differ" in tab.locator("#problems").inner_text()
    # One payout's amount changed in a fund page's report: its digest no longer matches.
    data.write_text(
        (root / "mirror-data.js").read_text().replace('"amount":70000', '"amount":70001', 1)
    )
    tab.goto((altered / "verify.html").as_uri())
    tab.locator("#status").filter(has_text="NOT verified").wait_for()
    fund = federation.fund_report.id
    assert (
        f"be/fund/{fund}.html: the fund report is not the one"
        in tab.locator("#problems").inner_text()
    )
    context.close()
