"""How hard a passphrase is to guess, and what to do about a weak one.

The estimate is zxcvbn's (Dropbox's estimator: dictionaries, keyboard patterns,
repeats, dates, l33t substitutions), run on the server so that a form refuses a weak
passphrase with or without JavaScript. A passphrase seals the member's key: whoever
seizes the node or a backup file can try guesses offline, so we ask for zxcvbn's
score 3 ("safely unguessable") or more. zxcvbn's advice is in English through the
standard ``gettext`` of its own package; it is mapped here onto our translated
sentences (an advice we do not know becomes the general one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from zxcvbn import zxcvbn

# 0 too guessable … 4 very unguessable (zxcvbn's scale).
MIN_SCORE = 3
MAX_SCORE = 4
# zxcvbn's cost grows with length; a passphrase longer than this is judged on its start.
_CHECKED_LENGTH = 100

_GENERAL = _("Use four or more unrelated words, not a phrase from a song or a book.")
_ADVICE: dict[str, Promise] = {
    "Use a few words, avoid common phrases.": _GENERAL,
    "No need for symbols, digits, or uppercase letters.": _(
        "You need no symbols, digits or capitals: more words help more."
    ),
    "Add another word or two. Uncommon words are better.": _(
        "Add another word or two; uncommon words are better."
    ),
    "Straight rows of keys are easy to guess.": _("Rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": _("Keyboard patterns are easy to guess."),
    "Use a longer keyboard pattern with more turns.": _("Avoid keyboard patterns."),
    'Repeats like "aaa" are easy to guess.': _("Repeated letters are easy to guess."),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _(
        "A repeated word is hardly harder to guess than the word once."
    ),
    "Avoid repeated words and characters.": _("Avoid repeated words and letters."),
    'Sequences like "abc" or "6543" are easy to guess.': _(
        "Sequences like abc or 6543 are easy to guess."
    ),
    "Avoid sequences.": _("Avoid sequences."),
    "Recent years are easy to guess.": _("Years are easy to guess."),
    "Avoid recent years.": _("Avoid years."),
    "Avoid years that are associated with you.": _("Avoid years and dates linked to you."),
    "Dates are often easy to guess.": _("Dates are easy to guess."),
    "Avoid dates and years that are associated with you.": _(
        "Avoid years and dates linked to you."
    ),
    "This is a top-10 common password.": _("This is one of the most common passwords."),
    "This is a top-100 common password.": _("This is one of the most common passwords."),
    "This is a very common password.": _("This is a very common password."),
    "This is similar to a commonly used password.": _("This is close to a commonly used password."),
    "A word by itself is easy to guess.": _("A single word is easy to guess."),
    "Names and surnames by themselves are easy to guess.": _(
        "Names and surnames are easy to guess."
    ),
    "Common names and surnames are easy to guess.": _("Names and surnames are easy to guess."),
    "Capitalization doesn't help very much.": _("Capital letters help little."),
    "All-uppercase is almost as easy to guess as all-lowercase.": _(
        "All capitals are as easy to guess as none."
    ),
    "Reversed words aren't much harder to guess.": _(
        "A word spelt backwards is hardly harder to guess."
    ),
    "Predictable substitutions like '@' instead of 'a' don't help very much.": _(
        "Swaps like @ for a help little."
    ),
}
_LABELS = (
    _("very weak"),
    _("weak"),
    _("fair"),
    _("strong"),
    _("very strong"),
)


@dataclass(frozen=True)
class Strength:
    score: int  # 0..4
    advice: tuple[str, ...]  # translated, in the reader's language; empty if nothing to say

    @property
    def enough(self) -> bool:
        return self.score >= MIN_SCORE

    @property
    def label(self) -> str:
        return str(_LABELS[self.score])


def assess(passphrase: str, related: Iterable[str] = ()) -> Strength:
    """The strength of ``passphrase``; ``related`` are words an attacker knows (the
    pseudonym, the committee's name, "veche"), which count as guessed."""
    words = [w for w in related if w] + ["veche", "вече", "веча"]
    result = zxcvbn(passphrase[:_CHECKED_LENGTH], user_inputs=words)
    score = max(0, min(MAX_SCORE, int(result["score"])))
    feedback = result.get("feedback") or {}
    said = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
    advice: list[str] = []
    for english in said:
        if not english:
            continue
        text = str(_ADVICE.get(english, _GENERAL))
        if text not in advice:
            advice.append(text)
    if score < MIN_SCORE and not advice:
        advice.append(str(_GENERAL))
    return Strength(score=score, advice=tuple(advice))
