"""A committee and its members as the rules of one batch read and write them.

The look-ups are cached in the ingest context (``ctx.memo``) for the batch, and the
projectors that change members go through ``set_member`` so the caches stay true.
"""

from __future__ import annotations

from veche.apps.committees.models import Committee, Member
from veche.apps.store.context import Context
from veche.events import Event, RuleViolation

ACTIVE = Member.Status.ACTIVE


class Roster:
    """One committee's members as the rules of a batch need them.

    A committee may have 100,000 members and a batch touches a few thousand, so
    members are loaded by key: those who author the batch's events at once, any
    other on first use. Whole-committee facts (who is active, which pseudonyms
    are taken) are loaded only when a rule asks, as plain values. A rebuild,
    which touches everyone, loads the whole committee once.
    """

    def __init__(self, ctx: Context, space: str) -> None:
        self.ctx = ctx
        self.space = space
        self._by_key: dict[str, Member | None] = {}
        self._active: set[str] | None = None
        self._pseudonyms: set[str] | None = None
        wanted = None if ctx.batch_keys is None else ctx.batch_keys.get(space, set())
        query = ctx.rows(Member).filter(space=space)
        if wanted is None:
            self._by_key.update({m.key: m for m in query})
            self._complete = True
            return
        self._complete = False
        keys = sorted(wanted)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            self._by_key.update(dict.fromkeys(chunk))
            self._by_key.update({m.key: m for m in query.filter(key__in=chunk)})

    def get(self, key: str) -> Member | None:
        if key not in self._by_key:
            if self._complete:
                return None
            self._by_key[key] = self.ctx.rows(Member).filter(space=self.space, key=key).first()
        return self._by_key[key]

    def remember(self, member: Member) -> None:
        """``member`` was just written (by ``set_member``)."""
        self._by_key[member.key] = member
        self._active = None  # recounted from the table on next use
        if self._pseudonyms is not None:
            self._pseudonyms.add(member.pseudonym.casefold())

    def of_person(self, person: str) -> list[Member]:
        if self._complete:
            return [m for m in self._by_key.values() if m is not None and m.person == person]
        keys = (
            self.ctx.rows(Member)
            .filter(space=self.space, person=person)
            .values_list("key", flat=True)
        )
        found = [self.get(key) for key in keys]
        return [m for m in found if m is not None and m.person == person]

    def active_persons(self) -> set[str]:
        if self._active is None:
            if self._complete:
                self._active = {
                    m.person for m in self._by_key.values() if m is not None and m.status == ACTIVE
                }
            else:
                self._active = set(
                    self.ctx.rows(Member)
                    .filter(space=self.space, status=ACTIVE)
                    .values_list("person", flat=True)
                )
        return self._active

    def pseudonyms(self) -> set[str]:
        """Pseudonyms ever used in the committee, case-folded: a new one must differ."""
        if self._pseudonyms is None:
            self._pseudonyms = {
                name.casefold()
                for name in self.ctx.rows(Member)
                .filter(space=self.space)
                .values_list("pseudonym", flat=True)
            }
        return self._pseudonyms


def roster(ctx: Context, space: str) -> Roster:
    return ctx.cached(("roster", space), lambda: Roster(ctx, space))


def member_status(ctx: Context, space: str, key: str) -> str | None:
    member = roster(ctx, space).get(key)
    return member.status if member else None


def person_of(ctx: Context, space: str, key: str) -> str | None:
    member = roster(ctx, space).get(key)
    return member.person if member and member.status == ACTIVE else None


def active_persons(ctx: Context, space: str) -> set[str]:
    return roster(ctx, space).active_persons()


def known_member(member: Member | None) -> Member:
    """A member the rule already found (projectors run only after their rule passed)."""
    if member is None:
        raise RuntimeError("projector ran for a member its rule did not find")
    return member


def require_member(ctx: Context, event: Event) -> str:
    """The author's person if the author is an active member; else a RuleViolation."""
    person = person_of(ctx, event.space_id, event.author)
    if person is None:
        raise RuleViolation("member", "only members of the committee may do this", "author")
    return person


def committee_of(ctx: Context, space: str) -> Committee:
    committee = ctx.cached(
        ("committee", space), lambda: Committee.objects.filter(space=space).first()
    )
    if committee is None:
        raise RuleViolation("committee", "this space is not a committee", "space")
    return committee


def set_member(ctx: Context, member: Member) -> None:
    ctx.upsert(
        member,
        key=("space", "key"),
        update=("person", "pseudonym", "status", "admitted_by", "joined_event"),
    )
    roster(ctx, member.space).remember(member)


def set_person_status(ctx: Context, space: str, person: str, status: str) -> None:
    """Every key of a person (all their devices) takes the same status."""
    for member in roster(ctx, space).of_person(person):
        if member.status in (ACTIVE, Member.Status.CANDIDATE):
            member.status = status
            set_member(ctx, member)
