"""Slow clients cannot take a node offline (issue 12).

Eight connections dripping one byte a second into /sync/v1/hello used to hold all
of gunicorn's threads (2 workers x 4). Here sixteen do it to a real ``veche serve``
on 127.0.0.1, reconnecting whenever the node cuts them off, while a probe asks for
the sign-in page: every probe must be answered in under 2 seconds. The loops are
bounded (a fixed number of ticks) and stop by themselves.
"""

from __future__ import annotations

import http.client
import socket
import time
from pathlib import Path

import pytest
from tests import databases
from tests.web.served import veche_serve

pytestmark = pytest.mark.slow

DRIPPERS = 16
TICK = 0.5  # seconds between two bytes on every dripping connection
TICKS = 16
HELLO = (
    b"POST /sync/v1/hello HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/octet-stream\r\nContent-Length: 200\r\n\r\n" + b"x" * 200
)


class Dripper:
    """One connection sending HELLO a byte at a time; reconnects when cut off."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cut_off = 0
        self.sent = 0
        self.sock = self._connect()

    def _connect(self) -> socket.socket:
        self.sent = 0
        return socket.create_connection(("127.0.0.1", self.port), timeout=2)

    def drip(self) -> None:
        try:
            self.sock.sendall(HELLO[self.sent : self.sent + 1])
            self.sent += 1
        except OSError:
            self.cut_off += 1
            self.sock.close()
            self.sock = self._connect()

    def close(self) -> None:
        self.sock.close()


def _probe(port: int) -> float:
    start = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/accounts/sign-in/")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    took = time.monotonic() - start
    assert response.status == 200 and b"csrfmiddlewaretoken" in body
    return took


def _slow_but_whole(port: int) -> int:
    """An honest client on a poor link: the whole hello, 20 bytes every 0.1 s."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        for start in range(0, len(HELLO), 20):
            sock.sendall(HELLO[start : start + 20])
            time.sleep(0.1)
        answer = sock.recv(4096)
    return int(answer.split(b" ", 2)[1])


def test_sixteen_drip_feeding_connections_leave_the_node_answering(tmp_path: Path) -> None:
    if databases.on_postgres():
        pytest.skip("the worker never touches the database: tested on the SQLite pass")
    # A short grace so that the test also sees the node cut the drippers off.
    with veche_serve(tmp_path / "node", VECHE_REQUEST_TIMEOUT="3") as node:
        drippers = [Dripper(node.port) for _ in range(DRIPPERS)]
        probes: list[float] = []
        try:
            for tick in range(TICKS):
                for dripper in drippers:
                    dripper.drip()
                if tick >= 2:  # every dripper has been in the server for a second
                    probes.append(_probe(node.port))
                time.sleep(TICK)
            # An honest slow sender is served all the same (400: "x"s are no hello).
            assert _slow_but_whole(node.port) == 400
        finally:
            for dripper in drippers:
                dripper.close()
        assert len(probes) == TICKS - 2
        assert max(probes) < 2.0, probes
        # Each dripper sent ~16 bytes in 8 s: the 3 s grace cut every one off at least once.
        assert all(d.cut_off >= 1 for d in drippers), [d.cut_off for d in drippers]
        assert "Traceback" not in node.output()


def test_one_address_gets_at_most_32_requests_in_reception(tmp_path: Path) -> None:
    """Past 32 unfinished requests from one address (per worker), the node closes
    new connections from it at once; loopback is not trusted as a proxy here."""
    if databases.on_postgres():
        pytest.skip("the worker never touches the database: tested on the SQLite pass")
    with veche_serve(tmp_path / "node", workers=1, VECHE_TRUSTED_PROXIES="none") as node:
        held = []
        try:
            for _ in range(40):
                sock = socket.create_connection(("127.0.0.1", node.port), timeout=2)
                sock.sendall(b"P")
                held.append(sock)
                time.sleep(0.02)  # accepted in order
            time.sleep(1)
            closed = 0
            for sock in held:
                sock.setblocking(False)
                try:
                    closed += sock.recv(1) == b""
                except BlockingIOError:
                    pass
                except ConnectionResetError:
                    closed += 1
            assert closed == 40 - 32
        finally:
            for sock in held:
                sock.close()
        # Once they are gone, the address is served again.
        deadline = time.monotonic() + 5
        while node.get("/accounts/sign-in/")[0] != 200:
            assert time.monotonic() < deadline
            time.sleep(0.2)


@pytest.mark.parametrize(
    ("head", "framing"),
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", (0, 0, False)),
        (b"POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n", (12, 0, False)),
        (b"POST / HTTP/1.1\r\ncontent-length: 5, 5\r\n\r\n", (5, 0, False)),
        (b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", (0, 400, False)),
        (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", (0, 400, False)),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", (0, 411, False)),
        (b"POST / HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n", (0, 413, False)),
        (b"POST / HTTP/1.1\r\nContent-Length: 9\r\nExpect: 100-continue\r\n\r\n", (9, 0, True)),
        (b"POST / HTTP/1.0\r\nContent-Length: 9\r\nExpect: 100-continue\r\n\r\n", (9, 0, False)),
    ],
)
def test_request_framing_read_by_the_event_loop(
    head: bytes, framing: tuple[int, int, bool]
) -> None:
    from veche.web.worker import _framing, _head_end

    assert _head_end(bytearray(head + b"body")) == len(head)
    assert _framing(head) == framing
