"""Issue 19: a committee publishes an audit by a passed general motion whose
``target.audit`` is the audit bundle's digest (audit-bundle-v1); the node's finished
run is such a bundle, and re-running it offline gives its report.json byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from tests.factories import PASS, World

from veche.apps.accounts.actions import create_account
from veche.apps.audit.models import AuditRun
from veche.apps.audit.publication import NODE_PARAMS, run_bundle, run_digest
from veche.apps.committees import actions
from veche.apps.committees.models import Motion
from veche.apps.store.log import ingest, state_digest
from veche.apps.store.models import StoredEvent
from veche.audit import InputFile, simulate, write_simulation
from veche.audit.bundle import bundle_digest, check_bundle, make_bundle
from veche.events import RuleViolation, build_event

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A tiny audit as the node runs it (its defaults), without plots: fast."""
    folder = tmp_path_factory.mktemp("sim")
    write_simulation(simulate(120, 9, stuffing=0.2), folder)
    inputs = {
        r: InputFile(f"{r}.csv", (folder / f"{r}.csv").read_bytes())
        for r in ("official", "witness")
    }
    return make_bundle(inputs, language="ru", simulated=True, **NODE_PARAMS)


def finished_run(world: World, name: str, bundle: dict[str, bytes]) -> AuditRun:
    """A finished run of this node holding ``bundle``'s files where the runner puts them."""
    account, _ = create_account(name, PASS, world.person(name))
    run = AuditRun.objects.create(
        owner=account,
        title="Выборы (симуляция)",
        language="ru",
        simulated=True,
        official_name="official.csv",
        witness_name="witness.csv",
        status=AuditRun.Status.DONE,
    )
    for role in ("official", "witness"):
        path = run.input_path(role, f"{role}.csv")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bundle[f"inputs/{role}.csv"])
    run.report_folder.mkdir(parents=True, exist_ok=True)
    (run.report_folder / "report.json").write_bytes(bundle["report.json"])
    return run


def test_a_finished_run_is_a_bundle_that_re_runs_to_its_report(tiny: dict[str, bytes]) -> None:
    run = finished_run(World(), "Zubr", tiny)
    files = run_bundle(run)
    assert files is not None and files == tiny
    assert check_bundle(files) == []
    assert run_digest(run) == bundle_digest(tiny)
    run.status = AuditRun.Status.FAILED
    assert run_bundle(run) is None


def test_a_general_motion_names_the_audit_and_passes(tiny: dict[str, bytes]) -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka"), name="Назіральнікі Мінска")
    digest = bundle_digest(tiny)
    motion = actions.propose(
        w.person("Sokol"),
        space,
        kind="general",
        title="Апублікаваць аўдыт",
        text="Справаздача аўдыту выбараў.",
        target={"audit": digest},
    ).id
    for name in ("Sokol", "Zubr", "Rusalka"):
        actions.vote(w.person(name), space, motion, choice="yes")
    actions.close(w.person("Sokol"), space, motion)
    row = Motion.objects.get(event=motion)
    assert row.target == {"audit": digest} and row.status == "passed"

    before = state_digest()
    with pytest.raises(RuleViolation) as refused:
        actions.propose(
            w.person("Sokol"),
            space,
            kind="general",
            title="Які аўдыт?",
            text="Выбар",
            method="approval",
            options=["A", "B"],
            target={"audit": digest},
        )
    assert refused.value.message == "a motion to publish an audit is decided yes or no"
    assert state_digest() == before


@pytest.mark.parametrize("bad", ["short", "!" * 43, "A" * 44])
def test_a_signed_proposal_with_a_malformed_digest_is_refused_on_ingest(bad: str) -> None:
    w = World()
    space = w.committee("Sokol", ("Zubr",), name="Камітэт")
    sokol = w.person("Sokol")
    last = StoredEvent.objects.filter(space=space, author=sokol.public).order_by("-seq").first()
    head = StoredEvent.objects.filter(space=space).order_by("-height").first()
    assert last is not None and head is not None
    crafted = build_event(
        sokol,
        space=space,
        seq=last.seq + 1,
        prev=last.id,
        deps=[head.id],
        kind="motion.propose",
        body={
            "kind": "general",
            "title": "T",
            "text": "T",
            "method": "yes_no",
            "target": {"audit": bad},
        },
    )
    outcome = ingest([crafted.raw], source="t").outcomes[0]
    assert outcome.status == "rejected" and "body.target.audit" in outcome.reason
    assert not Motion.objects.filter(kind="general").exists()


def test_the_bundle_files_are_read_from_where_the_runner_wrote_them(
    tiny: dict[str, bytes], tmp_path: Path
) -> None:
    run = finished_run(World(), "Bison", tiny)
    (run.report_folder / "report.json").unlink()
    assert run_bundle(run) is None


def test_veche_publish_carries_the_audit_a_committee_passed(
    tiny: dict[str, bytes], tmp_path: Path
) -> None:
    from veche.cli.publish import public_documents, public_event_bytes
    from veche.publish.mirror import verify_mirror, write_mirror

    w = World()
    space = w.committee("Sokol", ("Zubr", "Rusalka"), name="Назіральнікі Мінска")
    finished_run(w, "Zubr", tiny)
    digest = bundle_digest(tiny)
    motion = actions.propose(
        w.person("Zubr"),
        space,
        kind="general",
        title="Апублікаваць аўдыт",
        text="Справаздача аўдыту выбараў.",
        target={"audit": digest},
    ).id
    events = public_event_bytes()
    assert f"audit/{digest}/report.json" not in public_documents(events)  # not passed yet
    for name in ("Sokol", "Zubr", "Rusalka"):
        actions.vote(w.person(name), space, motion, choice="yes")
    actions.close(w.person("Zubr"), space, motion)
    events = public_event_bytes()
    documents = public_documents(events)
    assert documents[f"audit/{digest}/report.json"] == tiny["report.json"]
    write_mirror(tmp_path / "site", events, documents)
    assert verify_mirror(tmp_path / "site") == []
    assert (tmp_path / "site" / "be" / "audit" / f"{digest}.html").is_file()


def test_a_member_proposes_the_publication_from_the_audit_page(tiny: dict[str, bytes]) -> None:
    from tests.factories import sign_in

    w = World()
    space = w.committee("Sokol", ("Zubr",), name="Назіральнікі Мінска")
    w.committee("Bison", (), name="Чужы камітэт")
    run = finished_run(w, "Zubr", tiny)
    client = sign_in("Zubr", language="be")
    url = f"/audit/{run.public_id}/"
    page = client.get(url).content.decode()
    assert "Назіральнікі Мінска" in page and "Чужы камітэт" not in page
    assert f'action="{url}motion/"' in page
    before = state_digest()
    stranger = Client()
    assert stranger.post(url + "motion/", {"space": space}).status_code == 302  # sign in
    assert client.post(url + "motion/", {"space": "x" * 43}).status_code == 404
    assert state_digest() == before
    response = client.post(url + "motion/", {"space": space})
    motion = Motion.objects.get(kind="general")
    assert response.status_code == 302 and motion.event in response["Location"]
    assert motion.target == {"audit": bundle_digest(tiny)} and motion.space == space
    assert run.title in motion.title


def test_only_the_runs_owner_proposes_to_publish_its_input_files(
    tiny: dict[str, bytes],
) -> None:
    """The owner published the report on the node (anyone reads it, never the input
    files): another member must not put the witness file into a public mirror."""
    from django.utils import timezone
    from tests.factories import sign_in

    w = World()
    space = w.committee("Sokol", ("Zubr",), name="Назіральнікі Мінска")
    run = finished_run(w, "Zubr", tiny)
    run.published_at = timezone.now()
    run.save()
    create_account("Sokol", PASS, w.person("Sokol"))
    client = sign_in("Sokol", language="be")
    url = f"/audit/{run.public_id}/"
    page = client.get(url)
    assert page.status_code == 200 and f'action="{url}motion/"' not in page.content.decode()
    before = state_digest()
    assert client.post(url + "motion/", {"space": space}).status_code == 404
    assert state_digest() == before
    assert not Motion.objects.filter(kind="general").exists()


def test_the_motion_command_proposes_the_publication(
    tiny: dict[str, bytes], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from veche.cli import main

    monkeypatch.setenv("VECHE_PASSPHRASE", PASS)
    w = World()
    space = w.committee("Sokol", ("Zubr",), name="Назіральнікі")
    create_account("Zubr", PASS, w.person("Zubr"))
    digest = bundle_digest(tiny)
    argv = ["motion", "propose", "--account", "Zubr", space, "--kind", "general",
            "--title", "Publish the audit", "--text", "See the digest.",
            "--target", f"audit={digest}", "--json"]  # fmt: skip
    assert main(argv) == 0
    motion = Motion.objects.get(event=json.loads(capsys.readouterr().out)["motion"])
    assert motion.target == {"audit": digest}
    before = state_digest()
    assert main([*argv[:-3], "--method", "approval", "--option", "a", "--option", "b",
                 "--target", f"audit={digest}"]) != 0  # fmt: skip
    assert "decided yes or no" in capsys.readouterr().err
    assert state_digest() == before
