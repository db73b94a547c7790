"""Generate ``event-v1-vectors.json``, the known-answer vectors of Veche's event format v1.

Everything is derived from fixed seeds and fixed times, and Ed25519 signatures
are deterministic, so a rerun writes a byte-identical file. Every expectation
below (an error's field and rule, a height, an equivocation) is written by hand
and checked against ``veche.events`` before the file is written: if the code
and this file disagree, the generator stops instead of recording the code's
answer. ``tests/core/events/test_vectors.py`` checks the file against the code, and
that it is exactly what this script produces.

    python docs/formats/make_event_vectors.py          # write the file
    python docs/formats/make_event_vectors.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from veche.events import canonical
from veche.events.canonical import CanonicalError
from veche.events.encoding import b64d, b64e
from veche.events.envelope import Event, EventError, build_event, parse_event
from veche.events.identity import Identity
from veche.events.order import equivocations, order_events

OUTPUT = Path(__file__).with_name("event-v1-vectors.json")

# -- identities ------------------------------------------------------------------------


def seed_for(name: str) -> bytes:
    """A fixed, reproducible seed. Real keys come from a CSPRNG; these are public on purpose."""
    return hashlib.blake2b(
        f"veche event-v1 test vector key: {name}".encode(), digest_size=32
    ).digest()


NAMES = ("alesia", "mikola", "ulad")
IDENTITIES = {name: Identity(seed_for(name)) for name in NAMES}

RULES = {
    "admission": "invitation",
    "majority": "simple",
    "quorum_percent": 50,
    "vouches_needed": 2,
}

# -- valid events ----------------------------------------------------------------------


def build_valid() -> dict[str, tuple[str, Event, str]]:
    """name -> (author name, event, what the vector shows)."""
    alesia, mikola, ulad = (IDENTITIES[n] for n in NAMES)
    out: dict[str, tuple[str, Event, str]] = {}

    create = build_event(
        alesia,
        space=None,
        seq=1,
        prev=None,
        kind="space.create",
        at="2020-08-17T09:00:00Z",
        body={
            "type": "committee",
            "name": "Стачком МТЗ",
            "kind": "workplace",
            "level": "local",
            "rules": RULES,
            "pseudonym": "Алеся",
            "description": "Забастовочный комитет Минского тракторного завода ✊",
        },
    )
    out["create"] = ("alesia", create, "space.create: space is null, the space id is this id")
    space = create.id

    invite = build_event(
        alesia,
        space=space,
        seq=2,
        prev=create.id,
        kind="member.invite",
        at="2020-08-17T09:05:00Z",
        body={"code_hash": b64e(hashlib.blake2b(b"K7QM2XPA", digest_size=32).digest())},
    )
    out["invite"] = ("alesia", invite, "seq 2: prev is the author's seq 1 event; no deps")

    join = build_event(
        mikola,
        space=space,
        seq=1,
        prev=None,
        kind="member.join",
        at="2020-08-17T10:30:00Z",
        deps=[invite.id, create.id],
        body={"code": "K7QM-2XPA", "pseudonym": "Мікола 🚜"},
    )
    out["join"] = ("mikola", join, "another author's seq 1 in the space, with two sorted deps")

    post = build_event(
        mikola,
        space=space,
        seq=2,
        prev=join.id,
        kind="space.post",
        at="2020-08-17T11:00:00Z",
        body={"text": "Заўтра ў 7:00 — збор ля прахадной. 🤍❤️🤍"},
    )
    out["post"] = ("mikola", post, "Belarusian text with emoji (4-byte UTF-8)")

    nested = build_event(
        alesia,
        space=space,
        seq=3,
        prev=invite.id,
        kind="motion.propose",
        at="2020-08-18T06:00:00Z",
        deps=[post.id, join.id],
        body={
            "title": "Бессрочная забастовка с 19 августа",
            "options": [
                {"label": "за", "weight": 1},
                {"label": "супраць", "weight": -1},
                {"label": "устрымаўся", "weight": 0},
            ],
            "limits": {"max": canonical.MAX_INT, "min": -canonical.MAX_INT},
            "flags": [True, False, None],
            "empty_object": {},
            "empty_list": [],
            # Every escape the encoding uses, characters it must not escape,
            # and the text ,"sig":" that a careless signature splitter could
            # mistake for the envelope's own sig field.
            "text": 'quote " backslash \\ slash / \b\f\n\r\t nul \x00 us \x1f del \x7f'
            ' ls \u2028 é 😀 ,"sig":"trap',
            # Sorted by code point: U+FF01 before U+1F600. UTF-16 order (RFC
            # 8785) would put the emoji first.
            "！": "U+FF01",
            "😀": "U+1F600",
            "deep": {
                "a": {
                    "b": {
                        "c": {
                            "d": {
                                "e": {
                                    "f": {"g": {"h": {"i": {"j": {"k": {"l": {"m": {"n": 1}}}}}}}}
                                }
                            }
                        }
                    }
                }
            },
        },
    )
    out["nested"] = (
        "alesia",
        nested,
        "nested body reaching the 16-level limit, every escape, code-point key order, "
        '±(2^53−1), and a string that contains ,"sig":"',
    )

    fork = build_event(
        alesia,
        space=space,
        seq=3,
        prev=invite.id,
        kind="space.post",
        at="2020-08-18T06:00:00Z",
        body={"text": "Забастовки не будет. Расходимся."},
    )
    out["fork"] = (
        "alesia",
        fork,
        "valid on its own, but the same (space, author, seq) as 'nested': an equivocation",
    )

    other_space = build_event(
        ulad,
        space=None,
        seq=1,
        prev=None,
        kind="space.create",
        at="2020-08-19T08:00:00Z",
        body={
            "type": "committee",
            "name": "Рада стачкамаў Мінска",
            "kind": "council",
            "level": "city",
            "rules": {**RULES, "admission": "motion"},
            "pseudonym": "Улад",
        },
    )
    out["other_space"] = ("ulad", other_space, "a second space, by another author")
    return out


def valid_vector(name: str, author: str, event: Event, note: str) -> dict[str, Any]:
    identity = IDENTITIES[author]
    unsigned = canonical.encode({k: v for k, v in event.as_dict().items() if k != "sig"})
    # Check the signature the way an outside verifier would: over the
    # canonical encoding without sig, under the author key.
    assert identity.sign(unsigned) == b64d(event.sig, 64)
    assert canonical.encode(event.as_dict()) == event.raw
    assert event.id == b64e(hashlib.blake2b(event.raw, digest_size=32).digest())
    return {
        "name": name,
        "note": note,
        "seed_hex": identity.seed.hex(),
        "public": identity.public,
        "document": event.as_dict(),
        "unsigned_text": unsigned.decode("utf-8"),
        "unsigned_hex": unsigned.hex(),
        "sig": event.sig,
        "signed_text": event.raw.decode("utf-8"),
        "signed_hex": event.raw.hex(),
        "id": event.id,
        "space_id": event.space_id,
    }


# -- canonical JSON ------------------------------------------------------------------


def nest(levels: int) -> Any:
    value: Any = []
    for _ in range(levels - 1):
        value = [value]
    return value


ENCODE_CASES: list[tuple[str, Any]] = [
    ("zero", 0),
    ("negative", -1),
    ("largest integer", 9007199254740991),
    ("smallest integer", -9007199254740991),
    ("true", True),
    ("false", False),
    ("null", None),
    ("empty string", ""),
    ("empty list", []),
    ("empty object", {}),
    ("short escapes", '"\\\b\f\n\r\t'),
    ("control characters as \\u00XX, lower case", "\x00\x01\x0b\x1f"),
    ("not escaped: slash, DEL, U+2028, U+2029, non-ASCII", "/\x7f\u2028\u2029ж€😀"),
    (
        "keys by code point",
        {"b": 1, "a": 2, "A": 3, "aa": 4, "": 5, "é": 6, "！": 7, "😀": 8, "ж": 9},
    ),
    ("list keeps its order", [3, 1, 2, "b", "a"]),
    ("nested object", {"z": {"y": [1, {"x": None}]}, "a": [[], {}]}),
    ("16 levels of nesting", nest(16)),
]

ENCODE_REJECTS: list[tuple[str, Any]] = [
    ("float", 1.5),
    ("float with integral value", 2.0),
    ("integer above 2^53−1", 9007199254740992),
    ("integer below −(2^53−1)", -9007199254740992),
    ("17 levels of nesting", nest(17)),
    ("float inside an object", {"a": [0.1]}),
]

DECODE_REJECTS: list[tuple[str, bytes]] = [
    ("empty input", b""),
    ("float", b"1.0"),
    ("exponent", b"1e3"),
    ("negative zero", b"-0"),
    ("leading zero", b"01"),
    ("plus sign", b"+1"),
    ("NaN", b"NaN"),
    ("Infinity", b"[Infinity]"),
    ("integer above 2^53−1", b"9007199254740992"),
    ("integer below −(2^53−1)", b"-9007199254740992"),
    ("integer of 5000 digits", b"7" * 5000),
    ("duplicate key", b'{"a":1,"a":1}'),
    ("unsorted keys", b'{"b":1,"a":2}'),
    ("keys in UTF-16 order (RFC 8785), not code-point order", '{"😀":1,"！":2}'.encode()),
    ("space after colon", b'{"a": 1}'),
    ("space after comma", b"[1, 2]"),
    ("leading whitespace", b" 1"),
    ("trailing newline", b"1\n"),
    ("escaped letter", b'"\\u0041"'),
    ("escaped slash", b'"\\/"'),
    ("escaped non-ASCII", b'"\\u00e9"'),
    ("upper-case hex escape", b'"\\u001F"'),
    ("long form where a short one exists", b'"\\u000a"'),
    ("escaped surrogate pair", b'"\\ud83d\\ude00"'),
    ("escaped DEL", b'"\\u007f"'),
    ("lone surrogate", b'"\\ud800"'),
    ("raw control character in a string", b'"a\x09b"'),
    ("truncated UTF-8", b'"\xc3"'),
    ("overlong UTF-8", b'"\xc0\xaf"'),
    ("UTF-8-encoded surrogate", b'"\xed\xa0\x80"'),
    ("byte 0xFF", b'"\xff"'),
    ("UTF-8 byte order mark", b"\xef\xbb\xbf1"),
    ("17 levels of nesting", b"[" * 17 + b"]" * 17),
    ("10,000 levels of nesting", b"[" * 10000 + b"]" * 10000),
    ("more than 64 KiB", b'"' + b"x" * 65535 + b'"'),
    ("two values", b"1 2"),
    ("single quotes", b"'a'"),
    ("trailing comma", b"[1,]"),
    ("upper-case literal", b"TRUE"),
]

# -- invalid events --------------------------------------------------------------------

Document = dict[str, Any]


def sign(document: Document, identity: Identity) -> bytes:
    """Sign any document as given (even one parse_event would refuse)."""
    unsigned = {k: v for k, v in document.items() if k != "sig"}
    signature = b64e(identity.sign(canonical.encode(unsigned)))
    return canonical.encode({**unsigned, "sig": signature})


def stray_bits(text: str) -> str:
    """The same bytes with the unused low bits of the last character set: not canonical."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return text[:-1] + alphabet[alphabet.index(text[-1]) ^ 1]


def invalid_cases(valid: dict[str, tuple[str, Event, str]]) -> list[tuple[str, str, str, bytes]]:
    """(name, field, rule, bytes). The base is the valid 'post' event (mikola, seq 2)."""
    post = valid["post"][1]
    create = valid["create"][1]
    join = valid["join"][1]
    mikola = IDENTITIES["mikola"]
    alesia = IDENTITIES["alesia"]
    base = post.as_dict()
    raw = post.raw
    body_text = canonical.encode(post.body)
    assert raw.count(body_text) == 1

    def with_body(text: bytes) -> bytes:
        # Raw surgery below the canonical layer: the signature no longer
        # matches, but the canonical-JSON check comes first and is reported.
        return raw.replace(body_text, text)

    def resigned(
        change: Callable[[Document], None], identity: Identity = mikola, doc: Document = base
    ) -> bytes:
        document = json.loads(json.dumps(doc))
        change(document)
        return sign(document, identity)

    def setter(**values: Any) -> Callable[[Document], None]:
        return lambda document: document.update(values)

    def drop(name: str) -> Callable[[Document], None]:
        return lambda document: document.pop(name)

    ids = sorted(e.id for _, e, _ in valid.values())
    sig_bytes = bytearray(b64d(post.sig, 64))
    sig_bytes[10] ^= 0x01
    flipped_sig = raw.replace(post.sig.encode(), b64e(bytes(sig_bytes)).encode())
    assert flipped_sig != raw

    env = "envelope"
    cj = "canonical-json"
    cases: list[tuple[str, str, str, bytes]] = [
        # canonical JSON
        ("float in body", env, cj, with_body(b'{"n":1.5}')),
        ("exponent in body", env, cj, with_body(b'{"n":1e3}')),
        ("duplicate key in body", env, cj, with_body(b'{"n":1,"n":1}')),
        ("duplicate envelope key", env, cj, raw[:-1] + b',"v":1}'),
        ("unsorted keys in body", env, cj, with_body(b'{"text":"a","n":1}')),
        ("unsorted envelope keys", env, cj, b'{"v":1,' + raw[1 : -len(b',"v":1}')] + b"}"),
        ("whitespace in body", env, cj, with_body(b'{"n": 1}')),
        ("trailing newline", env, cj, raw + b"\n"),
        ("non-minimal escape: \\u0041", env, cj, with_body(b'{"t":"\\u0041"}')),
        ("non-minimal escape: \\/", env, cj, with_body(b'{"t":"\\/"}')),
        ("non-minimal escape: escaped Cyrillic", env, cj, with_body(b'{"t":"\\u0436"}')),
        ("non-minimal escape: upper-case hex", env, cj, with_body(b'{"t":"\\u001F"}')),
        ("lone surrogate", env, cj, with_body(b'{"t":"\\udc00"}')),
        ("invalid UTF-8: truncated sequence", env, cj, with_body(b'{"t":"\xd0"}')),
        ("invalid UTF-8: overlong", env, cj, with_body(b'{"t":"\xc0\xaf"}')),
        ("invalid UTF-8: encoded surrogate", env, cj, with_body(b'{"t":"\xed\xa0\x80"}')),
        ("too deep: 17 levels", env, cj, with_body(b'{"n":' * 16 + b"1" + b"}" * 16)),
        ("too big: over 64 KiB", env, cj, with_body(b'{"t":"' + b"x" * 65536 + b'"}')),
        ("integer above 2^53−1", env, cj, with_body(b'{"n":9007199254740992}')),
        ("integer below −(2^53−1)", env, cj, with_body(b'{"n":-9007199254740992}')),
        ("integer of 5000 digits", env, cj, with_body(b'{"n":' + b"9" * 5000 + b"}")),
        ("negative zero", env, cj, with_body(b'{"n":-0}')),
        ("NaN", env, cj, with_body(b'{"n":NaN}')),
        ("byte order mark", env, cj, b"\xef\xbb\xbf" + raw),
        # envelope shape
        ("not an object", env, "object", b"[" + raw + b"]"),
        ("missing field: at", env, "fields", resigned(drop("at"))),
        ("unknown field: id", env, "fields", resigned(setter(id=post.id))),
        ("unknown field: extra", env, "fields", resigned(setter(extra=1))),
        ("version 2", "v", "version", resigned(setter(v=2))),
        ("version true", "v", "version", resigned(setter(v=True))),
        ("space: 42 characters", "space", "id-format", resigned(setter(space=create.id[:42]))),
        ("space: stray bits", "space", "id-format", resigned(setter(space=stray_bits(create.id)))),
        ("space: padded", "space", "id-format", resigned(setter(space=create.id + "="))),
        (
            "author: standard base64 alphabet",
            "author",
            "key-format",
            resigned(setter(author=post.author.replace("-", "+").replace("_", "/"))),
        ),
        (
            "author: stray bits",
            "author",
            "key-format",
            resigned(setter(author=stray_bits(post.author))),
        ),
        ("author: null", "author", "key-format", resigned(setter(author=None))),
        ("seq 0", "seq", "positive", resigned(setter(seq=0))),
        ("seq as a string", "seq", "positive", resigned(setter(seq="2"))),
        ("seq true", "seq", "positive", resigned(setter(seq=True))),
        ("prev with seq 1", "prev", "chain", resigned(setter(seq=1))),
        ("prev null with seq 2", "prev", "chain", resigned(setter(prev=None))),
        ("prev: not an id", "prev", "id-format", resigned(setter(prev="not-an-id"))),
        ("deps: not a list", "deps", "list", resigned(setter(deps=create.id))),
        (
            "deps: 65 entries",
            "deps",
            "max-length",
            resigned(
                setter(
                    deps=sorted(
                        b64e(hashlib.blake2b(bytes([i]), digest_size=32).digest())
                        for i in range(65)
                    )
                )
            ),
        ),
        ("deps[1]: not an id", "deps[1]", "id-format", resigned(setter(deps=[ids[0], "!" * 43]))),
        ("unsorted deps", "deps", "sorted", resigned(setter(deps=[ids[1], ids[0]]))),
        ("repeated dep", "deps", "sorted", resigned(setter(deps=[ids[0], ids[0]]))),
        ("kind: upper case", "kind", "kind-format", resigned(setter(kind="Space.Post"))),
        ("kind: no dot", "kind", "kind-format", resigned(setter(kind="post"))),
        ("kind: five parts", "kind", "kind-format", resigned(setter(kind="a.b.c.d.e"))),
        ("space null for a non-create kind", "space", "create", resigned(setter(space=None))),
        (
            "space.create with a space",
            "space",
            "create",
            resigned(setter(space=post.space), alesia, create.as_dict()),
        ),
        (
            "space.create with seq 2",
            "seq",
            "create",
            resigned(
                setter(space=None, kind="space.create", seq=2, prev=join.id),
                mikola,
                post.as_dict(),
            ),
        ),
        (
            "at: space instead of T",
            "at",
            "time-format",
            resigned(setter(at="2020-08-17 11:00:00Z")),
        ),
        (
            "at: offset instead of Z",
            "at",
            "time-format",
            resigned(setter(at="2020-08-17T14:00:00+03:00")),
        ),
        (
            "at: fractional seconds",
            "at",
            "time-format",
            resigned(setter(at="2020-08-17T11:00:00.000Z")),
        ),
        ("at: lower-case z", "at", "time-format", resigned(setter(at="2020-08-17T11:00:00z"))),
        ("at: 30 February", "at", "time-format", resigned(setter(at="2020-02-30T11:00:00Z"))),
        ("at: leap second", "at", "time-format", resigned(setter(at="2016-12-31T23:59:60Z"))),
        ("at: hour 24", "at", "time-format", resigned(setter(at="2020-08-17T24:00:00Z"))),
        (
            "at: Arabic-Indic digits",
            "at",
            "time-format",
            resigned(setter(at="٢٠٢٠-08-17T11:00:00Z")),
        ),
        ("at: a number", "at", "time-format", resigned(setter(at=1597662000))),
        ("body: a list", "body", "object", resigned(setter(body=[]))),
        ("body: a string", "body", "object", resigned(setter(body="text"))),
        (
            "sig: 85 characters",
            "sig",
            "sig-format",
            raw.replace(post.sig.encode(), post.sig[:85].encode()),
        ),
        (
            "sig: stray bits",
            "sig",
            "sig-format",
            raw.replace(post.sig.encode(), stray_bits(post.sig).encode()),
        ),
        ("wrong signature: one byte of sig flipped", "sig", "signature", flipped_sig),
        (
            "wrong signature: body changed after signing",
            "sig",
            "signature",
            raw.replace("збор".encode(), "мітынг".encode()),
        ),
        (
            "wrong signature: signed by another key",
            "sig",
            "signature",
            resigned(lambda d: None, alesia),
        ),
        (
            "wrong signature: signed with sig included",
            "sig",
            "signature",
            canonical.encode({**base, "sig": b64e(mikola.sign(raw))}),
        ),
    ]
    return cases


def check_invalid(name: str, field: str, rule: str, data: bytes) -> None:
    try:
        parse_event(data)
    except EventError as error:
        if (error.field, error.rule) != (field, rule):
            raise SystemExit(
                f"invalid case {name!r}: expected {field}/{rule}, "
                f"code says {error.field}/{error.rule}"
            ) from error
        return
    raise SystemExit(f"invalid case {name!r}: the code accepts it")


# -- order and equivocation -----------------------------------------------------------

# Written by hand from the rule: height = 1 + max height over prev and deps, 0 for none.
EXPECTED_HEIGHTS = {
    "create": 0,
    "invite": 1,  # prev create
    "join": 2,  # deps create (0), invite (1)
    "post": 3,  # prev join
    "nested": 4,  # prev invite (1), deps join (2), post (3)
    "fork": 2,  # prev invite
    "other_space": 0,
}


def order_vectors(valid: dict[str, tuple[str, Event, str]]) -> list[dict[str, Any]]:
    events = {name: event for name, (_, event, _) in valid.items()}
    cases = []
    for case, held, left_out in (
        ("all events", list(events), []),
        (
            "without 'invite': its descendants wait",
            [n for n in events if n != "invite"],
            ["join", "post", "nested", "fork"],
        ),
    ):
        result = order_events(events[n] for n in sorted(held, key=lambda n: events[n].raw))
        placed = [n for n in held if n not in left_out]
        expected = sorted(placed, key=lambda n: (EXPECTED_HEIGHTS[n], events[n].id))
        if [e.id for e in result.ordered] != [events[n].id for n in expected]:
            raise SystemExit(f"order case {case!r}: the code orders differently")
        if sorted(result.missing) != sorted(events[n].id for n in left_out):
            raise SystemExit(f"order case {case!r}: the code leaves out other events")
        cases.append(
            {
                "name": case,
                "events": sorted(events[n].id for n in held),
                "heights": {events[n].id: EXPECTED_HEIGHTS[n] for n in expected},
                "order": [events[n].id for n in expected],
                "left_out": sorted(events[n].id for n in left_out),
            }
        )
    return cases


def equivocation_vectors(valid: dict[str, tuple[str, Event, str]]) -> list[dict[str, Any]]:
    nested, fork = valid["nested"][1], valid["fork"][1]
    expected = {
        "space": nested.space_id,
        "author": nested.author,
        "seq": 3,
        "event_ids": sorted([nested.id, fork.id]),
    }
    found = equivocations(event for _, event, _ in valid.values())
    if [vars_of(f) for f in found] != [expected]:
        raise SystemExit(f"equivocation: the code finds {found}")
    return [{"name": "alesia signs two seq 3 events in one space", **expected}]


def vars_of(found: Any) -> dict[str, Any]:
    return {
        "space": found.space,
        "author": found.author,
        "seq": found.seq,
        "event_ids": list(found.event_ids),
    }


# -- the file --------------------------------------------------------------------------


def build_vectors() -> dict[str, Any]:
    valid = build_valid()
    encode_cases = []
    for name, value in ENCODE_CASES:
        data = canonical.encode(value)
        if canonical.decode(data) != value:
            raise SystemExit(f"encode case {name!r} does not round-trip")
        encode_cases.append(
            {"name": name, "value": value, "text": data.decode("utf-8"), "hex": data.hex()}
        )
    for name, value in ENCODE_REJECTS:
        try:
            canonical.encode(value)
        except CanonicalError:
            continue
        raise SystemExit(f"encode reject {name!r}: the code encodes it")
    for name, data in DECODE_REJECTS:
        try:
            canonical.decode(data)
        except CanonicalError:
            continue
        raise SystemExit(f"decode reject {name!r}: the code accepts it")
    invalid = []
    for name, field, rule, data in invalid_cases(valid):
        check_invalid(name, field, rule, data)
        invalid.append({"name": name, "field": field, "rule": rule, "hex": data.hex()})
    return {
        "format": "veche event v1 test vectors",
        "spec": "docs/formats/event-v1.md",
        "generator": "docs/formats/make_event_vectors.py",
        "notes": [
            "All byte strings are lower-case hex; *_text fields are the same bytes as UTF-8.",
            "Seeds are Ed25519 seeds (RFC 8032 secret keys); public keys, ids and "
            "signatures are base64url without padding.",
            "An invalid case names the first check of docs/formats/event-v1.md section 5 "
            "that fails, as field and rule.",
        ],
        "identities": [
            {"name": n, "seed_hex": IDENTITIES[n].seed.hex(), "public": IDENTITIES[n].public}
            for n in NAMES
        ],
        "valid": [valid_vector(n, a, e, note) for n, (a, e, note) in valid.items()],
        "canonical": {
            "encode": encode_cases,
            "encode_reject": [{"name": n, "value": v} for n, v in ENCODE_REJECTS],
            "decode_reject": [{"name": n, "hex": d.hex()} for n, d in DECODE_REJECTS],
        },
        "invalid": invalid,
        "order": order_vectors(valid),
        "equivocations": equivocation_vectors(valid),
    }


def render(vectors: dict[str, Any]) -> str:
    return json.dumps(vectors, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render(build_vectors())
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is stale: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
