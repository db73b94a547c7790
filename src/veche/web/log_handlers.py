"""The node's log handler: standard error as it is when a line is written.

``logging.StreamHandler`` keeps the stream it was configured with. A process that
swaps ``sys.stderr`` later (a test runner capturing output, a daemon redirecting it)
would leave it writing to a closed file ("I/O operation on closed file"). Like the
standard library's last-resort handler, this one looks ``sys.stderr`` up at each line.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO


class StderrHandler(logging.StreamHandler[TextIO]):
    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        """The stream is always the current ``sys.stderr``; nothing to set."""
