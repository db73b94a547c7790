"""The gunicorn worker `veche serve` runs: threads that only ever get whole requests.

gunicorn's threaded worker (``gthread``) hands a connection to a thread as soon as
its first byte arrives; the thread then reads the rest of the request, blocking.
A client that sends one byte a second holds that thread for as long as it likes,
so eight of them (2 workers x 4 threads) took a node offline: anyone on the café
Wi-Fi could do it to a ``--host 0.0.0.0`` node.

``BufferingWorker`` receives every request in the worker's event loop instead, as
a buffering proxy (nginx) would, and gives it to a thread only once it is complete:

- the head must end within ``VECHE_REQUEST_TIMEOUT`` seconds (20) and the whole
  request within that plus one second per 500 bytes received (Apache's
  mod_reqtimeout rule): a drip-feeding client is cut off, a slow but honest one
  (a large upload on a poor link) is not;
- the body is kept in memory up to 64 KiB and in a temporary file above that (up
  to 256 MiB; more is refused with 413); ``Transfer-Encoding`` (chunked) bodies are
  refused with 411: no browser or Veche node sends them, and Django cannot read them;
- a client address (an IPv6 /64: one machine can have many addresses in it) may
  have at most 32 requests being received at once per worker (trusted proxies,
  ``VECHE_TRUSTED_PROXIES``, have no such limit);
- a thread writing the answer gives up after 60 seconds (a client that does not read).

Waiting connections then cost a file descriptor and a little memory, never a
thread. Everything else (keep-alive, limits on the request line and headers,
the WSGI environment) is gunicorn's own. TLS and HTTP/2 configurations fall back
to gunicorn's behaviour; `veche serve` uses neither (put nginx in front for TLS).
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import os
import selectors
import socket
import tempfile
import time
from collections import Counter, deque
from functools import partial
from typing import IO, Any

from gunicorn.http.unreader import Unreader
from gunicorn.workers.gthread import ThreadWorker

__all__ = ["BufferingWorker"]

HEAD_LIMIT = 64 * 1024
IN_MEMORY = 64 * 1024
BODY_LIMIT = 256 * 1024 * 1024
PER_ADDRESS = 32
MIN_RATE = 500  # bytes per second, after the grace period
SEND_TIMEOUT = 60.0
_READ = 256 * 1024
_REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    411: "Length Required",
    413: "Content Too Large",
    431: "Request Header Fields Too Large",
}


def _grace() -> float:
    return float(os.environ.get("VECHE_REQUEST_TIMEOUT", "20"))


class Prefetched(Unreader):  # type: ignore[misc]  # gunicorn has no type hints
    """The parser's source: the request the event loop received, then the socket.

    The socket is read only for what the event loop did not hold (nothing, for a
    request it passed on as complete), and only until the request's deadline.
    """

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock
        self.parts: deque[bytes | IO[bytes]] = deque()
        self.deadline = 0.0

    def load(self, parts: list[bytes | IO[bytes]], deadline: float) -> None:
        self.discard()
        self.parts.extend(parts)
        self.deadline = deadline

    def chunk(self, size_hint: int | None = None) -> bytes:
        while self.parts:
            part = self.parts[0]
            if isinstance(part, bytes):
                self.parts.popleft()
                if part:
                    return part
                continue
            data = part.read(min(max(size_hint or 0, _READ), 1024 * 1024))
            if data:
                return data
            part.close()
            self.parts.popleft()
        return self._from_socket(size_hint)

    def _from_socket(self, size_hint: int | None) -> bytes:
        left = self.deadline - time.monotonic()
        if left <= 0:
            return b""  # the parser sees the end of the data: the connection closes
        prior = self.sock.gettimeout()
        self.sock.settimeout(left if prior is None else min(prior, left))
        try:
            return self.sock.recv(min(max(size_hint or 0, 8192), 1024 * 1024))
        except (TimeoutError, BlockingIOError):
            return b""
        finally:
            self.sock.settimeout(prior)

    def leftover(self) -> bytes:
        """What arrived after the current request (a pipelined one), taken out."""
        held = [self.take_buffered()]
        while self.parts:
            part = self.parts.popleft()
            if isinstance(part, bytes):
                held.append(part)
            else:
                held.append(part.read())
                part.close()
        return b"".join(held)

    def discard(self) -> None:
        while self.parts:
            part = self.parts.popleft()
            if not isinstance(part, bytes):
                part.close()


class _Incoming:
    """A request the event loop is receiving."""

    __slots__ = ("address", "body", "expect", "extra", "got", "head", "need", "received", "start")

    def __init__(self, address: str, start: float) -> None:
        self.address = address
        self.start = start
        self.received = 0
        self.head: bytes | None = None
        self.extra = bytearray()  # the head while it is incomplete, then what follows the body
        self.body: IO[bytes] | None = None
        self.need = 0
        self.got = 0
        self.expect = False

    def expired(self, now: float, grace: float) -> bool:
        elapsed = now - self.start
        if self.head is None and elapsed > 2 * grace:
            return True
        return elapsed > grace + self.received / MIN_RATE

    def close(self) -> None:
        if self.body is not None:
            self.body.close()
            self.body = None


def _framing(head: bytes) -> tuple[int, int, bool]:
    """(body length, refusal status or 0, whether the client expects 100 Continue)."""
    lines = head.decode("latin-1").split("\n")
    version = lines[0].rstrip("\r").rsplit(" ", 1)[-1]
    lengths: set[str] = set()
    expect = False
    for line in lines[1:]:
        name, colon, value = line.rstrip("\r").partition(":")
        if not colon:
            continue
        name, value = name.strip().lower(), value.strip()
        if name == "content-length":
            lengths.update(v.strip() for v in value.split(","))
        elif name == "transfer-encoding":
            return 0, 411, False
        elif name == "expect" and value.lower() == "100-continue":
            expect = version == "HTTP/1.1"
    if not lengths:
        return 0, 0, expect
    value = lengths.pop()
    if lengths or not value or not all(c in "0123456789" for c in value):
        return 0, 400, False  # gunicorn would refuse it too
    length = int(value)
    if length > BODY_LIMIT:
        return 0, 413, False
    return length, 0, expect


def _client_key(address: str) -> str:
    """What the per-address limit counts: the address, or its /64 for IPv6."""
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address


def _head_end(buffer: bytearray) -> int:
    """Index just after the blank line that ends the head, or -1."""
    ends = [i + n for i, n in ((buffer.find(b"\r\n\r\n"), 4), (buffer.find(b"\n\n"), 2)) if i >= 0]
    return min(ends) if ends else -1


def _without_expect(head: bytes) -> bytes:
    """The head without ``Expect: 100-continue``: this loop has answered it already."""
    lines = head.split(b"\n")
    kept = [line for line in lines if not line.lower().startswith(b"expect:")]
    return b"\n".join(kept)


class BufferingWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's ``gthread`` worker whose threads get only complete requests."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.incoming: set[Any] = set()
        self.per_address: Counter[str] = Counter()
        self.grace = _grace()
        protocols = getattr(self.cfg, "http_protocols", ["h1"]) or ["h1"]
        self.buffering = (
            not self.cfg.is_ssl
            and list(protocols) == ["h1"]
            and getattr(self.cfg, "protocol", "http") == "http"
            and getattr(self.cfg, "http2_cleartext", None) in (None, "", "off", False)
        )
        self.trusted: tuple[Any, ...] = ()

    def init_process(self) -> None:
        try:
            from django.conf import settings

            self.trusted = tuple(settings.VECHE_TRUSTED_PROXIES)
        except Exception:  # settings not configured: nobody is exempt from the limit
            self.trusted = ()
        super().init_process()

    # -- receiving, in the event loop -----------------------------------------------------

    def enqueue_req(self, conn: Any) -> None:
        """Every way to a thread (accept, keep-alive, pipelining) passes here."""
        if not self.buffering or getattr(conn, "veche_ready", False):
            conn.veche_ready = False
            super().enqueue_req(conn)
            return
        self._receive(conn)

    def _receive(self, conn: Any) -> None:
        from veche.web.proxies import is_trusted

        seed = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        address = conn.client[0] if isinstance(conn.client, tuple) else ""
        key = _client_key(address)
        if self.per_address[key] >= PER_ADDRESS and not is_trusted(address, self.trusted):
            self._close(conn)
            return
        conn.veche_incoming = _Incoming(key, time.monotonic())
        self.per_address[key] += 1
        self.incoming.add(conn)
        conn.sock.setblocking(False)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))
        if seed:
            self._take(conn, seed)

    def _readable(self, conn: Any, _fileobj: Any) -> None:
        try:
            data = conn.sock.recv(_READ)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._leave(conn)
            self._close(conn)
            return
        self._take(conn, data)

    def _take(self, conn: Any, data: bytes) -> None:
        incoming: _Incoming = conn.veche_incoming
        incoming.received += len(data)
        if incoming.head is None:
            incoming.extra += data
            if bytes(incoming.extra[:1]) in (b"\r", b"\n"):  # blank lines before a request
                del incoming.extra[: len(incoming.extra) - len(incoming.extra.lstrip(b"\r\n"))]
            end = _head_end(incoming.extra)
            if end < 0:
                if len(incoming.extra) > HEAD_LIMIT:
                    self._refuse(conn, 431)
                return
            head, data = bytes(incoming.extra[:end]), bytes(incoming.extra[end:])
            incoming.extra = bytearray()
            length, refusal, expect = _framing(head)
            if refusal:
                self._refuse(conn, refusal)
                return
            if expect:
                # Answered here, so that the body comes; the thread must not answer again.
                head = _without_expect(head)
                if length and not data:
                    with contextlib.suppress(OSError):
                        conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            incoming.head = head
            incoming.need = length
            # Closed by _Incoming.close or, once handed on, by Prefetched.
            incoming.body = (
                io.BytesIO() if length <= IN_MEMORY else tempfile.TemporaryFile()  # noqa: SIM115
            )
        assert incoming.body is not None
        wanted = incoming.need - incoming.got
        if wanted > 0 and data:
            incoming.body.write(data[:wanted])
            incoming.got += min(wanted, len(data))
        if len(data) > wanted:
            incoming.extra += data[wanted:]  # the start of a pipelined request
        if incoming.got >= incoming.need:
            self._hand_off(conn)

    def _hand_off(self, conn: Any) -> None:
        incoming: _Incoming = conn.veche_incoming
        self._leave(conn, keep_body=True)
        conn.sock.setblocking(True)
        if conn.parser is None:
            conn.init()  # plain HTTP/1 here: makes the parser, reads nothing
        if not isinstance(conn.parser.unreader, Prefetched):
            conn.parser.unreader = Prefetched(conn.sock)
        assert incoming.head is not None and incoming.body is not None
        incoming.body.seek(0)
        parts: list[bytes | IO[bytes]] = [incoming.head, incoming.body, bytes(incoming.extra)]
        # The thread reads the socket only for what was not held (nothing, normally).
        conn.parser.unreader.load(parts, time.monotonic() + self.grace)
        incoming.body = None
        conn.veche_ready = True
        self.enqueue_req(conn)

    def _refuse(self, conn: Any, status: int) -> None:
        answer = f"HTTP/1.1 {status} {_REASONS[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        with contextlib.suppress(OSError):
            conn.sock.send(answer.encode("ascii"))
        self._leave(conn)
        self._close(conn)

    def _leave(self, conn: Any, keep_body: bool = False) -> None:
        incoming: _Incoming | None = getattr(conn, "veche_incoming", None)
        if incoming is None or conn not in self.incoming:
            return
        self.incoming.discard(conn)
        self.per_address[incoming.address] -= 1
        if self.per_address[incoming.address] <= 0:
            del self.per_address[incoming.address]
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)
        if not keep_body:
            incoming.close()

    def _close(self, conn: Any) -> None:
        self.nr_conns -= 1
        unreader = getattr(conn.parser, "unreader", None)
        if isinstance(unreader, Prefetched):
            unreader.discard()
        conn.close()

    def murder_pending(self) -> None:
        """Called by the event loop about once a second: cut off the too slow."""
        super().murder_pending()
        now = time.monotonic()
        for conn in list(self.incoming):
            incoming = conn.veche_incoming
            stopping_idle = not self.alive and incoming.received == 0
            if stopping_idle or incoming.expired(now, self.grace):
                self._leave(conn)
                self._close(conn)

    # -- in the thread, and back -----------------------------------------------------------

    def handle_request(self, req: Any, conn: Any) -> Any:
        # A blocking socket without a timeout would let a client that never reads
        # the answer hold this thread: writing gives up after SEND_TIMEOUT.
        conn.sock.settimeout(SEND_TIMEOUT)
        return super().handle_request(req, conn)

    def finish_request(self, conn: Any, fs: Any) -> None:
        unreader = getattr(conn.parser, "unreader", None)
        if isinstance(unreader, Prefetched):
            try:
                keep = not fs.cancelled() and fs.result() is True
            except Exception:
                keep = False
            if keep:
                # A pipelined request already received: gunicorn sees it buffered and
                # sends the connection back through enqueue_req, to be received whole.
                rest = unreader.leftover()
                if rest:
                    unreader.unread(rest)
            else:
                unreader.discard()
        super().finish_request(conn, fs)
