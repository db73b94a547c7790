"""The HTTP transport follows no redirect and reads no more than one sealed frame."""

from __future__ import annotations

import contextlib
import threading
import time
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from veche.apps.sync import service
from veche.sync.errors import SyncError

_HUGE = b"e" * (8 * 1024 * 1024)  # made before any test traces memory


class _Peer(BaseHTTPRequestHandler):
    """A hostile peer: redirects /redirect, answers /big with more than a frame."""

    hits: list[str] = []  # noqa: RUF012 - shared with the test on purpose

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _Peer.hits.append(self.path)
        if self.path == "/huge-error":
            body = _HUGE
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(body)
            return
        if self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
            return
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/internal")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"x" * 64
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        _Peer.hits.append("GET " + self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@pytest.fixture
def peer() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Peer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Peer.hits.clear()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_is_refused_not_followed(peer: str) -> None:
    post = service.http_transport(timeout=5)
    with pytest.raises(SyncError, match="redirect") as caught:
        post(f"{peer}/redirect", b"hello")
    assert caught.value.reason == "http"
    assert _Peer.hits == ["/redirect"]  # no GET anywhere after it


def test_an_answer_larger_than_a_frame_is_refused(
    peer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = service.http_transport(timeout=5)
    assert post(f"{peer}/ok", b"hello") == b"x" * 64
    monkeypatch.setattr(service, "_MAX_ANSWER", 63)
    with pytest.raises(SyncError) as caught:
        post(f"{peer}/ok", b"hello")
    assert caught.value.reason == "too-large"


def test_a_peer_that_drips_its_answer_is_cut_off_at_the_deadline(peer: str) -> None:
    post = service.http_transport(timeout=5, deadline=time.monotonic() + 0.5)
    start = time.monotonic()
    with pytest.raises(SyncError) as caught:
        post(f"{peer}/drip", b"hello")
    assert caught.value.reason == "timeout"
    assert time.monotonic() - start < 3  # not the 10 s the whole answer would take


def test_an_error_answer_is_read_only_as_far_as_its_start(peer: str) -> None:
    """The 8 MB body of an HTTP 500 is not read into memory: 2 KB say enough."""
    tracemalloc.start()
    try:
        with pytest.raises(SyncError) as caught:
            service.http_transport(timeout=5)(f"{peer}/huge-error", b"hello")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.reason == "http"
    assert peak < 2 * 1024 * 1024, peak
