"""Members' prose on a page: escaped, line breaks kept, web addresses made safe links.

``{{ text|linkify }}`` escapes everything the member wrote (no HTML from users, ever)
and turns ``http://`` and ``https://`` addresses into links that:

- carry ``rel="noopener noreferrer nofollow"`` (the page that opens learns nothing of
  this node, not even its address, and search engines follow nothing);
- lose their tracking parameters (``utm_*``, ``fbclid``, ``gclid`` and the like), in the
  address followed and in the address shown, which are the same: what the reader sees
  is where the link goes;
- are never made of other schemes (``javascript:``, ``data:``, ``mailto:``) nor of
  addresses with a user part (``https://bank.example@evil.example/`` reads as the bank
  and goes elsewhere): those stay plain text.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_ADDRESS = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"»…"
_PAIRS = {")": "(", "]": "[", "}": "{"}
TRACKER_PREFIXES = ("utm_", "_hs", "mc_", "oly_", "pk_", "mtm_")
TRACKERS = frozenset(
    (
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "ysclid",
        "igshid",
        "igsh",
        "twclid",
        "ttclid",
        "li_fat_id",
        "mkt_tok",
        "vero_id",
        "_openstat",
        "si",
    )
)


def _trim(address: str) -> tuple[str, str]:
    """(address, what follows it): closing punctuation is the sentence's, not the link's,
    unless it closes a bracket opened inside the address (Wikipedia's ``(disambiguation)``)."""
    tail = ""
    while address:
        last = address[-1]
        closes_inner = last in _PAIRS and address.count(last) <= address.count(_PAIRS[last])
        if last not in _TRAILING and (last not in _PAIRS or closes_inner):
            break
        tail = last + tail
        address = address[:-1]
    return address, tail


def is_tracker(name: str) -> bool:
    name = unquote(name).lower()
    return name in TRACKERS or name.startswith(TRACKER_PREFIXES)


def clean_address(address: str) -> str | None:
    """The address without tracking parameters, or None if it must not be a link."""
    try:
        parts = urlsplit(address)
        hostname = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        return None
    if "@" in parts.netloc:
        return None
    kept = [p for p in parts.query.split("&") if p and not is_tracker(p.split("=", 1)[0])]
    return urlunsplit(parts._replace(query="&".join(kept)))


def _link(address: str) -> str:
    clean = clean_address(address)
    if clean is None:
        return escape(address)
    shown = escape(clean)
    return f'<a href="{shown}" rel="noopener noreferrer nofollow">{shown}</a>'


@register.filter(is_safe=True)
def linkify(text: str) -> SafeString:
    """Escaped text with line breaks as ``<br>`` and safe links (see the module)."""
    text = str(text)
    out: list[str] = []
    position = 0
    for match in _ADDRESS.finditer(text):
        address, tail = _trim(match.group())
        out.append(escape(text[position : match.start()]))
        out.append(_link(address) if address else "")
        out.append(escape(tail))
        position = match.end()
    out.append(escape(text[position:]))
    html = "".join(out).replace("\r\n", "\n").replace("\n", "<br>")
    return mark_safe(html)  # noqa: S308 - every piece of the member's text is escaped above
