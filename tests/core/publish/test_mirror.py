"""The mirror from a small federation's events: what is published, that a copy verifies,
and that each kind of tampering fails naming the page and the reason (mirror-v1 §4)."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.events import Identity, build_event
from veche.publish.mirror import verify_mirror, write_mirror


@pytest.fixture(scope="module")
def site(federation, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    from veche.publish.facts import select_public

    root = tmp_path_factory.mktemp("mirror") / "site"
    write_mirror(root, [e.raw for e in select_public(federation.events)], federation.documents)
    return root


@pytest.fixture
def copy(site: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(site, target)
    return target


def _problems(root: Path) -> dict[str, str]:
    return {p.path: p.reason for p in verify_mirror(root)}


def test_only_public_events_and_their_authors_membership_are_published(federation, site) -> None:  # type: ignore[no-untyped-def]
    kinds = sorted(json.loads(p.read_bytes())["kind"] for p in (site / "events").iterdir())
    assert kinds.count("space.create") == 2
    assert "member.join" in kinds and "member.invite" in kinds
    assert kinds.count("strike.status") == 1  # the unpublished status stays home
    assert kinds.count("motion.propose") == 3  # the general motion stays home
    page = (site / "ru" / "c" / f"{federation.plant}.html").read_text()
    assert "Требования рабочих МТЗ" in page and "Private matter" not in page
    assert "Студэнты БДУ" in page  # the endorsement shows on the letter
    assert "Member" not in page and federation.member.public not in page  # no pseudonyms
    strike = (site / "be" / "strike.html").read_text()
    assert "6\u202f800" in strike  # 40 % of 17,000 out; the unpublished 99.9 % is not
    assert "<script" not in strike
    assert _problems(site) == {}


def _unmarked(page: str) -> str:
    """A page's text without the figures' <data> marks (mirror-v1 §8)."""
    return re.sub(r"<data [^>]*>|</data>", "", page)


def test_a_strike_ballots_result_sets_the_status_on_the_strike_page(federation, site) -> None:  # type: ignore[no-untyped-def]
    kinds = [json.loads(p.read_bytes())["kind"] for p in (site / "events").iterdir()]
    assert kinds.count("strike.ballot_result") == 1
    strike = _unmarked((site / "en" / "strike.html").read_text())
    row = strike.split("Гродно Азот</a>")[1].split("</li>")[0]
    assert "full strike" in row.lower() and "7,000 / 7,000" in row
    assert "Set by a secret strike ballot: 412 yes, 97 no" in row
    assert "тайным галасаваннем" in (site / "be" / "strike.html").read_text()
    assert f"events/{federation.ballot_result.id}.json" in strike
    assert "6,800 / 17,000" in strike  # the other plant's published status is unchanged


def test_the_feeds_list_the_public_decisions(federation, site) -> None:  # type: ignore[no-untyped-def]
    from xml.etree import ElementTree

    atom = "{http://www.w3.org/2005/Atom}"
    whole = ElementTree.parse(site / "feed.atom").getroot()
    titles = [e.findtext(f"{atom}title") for e in whole.iter(f"{atom}entry")]
    assert "Требования рабочих МТЗ" in titles and "Private matter" not in titles
    assert len(titles) == 5  # letter, appeal, endorsement, fund report, election result
    assert "Старшыня стачкама" in titles
    assert "Фонд МТЗ: report for 2020-08" in titles
    own = ElementTree.parse(site / "c" / f"{federation.students}.atom").getroot()
    assert [e.findtext(f"{atom}title") for e in own.iter(f"{atom}entry")] == [
        "Падтрымліваем патрабаванні МТЗ"
    ]
    assert whole.findtext(f"{atom}updated") == max(
        e.findtext(f"{atom}updated") or "" for e in whole.iter(f"{atom}entry")
    )


def test_a_published_fund_report_has_its_page_and_carried_files(federation, site) -> None:  # type: ignore[no-untyped-def]
    from veche.solidarity.report import verify_report

    event = federation.fund_report.id
    assert verify_report(site / "fund" / event).ok  # the node's own offline check passes
    page = _unmarked((site / "en" / "fund" / f"{event}.html").read_text())
    for figure in ("12,500.00 BYN", "300.00 EUR", "45.00 BYN", "1,200.00 BYN in 2 payouts"):
        assert figure in page
    assert f"../../fund/{event}/report.json" in page and f"../../events/{event}.json" in page
    ru = _unmarked((site / "ru" / "fund" / f"{event}.html").read_text())
    assert "12\u202f500,00 BYN" in ru and "<script" not in ru
    be = _unmarked((site / "be" / "fund" / f"{event}.html").read_text())
    assert "Ахвяраванні: 12\u202f500,00 BYN" in be and "1\u202f200,00 BYN у 2 выплатах" in be
    for lang in ("be", "ru", "en"):
        assert f"fund/{event}.html" in (site / lang / "index.html").read_text()
        assert (
            f"../fund/{event}.html" in (site / lang / "c" / f"{federation.plant}.html").read_text()
        )


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("report.json", '"amount": 70000', '"amount": 70001'),
        ("report.json", '"payouts": 2', '"payouts": 3'),
        ("report.html", "700.00", "700.01"),
    ],
)
def test_a_changed_fund_report_file_is_named(
    federation,  # type: ignore[no-untyped-def]
    copy: Path,
    name: str,
    old: str,
    new: str,
) -> None:
    event = federation.fund_report.id
    path = copy / "fund" / event / name
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    problems = _problems(copy)
    assert problems[f"fund/{event}/report.json"].startswith("the fund report does not verify")
    assert problems[f"fund/{event}/{name}"] == problems[f"fund/{event}/report.json"]
    assert "does not follow" in problems[f"be/fund/{event}.html"]


def test_a_published_election_result_has_its_page_and_record(federation, site) -> None:  # type: ignore[no-untyped-def]
    from veche.election.record import read_record, verify_record

    election = federation.election
    record = site / "elections" / f"{election}.jsonl"
    assert verify_record(read_record(record)).ok  # veche election verify passes on it
    page = (site / "en" / "election" / f"{election}.html").read_text()
    assert "Хто старшыня?" in page and "<script" not in page
    assert "Алесь: 3 <span" in page and "elected" in page and "Марыя: 2</li>" in page
    assert "<dt>Voters</dt><dd>5</dd>" in page and "<dt>Ballots counted</dt><dd>5</dd>" in page
    assert f"../../elections/{election}.jsonl" in page
    for lang in ("be", "ru", "en"):
        assert f"election/{election}.html" in (site / lang / "index.html").read_text()
        committee = (site / lang / "c" / f"{federation.plant}.html").read_text()
        assert f"../election/{election}.html" in committee
    # The election's creator is shown to be a member of the committee that called it.
    assert _problems(site) == {}


def test_a_changed_election_record_is_named_with_its_page(federation, copy: Path) -> None:  # type: ignore[no-untyped-def]
    election = federation.election
    record = copy / "elections" / f"{election}.jsonl"
    lines = record.read_bytes().splitlines(keepends=True)
    result = next(i for i, line in enumerate(lines) if b'"election.result"' in line)
    lines[result] = lines[result].replace(b'"counts":[3,2]', b'"counts":[2,3]')
    record.write_bytes(b"".join(lines))
    problems = _problems(copy)
    assert problems[f"elections/{election}.jsonl"].startswith("the election record does not verify")
    assert "does not follow" in problems[f"ru/election/{election}.html"]


def test_an_election_record_left_out_is_named(federation, copy: Path) -> None:  # type: ignore[no-untyped-def]
    (copy / "elections" / f"{federation.election}.jsonl").unlink()
    problems = _problems(copy)
    assert "does not follow" in problems[f"be/election/{federation.election}.html"]
    assert "differs" in problems["be/index.html"]


@pytest.mark.parametrize("case", ["outsider", "board not published"])
def test_a_record_the_committee_did_not_publish_is_named(
    federation,  # type: ignore[no-untyped-def]
    copy: Path,
    case: str,
) -> None:
    from veche.publish.facts import election_record_file

    world = type(federation)()
    outsider = case == "outsider"
    creator = federation.outsider if outsider else federation.member
    election = world.publish_election(
        creator, federation.plant, federation.ballot_result.id, public_board=outsider
    )
    record = election_record_file(election)
    (copy / record).write_bytes(world.documents[record])
    problems = _problems(copy)
    assert problems[record] == (
        "the election was created by a non-member of the committee that called it"
        if outsider
        else "the committee did not publish this election's board (public_board)"
    )


def test_a_signed_report_whose_days_are_not_its_periods_is_named(federation, copy: Path) -> None:  # type: ignore[no-untyped-def]
    # A member signs a report no node would accept (its digest is not the node's):
    # the mirror still refuses to show days its period does not have.
    world = type(federation)()
    world.chains = {key: replace(chain) for key, chain in federation.chains.items()}
    event = world.publish_fund_report(federation.member, federation.plant, to="2020-08-32x")
    for signed in world.events:
        (copy / "events" / f"{signed.id}.json").write_bytes(signed.raw)
    for path, data in world.documents.items():
        (copy / path).parent.mkdir(parents=True, exist_ok=True)
        (copy / path).write_bytes(data)
    problems = _problems(copy)
    assert problems[f"fund/{event.id}/report.json"] == (
        "the fund report's first and last days are not those of its period"
    )


def test_a_fund_report_whose_publication_is_missing_is_named(federation, copy: Path) -> None:  # type: ignore[no-untyped-def]
    event = federation.fund_report.id
    (copy / "events" / f"{event}.json").unlink()
    problems = _problems(copy)
    assert problems[f"fund/{event}/report.json"].startswith(f"event {event}, the fund.report")
    assert f"en/fund/{event}.html" in problems


def test_the_invitation_hash_is_the_nodes() -> None:
    from veche.events.encoding import b64e
    from veche.publish.facts import invitation_hash

    space = b64e(bytes(range(32)))
    # the node computes the same (tests/apps/strike/test_publish_demo.py)
    assert invitation_hash(space, "abcd-efgh 1234") == invitation_hash(space, "ABCDEFGH1234")
    assert invitation_hash(space, "ABCDEFGH1234") == "x56hk34_oQQ_Og2ZdG4mNPaHm1QaTfwtBTmSV_Gxcpc"


def test_altering_one_number_on_the_strike_page_fails_naming_it(copy: Path) -> None:
    page = copy / "be" / "strike.html"
    page.write_text(page.read_text().replace("6\u202f800", "6\u202f900", 1))
    problems = _problems(copy)
    assert list(problems) == ["be/strike.html"]
    assert "differs from what its signed events say" in problems["be/strike.html"]


def test_a_missing_event_is_named(federation, copy: Path) -> None:  # type: ignore[no-untyped-def]
    status = next(
        p for p in (copy / "events").iterdir() if b'"kind":"strike.status"' in p.read_bytes()
    )
    status.unlink()
    problems = _problems(copy)
    assert f"event {status.stem} is missing" in problems["en/strike.html"]


def test_an_event_of_another_committee_is_named(federation, copy: Path) -> None:  # type: ignore[no-untyped-def]
    # The strike page names the plant's committee only; link the students' founding.
    page = copy / "en" / "strike.html"
    text = page.read_text()
    own = re.findall(r"events/([A-Za-z0-9_-]{43})\.json", text)[0]
    page.write_text(text.replace(f"events/{own}.json", f"events/{federation.students}.json"))
    assert _problems(copy) == {
        "en/strike.html": f"event {federation.students} belongs to another committee "
        f"({federation.students}), not one this page names"
    }


def test_an_event_signed_by_a_non_member_is_named(federation, copy: Path) -> None:  # type: ignore[no-untyped-def]
    forged = build_event(
        Identity.generate(),
        space=federation.plant,
        seq=1,
        prev=None,
        kind="strike.status",
        body={
            "workplace": federation.place,
            "day": "2020-08-20",
            "status": "ended",
            "out_per_mille": 0,
            "published": True,
        },
        at="2020-08-20T10:00:00Z",
    )
    (copy / "events" / f"{forged.id}.json").write_bytes(forged.raw)
    page = copy / "ru" / "strike.html"
    text = page.read_text()
    first = re.findall(r"events/([A-Za-z0-9_-]{43})\.json", text)[0]
    page.write_text(text.replace(f"events/{first}.json", f"events/{forged.id}.json"))
    problems = _problems(copy)
    assert problems["ru/strike.html"] == (
        f"event {forged.id} is signed by a non-member of its committee"
    )
    # the browser check's copy of the events no longer matches the folder's either
    assert set(problems) == {"ru/strike.html", "mirror-data.js"}


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("strike.status", {"day": "someday", "status": "ended", "out_per_mille": 0}),
        ("strike.status", {"day": "2020-08-21", "status": "ended", "out_per_mille": "x"}),
        ("strike.status", {"day": "2020-08-21", "status": "bogus", "out_per_mille": 0}),
        ("workplace.update", {"workforce": "many"}),
        ("motion.propose", {"kind": "demands", "method": "yes_no"}),
        ("member.invite", {"code_hash": ["not", "text"]}),
    ],
)
def test_an_event_a_member_signed_in_no_kinds_shape_is_named_not_a_crash(
    federation, copy: Path, kind: str, body: dict[str, object]
) -> None:  # type: ignore[no-untyped-def]
    # A mirror checks signatures, not a node's schemas: a member's key (or a seized one
    # the mirror cannot know was revoked) signs a body the facts cannot read.
    if kind in ("strike.status", "workplace.update"):
        body = {"workplace": federation.place, "published": True, **body}
    previous = build_event(
        federation.member, space=federation.plant, seq=1, prev=None, kind="x.y", body={}
    )
    forged = build_event(
        federation.member,
        space=federation.plant,
        seq=41,
        prev=previous.id,
        kind=kind,
        body=body,
        at="2020-08-20T10:00:00Z",
    )
    (copy / "events" / f"{forged.id}.json").write_bytes(forged.raw)
    if kind == "motion.propose":
        close = build_event(
            federation.member,
            space=federation.plant,
            seq=42,
            prev=forged.id,
            kind="motion.close",
            body={"motion": forged.id, "result": {"passed": True}},
            at="2020-08-20T11:00:00Z",
        )
        (copy / "events" / f"{close.id}.json").write_bytes(close.raw)
    page = copy / "ru" / "strike.html"
    text = page.read_text()
    first = re.findall(r"events/([A-Za-z0-9_-]{43})\.json", text)[0]
    page.write_text(text.replace(f"events/{first}.json", f"events/{forged.id}.json"))
    problems = _problems(copy)
    assert problems["ru/strike.html"].startswith(f"event {forged.id} cannot be read: its ")


def test_a_look_alike_committee_verifies_but_shows_its_id_and_fails_a_pinned_check(
    federation, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    # An outsider founds "Стачком МТЗ" again and signs a passed letter calling the
    # strike off: every page follows from signed events, so only the ids tell.
    from copy import deepcopy

    from tests.core.publish.conftest import Federation

    from veche.cli import main
    from veche.publish.facts import select_public

    forged = Federation(events=list(federation.events), chains=deepcopy(federation.chains))
    forged.clock = federation.clock
    impostor = forged.committee(federation.outsider, "Стачком МТЗ")
    forged.passed(federation.outsider, impostor, "demands", "Забастовка отменена")
    root = tmp_path / "site"
    write_mirror(root, [e.raw for e in select_public(forged.events)], federation.documents)
    assert main(["publish", "verify", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"committee Стачком МТЗ: {federation.plant}" in out
    assert f"committee Стачком МТЗ: {impostor}" in out
    trusted = ["--committee", federation.plant, "--committee", federation.students]
    assert main(["publish", "verify", str(root), *trusted]) == 1
    err = capsys.readouterr().err
    assert f"events/{impostor}.json: committee “Стачком МТЗ” ({impostor}) is not one" in err
    assert federation.plant + ")" not in err
    assert main(["publish", "verify", str(root), "--json", *trusted]) == 1
    report = json.loads(capsys.readouterr().out)
    assert {"name": "Стачком МТЗ", "space": impostor} in report["committees"]


def test_a_missing_page_and_an_extra_page_are_named(federation, copy: Path) -> None:  # type: ignore[no-untyped-def]
    (copy / "ru" / "c" / f"{federation.students}.html").unlink()
    shutil.copy(copy / "en" / "index.html", copy / "en" / "c" / ("A" * 43 + ".html"))
    problems = _problems(copy)
    assert problems[f"ru/c/{federation.students}.html"] == "this page is missing from the folder"
    assert "does not follow" in problems["en/c/" + "A" * 43 + ".html"]


def test_a_page_or_script_no_rule_checks_is_named(copy: Path) -> None:
    # A forger adds pages in the mirror's style beside the checked ones: the host serves
    # them under the mirror's address, so a verified folder must not hold them.
    forged = (copy / "en" / "index.html").read_text().replace("</h1>", " calls off</h1>")
    (copy / "en" / "news.html").write_text(forged)
    (copy / "ru" / "c" / "news.html").write_text(forged)
    (copy / "index.htm").write_text(forged)
    (copy / ".htaccess").write_text("Redirect /en/index.html https://example.org/\n")
    (copy / ".git").mkdir()
    (copy / ".git" / "HEAD").write_text("ref: refs/heads/main\n")  # a git checkout's own
    problems = _problems(copy)
    reason = "this file is not part of a mirror: nothing checks it"
    assert problems == {
        "en/news.html": reason,
        "ru/c/news.html": reason,
        "index.htm": reason,
        ".htaccess": reason,
    }


def test_a_linked_folder_of_forged_pages_is_named(copy: Path) -> None:
    # The forged pages sit in the git folder (which nothing lists) and a link serves them
    # under the mirror's address: a host that follows links (nginx, Apache) shows them.
    forged = (copy / "en" / "index.html").read_text().replace("</h1>", " calls off</h1>")
    (copy / ".git" / "pages").mkdir(parents=True)
    (copy / ".git" / "pages" / "news.html").write_text(forged)
    (copy / "en" / "news").symlink_to(copy / ".git" / "pages", target_is_directory=True)
    problems = _problems(copy)
    assert problems == {"en/news": "this file is not part of a mirror: nothing checks it"}


def test_a_fund_report_nested_too_deeply_is_named_not_a_crash(copy: Path) -> None:
    # An outsider's folder: no signature needed to reach the report's JSON parser.
    folder = copy / "fund" / ("B" * 43)
    folder.mkdir(parents=True)
    (folder / "report.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "report.html").write_text("<html></html>")
    problems = _problems(copy)
    assert "nested too deeply" in problems[f"fund/{'B' * 43}/report.json"]


def test_rewriting_changes_only_what_an_event_changes(
    federation, site: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from veche.publish.facts import select_public

    root = tmp_path / "again"
    shutil.copytree(site, root)
    events = list(federation.events)
    assert (
        write_mirror(root, [e.raw for e in select_public(events)], federation.documents).written
        == []
    )
    chain = federation.chains[(federation.member.public, federation.plant)]
    extra = build_event(
        federation.member,
        space=federation.plant,
        seq=chain.seq,
        prev=chain.prev,
        kind="strike.status",
        body={
            "workplace": federation.place,
            "day": "2020-08-16",
            "status": "full_strike",
            "out_per_mille": 500,
            "published": True,
        },
        at="2020-08-16T10:00:00Z",
    )
    report = write_mirror(
        root, [e.raw for e in select_public([*events, extra])], federation.documents
    )
    # the event itself and the strike page in three languages; nothing else changed
    assert sorted(report.written) == sorted(
        [
            f"events/{extra.id}.json",
            "be/strike.html",
            "ru/strike.html",
            "en/strike.html",
            "mirror-data.js",
        ]
    )
    assert _problems(root) == {}


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_changed_digit_on_any_page_fails(site: Path, data: st.DataObject) -> None:
    pages = sorted(p for p in site.rglob("*.html") if "events" not in p.parts)
    # The pages of the new kinds and the carried records and reports, drawn as often as
    # all the other pages together.
    carried = [*site.glob("*/election/*.html"), *site.glob("*/fund/*.html")]
    carried += [*site.glob("elections/*.jsonl"), *site.glob("fund/*/report.*")]
    page = data.draw(st.sampled_from(pages) | st.sampled_from(sorted(carried)))
    text = page.read_text()
    digits = [m.start() for m in re.finditer(r"[0-9]", text)]
    at = data.draw(st.sampled_from(digits))
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != text[at]]))
    original = page.read_bytes()
    try:
        page.write_text(text[:at] + new + text[at + 1 :])
        relative = page.relative_to(site).as_posix()
        assert relative in _problems(site)
    finally:
        page.write_bytes(original)


def test_a_changed_event_file_is_named_and_so_are_the_pages_resting_on_it(
    federation,  # type: ignore[no-untyped-def]
    copy: Path,
) -> None:
    event = copy / "events" / f"{federation.place}.json"
    event.write_bytes(event.read_bytes().replace(b"17000", b"17001"))
    problems = _problems(copy)
    assert problems[f"events/{federation.place}.json"].startswith(
        f"event {federation.place} is not a valid signed event"
    )
    assert problems["be/strike.html"] == problems[f"events/{federation.place}.json"]


def test_a_published_survey_shows_each_items_total_and_no_count_per_quantity() -> None:
    """A needs survey (election-v1 ``totals``) decrypts one total per item: its mirror page
    says that total, never as the count of one of the quantities the ballot offered."""
    from types import SimpleNamespace

    from veche.publish.facts import ElectionResult
    from veche.publish.render import _election_page, _Words

    result = ElectionResult(
        election="e" * 43,
        space="c" * 43,
        title="Патрэбы",
        decided_at="2020-09-01T10:00:00Z",
        method="plurality",
        voters=6,
        counted=5,
        questions=(("Харчовыя пасылкі", ("1", "2", "3")),),
        counts=((7,),),
        winners=((),),
        seats=None,
        constituencies=(),
        totals=True,
    )
    committee = SimpleNamespace(name="Стачком", create="k" * 43)
    facts = SimpleNamespace(committees={"c" * 43: committee})
    page = _election_page(_Words("be"), facts, result).decode()  # type: ignore[arg-type]
    assert "<li>Разам: 7</li>" in page
    assert "<li>1: 7" not in page
