"""The mirror's must-show (issue 19) on the Belarus demo, built once: `veche publish -o
site` then `veche publish verify site` exits 0; one figure changed on the strike page
exits non-zero naming that page; one new published status rewrites only what it changes."""

from __future__ import annotations

import json
import shutil
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.demo_snapshot import load_demo_cached

from veche.cli import main

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_publish_the_demo_and_verify_the_copy(tmp_path: Path, capsys: Any) -> None:
    from veche.apps.accounts.models import Account
    from veche.apps.strike.actions import record_status
    from veche.apps.strike.models import StatusChange
    from veche.demo.load import DEMO_PASSPHRASE
    from veche.events import Identity
    from veche.events.identity import unseal

    load_demo_cached()
    site = tmp_path / "site"
    started = time.perf_counter()
    assert main(["publish", "-o", str(site)]) == 0
    assert time.perf_counter() - started < 10
    capsys.readouterr()
    assert main(["publish", "verify", str(site)]) == 0
    assert "verified" in capsys.readouterr().out
    strike = (site / "be" / "strike.html").read_text()
    assert "Жабинковский сахарный завод" in strike or "Жабінкаўскі" in strike
    # The demands letters and their endorsements are on their committees' pages.
    # The strike ballot at Azot set its status; the fund's August report is published.
    assert "Set by a secret strike ballot" in (site / "en" / "strike.html").read_text()
    reports = sorted((site / "en" / "fund").iterdir())
    assert reports and "2020-08" in reports[0].read_text()
    # The committees' decided elections with a published board, and their records.
    results = sorted((site / "be" / "election").iterdir())
    assert results and len(list((site / "elections").iterdir())) == len(results)
    pages = "".join(p.read_text() for p in (site / "be" / "c").iterdir())
    assert "Включить интернет" in pages
    assert "Падтрымалі 8 камітэтаў:" in pages  # the Kozlova letter's endorsers
    assert "Супрацоўнікам міліцыі" in pages  # Kozlova's appeal, to whom in Belarusian

    # The Minsk city council's passed motion published the demo audit (issue 19): its
    # page, its bundle, and a changed figure of its report.json named with its pages.
    audits = sorted((site / "be" / "audit").iterdir())
    assert len(audits) == 1 and "СІМУЛЯЦЫЯ" in audits[0].read_text()
    digest = audits[0].stem
    assert f"audit/{digest}.html" in (site / "ru" / "index.html").read_text()
    tampered = tmp_path / "tampered"
    shutil.copytree(site, tampered)
    report = tampered / "audit" / digest / "report.json"
    data = json.loads(report.read_bytes())
    data["registered"] += 1
    report.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    capsys.readouterr()
    assert main(["publish", "verify", str(tampered)]) == 1
    err = capsys.readouterr().err
    assert f"audit/{digest}/report.json: the audit's files are not those" in err
    assert f"be/audit/{digest}.html: this page does not follow" in err

    # One figure changed on the strike page: named, exit 1.
    altered = tmp_path / "altered"
    shutil.copytree(site, altered)
    page = altered / "be" / "strike.html"
    text = page.read_text()
    figure = text.index(">", text.index('data-fact="plants_out"')) + 1  # its visible text
    digit = text[figure]
    assert digit.isdigit()
    page.write_text(text[:figure] + str((int(digit) + 1) % 10) + text[figure + 1 :])
    capsys.readouterr()
    assert main(["publish", "verify", str(altered)]) == 1
    err = capsys.readouterr().err
    assert "be/strike.html: the page differs from what its signed events say" in err
    assert "NOT verified" in err

    # Nothing new: nothing rewritten. One new published status: its event file and the
    # strike page in each language and the browser check's data are all that change (committee pages name the
    # workplace, not its status).
    assert main(["publish", "-o", str(site), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["written"] == []
    change = StatusChange.objects.filter(published=True).order_by("-day", "-order").first()
    assert change is not None
    account = Account.objects.get(public_key=change.author)
    identity = Identity(unseal(account.sealed_seed, DEMO_PASSPHRASE))
    event = record_status(
        identity,
        change.space,
        change.workplace,
        day=(date.fromisoformat(change.day) + timedelta(days=1)).isoformat(),
        status="partial",
        out_per_mille=900,
        published=True,
    )
    assert main(["publish", "-o", str(site), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)["written"]
    assert sorted(written) == sorted(
        [
            f"events/{event.id}.json",
            "be/strike.html",
            "ru/strike.html",
            "en/strike.html",
            "mirror-data.js",
        ]
    )
    assert main(["publish", "verify", str(site)]) == 0


def test_the_mirror_hashes_invitations_as_the_node_does() -> None:
    from veche.apps.committees.rules.invitations import invitation_hash as node
    from veche.events.encoding import b64e
    from veche.publish.facts import invitation_hash as mirror

    space = b64e(bytes(range(32)))
    for code in ("ABCDEFGH1234", "abcd-efgh 1234", "Пароль-1"):
        assert mirror(space, code) == node(space, code)
