"""The strike event kinds: register and update a workplace, record its strike status.

Every kind is an event of the workplace's strike committee signed by one of
its members; rules read only that committee's projected workplaces.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from veche.apps.committees.kinds import require_member
from veche.apps.store.context import Context
from veche.apps.store.kinds import projection, register
from veche.apps.strike.models import StatusChange, Workplace
from veche.events import Event, RuleViolation
from veche.events.schema import Bool, Enum, EventId, Int, Obj, Str
from veche.solidarity.geography import REGION_NAMES
from veche.solidarity.strike import STATUSES, StrikeError, check_status, parse_day

DAY = Str(min_length=10, max_length=10, pattern=r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
WORKPLACE_FIELDS: dict[str, Any] = {
    "name": Str(min_length=2, max_length=200),
    "city": Str(min_length=1, max_length=100),
    "region": Enum(tuple(REGION_NAMES)),
    "sector": Str(min_length=1, max_length=100),
    "workforce": Int(1, 10_000_000),
}


def workplaces_of(ctx: Context, space: str) -> dict[str, Workplace]:
    """workplace id -> row, for one committee, loaded once per batch."""
    return ctx.cached(
        ("workplaces", space),
        lambda: {w.workplace: w for w in ctx.rows(Workplace).filter(space=space)},
    )


def _require_workplace(ctx: Context, event: Event) -> Workplace:
    workplace = workplaces_of(ctx, event.space_id).get(event.body["workplace"])
    if workplace is None:
        raise RuleViolation(
            "workplace-known",
            "no such workplace in this committee's registry; register it first",
            "body.workplace",
        )
    return workplace


def _save(ctx: Context, workplace: Workplace) -> None:
    ctx.upsert(
        workplace,
        key=("workplace",),
        update=(
            "name",
            "city",
            "region",
            "sector",
            "workforce",
            "status",
            "status_day",
            "out_per_mille",
            "public_status",
            "public_day",
            "public_out_per_mille",
        ),
    )


# -- workplace.register / workplace.update ---------------------------------------------


def check_register(ctx: Context, event: Event) -> None:
    require_member(ctx, event)


def apply_register(ctx: Context, event: Event) -> None:
    body = event.body
    workplace = Workplace(
        space=event.space_id,
        workplace=event.id,
        name=body["name"],
        city=body["city"],
        region=body["region"],
        sector=body["sector"],
        workforce=body["workforce"],
        registered_by=event.author,
    )
    workplaces_of(ctx, event.space_id)[event.id] = workplace
    _save(ctx, workplace)


def check_update(ctx: Context, event: Event) -> None:
    require_member(ctx, event)
    _require_workplace(ctx, event)
    if len(event.body) < 2:
        raise RuleViolation("update-empty", "name at least one field to change", "body")


def apply_update(ctx: Context, event: Event) -> None:
    workplace = workplaces_of(ctx, event.space_id)[event.body["workplace"]]
    for name in WORKPLACE_FIELDS:
        if name in event.body:
            setattr(workplace, name, event.body[name])
    _save(ctx, workplace)


# -- strike.status ---------------------------------------------------------------------


def check_status_event(ctx: Context, event: Event) -> None:
    require_member(ctx, event)
    _require_workplace(ctx, event)
    body = event.body
    try:
        parse_day(body["day"], "body.day")
        check_status(body["status"], body["out_per_mille"])
    except StrikeError as error:
        field = error.field if error.field.startswith("body.") else f"body.{error.field}"
        raise RuleViolation("strike-status", error.message, field) from error


def _next_order(ctx: Context, space: str) -> int:
    counter: list[int] = ctx.cached(
        ("strike-order", space),
        lambda: [
            ctx.rows(StatusChange).filter(space=space).aggregate(top=Max("order"))["top"] or 0
        ],
    )
    counter[0] += 1
    return counter[0]


def apply_status(ctx: Context, event: Event) -> None:
    body = event.body
    workplace = workplaces_of(ctx, event.space_id)[body["workplace"]]
    ctx.insert(
        StatusChange(
            space=event.space_id,
            event=event.id,
            workplace=body["workplace"],
            day=body["day"],
            status=body["status"],
            out_per_mille=body["out_per_mille"],
            note=body.get("note", ""),
            published=body["published"],
            author=event.author,
            order=_next_order(ctx, event.space_id),
        )
    )
    # Same day: the later change wins (>=), as in veche.solidarity.strike.latest.
    if body["day"] >= workplace.status_day:
        workplace.status = body["status"]
        workplace.status_day = body["day"]
        workplace.out_per_mille = body["out_per_mille"]
    if body["published"] and body["day"] >= workplace.public_day:
        workplace.public_status = body["status"]
        workplace.public_day = body["day"]
        workplace.public_out_per_mille = body["out_per_mille"]
    _save(ctx, workplace)


def register_all() -> None:
    register(
        "workplace.register",
        body=Obj(required=WORKPLACE_FIELDS),
        rule=check_register,
        apply=apply_register,
        summary="a committee member adds a workplace to the registry; the committee is its own",
    )
    register(
        "workplace.update",
        body=Obj(required={"workplace": EventId()}, optional=WORKPLACE_FIELDS),
        rule=check_update,
        apply=apply_update,
        summary="a committee member corrects a workplace's details",
    )
    register(
        "strike.status",
        body=Obj(
            required={
                "workplace": EventId(),
                "day": DAY,
                "status": Enum(STATUSES),
                "out_per_mille": Int(0, 1000),
                "published": Bool(),
            },
            optional={"note": Str(max_length=2000)},
        ),
        rule=check_status_event,
        apply=apply_status,
        summary="a committee member records the workplace's strike status from a day on",
    )
    projection(
        Workplace,
        digest=(
            "space",
            "workplace",
            "name",
            "city",
            "region",
            "sector",
            "workforce",
            "registered_by",
            "status",
            "status_day",
            "out_per_mille",
            "public_status",
            "public_day",
            "public_out_per_mille",
        ),
        order=("workplace",),
    )
    projection(
        StatusChange,
        digest=(
            "space",
            "event",
            "workplace",
            "day",
            "status",
            "out_per_mille",
            "note",
            "published",
            "author",
            "order",
        ),
        order=("event",),
    )
