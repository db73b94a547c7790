"""``veche election verify`` gives every record a verdict and a documented exit status.

Exit 0: the record verifies; 1: it does not; 2: the file cannot be read; 3: the
verifier itself failed (a bug). Never a traceback. hypothesis mutates a real
simulated record (bytes, fields, lines) and feeds it to the command.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from veche.cli import main
from veche.election.record import split_record, verify_record
from veche.election.simulate import simulate
from veche.events.canonical import CanonicalError
from veche.events.envelope import EventError

STATUS = {"ok": 0, "failed": 1, "unreadable": 2, "error": 3}


@cache
def _record() -> bytes:
    return simulate(voters=3, options=3, trustees=3, threshold=2, seed=14).record


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def _verify_bytes(data: bytes, *flags: str) -> tuple[int, str, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "record.jsonl"
        path.write_bytes(data)
        return _run("election", "verify", str(path), *flags)


def _verdict(data: bytes) -> dict[str, Any]:
    status, out, err = _verify_bytes(data, "--json")
    assert "Traceback" not in out + err
    verdict = json.loads(out)
    assert STATUS[verdict["verdict"]] == status
    assert verdict["ok"] is (status == 0)
    return verdict


def test_the_real_record_verifies_with_status_0():
    status, out, _ = _verify_bytes(_record())
    assert status == 0 and out.startswith("OK: ")
    assert _verdict(_record())["verdict"] == "ok"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"not json at all\n", "line 1"),
        (b"{}\n", "line 1"),
        (b"[1, 2]\n", "line 1"),
        (b"\xff\xfe\x00garbage\n", "line 1"),
    ],
)
def test_garbage_fails_with_status_1(data: bytes, reason: str):
    verdict = _verdict(data)
    assert verdict["verdict"] == "failed" and reason in verdict["failure"]
    status, _, err = _verify_bytes(data)
    assert status == 1 and err.startswith("FAILED: ") and "Traceback" not in err


def test_a_truncated_and_a_duplicated_record_fail():
    record = _record()
    assert _verdict(record[:-7])["verdict"] == "failed"  # no final newline
    lines = split_record(record)
    doubled = b"".join(line + b"\n" for line in [*lines, lines[3]])
    verdict = _verdict(doubled)
    assert verdict["verdict"] == "failed" and "the same event as line 4" in verdict["failure"]


def test_reordered_lines_give_the_same_verdict():
    lines = split_record(_record())
    reordered = b"".join(line + b"\n" for line in reversed(lines))
    assert _verdict(reordered)["counts"] == _verdict(_record())["counts"]


def test_an_unreadable_file_exits_2(tmp_path: Path):
    status, out, err = _run("election", "verify", str(tmp_path / "missing.jsonl"))
    assert status == 2 and out == "" and "cannot read" in err
    status, out, _ = _run("election", "verify", str(tmp_path), "--json")
    assert status == 2 and json.loads(out)["verdict"] == "unreadable"


def test_a_voter_naming_a_constituency_in_an_election_without_any(builder):
    """Was a traceback: the create was judged sound, then failed when applied."""
    b = builder(voters=2)
    electorate = [{"keys": [v.public], "constituency": "Minsk"} for v in b.voters]
    b.writer.write(
        b.creator, "space.create", {**_create_body(b), "electorate": electorate}, judge=False
    )
    verdict = _verdict(b"".join(line + b"\n" for line in b.lines()))
    assert verdict["verdict"] == "failed"
    assert "this election has no constituencies" in verdict["failure"]
    assert verdict["item"] == b.events[0].id


def _create_body(b: Any) -> dict[str, Any]:
    b.create()
    body = dict(b.events[0].body)
    del b.writer.events[:]
    b.writer.state.__init__()
    b.writer._last.clear()
    return body


def test_an_error_inside_the_verifier_is_a_verdict_with_status_3(monkeypatch):
    import veche.election.record as record

    def broken(state: Any, event: Any) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(record, "apply_event", broken)
    report = verify_record(split_record(_record()))
    assert report.verdict == "error" and "a bug in veche" in (report.failure or "")
    status, _, err = _verify_bytes(_record())
    assert status == 3 and err.startswith("ERROR: ") and "Traceback" not in err


# -- mutations of a real record ---------------------------------------------------------------


def _flip(data: bytes, position: int, value: int) -> bytes:
    position %= len(data)
    return data[:position] + bytes([value]) + data[position + 1 :]


def _mutate_field(line: bytes, draw: Any) -> bytes:
    event = json.loads(line)

    def paths(value: Any, prefix: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        found = [prefix]
        if isinstance(value, dict):
            for key, inner in value.items():
                found += paths(inner, (*prefix, key))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                found += paths(inner, (*prefix, index))
        return found

    where = draw(st.sampled_from(paths(event, ())[1:]))
    replacement = draw(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-(2**70), 2**70),
            st.text(max_size=50),
            st.lists(st.integers(), max_size=3),
            st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
        )
    )
    target = event
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = replacement
    return json.dumps(event, separators=(",", ":"), sort_keys=True).encode()


@st.composite
def mutated_records(draw: Any) -> bytes:
    record = _record()
    lines = split_record(record)
    how = draw(
        st.sampled_from(["flip", "truncate", "field", "drop", "duplicate", "swap", "insert"])
    )
    if how == "flip":
        return _flip(record, draw(st.integers(0, len(record))), draw(st.integers(0, 255)))
    if how == "truncate":
        return record[: draw(st.integers(0, len(record) - 1))]
    index = draw(st.integers(0, len(lines) - 1))
    if how == "field":
        lines[index] = _mutate_field(lines[index], draw)
    elif how == "drop":
        del lines[index]
    elif how == "duplicate":
        lines.insert(draw(st.integers(0, len(lines))), lines[index])
    elif how == "swap":
        other = draw(st.integers(0, len(lines) - 1))
        lines[index], lines[other] = lines[other], lines[index]
    else:
        lines.insert(index, draw(st.binary(max_size=80)).replace(b"\n", b""))
    return b"".join(line + b"\n" for line in lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_records())
def test_every_mutated_record_gets_a_verdict_and_its_status(data: bytes):
    verdict = _verdict(data)
    # A mutation may leave a valid record (a reordering, a dropped junk line...), but the
    # verifier itself must never fail.
    assert verdict["verdict"] in ("ok", "failed"), verdict["failure"]


# -- mutated bodies, signed again: the rules (not only the signatures) meet junk ---------------


@cache
def _signed_election() -> tuple[tuple[Any, str, dict[str, Any]], ...]:
    """A whole party-list election with constituencies, one of them empty, as
    (signer, kind, body) steps that can be signed again after a change."""
    from tests.core.election.conftest import Builder

    b = Builder(
        voters=3,
        options=("Workers", "Students"),
        method="party_list",
        seats=3,
        divisor="dhondt",
        constituencies=[{"name": "Minsk", "seats": 2}, {"name": "Hrodna", "seats": 1}],
    )
    b.create(electorate=[{"keys": [v.public], "constituency": "Minsk"} for v in b.voters])
    b.deal_all()
    b.open()
    b.cast(b.voters[0], [[1, 0]])
    b.cast(b.voters[1], [[0, 1]])
    b.close()
    b.decrypt(1)
    b.decrypt(2)
    b.result()
    signers = {i.public: i for i in (b.creator, *b.voters, *b.signers)}
    return tuple((signers[e.author], e.kind, e.body) for e in b.events)


def _sign_all(steps: list[tuple[Any, str, dict[str, Any]]]) -> bytes:
    from veche.election.simulate import EventWriter

    writer = EventWriter()
    for signer, kind, body in steps:
        writer.write(signer, kind, body, judge=False)
    return b"".join(e.raw + b"\n" for e in writer.events)


def test_the_signed_election_with_an_empty_constituency_verifies():
    verdict = _verdict(_sign_all(list(_signed_election())))
    assert verdict["verdict"] == "ok" and verdict["stage"] == "decided"
    assert verdict["seats"] == [1, 1] and verdict["vacant"] == 1


@st.composite
def resigned_records(draw: Any) -> bytes:
    steps = [(s, k, json.loads(json.dumps(b))) for s, k, b in _signed_election()]
    for _ in range(draw(st.integers(1, 2))):
        index = draw(st.integers(0, len(steps) - 1))
        signer, kind, body = steps[index]
        how = draw(st.sampled_from(["field", "kind", "author", "drop"]))
        if how == "field":
            wrapped = json.dumps({"body": body}).encode()
            body = json.loads(_mutate_field(wrapped, draw))["body"]
            if not isinstance(body, dict):
                body = {}
        elif how == "kind":
            kind = draw(st.sampled_from(sorted({k for _, k, _ in steps} | {"junk.kind"})))
        elif how == "author":
            signer = draw(st.sampled_from([s for s, _, _ in steps]))
        if how == "drop":
            del steps[index]
        else:
            steps[index] = (signer, kind, body)
    try:
        return _sign_all(steps)
    except (CanonicalError, EventError):  # no node could sign it either (a create moved...)
        reject()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(resigned_records())
def test_every_re_signed_mutation_gets_a_verdict_and_its_status(data: bytes):
    verdict = _verdict(data)
    assert verdict["verdict"] in ("ok", "failed"), verdict["failure"]


def test_offline_commands_on_bad_input_say_what_is_wrong(tmp_path: Path, monkeypatch):
    from veche.events import Identity
    from veche.events.identity import save_identity

    monkeypatch.setenv("VECHE_PASSPHRASE", "a long passphrase")
    monkeypatch.setenv("VECHE_KDF_PROFILE", "test")
    key = tmp_path / "me.key"
    save_identity(key, Identity.generate(), "a long passphrase", "test")
    junk = tmp_path / "junk.jsonl"
    junk.write_bytes(b"garbage\n")
    record = tmp_path / "record.jsonl"
    record.write_bytes(_record())
    for argv, fragment in (
        (["election", "vote", str(junk), "--key", str(key), "--choice", "1"], "does not verify"),
        (["election", "vote", str(junk), "--key", str(key), "--choice", "1",
          "--audit", str(tmp_path / "a.json")], "does not verify"),
        (["election", "vote", str(record), "--key", str(key), "--choice", "1"], "decided, not open"),
        (["election", "simulate", "--voters", "1", "--options", "2",
          "--out", str(tmp_path / "no" / "such" / "dir" / "r.jsonl")], "cannot write"),
        (["trustee", "keygen", "--out", str(junk / "t.key")], "cannot write"),
        (["trustee", "share", "--record", str(junk), "--key", str(key),
          "--out", str(tmp_path / "o.jsonl")], "trustee key file"),
    ):  # fmt: skip
        status, _, err = _run(*argv)
        assert status == 2 and fragment in err and "Traceback" not in err, (argv, err)
