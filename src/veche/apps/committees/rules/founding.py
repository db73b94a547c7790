"""Founding a committee (``space.create`` of type committee): the committee's kind,
level and decision rules, and its founder as its first member."""

from __future__ import annotations

from veche.apps.committees.models import Committee, Member
from veche.apps.committees.rules.roster import ACTIVE, set_member
from veche.apps.store.context import Context
from veche.apps.store.kinds import projection, register_space_type
from veche.events import Event
from veche.events.schema import Bool, Enum, Int, Obj, Str

COMMITTEE_KINDS = ("workplace", "college", "neighbourhood", "council")
LEVELS = ("local", "city", "regional", "national")
PSEUDONYM = Str(min_length=2, max_length=40)

# A committee's decision rules (the body's and the Committee row's ``rules``).
RULES_SCHEMA = Obj(
    required={
        "quorum_percent": Int(0, 100),
        "majority": Enum(("simple", "absolute", "two_thirds")),
        "admission": Enum(("invitation", "vouching", "motion")),
        "vouches_needed": Int(1, 20),
    },
    optional={
        "ratification": Bool(),
        "weighting": Enum(("per_delegate", "by_members")),
        # days after which content is removed (event-v1 §16); absent or 0: never
        "retention_days": Int(0, 3650),
    },
)
DEFAULT_RULES = {
    "quorum_percent": 50,
    "majority": "simple",
    "admission": "invitation",
    "vouches_needed": 2,
    "ratification": False,
    "weighting": "per_delegate",
}


def check_create(ctx: Context, event: Event) -> None:
    """Anyone may found a committee; the founder is its first member."""


def apply_create(ctx: Context, event: Event) -> None:
    body = event.body
    rules = dict(DEFAULT_RULES)
    rules.update(body["rules"])
    committee = Committee.objects.create(
        space=event.id,
        name=body["name"],
        kind=body["kind"],
        level=body["level"],
        rules=rules,
        founder=event.author,
        created_at=event.at,
        description=body.get("description", ""),
        demo=bool(body.get("demo", False)),
    )
    ctx.memo[("committee", event.id)] = committee
    set_member(
        ctx,
        Member(
            space=event.id,
            key=event.author,
            person=event.author,
            pseudonym=body["pseudonym"],
            status=ACTIVE,
            joined_event=event.id,
        ),
    )


def register_all() -> None:
    register_space_type(
        "committee",
        body=Obj(
            required={
                "type": Enum(("committee",)),
                "name": Str(min_length=2, max_length=200),
                "kind": Enum(COMMITTEE_KINDS),
                "level": Enum(LEVELS),
                "rules": RULES_SCHEMA,
                "pseudonym": PSEUDONYM,
            },
            optional={"demo": Bool(), "description": Str(max_length=2000)},
        ),
        rule=check_create,
        apply=apply_create,
    )
    projection(
        Committee,
        digest=(
            "space",
            "name",
            "kind",
            "level",
            "rules",
            "founder",
            "created_at",
            "description",
            "demo",
            "parent",
            "parent_join",
        ),
    )
