"""trustee.js in Chromium is byte-compatible with the Python core: key files open both ways,
the browser's dealings, complaints and partial decryptions are events the rules accept, and
the result they give verifies; a bad share, a wrong passphrase, a tampered key file and a
tampered tally are each refused with their TrusteeError code."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nacl.public import PublicKey, SealedBox

from veche.crypto.ballot import encrypt_ballot
from veche.crypto.encoding import canonical_json
from veche.crypto.group import Scalar
from veche.crypto.threshold import Dealing, deal, open_share
from veche.election.offline import (
    TrusteeKeys,
    load_record_state,
    load_trustee_keys,
    next_event,
    save_trustee_keys,
)
from veche.election.outcome import compute_outcome
from veche.election.record import verified_state
from veche.election.rules import compute_tally, decrypted_counts, election_key
from veche.election.trustee_task import trustee_task
from veche.events.envelope import build_event, parse_event
from veche.events.identity import KDF_PROFILES, Identity

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "src" / "veche" / "web" / "static" / "veche"
PASSPHRASE = "Zhyve Belarus 2020"
PARTIES = ("Workers", "Students", "Doctors")

# One call into the page: open the key file, run one step, report a TrusteeError by code.
CALL = """async ([op, task, file, passphrase]) => {
  const T = VecheTrustee(sodium);
  try {
    if (op === "new") {
      const made = T.newKeyFile(passphrase);
      return {ok: {file: made.file, key: made.key, box: made.box, same: made.keys.key === made.key}};
    }
    const keys = T.openKeyFile(file, passphrase);
    if (op === "open") return {ok: {key: keys.key, box: keys.box, printed: JSON.stringify(keys)}};
    return {ok: T[op](task, keys)};
  } catch (e) {
    return {error: e instanceof T.TrusteeError ? e.code : "not a TrusteeError", message: String(e.message)};
  }
}"""


@pytest.fixture(scope="module")
def trustee_page(browser: Any) -> Iterator[Any]:
    """One page holding the vendored libsodium, ballot.js and trustee.js, for the module."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(30000)
    page.goto("about:blank")
    for name in (
        *sorted(p.name for p in (STATIC / "vendor").glob("libsodium-sumo-*.js")),
        *sorted(p.name for p in (STATIC / "vendor").glob("libsodium-wrappers-sumo-*.js")),
    ):
        page.add_script_tag(path=str(STATIC / "vendor" / name))
    page.add_script_tag(path=str(STATIC / "ballot.js"))
    page.add_script_tag(path=str(STATIC / "trustee.js"))
    page.evaluate("() => sodium.ready")
    yield page
    context.close()


def js(page: Any, op: str, task: Any, file: Any, passphrase: str = PASSPHRASE) -> Any:
    return page.evaluate(CALL, [op, task, file, passphrase])


def ok(answer: dict[str, Any]) -> Any:
    assert "ok" in answer, answer
    return answer["ok"]


class Trustee:
    """A trustee whose key file the CLI made (the test KDF profile: Argon2 stays fast)."""

    def __init__(self, folder: Path, name: str) -> None:
        self.keys = TrusteeKeys.generate()
        self.path = folder / f"{name}.json"
        save_trustee_keys(self.path, self.keys, PASSPHRASE, profile="test")
        self.file = json.loads(self.path.read_text())

    @property
    def key(self) -> str:
        return self.keys.identity.public


class Record:
    """An election record grown one event at a time, each judged as the verifier judges it."""

    def __init__(self, creator: Identity, body: dict[str, Any]) -> None:
        create = build_event(creator, space=None, seq=1, prev=None, kind="space.create", body=body)
        self.lines = [create.raw]
        self.creator = creator

    @property
    def space(self) -> str:
        return parse_event(self.lines[0]).id

    def state(self) -> Any:
        return load_record_state(self.lines)[1]

    def sign(self, identity: Identity, kind: str, body: dict[str, Any]) -> None:
        events, state = load_record_state(self.lines)
        self.add(next_event(events, identity, kind, body, state).raw)

    def add(self, line: bytes | str) -> None:
        """Append an event; the record must still verify and must not refuse it."""
        raw = line.encode() if isinstance(line, str) else line
        self.lines.append(raw)
        _, report, _ = verified_state(self.lines)
        assert report.ok, report.failure
        assert [r.reason for r in report.refused] == []

    def task(self, trustee: Trustee) -> dict[str, Any]:
        # Through JSON, as the node serves it.
        return json.loads(json.dumps(trustee_task(self.lines, trustee.key)))


def election(
    folder: Path, *, voters: int = 5, in_minsk: int = 3, threshold: int = 2
) -> tuple[Record, list[Trustee], list[Identity]]:
    trustees = [Trustee(folder, f"trustee{j}") for j in (1, 2, 3)]
    people = [Identity.generate() for _ in range(voters)]
    body = {
        "type": "election",
        "title": "Constituent assembly",
        "questions": [{"text": "Which list?", "options": list(PARTIES), "min": 1, "max": 1}],
        "method": "party_list",
        "seats": 5,
        "divisor": "dhondt",
        "constituencies": [{"name": "Minsk", "seats": 3}, {"name": "Hrodna", "seats": 2}],
        "electorate": [
            {"keys": [p.public], "constituency": "Minsk" if i < in_minsk else "Hrodna"}
            for i, p in enumerate(people)
        ],
        "trustees": [{"key": t.key, "box": t.keys.box_public} for t in trustees],
        "threshold": threshold,
    }
    return Record(Identity.generate(), body), trustees, people


def open_election(record: Record) -> None:
    key = election_key(record.state())
    record.sign(record.creator, "election.open", {"public_key": key.public_key.encode()})


def vote(record: Record, voter: Identity, party: int) -> None:
    marks = [0] * len(PARTIES)
    marks[party] = 1
    ballot, _ = encrypt_ballot(record.state().crypto_election(), [marks])
    record.sign(voter, "ballot.cast", {"ballot": ballot.to_json()})


def close(record: Record) -> None:
    tally, counted = compute_tally(record.state())
    body = {"ballots": counted, "tally": [ct.to_json() for ct in tally]}
    record.sign(record.creator, "election.close", body)


def test_key_files_open_both_ways_and_refuse_by_code(trustee_page: Any, tmp_path: Path) -> None:
    # A key file the browser makes opens with the CLI's loader, sealed "interactive".
    made = ok(js(trustee_page, "new", None, None))
    assert made["same"]
    assert made["file"]["format"] == "veche-trustee"
    sealed = made["file"]["sealed"]
    assert (sealed["opslimit"], sealed["memlimit"]) == KDF_PROFILES["interactive"]
    path = tmp_path / "browser.json"
    path.write_text(json.dumps(made["file"]))
    keys = load_trustee_keys(path, PASSPHRASE)
    assert (keys.identity.public, keys.box_public) == (made["key"], made["box"])

    # A key file the CLI made opens in the browser, and the secrets do not print.
    cli = Trustee(tmp_path, "cli")
    opened = ok(js(trustee_page, "open", None, cli.file))
    assert (opened["key"], opened["box"]) == (cli.key, cli.keys.box_public)
    assert "secret" not in opened["printed"].lower()
    assert ok(js(trustee_page, "open", None, json.dumps(cli.file)))["key"] == cli.key

    wrong = js(trustee_page, "open", None, cli.file, "not the passphrase")
    assert wrong["error"] == "passphrase"
    altered = copy.deepcopy(cli.file)
    box = altered["sealed"]["box"]
    altered["sealed"]["box"] = box[:-5] + ("A" if box[-5] != "A" else "B") + box[-4:]
    assert js(trustee_page, "open", None, altered)["error"] == "passphrase"
    swapped = dict(cli.file, public=made["key"])
    assert js(trustee_page, "open", None, swapped)["error"] == "mismatch"
    assert js(trustee_page, "open", None, {**cli.file, "format": "veche-identity"})["error"] == (
        "format"
    )
    broken = copy.deepcopy(cli.file)
    broken["sealed"]["salt"] = "not base64!"
    assert js(trustee_page, "open", None, broken)["error"] == "format"
    assert js(trustee_page, "open", None, "{not json")["error"] == "format"


def test_the_whole_ceremony_and_tally_in_the_browser(trustee_page: Any, tmp_path: Path) -> None:
    record, trustees, people = election(tmp_path)
    outsider = Trustee(tmp_path, "outsider")
    assert js(trustee_page, "deal", record.task(outsider), outsider.file)["error"] == "not_trustee"

    for trustee in trustees:
        record.add(ok(js(trustee_page, "deal", record.task(trustee), trustee.file)))
    again = js(trustee_page, "deal", record.task(trustees[0]), trustees[0].file)
    assert again["error"] == "dealt"

    # Python opens every share the browser sealed, and it matches the commitments.
    state = record.state()
    for dealer, dealing in state.dealings.items():
        assert dealing.dealer == dealer
        for j, trustee in enumerate(trustees, start=1):
            open_share(dealing, j, trustee.keys.box)
    for trustee in trustees:
        assert ok(js(trustee_page, "check", record.task(trustee), trustee.file)) == []

    open_election(record)
    assert js(trustee_page, "deal", record.task(trustees[1]), trustees[1].file)["error"] == "stage"
    for voter, party in zip(people[:3], (0, 0, 1), strict=True):
        vote(record, voter, party)  # Minsk votes; Hrodna (an empty constituency) does not
    vote(record, people[0], 2)  # a re-vote: only the last ballot counts
    early = js(trustee_page, "decrypt", record.task(trustees[0]), trustees[0].file)
    assert early["error"] == "stage"
    close(record)

    # A node that bends the tally, or drops a ballot from the sum, gets no decryption.
    task = record.task(trustees[0])
    bent = copy.deepcopy(task)
    bent["tally"][0], bent["tally"][1] = bent["tally"][1], bent["tally"][0]
    assert js(trustee_page, "decrypt", bent, trustees[0].file)["error"] == "tally"
    fewer = dict(task, ballots=task["ballots"][1:], counted=task["counted"] - 1)
    assert js(trustee_page, "decrypt", fewer, trustees[0].file)["error"] == "tally"

    for j in (1, 3):
        trustee = trustees[j - 1]
        record.add(ok(js(trustee_page, "decrypt", record.task(trustee), trustee.file)))
    twice = js(trustee_page, "decrypt", record.task(trustees[0]), trustees[0].file)
    assert twice["error"] == "decrypted"

    state = record.state()
    counts = decrypted_counts(state)
    assert counts == [1, 1, 1, 0, 0, 0]
    outcome = compute_outcome(state.require_spec(), counts)
    record.sign(
        record.creator, "election.result", {"counts": counts, "seats": list(outcome.seats or ())}
    )
    _, report, _ = verified_state(record.lines)
    assert report.ok and report.stage == "decided"
    assert report.counts_by_constituency == ((1, 1, 1), (0, 0, 0))


def test_a_bad_share_is_caught_and_its_complaint_accepted(
    trustee_page: Any, tmp_path: Path
) -> None:
    record, trustees, _ = election(tmp_path)
    # Trustee 1 (the CLI) deals a share to trustee 2 that is not on its polynomial.
    good = deal(record.space, 1, 2, [t.keys.box.public_key.encode() for t in trustees])
    payload = canonical_json(
        {
            "v": 1,
            "election": record.space,
            "dealer": 1,
            "recipient": 2,
            "share": Scalar.from_int(7).encode(),
        }
    )
    boxes = list(good.boxes)
    boxes[1] = SealedBox(PublicKey(bytes(trustees[1].keys.box.public_key))).encrypt(payload)
    bad = Dealing(good.election_id, 1, good.commitments, good.proofs, tuple(boxes))
    record.sign(trustees[0].keys.identity, "trustee.deal", {"dealing": bad.to_json()})
    record.add(ok(js(trustee_page, "deal", record.task(trustees[2]), trustees[2].file)))

    assert ok(js(trustee_page, "check", record.task(trustees[2]), trustees[2].file)) == []
    lines = ok(js(trustee_page, "check", record.task(trustees[1]), trustees[1].file))
    assert len(lines) == 1
    complaint = parse_event(lines[0].encode())
    assert complaint.kind == "trustee.complain"
    assert complaint.body == {
        "dealer": 1,
        "reason": "the share does not match the dealer's published commitments",
    }
    record.add(lines[0])
    assert record.state().complaints == [(2, 1, complaint.body["reason"])]
    # Said once: checking again names nobody new.
    assert ok(js(trustee_page, "check", record.task(trustees[1]), trustees[1].file)) == []
