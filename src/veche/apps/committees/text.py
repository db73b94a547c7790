"""What members' prose (comments, committee posts) may hold, checked the same everywhere.

A comment's text is judged by every node (``Prose`` in the comment kinds' schemas,
event-v1 §15) and by the forms before anything is signed (``check_prose``), so a
member is told what is wrong and keeps what they typed. Refused:

- text that is empty or only whitespace;
- more characters (code points) than the limit;
- control characters other than the line feed and the tab (a carriage return is
  refused in a body; forms turn a browser's CR LF into LF first, see ``normalise``);
- bidirectional embedding, override and isolate controls (U+202A-U+202E,
  U+2066-U+2069): they reorder the text around them, so that a date next to a
  title, or a link, reads as something else.

Plain values in and out, no Django: the apps translate the fixed sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from veche.events.schema import Schema, SchemaError

__all__ = [
    "BIDI_CONTROLS",
    "COMMENT_LIMIT",
    "POST_LIMIT",
    "Prose",
    "ProseError",
    "check_prose",
    "normalise",
]

#: The longest comment, in characters (code points).
COMMENT_LIMIT = 5000
#: The longest committee post (``space.post``'s schema), in characters.
POST_LIMIT = 10000

BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_ALLOWED_CONTROLS = frozenset("\n\t")


class ProseError(ValueError):
    """Why a text was refused: ``rule`` is a code, ``message`` a fixed English sentence."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


def _is_control(char: str) -> bool:
    code = ord(char)
    # C0, DEL and C1: the Unicode general category Cc.
    return (code < 0x20 or 0x7F <= code <= 0x9F) and char not in _ALLOWED_CONTROLS


def normalise(text: str) -> str:
    """A form's text as it will be signed: CR LF and lone CR become LF (browsers send
    CR LF for every line break, which would otherwise count twice and be refused)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_prose(text: str, limit: int) -> None:
    """Raise ``ProseError`` if ``text`` may not be signed as a member's prose."""
    if not text.strip():
        raise ProseError("empty", "write something: the text is empty")
    if len(text) > limit:
        raise ProseError("too-long", "the text is too long")
    if any(char in BIDI_CONTROLS for char in text):
        raise ProseError(
            "bidi-control", "the text holds characters that reverse the direction of text"
        )
    if any(_is_control(char) for char in text):
        raise ProseError("control", "the text holds control characters")


@dataclass(frozen=True, slots=True)
class Prose(Schema):
    """A body field of member's prose: ``check_prose`` as a schema (event-v1 §15.1)."""

    limit: int = COMMENT_LIMIT

    def check(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            raise SchemaError(path, "type", "must be text")
        try:
            check_prose(value, self.limit)
        except ProseError as error:
            raise SchemaError(path, error.rule, error.message) from error
