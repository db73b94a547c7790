"""Reverse proxies this node believes, and the origins browsers use to reach it.

``VECHE_TRUSTED_PROXIES`` lists the addresses (or networks) of the proxies in
front of the node. Only a request whose peer is one of them may say, in
``X-Forwarded-For`` and ``X-Forwarded-Proto``, who the client was and whether
it came over TLS (``veche.web.middleware.TrustedProxyMiddleware``); from
anyone else those headers are dropped. ``VECHE_ORIGINS`` lists the origins
(``https://veche.example.org``) that pages are served under, for CSRF checks.

No Django here: the settings and the server's worker both read these.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = [
    "Network",
    "client_address",
    "is_trusted",
    "origin_hosts",
    "parse_networks",
    "parse_origins",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_NOBODY = {"", "none", "-"}


def parse_networks(text: str) -> tuple[Network, ...]:
    """``"127.0.0.1, ::1, 10.8.0.0/24"`` as networks; ``""`` or ``"none"`` trusts nobody."""
    networks: list[Network] = []
    for raw in text.split(","):
        entry = raw.strip()
        if entry.lower() in _NOBODY:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError as error:
            raise ValueError(
                f"VECHE_TRUSTED_PROXIES: {entry!r} is not an address or a network "
                "(write addresses such as 127.0.0.1 or networks such as 172.18.0.0/16)"
            ) from error
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip("[]").split("%", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    parsed = _address(address)
    return parsed is not None and any(parsed in network for network in networks)


def client_address(peer: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The client's address from a trusted proxy's ``X-Forwarded-For``.

    The header is read from the right: each proxy appends the address it was
    reached from, so the first hop that is not itself a trusted proxy is the
    client. What lies left of it was written by the client and is ignored. A
    hop that is not an address ends the walk at the last trusted hop.
    """
    client = peer
    for hop in reversed([h for h in forwarded_for.split(",") if h.strip()]):
        parsed = _address(hop)
        if parsed is None:
            return client
        client = str(parsed)
        if not any(parsed in network for network in networks):
            return client
    return client


def parse_origins(text: str) -> list[str]:
    """``"https://veche.example.org, https://10.0.0.5:8443"`` as CSRF trusted origins."""
    origins: list[str] = []
    for raw in text.split(","):
        entry = raw.strip().rstrip("/")
        if not entry:
            continue
        parts = urlsplit(entry)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
            raise ValueError(
                f"VECHE_ORIGINS: {entry!r} is not an origin "
                "(write scheme and host, such as https://veche.example.org)"
            )
        origins.append(f"{parts.scheme}://{parts.netloc.lower()}")
    return origins


def origin_hosts(origins: list[str]) -> list[str]:
    """The host names of ``origins``, for ALLOWED_HOSTS (IPv6 in brackets)."""
    hosts = []
    for origin in origins:
        host = urlsplit(origin).hostname or ""
        hosts.append(f"[{host}]" if ":" in host else host)
    return hosts
