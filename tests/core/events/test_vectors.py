"""The published vectors of event format v1 hold against the code, and the file is current.

``docs/formats/event-v1-vectors.json`` is what outside implementers test
against, so every case in it is checked here from the file alone (not from the
generator), with independent computations where possible (libsodium directly
for signatures, hashlib for ids). A last test reruns the generator and insists
that it writes exactly the committed file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import nacl.signing
import pytest

from veche.events import canonical
from veche.events.canonical import CanonicalError
from veche.events.encoding import b64d, b64e
from veche.events.envelope import EventError, parse_event
from veche.events.identity import Identity
from veche.events.order import equivocations, order_events

FORMATS = Path(__file__).resolve().parents[3] / "docs" / "formats"
VECTORS_PATH = FORMATS / "event-v1-vectors.json"
VECTORS: dict[str, Any] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_event_vectors", FORMATS / "make_event_vectors.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def by_name(section: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {case["name"]: case for case in section}


VALID = VECTORS["valid"]
SIGNED = {case["id"]: bytes.fromhex(case["signed_hex"]) for case in VALID}


def test_file_is_what_the_generator_writes_now() -> None:
    generator = load_generator()
    assert generator.render(generator.build_vectors()) == VECTORS_PATH.read_text(encoding="utf-8")


def test_the_file_covers_what_the_spec_promises() -> None:
    kinds = {case["document"]["kind"] for case in VALID}
    assert {"space.create", "member.join", "motion.propose"} <= kinds
    assert any(case["document"]["seq"] > 1 for case in VALID)
    assert any(len(case["document"]["deps"]) >= 2 for case in VALID)
    texts = "".join(case["signed_text"] for case in VALID)
    assert "Стачком" in texts and "😀" in texts  # Cyrillic and a 4-byte character
    rules = {(case["field"], case["rule"]) for case in VECTORS["invalid"]}
    for expected in [
        ("envelope", "canonical-json"),
        ("envelope", "fields"),
        ("prev", "chain"),
        ("deps", "sorted"),
        ("space", "create"),
        ("at", "time-format"),
        ("sig", "signature"),
        ("sig", "sig-format"),
        ("author", "key-format"),
    ]:
        assert expected in rules
    assert len(VECTORS["canonical"]["decode_reject"]) >= 20


@pytest.mark.parametrize("case", VALID, ids=[case["name"] for case in VALID])
def test_valid_event(case: dict[str, Any]) -> None:
    seed = bytes.fromhex(case["seed_hex"])
    assert Identity(seed).public == case["public"]
    signing_key = nacl.signing.SigningKey(seed)
    assert b64e(bytes(signing_key.verify_key)) == case["public"]

    unsigned = bytes.fromhex(case["unsigned_hex"])
    signed = bytes.fromhex(case["signed_hex"])
    assert case["unsigned_text"].encode("utf-8") == unsigned
    assert case["signed_text"].encode("utf-8") == signed

    document = case["document"]
    assert canonical.encode({k: v for k, v in document.items() if k != "sig"}) == unsigned
    assert canonical.encode(document) == signed
    assert canonical.decode(signed) == document

    # Ed25519 signatures are deterministic: re-signing gives the published bytes.
    signature = signing_key.sign(unsigned).signature
    assert b64e(signature) == case["sig"] == document["sig"]
    nacl.signing.VerifyKey(b64d(case["public"], 32)).verify(unsigned, signature)

    assert b64e(hashlib.blake2b(signed, digest_size=32).digest()) == case["id"]

    event = parse_event(signed)
    assert event.id == case["id"]
    assert event.space_id == case["space_id"]
    assert event.as_dict() == document
    assert event.raw == signed
    if document["kind"] == "space.create":
        assert document["space"] is None and case["space_id"] == case["id"]
    else:
        assert case["space_id"] == document["space"]


@pytest.mark.parametrize(
    "case", VECTORS["canonical"]["encode"], ids=[c["name"] for c in VECTORS["canonical"]["encode"]]
)
def test_canonical_encode_case(case: dict[str, Any]) -> None:
    data = bytes.fromhex(case["hex"])
    assert case["text"].encode("utf-8") == data
    assert canonical.encode(case["value"]) == data
    decoded = canonical.decode(data)
    assert decoded == case["value"]
    assert canonical.encode(decoded) == data  # also pins the types (true is not 1)


@pytest.mark.parametrize(
    "case",
    VECTORS["canonical"]["encode_reject"],
    ids=[c["name"] for c in VECTORS["canonical"]["encode_reject"]],
)
def test_canonical_encode_reject(case: dict[str, Any]) -> None:
    with pytest.raises(CanonicalError):
        canonical.encode(case["value"])


@pytest.mark.parametrize(
    "case",
    VECTORS["canonical"]["decode_reject"],
    ids=[c["name"] for c in VECTORS["canonical"]["decode_reject"]],
)
def test_canonical_decode_reject(case: dict[str, Any]) -> None:
    with pytest.raises(CanonicalError):
        canonical.decode(bytes.fromhex(case["hex"]))


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=[c["name"] for c in VECTORS["invalid"]])
def test_invalid_event(case: dict[str, Any]) -> None:
    with pytest.raises(EventError) as caught:
        parse_event(bytes.fromhex(case["hex"]))
    assert (caught.value.field, caught.value.rule) == (case["field"], case["rule"])
    assert str(caught.value).startswith(case["field"] + ": ")


@pytest.mark.parametrize("case", VECTORS["order"], ids=[c["name"] for c in VECTORS["order"]])
def test_order_case(case: dict[str, Any]) -> None:
    held = [parse_event(SIGNED[event_id]) for event_id in case["events"]]
    for attempt in range(5):
        random.Random(attempt).shuffle(held)
        result = order_events(held)
        assert [event.id for event in result.ordered] == case["order"]
        assert {k: result.heights[k] for k in case["order"]} == case["heights"]
        assert sorted(result.missing) == case["left_out"]


def test_equivocation_cases() -> None:
    events = [parse_event(data) for data in SIGNED.values()]
    found = [
        {
            "space": e.space,
            "author": e.author,
            "seq": e.seq,
            "event_ids": list(e.event_ids),
        }
        for e in equivocations(events)
    ]
    expected = [{k: v for k, v in case.items() if k != "name"} for case in VECTORS["equivocations"]]
    assert found == expected


def test_identities_match_their_seeds() -> None:
    for identity in VECTORS["identities"]:
        assert Identity(bytes.fromhex(identity["seed_hex"])).public == identity["public"]
    publics = {identity["public"] for identity in VECTORS["identities"]}
    assert {case["public"] for case in VALID} <= publics
