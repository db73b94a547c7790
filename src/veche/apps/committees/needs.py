"""What waits for a member in their committees, and what happened there lately.

The home page asks these once for all of the member's committees, so each is a fixed
number of set-based queries however many committees, motions and posts there are
(``tests/web/test_home.py`` pins it at 1 and at 50 committees). Every read is limited
to the spaces ``memberships`` returns: the committees where the key is an active
member or a seated delegate, the same ones ``access.spaces_of`` lets a member act in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from veche.apps.committees.models import (
    Committee,
    FederationLink,
    Member,
    Motion,
    Post,
    Ratification,
    Seat,
    Vote,
    Vouch,
)

# How many of each thing the home page lists at most (newest first).
LIMIT = 50


@dataclass(frozen=True)
class Memberships:
    """Where a key may act, and the person it votes as in each of those committees."""

    key: str
    persons: dict[str, str] = field(default_factory=dict)  # space -> person
    # Where the key is an active member (not only a seated delegate).
    member_of: frozenset[str] = frozenset()
    committees: dict[str, Committee] = field(default_factory=dict)  # space -> committee

    @property
    def spaces(self) -> list[str]:
        return sorted(self.committees)

    @property
    def all_persons(self) -> set[str]:
        """Every person the key votes as: its person in each committee, and the key itself
        (a seated delegate votes as their key). A person is one of the member's own keys,
        so matching votes by these never picks up somebody else's."""
        return {*self.persons.values(), self.key}


def memberships(key: str) -> Memberships:
    """The committees where ``key`` is an active member or a seated delegate (3 queries)."""
    persons = dict(
        Member.objects.filter(key=key, status=Member.Status.ACTIVE).values_list("space", "person")
    )
    member_of = frozenset(persons)
    for space in Seat.objects.filter(key=key).values_list("space", flat=True):
        persons.setdefault(space, key)
    committees = {c.space: c for c in Committee.objects.filter(space__in=sorted(persons))}
    return Memberships(key=key, persons=persons, member_of=member_of, committees=committees)


@dataclass(frozen=True)
class OpenMotion:
    """An open motion in one of the member's committees: unvoted, or past its deadline."""

    motion: Motion
    committee: Committee
    voted: bool
    votes: int  # persons who voted on the current version
    members: int  # active members of the committee
    past_deadline: bool


def open_motions(mine: Memberships, now: str, limit: int = LIMIT) -> list[OpenMotion]:
    """Open motions the member has not voted on (current version), and every open motion
    past its deadline (any member may close it): deadline first, soonest first (3 queries).

    ``now`` is an event time (``2020-08-11T18:00:00Z``), compared as text like deadlines.
    """
    if not mine.committees:
        return []
    voted = Vote.objects.filter(
        motion=OuterRef("event"), version=OuterRef("version"), person__in=mine.all_persons
    )
    rows = list(
        Motion.objects.filter(space__in=mine.spaces, status=Motion.Status.OPEN)
        .annotate(voted=Exists(voted))
        .filter(Q(voted=False) | (Q(deadline__lt=now) & ~Q(deadline="")))
        .order_by("deadline", "-proposed_at", "event")[:limit]
    )
    if not rows:
        return []
    counts: dict[tuple[str, int], int] = {
        (motion, version): n
        for motion, version, n in Vote.objects.filter(motion__in=[m.event for m in rows])
        .values("motion", "version")
        .annotate(n=Count("person"))
        .values_list("motion", "version", "n")
    }
    members = active_member_counts({m.space for m in rows})
    found = [
        OpenMotion(
            motion=m,
            committee=mine.committees[m.space],
            voted=bool(m.voted),
            votes=counts.get((m.event, m.version), 0),
            members=members.get(m.space, 0),
            past_deadline=bool(m.deadline) and m.deadline < now,
        )
        for m in rows
    ]
    # Without a deadline a motion sorts after those with one.
    return sorted(found, key=lambda o: (not o.motion.deadline, o.motion.deadline))


def active_member_counts(spaces: Iterable[str]) -> dict[str, int]:
    """Space -> how many persons are active members there (1 query)."""
    return dict(
        Member.objects.filter(space__in=sorted(spaces), status=Member.Status.ACTIVE)
        .values("space")
        .annotate(n=Count("person", distinct=True))
        .values_list("space", "n")
    )


def voted_motions(viewer: str | None, committee: Committee, motions: Iterable[Motion]) -> set[str]:
    """Which of the committee's motions the viewer voted on in their current version: by
    their person here, or by their key (a seated delegate), in one query."""
    listed = {m.event: m.version for m in motions}
    if viewer is None or not listed:
        return set()
    persons = Member.objects.filter(space=committee.space, key=viewer).values("person")
    return {
        motion
        for motion, version in Vote.objects.filter(space=committee.space, motion__in=list(listed))
        .filter(Q(person__in=persons) | Q(person=viewer))
        .values_list("motion", "version")
        if listed[motion] == version
    }


@dataclass(frozen=True)
class Candidate:
    """A candidate waiting for vouches in a committee that admits by vouching."""

    member: Member
    committee: Committee
    vouches: int
    needed: int


def candidates_to_vouch(mine: Memberships) -> list[Candidate]:
    """Candidates the member has not vouched for, in the committees where they are an
    active member and members admit by vouching (2 queries)."""
    spaces = [
        space
        for space, committee in mine.committees.items()
        if space in mine.member_of and committee.rules.get("admission") == "vouching"
    ]
    if not spaces:
        return []
    mine_vouched = Vouch.objects.filter(
        space=OuterRef("space"), candidate=OuterRef("person"), voucher__in=mine.all_persons
    )
    rows = list(
        Member.objects.filter(space__in=sorted(spaces), status=Member.Status.CANDIDATE)
        .exclude(key=mine.key)
        .annotate(mine=Exists(mine_vouched))
        .filter(mine=False)
        .order_by("space", "pseudonym")[:LIMIT]
    )
    if not rows:
        return []
    counts = {
        (space, candidate): n
        for space, candidate, n in Vouch.objects.filter(
            space__in=sorted({r.space for r in rows}), candidate__in={r.person for r in rows}
        )
        .values("space", "candidate")
        .annotate(n=Count("voucher"))
        .values_list("space", "candidate", "n")
    }
    return [
        Candidate(
            member=r,
            committee=mine.committees[r.space],
            vouches=counts.get((r.space, r.person), 0),
            needed=int(mine.committees[r.space].rules.get("vouches_needed", 1)),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class OwedRatification:
    """A decision of a council that requires ratification, which the member's committee
    (a member of that council) has neither ratified nor put to a vote yet."""

    decision: Motion
    council: Committee
    committee: Committee


def ratifications_owed(mine: Memberships) -> list[OwedRatification]:
    """Decisions of the councils the member's committees belong to, passed since the
    council accepted the committee, that the committee owes a ratification (4 queries)."""
    parents = {
        space: committee.parent
        for space, committee in mine.committees.items()
        if committee.parent and space in mine.member_of
    }
    if not parents:
        return []
    links = {
        (link.space, link.child): link.accepted_by
        for link in FederationLink.objects.filter(
            space__in=sorted(set(parents.values())), child__in=sorted(parents)
        )
    }
    if not links:
        return []
    councils = {
        c.space: c
        for c in Committee.objects.filter(space__in=sorted({p for p, _c in links}))
        if c.rules.get("ratification")
    }
    # A decision is owed from when the council accepted the committee: the close of its
    # acceptance motion, held in the council's own log.
    decisions = list(
        Motion.objects.filter(space__in=sorted(councils), status=Motion.Status.PASSED)
        .exclude(close_event="")
        .order_by("-closed_at", "event")[: LIMIT * 4]
    )
    accepted_at = dict(
        Motion.objects.filter(close_event__in=sorted(links.values())).values_list(
            "close_event", "closed_at"
        )
    )
    done = set(
        Ratification.objects.filter(
            space__in=sorted(parents), parent_close__in=[d.close_event for d in decisions]
        ).values_list("space", "parent_close")
    )
    proposed = {
        (m.space, m.target.get("motion", ""))
        for m in Motion.objects.filter(
            space__in=sorted(parents), kind="ratification", status=Motion.Status.OPEN
        ).only("space", "target")
    }
    owed = []
    for child, parent in sorted(parents.items()):
        if parent not in councils or (parent, child) not in links:
            continue
        since = accepted_at.get(links[(parent, child)], "")
        for decision in decisions:
            if (
                decision.space == parent
                and decision.close_event != links[(parent, child)]
                and decision.closed_at >= since
                and (child, decision.close_event) not in done
                and (child, decision.close_event) not in proposed
            ):
                owed.append(OwedRatification(decision, councils[parent], mine.committees[child]))
    return owed[:LIMIT]


# SQLite allows at most 500 terms in a compound SELECT.
UNION_MAX = 400


def _latest_posts(mine: Memberships, limit: int) -> list[Post]:
    """The latest posts by others in the member's committees, in one query that reads
    at most ``limit`` rows of each committee through the (space, at) index: one SELECT
    per committee joined by UNION ALL (a plain ``space IN (…) ORDER BY at`` sorts every
    post of every committee)."""
    parts = [
        Post.objects.filter(space=space).exclude(author=mine.key).order_by("-at", "event")[:limit]
        for space in mine.spaces
    ]
    if len(parts) == 1 or len(parts) > UNION_MAX:
        rows = Post.objects.filter(space__in=mine.spaces).exclude(author=mine.key)
        return list(rows.order_by("-at", "event")[:limit])
    sqls, params = [], []
    for index, part in enumerate(parts):
        sql, part_params = part.query.get_compiler(using=part.db).as_sql()
        sqls.append(f"SELECT * FROM ({sql}) AS latest{index}")  # noqa: S608 (no input in it)
        params.extend(part_params)
    found = list(Post.objects.raw(" UNION ALL ".join(sqls), params))
    return sorted(found, key=lambda p: (p.at, p.event), reverse=True)[:limit]


@dataclass(frozen=True)
class News:
    """A decision or a post in one of the member's committees, with when this node got it."""

    kind: str  # "decision", "recall" or "post"
    committee: Committee
    event: str
    at: str
    motion: Motion | None = None
    post: Post | None = None


def recent(mine: Memberships, limit: int = 20) -> list[News]:
    """The latest decisions (a passed recall is told apart) and posts by others in the
    member's committees, newest first by their authors' times (2 queries)."""
    if not mine.committees:
        return []
    decisions = list(
        Motion.objects.filter(
            space__in=mine.spaces, status__in=[Motion.Status.PASSED, Motion.Status.FAILED]
        ).order_by("-closed_at", "event")[:limit]
    )
    posts = _latest_posts(mine, limit)
    items = [
        News(
            kind="recall"
            if m.kind == "recall" and m.status == Motion.Status.PASSED
            else "decision",
            committee=mine.committees[m.space],
            event=m.close_event,
            at=m.closed_at,
            motion=m,
        )
        for m in decisions
    ] + [
        News(kind="post", committee=mine.committees[p.space], event=p.event, at=p.at, post=p)
        for p in posts
    ]
    return sorted(items, key=lambda n: (n.at, n.event), reverse=True)[:limit]
