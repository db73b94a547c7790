"""The prose validator (event-v1 §15.1) and the safe links of members' text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veche.apps.committees.text import (
    BIDI_CONTROLS,
    COMMENT_LIMIT,
    ProseError,
    check_prose,
    normalise,
)
from veche.web.templatetags.safe_links import clean_address, linkify

# Text a member may write: any character but controls (other than LF and tab),
# surrogates and the bidirectional controls.
_SAFE = st.characters(
    blacklist_categories=("Cc", "Cs"), blacklist_characters="".join(BIDI_CONTROLS)
) | st.sampled_from("\n\t")


def _rule(text: str, limit: int = COMMENT_LIMIT) -> str | None:
    try:
        check_prose(text, limit)
    except ProseError as error:
        return error.rule
    return None


@given(st.text(_SAFE, max_size=300).filter(lambda t: t.strip() != ""))
def test_ordinary_text_is_taken(text: str) -> None:
    assert _rule(text) is None


@given(
    st.text(_SAFE, max_size=50), st.sampled_from(sorted(BIDI_CONTROLS)), st.text(_SAFE, max_size=50)
)
def test_any_direction_control_anywhere_is_refused(before: str, control: str, after: str) -> None:
    text = before + control + after
    assert _rule(text) in ("bidi-control", "empty")
    if text.strip():
        assert _rule(text) == "bidi-control"


@given(
    st.text(_SAFE, min_size=1, max_size=50).filter(lambda t: t.strip() != ""),
    st.characters(whitelist_categories=("Cc",)).filter(lambda c: c not in "\n\t"),
)
def test_any_other_control_character_is_refused(text: str, control: str) -> None:
    assert _rule(text + control) == "control"


@given(st.text(st.sampled_from(" \n\t\u00a0\u2003\u3000"), max_size=30))
def test_whitespace_only_is_empty(text: str) -> None:
    assert _rule(text) == "empty"


@given(st.integers(1, 40))
def test_the_limit_counts_characters_not_bytes(extra: int) -> None:
    assert _rule("ж" * 40, limit=40) is None
    assert _rule("ж" * (40 + extra), limit=40) == "too-long"


@given(st.text(max_size=200))
def test_normalised_text_has_no_carriage_return(text: str) -> None:
    assert "\r" not in normalise(text)
    assert normalise(normalise(text)) == normalise(text)


@given(st.text(max_size=300))
def test_linkify_never_lets_html_through(text: str) -> None:
    html = str(linkify(text))
    stripped = html.replace("<br>", "")
    # The only tags are the links the filter made.
    for piece in stripped.split("<")[1:]:
        assert piece.startswith(('a href="http', "/a>")), html


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("https://example.org/a?utm_source=x&id=3&fbclid=y", "https://example.org/a?id=3"),
        ("http://example.org/?gclid=1&UTM_medium=2", "http://example.org/"),
        ("https://example.org/p#frag", "https://example.org/p#frag"),
        ("https://bank.example@evil.example/", None),
        ("https://", None),
        ("http://[::1", None),
    ],
)
def test_clean_address(address: str, expected: str | None) -> None:
    assert clean_address(address) == expected


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "(see https://en.wikipedia.org/wiki/Veche_(assembly)).",
            '(see <a href="https://en.wikipedia.org/wiki/Veche_(assembly)" '
            'rel="noopener noreferrer nofollow">https://en.wikipedia.org/wiki/Veche_(assembly)</a>).',
        ),
        ("javascript:alert(1) data:text/html,x", "javascript:alert(1) data:text/html,x"),
        (
            'https://x.org/"onmouseover="a',
            '<a href="https://x.org/" rel="noopener noreferrer nofollow">'
            "https://x.org/</a>&quot;onmouseover=&quot;a",
        ),
        ("line\nbreak", "line<br>break"),
    ],
)
def test_linkify(text: str, html: str) -> None:
    assert str(linkify(text)) == html
