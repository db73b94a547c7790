"""Issue 19: an audit a committee published by a passed general motion naming its
bundle's digest has its page in the mirror, carries its inputs, params.json and
report.json, and ``veche publish verify`` re-runs it: any changed number is named."""

from __future__ import annotations

import json
import shutil
from copy import deepcopy
from pathlib import Path

import pytest
from tests.core.publish.conftest import Federation

from veche.audit import InputFile, simulate, write_simulation
from veche.audit.bundle import bundle_digest, make_bundle
from veche.events import Identity
from veche.publish.facts import select_public
from veche.publish.mirror import verify_mirror, write_mirror

TITLE = "Аўдыт выбараў 9 жніўня"


def _bundle(folder: Path, seed: int) -> dict[str, bytes]:
    write_simulation(simulate(150, seed, stuffing=0.2), folder)
    inputs = {
        role: InputFile(f"{role}.csv", (folder / f"{role}.csv").read_bytes())
        for role in ("official", "witness")
    }
    return make_bundle(inputs, resamples=20, simulated=True, language="be")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Federation:
    world = Federation()
    founder, member, outsider = Identity.generate(), Identity.generate(), Identity.generate()
    city = world.committee(founder, "Назіральнікі Мінска")
    world.admit(city, founder, member, "ABCD-EFGH-1234")
    bundle = _bundle(tmp_path_factory.mktemp("a"), 4)
    digest = bundle_digest(bundle)
    world.passed(member, city, "general", TITLE, target={"audit": digest})
    world.passed(founder, city, "general", "Private matter")  # publishes nothing
    for name, data in bundle.items():
        world.documents[f"audit/{digest}/{name}"] = data
    # An outsider's "passed" motion naming another audit: it publishes nothing.
    other = _bundle(tmp_path_factory.mktemp("b"), 5)
    world.sign(
        outsider,
        city,
        "motion.propose",
        {
            "kind": "general",
            "title": "Forged",
            "text": "x",
            "method": "yes_no",
            "target": {"audit": bundle_digest(other)},
        },
    )
    world.city, world.digest, world.other = city, digest, other  # type: ignore[attr-defined]
    return world


@pytest.fixture(scope="module")
def site(world: Federation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mirror") / "site"
    write_mirror(root, [e.raw for e in select_public(world.events)], world.documents)
    return root


@pytest.fixture
def copy(site: Path, tmp_path: Path) -> Path:
    shutil.copytree(site, tmp_path / "copy")
    return tmp_path / "copy"


def _problems(root: Path) -> dict[str, str]:
    return {p.path: p.reason for p in verify_mirror(root)}


def test_the_published_audit_has_its_pages_files_and_feeds(world: Federation, site: Path) -> None:
    digest, city = world.digest, world.city  # type: ignore[attr-defined]
    assert _problems(site) == {}
    report = json.loads((site / "audit" / digest / "report.json").read_bytes())
    assert sorted(p.name for p in (site / "audit" / digest).rglob("*") if p.is_file()) == [
        "official.csv",
        "params.json",
        "report.json",
        "witness.csv",
    ]
    for lang in ("be", "ru", "en"):
        page = (site / lang / "audit" / f"{digest}.html").read_text()
        assert "<script" not in page and TITLE in page and digest in page
        assert f"../../audit/{digest}/report.json" in page
        assert f"audit/{digest}.html" in (site / lang / "index.html").read_text()
        assert f"../audit/{digest}.html" in (site / lang / "c" / f"{city}.html").read_text()
    en = (site / "en" / "audit" / f"{digest}.html").read_text()
    assert f"<dd>{report['stations']}</dd>" in en and f"{report['registered']:,}" in en
    be = (site / "be" / "audit" / f"{digest}.html").read_text()
    assert "СІМУЛЯЦЫЯ" in be and "Выбарчыя ўчасткі" in be
    assert f"en/audit/{digest}.html" in (site / "feed.atom").read_text()
    assert f"en/audit/{digest}.html" in (site / "c" / f"{city}.atom").read_text()
    # The forged proposal and the other audit are nowhere.
    assert world.other is not None  # type: ignore[attr-defined]
    assert not (site / "audit" / bundle_digest(world.other)).exists()  # type: ignore[attr-defined]
    assert "Private matter" not in (site / "en" / "c" / f"{city}.html").read_text()


def test_veche_audit_verify_re_runs_the_carried_bundle(world: Federation, site: Path) -> None:
    from veche.cli import main

    assert main(["audit", "verify", str(site / "audit" / world.digest)]) == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("report.json", lambda d: {**d, "ballots": d["ballots"] + 1}),
        ("report.json", lambda d: {**d, "signals": {k: not v for k, v in d["signals"].items()}}),
    ],
)
def test_a_changed_report_number_is_named_with_its_pages(
    world: Federation, copy: Path, name: str, change
) -> None:  # type: ignore[no-untyped-def]
    digest = world.digest  # type: ignore[attr-defined]
    path = copy / "audit" / digest / name
    path.write_text(json.dumps(change(json.loads(path.read_bytes())), ensure_ascii=False, indent=2))
    problems = _problems(copy)
    assert "digest differs" in problems[f"audit/{digest}/report.json"]
    assert (
        problems[f"audit/{digest}/inputs/official.csv"] == problems[f"audit/{digest}/report.json"]
    )
    for lang in ("be", "ru", "en"):
        assert "does not follow" in problems[f"{lang}/audit/{digest}.html"]


def test_a_changed_input_count_is_named(world: Federation, copy: Path) -> None:
    digest = world.digest  # type: ignore[attr-defined]
    path = copy / "audit" / digest / "inputs" / "official.csv"
    lines = path.read_bytes().split(b"\n")
    cells = lines[3].split(b",")
    cells[-1] = str(int(cells[-1]) + 1).encode()
    lines[3] = b",".join(cells)
    path.write_bytes(b"\n".join(lines))
    problems = _problems(copy)
    assert "digest differs" in problems[f"audit/{digest}/inputs/official.csv"]
    assert "does not follow" in problems[f"be/audit/{digest}.html"]


def test_a_changed_number_on_the_page_is_named(world: Federation, copy: Path) -> None:
    digest = world.digest  # type: ignore[attr-defined]
    page = copy / "ru" / "audit" / f"{digest}.html"
    text = page.read_text()
    stations = json.loads((copy / "audit" / digest / "report.json").read_bytes())["stations"]
    assert f"<dd>{stations}</dd>" in text
    page.write_text(text.replace(f"<dd>{stations}</dd>", f"<dd>{stations + 1}</dd>", 1))
    assert "differs from what its signed events say" in _problems(copy)[f"ru/audit/{digest}.html"]


def test_a_bundle_no_passed_motion_names_is_named(world: Federation, copy: Path) -> None:
    other = world.other  # type: ignore[attr-defined]
    digest = bundle_digest(other)
    for name, data in other.items():
        target = copy / "audit" / digest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    problems = _problems(copy)
    assert "no passed motion" in problems[f"audit/{digest}/report.json"]
    assert set(problems) == {f"audit/{digest}/{name}" for name in other}


def test_a_report_that_does_not_re_run_is_named_even_under_its_own_digest(
    tmp_path: Path, world: Federation
) -> None:
    """A committee that passed a motion naming a bundle whose report.json was altered
    before the vote: the digest matches, the re-run does not."""
    altered = dict(world.other)  # type: ignore[attr-defined]
    data = json.loads(altered["report.json"])
    data["ballots"] += 7
    altered["report.json"] = json.dumps(data, ensure_ascii=False, indent=2).encode()
    forged = Federation(events=list(world.events), chains=deepcopy(world.chains))
    founder = next(c.identity for (key, space), c in world.chains.items() if space == world.city)  # type: ignore[attr-defined]
    forged.clock = world.clock
    digest = bundle_digest(altered)
    forged.passed(founder, world.city, "general", "Altered", target={"audit": digest})  # type: ignore[attr-defined]
    documents = {f"audit/{digest}/{n}": d for n, d in altered.items()}
    root = tmp_path / "site"
    write_mirror(root, [e.raw for e in select_public(forged.events)], documents)
    assert not (root / "audit").exists()  # the writer leaves out what does not hold
    for path, data in documents.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    problems = _problems(root)
    assert "does not re-run to its report" in problems[f"audit/{digest}/report.json"]
    assert "/ballots" in problems[f"audit/{digest}/report.json"]


def test_an_input_a_host_would_serve_as_a_web_page_is_not_carried(
    tmp_path: Path, world: Federation
) -> None:
    """A member uploads a protocol named official.html whose district holds a script: it
    reads as CSV, so the audit re-runs; carried, a host would serve it from the mirror's
    address as a page (script and all) that verify called checked."""
    write_simulation(simulate(40, 9, stuffing=0.2), tmp_path)
    import csv
    import io

    rows = list(csv.reader(io.StringIO((tmp_path / "official.csv").read_text(encoding="utf-8"))))
    rows[1][2] = "<script>document.title='pwned'</script>"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    page = out.getvalue().encode()
    bundle = make_bundle({"official": InputFile("official.html", page)}, resamples=20)
    forged = Federation(events=list(world.events), chains=deepcopy(world.chains))
    founder = next(c.identity for (key, space), c in world.chains.items() if space == world.city)  # type: ignore[attr-defined]
    forged.clock = world.clock
    digest = bundle_digest(bundle)
    forged.passed(founder, world.city, "general", "Scripted", target={"audit": digest})  # type: ignore[attr-defined]
    documents = {f"audit/{digest}/{n}": d for n, d in bundle.items()}
    root = tmp_path / "site"
    write_mirror(root, [e.raw for e in select_public(forged.events)], documents)
    assert not (root / "audit" / digest).exists()  # the writer leaves it out
    assert not (root / "en" / "audit" / f"{digest}.html").exists()
    for path, data in documents.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    problems = _problems(root)
    assert "inputs/official.html" in problems[f"audit/{digest}/inputs/official.html"]
    assert set(problems) == set(documents)


@pytest.mark.parametrize("name", ["report.json", "params.json"])
def test_a_bundle_nested_too_deeply_is_named_not_a_crash(
    world: Federation, site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    from veche.cli import main

    bundle = tmp_path / "bundle"
    shutil.copytree(site / "audit" / world.digest, bundle)  # type: ignore[attr-defined]
    deep = "[" * 100_000 + "]" * 100_000
    if name == "report.json":
        deep = '{"generated_at": "2020-08-10T09:00:00Z", "x": ' + deep + "}"
    (bundle / name).write_text(deep)
    assert main(["audit", "verify", str(bundle)]) == 1
    assert f"{name}: " in capsys.readouterr().out
