"""sync-v1 without Django: vectors, batches, the handshake, certificates, sessions."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veche.events import Identity, build_event
from veche.sync.errors import SyncError
from veche.sync.session import (
    Session,
    accept_auth,
    answer_hello,
    check_certificate,
    client_session,
    decode_frame,
    encode_frame,
    finish_handshake,
    make_certificate,
    open_request,
    open_response,
    seal_request,
    seal_response,
    start_handshake,
)
from veche.sync.vector import (
    AUTHORS_PER_LINE,
    BatchLimits,
    StoredRow,
    check_vector,
    decode_vector_lines,
    encode_vector_lines,
    fingerprints_from_ids,
    select_batch,
    space_of,
    vector_from_seqs,
)

NOW = datetime(2020, 8, 11, 18, 0, tzinfo=UTC)
SPACE = "S" * 42 + "A"
A = Identity(b"a" * 32)
B = Identity(b"b" * 32)


def test_vector_is_the_highest_seq_without_a_gap() -> None:
    rows = [(SPACE, "x", 1), (SPACE, "x", 2), (SPACE, "x", 4), (SPACE, "y", 2), (SPACE, "z", 1)]
    assert vector_from_seqs(rows) == {SPACE: {"x": 2, "y": 0, "z": 1}}


def test_vector_counts_a_fork_once() -> None:
    assert vector_from_seqs([(SPACE, "x", 1), (SPACE, "x", 1), (SPACE, "x", 2)]) == {
        SPACE: {"x": 2}
    }


def _chain(author: Identity, count: int) -> list[StoredRow]:
    rows, prev = [], None
    for seq in range(1, count + 1):
        event = build_event(
            author,
            space=SPACE,
            seq=seq,
            prev=prev,
            kind="space.post",
            body={"text": str(seq)},
            at=NOW,
        )
        prev = event.id
        rows.append(StoredRow(SPACE, author.public, seq, seq, event.id, event.raw))
    return rows


def _ordered(rows: list[StoredRow]) -> list[StoredRow]:
    return sorted(rows, key=lambda r: (r.height is None, r.height or 0, r.id))


def test_batches_are_bounded_by_count_and_resume_from_the_vector() -> None:
    rows = _ordered(_chain(A, 25) + _chain(B, 10))
    held: set[bytes] = set()
    vector: dict[str, dict[str, int]] = {}
    rounds = 0
    while True:
        batch = select_batch(rows, vector, BatchLimits(events=7, bytes=10**9))
        rounds += 1
        assert len(batch.events) <= 7
        held.update(batch.events)
        vector = vector_from_seqs((r.space, r.author, r.seq) for r in rows if r.raw in held)
        if not batch.more:
            break
    assert held == {r.raw for r in rows}
    assert rounds == 5  # 35 events, 7 at a time


def test_batches_are_bounded_by_bytes_but_never_empty() -> None:
    rows = _ordered(_chain(A, 5))
    one = len(rows[0].raw)
    batch = select_batch(rows, {}, BatchLimits(events=100, bytes=one + 1))
    assert len(batch.events) == 1 and batch.more
    batch = select_batch(rows, {}, BatchLimits(events=100, bytes=1))
    assert len(batch.events) == 1  # an event larger than the limit still moves


def test_batch_skips_what_the_vector_covers_and_keeps_dependency_order() -> None:
    rows = _ordered(_chain(A, 6))
    batch = select_batch(rows, {SPACE: {A.public: 4}}, BatchLimits())
    assert batch.events == (rows[4].raw, rows[5].raw)
    assert not batch.more
    assert batch.after == (6, rows[5].id)


def test_fingerprints_differ_exactly_when_the_id_sets_do() -> None:
    same = fingerprints_from_ids([(SPACE, "x", "1"), (SPACE, "x", "2")])
    shuffled = fingerprints_from_ids([(SPACE, "x", "2"), (SPACE, "x", "1")])
    forked = fingerprints_from_ids([(SPACE, "x", "1"), (SPACE, "x", "3")])
    assert same == shuffled
    assert same[SPACE]["x"] != forked[SPACE]["x"]


@settings(max_examples=30, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([c * 43 for c in "ABCD"]),
        st.dictionaries(
            st.text("abcdefgh", min_size=43, max_size=43), st.integers(0, 2**40), max_size=5
        ),
        max_size=4,
    )
)
def test_vector_lines_round_trip(vector: dict[str, dict[str, int]]) -> None:
    lines = list(encode_vector_lines(vector, "authors"))
    assert check_vector(decode_vector_lines(lines, "authors")) == vector


def test_big_vectors_are_split_into_lines_under_64k() -> None:
    authors = {f"{i:043d}": i for i in range(AUTHORS_PER_LINE * 2 + 5)}
    lines = list(encode_vector_lines({SPACE: authors}, "authors"))
    assert len(lines) == 3 and all(len(line) < 64 * 1024 for line in lines)
    assert decode_vector_lines(lines, "authors") == {SPACE: authors}


def test_vectors_with_bad_values_are_rejected() -> None:
    for bad in ({SPACE: {"x" * 43: -1}}, {SPACE: {"x" * 43: "1"}}, {"short": {}}, [1]):
        with pytest.raises(SyncError):
            check_vector(bad)


def test_vector_drops_spaces_the_peer_may_not_hold() -> None:
    other = "O" * 42 + "A"
    assert check_vector({SPACE: {}, other: {}}, allowed={SPACE}) == {SPACE: {}}


# -- handshake -------------------------------------------------------------------------------

SERVER = Identity(b"s" * 32)
CLIENT = Identity(b"c" * 32)
MEMBER = Identity(b"m" * 32)
TICKETS = b"t" * 32
URL = "http://10.0.0.2:8000/"


def _handshake(
    authorize: object = None, *, server: Identity = SERVER, now: datetime = NOW
) -> tuple[Session, Session]:
    state, hello = start_handshake(CLIENT, URL)
    challenge = answer_hello(server, TICKETS, hello, hosts=["10.0.0.2:8000"], now=now)
    cert = make_certificate(MEMBER, CLIENT.public, issued=now)
    auth, keys, peer = finish_handshake(state, challenge, certificates=[cert])
    welcome, server_side = accept_auth(
        server,
        TICKETS,
        auth,
        now=now,
        authorize=authorize or (lambda members: [SPACE] if MEMBER.public in members else []),
    )
    return client_session(welcome, keys, peer), server_side


def test_handshake_names_only_authorized_spaces_and_keys_agree() -> None:
    client, server = _handshake()
    assert client.spaces == (SPACE,) == server.spaces
    assert server.members == (MEMBER.public,)
    assert client.peer_node == SERVER.public and server.peer_node == CLIENT.public
    request = seal_request(client, encode_frame({"v": 1, "type": "vector"}))
    opened, plain = open_request(TICKETS, request, NOW)
    assert decode_frame(plain, expect="vector")[0]["type"] == "vector"
    reply = seal_response(opened, b'{"type":"ok","v":1}')
    assert open_response(client, reply) == b'{"type":"ok","v":1}'


def test_without_certificates_no_space_is_named() -> None:
    state, hello = start_handshake(CLIENT, URL)
    challenge = answer_hello(SERVER, TICKETS, hello, hosts=["10.0.0.2:8000"], now=NOW)
    auth, keys, peer = finish_handshake(state, challenge, certificates=[])
    welcome, _ = accept_auth(SERVER, TICKETS, auth, now=NOW, authorize=sorted)
    assert client_session(welcome, keys, peer).spaces == ()


def test_hello_for_another_host_is_refused() -> None:
    _, hello = start_handshake(CLIENT, "http://evil.example:8000/")
    with pytest.raises(SyncError) as caught:
        answer_hello(SERVER, TICKETS, hello, hosts=["10.0.0.2:8000"], now=NOW)
    assert caught.value.reason == "wrong-peer"


def test_a_pinned_peer_with_another_key_is_refused() -> None:
    state, hello = start_handshake(CLIENT, URL)
    challenge = answer_hello(SERVER, TICKETS, hello, hosts=["10.0.0.2:8000"], now=NOW)
    with pytest.raises(SyncError) as caught:
        finish_handshake(state, challenge, certificates=[], expected_node=MEMBER.public)
    assert caught.value.reason == "wrong-peer"


def test_a_challenge_for_another_hello_does_not_verify() -> None:
    state, _ = start_handshake(CLIENT, URL)
    _, other_hello = start_handshake(CLIENT, URL)
    challenge = answer_hello(SERVER, TICKETS, other_hello, hosts=["10.0.0.2:8000"], now=NOW)
    with pytest.raises(SyncError) as caught:
        finish_handshake(state, challenge, certificates=[])
    assert caught.value.reason == "signature"


def test_an_auth_signed_by_another_node_is_refused() -> None:
    state, hello = start_handshake(CLIENT, URL)
    challenge = answer_hello(SERVER, TICKETS, hello, hosts=["10.0.0.2:8000"], now=NOW)
    impostor = type(state)(MEMBER, state.hello, state.eph_secret)  # signs with the wrong key
    auth, _, _ = finish_handshake(impostor, challenge, certificates=[])
    with pytest.raises(SyncError) as caught:
        accept_auth(SERVER, TICKETS, auth, now=NOW, authorize=lambda m: [])
    assert caught.value.reason == "signature"


def test_an_auth_replayed_after_the_ticket_expires_is_refused() -> None:
    state, hello = start_handshake(CLIENT, URL)
    challenge = answer_hello(SERVER, TICKETS, hello, hosts=["10.0.0.2:8000"], now=NOW)
    auth, _, _ = finish_handshake(state, challenge, certificates=[])
    later = NOW + timedelta(seconds=121)
    with pytest.raises(SyncError) as caught:
        accept_auth(SERVER, TICKETS, auth, now=later, authorize=lambda m: [])
    assert caught.value.reason == "expired"


def test_a_ticket_from_another_node_is_refused() -> None:
    state, hello = start_handshake(CLIENT, URL)
    challenge = answer_hello(SERVER, TICKETS, hello, hosts=["10.0.0.2:8000"], now=NOW)
    auth, _, _ = finish_handshake(state, challenge, certificates=[])
    with pytest.raises(SyncError) as caught:
        accept_auth(SERVER, b"u" * 32, auth, now=NOW, authorize=lambda m: [])
    assert caught.value.reason == "ticket"


def test_a_rotated_ticket_key_still_opens_until_it_is_dropped() -> None:
    client, _ = _handshake()  # sealed under TICKETS
    request = seal_request(client, encode_frame({"v": 1, "type": "vector"}))
    assert open_request((b"n" * 32, TICKETS), request, NOW)[0].spaces == (SPACE,)
    with pytest.raises(SyncError) as caught:
        open_request((b"n" * 32,), request, NOW)
    assert caught.value.reason == "ticket"


def test_session_messages_are_authenticated() -> None:
    client, _ = _handshake()
    request = bytearray(seal_request(client, encode_frame({"v": 1, "type": "vector"})))
    request[-5] ^= 1
    with pytest.raises(SyncError) as caught:
        open_request(TICKETS, bytes(request), NOW)
    assert caught.value.reason == "tampered"


def test_a_session_expires() -> None:
    client, _ = _handshake()
    request = seal_request(client, encode_frame({"v": 1, "type": "vector"}))
    with pytest.raises(SyncError) as caught:
        open_request(TICKETS, request, NOW + timedelta(minutes=16))
    assert caught.value.reason == "expired"


def test_a_response_cannot_be_reflected_as_a_request() -> None:
    client, server = _handshake()
    reply = seal_response(server, b'{"type":"x","v":1}')
    with pytest.raises(SyncError):
        open_response(Session(client.ticket, client.receive_key, client.send_key, "", ()), reply)
    assert open_response(client, reply) == b'{"type":"x","v":1}'


def test_certificates_check_node_time_and_signature() -> None:
    cert = make_certificate(MEMBER, CLIENT.public, issued=NOW)
    assert check_certificate(cert, CLIENT.public, NOW) == MEMBER.public
    with pytest.raises(SyncError):
        check_certificate(cert, SERVER.public, NOW)
    with pytest.raises(SyncError) as caught:
        check_certificate(cert, CLIENT.public, NOW + timedelta(days=91))
    assert caught.value.reason == "certificate-expired"
    forged = dict(cert, member=SERVER.public)
    with pytest.raises(SyncError):
        check_certificate(forged, CLIENT.public, NOW)


def test_frames_reject_empty_lines_and_wrong_types() -> None:
    with pytest.raises(SyncError):
        decode_frame(encode_frame({"v": 1, "type": "push"}) + b"\n\n")
    with pytest.raises(SyncError):
        decode_frame(encode_frame({"v": 1, "type": "push"}), expect="want")
    _header, lines = decode_frame(encode_frame({"v": 1, "type": "push"}, [b"a", b"b"]))
    assert lines == [b"a", b"b"]


def test_space_of_reads_the_envelope_tail() -> None:
    create = build_event(
        A, space=None, seq=1, prev=None, kind="space.create", body={"space": "x"}, at=NOW
    )
    post = build_event(
        A, space=create.id, seq=2, prev=create.id, kind="space.post", body={"t": "s"}, at=NOW
    )
    assert space_of(create.raw) == create.id
    assert space_of(post.raw) == create.id
    assert space_of(b"{}") is None
    assert space_of(post.raw[:-1]) is None


def test_shuffled_rows_give_the_same_vector() -> None:
    rows = [(r.space, r.author, r.seq) for r in _chain(A, 9) + _chain(B, 4)]
    shuffled = rows[:]
    random.Random(3).shuffle(shuffled)
    assert (
        vector_from_seqs(rows) == vector_from_seqs(shuffled) == {SPACE: {A.public: 9, B.public: 4}}
    )
