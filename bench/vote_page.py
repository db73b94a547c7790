"""The voter's page on a slow phone: bytes over the wire, time to interactive, time to seal.

A real ``veche serve`` on loopback (static files collected as in production: hashed
names, compressed) holds one open election. Chromium (Debian's, through Playwright)
signs in as a voter, then opens the voting page with an empty cache twice:

- unthrottled (this machine as it is);
- as a slow phone: Chromium's network throttling (CDP ``Network.emulateNetworkConditions``:
  1.5 Mbit/s down, 750 kbit/s up, 300 ms round trip) and CPU throttling
  (``Emulation.setCPUThrottlingRate``: 4× slower).

For each it prints the bytes received (``encodedDataLength`` of every response of the
page, headers included, as CDP counts them), the time from navigation to the page being
able to encrypt (the crypto library loaded and ready, the "Encrypt" button enabled), and
the time from the tap on "Encrypt my ballot" to the tracker on the screen. Then the page
is opened again in the same (warm) context: what a second visit costs.

Figures: first-visit bytes against the 400 KB budget; on the slow phone, the time from
opening the page to a sealed ballot (interactive + seal) against the 3 s budget; and the
slow phone's time to interactive and seal against the same unthrottled (what the link
and the 4× CPU cost). ``--quick`` skips the
repeat visit and seals once instead of three times.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # tests.web.served
from tests.web.served import PASSPHRASE, run_python, veche_serve

from common import emit, figure, parser

CHROMIUM = os.environ.get("VECHE_CHROMIUM", "/usr/bin/chromium")
BUDGET_BYTES = 400_000
BUDGET_SEAL_S = 3.0
SLOW_PHONE = {
    "offline": False,
    "latency": 300,  # ms, round trip
    "downloadThroughput": 1_500_000 / 8,  # bytes/s
    "uploadThroughput": 750_000 / 8,
}
CPU_SLOWDOWN = 4

# Runs in the node's environment: a committee of three, an open election with the
# demo's shape (one question, five candidates), three trustees dealt offline.
SETUP = """
import json
from veche.apps.accounts.actions import create_account
from veche.apps.committees import actions as committees
from veche.apps.elections import actions as elections
from veche.election import offline

people = [create_account(name, {passphrase!r})[1] for name in ("Voter", "Second", "Third")]
founder = people[0]
space = committees.create_committee(
    founder, name="Bench works committee", kind="workplace", level="local", pseudonym="Voter"
).id
for name, identity in zip(("Second", "Third"), people[1:]):
    code, _ = committees.invite(founder, space)
    committees.join(identity, space, code, name)
call = committees.propose(founder, space, kind="election", title="Elect a chair", text="By ballot.").id
for identity in people:
    committees.vote(identity, space, call, choice="yes")
committees.close(founder, space, call)
trustees = [offline.TrusteeKeys.generate() for _ in range(3)]
election = elections.create_election(
    founder, committee=space, motion=call, title="Chair of the committee",
    questions=[{{"text": "Who chairs?", "options": ["Ales", "Maria", "Sviatlana", "Valer", "Zianon"],
                "min": 1, "max": 1}}],
    method="plurality", seats=1,
    trustees=[(t.identity.public, t.box_public) for t in trustees], threshold=2,
).id
for keys in trustees:
    lines = elections.export_record(election)[:-1].split(b"\\n")
    report = elections.ingest_file(election, offline.dealing_event(lines, keys).raw + b"\\n", source="bench")
    assert all(o.status == "applied" for o in report.outcomes), report.outcomes
elections.open_election(founder, election)
print(json.dumps({{"election": election}}))
"""

READY = """() => {
  const button = document.getElementById("encrypt");
  return !!button && !button.disabled && !!window.sodium &&
    typeof window.sodium.crypto_core_ed25519_add === "function";
}"""

SEAL = """async () => {
  const tracker = document.getElementById("tracker");
  tracker.textContent = "";
  document.querySelector("input[name=q0]").checked = true;
  const start = performance.now();
  document.getElementById("encrypt").click();
  while (!tracker.textContent) await new Promise((done) => setTimeout(done, 5));
  return (performance.now() - start) / 1000;
}"""


def _visit(context: Any, url: str, throttled: bool, seals: int) -> dict[str, float]:
    """Open the page in ``context``; bytes, time to interactive, median seal time."""
    page = context.new_page()
    page.set_default_timeout(120_000)
    cdp = context.new_cdp_session(page)
    received: list[float] = []
    cdp.on("Network.loadingFinished", lambda event: received.append(event["encodedDataLength"]))
    cdp.send("Network.enable")
    if throttled:
        cdp.send("Network.emulateNetworkConditions", SLOW_PHONE)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(READY, polling=20)
    interactive = time.perf_counter() - start
    page.wait_for_load_state("load")
    seal_times = [page.evaluate(SEAL) for _ in range(seals)]
    page.close()
    return {
        "bytes": sum(received),
        "requests": len(received),
        "interactive_s": interactive,
        "seal_s": statistics.median(seal_times),
    }


def measure(quick: bool) -> dict[str, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="veche-bench-vote-"))
    try:
        setup = json.loads(
            run_python(folder / "node", SETUP.format(passphrase=PASSPHRASE)).splitlines()[-1]
        )
        with veche_serve(folder / "node", 1) as node, sync_playwright() as playwright:
            base = f"http://127.0.0.1:{node.port}"
            url = f"{base}/elections/{setup['election']}/vote/"
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            signing = browser.new_context()
            page = signing.new_page()
            page.goto(base + "/accounts/sign-in/")
            page.get_by_label("Pseudonym").fill("Voter")
            page.get_by_label("Passphrase").fill(PASSPHRASE)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda u: "sign-in" not in u)
            cookies = signing.storage_state()
            signing.close()
            seals = 1 if quick else 3
            results = {}
            for name, throttled in (("unthrottled", False), ("slow_phone", True)):
                # A phone's viewport, and an empty cache: a first visit.
                context = browser.new_context(
                    storage_state=cookies, viewport={"width": 360, "height": 740}
                )
                results[name] = _visit(context, url, throttled, seals)
                if not quick and throttled:
                    results["slow_phone_again"] = _visit(context, url, throttled, seals)
                context.close()
            browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def main() -> int:
    args = parser(__doc__.splitlines()[0]).parse_args()
    results = measure(args.quick)
    print(f"{'visit':<18} {'bytes':>9} {'requests':>8} {'interactive':>11} {'seal':>7}")
    for name, row in results.items():
        print(
            f"{name:<18} {row['bytes']:>9.0f} {row['requests']:>8.0f} "
            f"{row['interactive_s']:>10.2f}s {row['seal_s']:>6.3f}s"
        )
    slow, fast = results["slow_phone"], results["unthrottled"]
    rows = [
        figure(
            "vote_page",
            "first_visit_bytes",
            slow["bytes"],
            "budget_bytes",
            BUDGET_BYTES,
            lower_is_better=True,
            target=1.0,
        ),
        figure(
            "vote_page",
            "slow_phone_open_to_sealed_s",
            slow["interactive_s"] + slow["seal_s"],
            "budget_s",
            BUDGET_SEAL_S,
            lower_is_better=True,
            target=1.0,
        ),
        figure(
            "vote_page",
            "slow_phone_interactive_s",
            slow["interactive_s"],
            "unthrottled_interactive_s",
            fast["interactive_s"],
            lower_is_better=True,
        ),
        figure(
            "vote_page",
            "slow_phone_seal_s",
            slow["seal_s"],
            "unthrottled_seal_s",
            fast["seal_s"],
            lower_is_better=True,
        ),
    ]
    emit(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
