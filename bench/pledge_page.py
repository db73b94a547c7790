"""Sealing a strike pledge on a slow phone: the pledge page's seal time against the 1 s budget.

As ``bench/vote_page.py`` does for the voting page: a real ``veche serve`` on
loopback holds one open pledge of a committee of three (trustees dealt offline);
Chromium signs in as a member and opens the pledge page with an empty cache,
unthrottled and as a slow phone (1.5 Mbit/s, 300 ms round trip, CPU 4× slower),
and times the tap on "Seal my answer" to the tracker on the screen. Figure: the
slow phone's seal time against the issue's 1 s budget.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # tests.web.served
from tests.web.served import PASSPHRASE, run_python, veche_serve

from common import emit, figure, parser
from vote_page import CHROMIUM, _visit

BUDGET_SEAL_S = 1.0

SETUP = """
import json
from datetime import UTC, datetime, timedelta
from veche.apps.accounts.actions import create_account
from veche.apps.committees import actions as committees
from veche.apps.elections import actions as elections, pledge_actions
from veche.election import offline

people = [create_account(name, {passphrase!r})[1] for name in ("Voter", "Second", "Third")]
founder = people[0]
space = committees.create_committee(
    founder, name="Bench works committee", kind="workplace", level="local", pseudonym="Voter"
).id
for name, identity in zip(("Second", "Third"), people[1:]):
    code, _ = committees.invite(founder, space)
    committees.join(identity, space, code, name)
call = committees.propose(founder, space, kind="strike_call", title="Strike", text="All out.").id
trustees = [offline.TrusteeKeys.generate() for _ in range(3)]
deadline = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
pledge = pledge_actions.create_pledge(
    founder, title="Strike if 2 of us do", workplace="Bench works", strike_date="2020-08-26",
    deadline=deadline, trustees=[(t.identity.public, t.box_public) for t in trustees],
    threshold=2, needed=2, committee=space, strike_call=call,
).id
for keys in trustees:
    lines = elections.export_record(pledge)[:-1].split(b"\\n")
    report = elections.ingest_file(pledge, offline.dealing_event(lines, keys).raw + b"\\n", source="bench")
    assert all(o.status == "applied" for o in report.outcomes), report.outcomes
pledge_actions.open_pledge(founder, pledge)
print(json.dumps({{"pledge": pledge}}))
"""


def measure(quick: bool) -> dict[str, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="veche-bench-pledge-"))
    try:
        setup = json.loads(
            run_python(folder / "node", SETUP.format(passphrase=PASSPHRASE)).splitlines()[-1]
        )
        with veche_serve(folder / "node", 1) as node, sync_playwright() as playwright:
            base = f"http://127.0.0.1:{node.port}"
            url = f"{base}/elections/pledge/{setup['pledge']}/make/"
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
            results: dict[str, Any] = {}
            for name, throttled in (("unthrottled", False), ("slow_phone", True)):
                context = browser.new_context(
                    storage_state=cookies, viewport={"width": 360, "height": 740}
                )
                results[name] = _visit(context, url, throttled, 1 if quick else 3)
                context.close()
            browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def main() -> int:
    args = parser(__doc__.splitlines()[0]).parse_args()
    results = measure(args.quick)
    print(f"{'visit':<18} {'bytes':>9} {'interactive':>11} {'seal':>7}")
    for name, row in results.items():
        print(
            f"{name:<18} {row['bytes']:>9.0f} {row['interactive_s']:>10.2f}s {row['seal_s']:>6.3f}s"
        )
    emit(
        [
            figure(
                "pledge_page",
                "slow_phone_seal_s",
                results["slow_phone"]["seal_s"],
                "budget_s",
                BUDGET_SEAL_S,
                lower_is_better=True,
                target=1.0,
            )
        ]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
