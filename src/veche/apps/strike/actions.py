"""The only writers of strike state: each action appends one signed committee event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from veche.apps.store.log import record
from veche.events import Event, Identity


def register_workplace(
    identity: Identity,
    space: str,
    *,
    name: str,
    city: str,
    region: str,
    sector: str,
    workforce: int,
    at: datetime | None = None,
) -> Event:
    body = {
        "name": name.strip(),
        "city": city.strip(),
        "region": region,
        "sector": sector.strip(),
        "workforce": workforce,
    }
    return record(identity, space=space, kind="workplace.register", body=body, at=at)


def update_workplace(
    identity: Identity, space: str, workplace: str, at: datetime | None = None, **changes: Any
) -> Event:
    body = {"workplace": workplace, **{k: v for k, v in changes.items() if v is not None}}
    return record(
        identity, space=space, kind="workplace.update", body=body, deps=(workplace,), at=at
    )


def record_status(
    identity: Identity,
    space: str,
    workplace: str,
    *,
    day: str,
    status: str,
    out_per_mille: int,
    note: str = "",
    published: bool = False,
    at: datetime | None = None,
) -> Event:
    body: dict[str, Any] = {
        "workplace": workplace,
        "day": day,
        "status": status,
        "out_per_mille": out_per_mille,
        "published": published,
    }
    if note.strip():
        body["note"] = note.strip()
    return record(identity, space=space, kind="strike.status", body=body, at=at)
