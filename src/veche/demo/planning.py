"""The demo's planning: a participatory budget of the Kozlova solidarity fund (September
2020, decided by the Method of Equal Shares, its winners proposed as the fund's payouts)
and a needs survey of the Kozlova committee whose totals reach the Minsk city council.

Every text comes from ``veche.demo.text`` (``[budget]`` and ``[survey]``), in the
committee's language.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from veche.apps.committees.models import Member
from veche.apps.elections import actions as elections
from veche.apps.elections.kinds import state_of
from veche.apps.planning import actions
from veche.apps.store.context import Context
from veche.crypto.ballot import encrypt_ballot
from veche.election import offline
from veche.election.offline import TrusteeKeys
from veche.events import Identity

SURVEY_MOST = (5, 3, 4)  # the largest quantity a member may answer, per item
# Each member's answers (quantity per item), in the order the members joined.
SURVEY_ANSWERS = ((2, 1, 0), (3, 0, 2), (0, 2, 1), (1, 1, 0), (4, 0, 3))
BUDGET_COSTS = (900_00, 600_00, 300_00, 500_00)
# Who approves which project (indexes into the projects), by pseudonym.
BUDGET_VOTES = {
    "Sokol": (0, 1),
    "Vasilek": (0, 2),
    "Zubr": (1, 3),
    "Rusalka": (0, 1, 3),
    "Lyn": (2,),
}


def _at(month_day: str, hour: int = 12) -> datetime:
    month, day = (int(part) for part in month_day.split("-"))
    return datetime(2020, month, day, hour, 0, tzinfo=UTC)


def load_budget(demo: Any) -> list[str]:
    """The Kozlova fund's September budget, decided, its winners proposed as payouts."""
    text = demo.text
    space = demo.spaces["kozlova"]
    sokol = demo.person("Sokol")
    budget = actions.open_budget(
        sokol,
        space,
        title=text.say("kozlova", "budget.title"),
        amount=1500_00,
        currency="BYN",
        rule="mes",
        from_fund=True,
        proposals_close=_at("09-05", 18),
        votes_close=_at("09-08", 18),
        at=_at("09-03", 10),
    ).id
    names = text.words("kozlova", "budget.projects")
    about = text.words("kozlova", "budget.descriptions")
    proposers = ("Rusalka", "Zubr", "Lyn", "Vasilek")
    projects = [
        actions.propose_project(
            demo.person(proposers[i]),
            space,
            budget,
            name=names[i],
            cost=BUDGET_COSTS[i],
            description=about[i],
            at=_at("09-04", 10 + i),
        ).id
        for i in range(len(names))
    ]
    for hour, (name, chosen) in enumerate(BUDGET_VOTES.items()):
        actions.vote(
            demo.person(name),
            space,
            budget,
            [projects[i] for i in chosen],
            at=_at("09-06", 9 + hour),
        )
    actions.close(demo.person("Zubr"), space, budget, at=_at("09-08", 19))
    made = actions.propose_payouts(
        demo.person("Zubr"), space, budget, day="2020-09-09", at=_at("09-09", 10)
    )
    return [
        f"Participatory budget of the Kozlova fund (Equal Shares), {len(made)} winning projects "
        f"proposed as payouts: /planning/{space}/budgets/{budget}/",
    ]


def load_survey(demo: Any) -> list[str]:
    """A needs survey of the Kozlova committee (a secret election), its totals published
    to the Minsk city council by its founder."""
    text = demo.text
    space = demo.spaces["kozlova"]
    council = demo.spaces["minsk-city"]
    people: dict[str, Identity] = demo.people
    members = [
        people[m.pseudonym]
        for m in Member.objects.filter(space=space, status=Member.Status.ACTIVE).order_by("id")
        if m.pseudonym in people and people[m.pseudonym].public == m.key
    ]
    creator = members[0]
    title = text.say("kozlova", "survey.title")
    from veche.apps.committees import actions as committees

    motion = committees.propose(creator, space, kind="election", title=title, text=title).id
    for voter in members:
        committees.vote(voter, space, motion, choice="yes")
    committees.close(creator, space, motion)
    trustees = [TrusteeKeys.generate() for _ in range(2)]
    items = text.words("kozlova", "survey.items")
    survey = actions.open_survey(
        creator,
        space,
        motion=motion,
        title=title,
        items=list(zip(items, SURVEY_MOST, strict=True)),
        trustees=[(t.identity.public, t.box_public) for t in trustees],
        threshold=2,
    ).id

    def take(events: list[Any]) -> None:
        elections.ingest_file(survey, b"".join(e.raw + b"\n" for e in events), source="demo")

    def lines() -> list[bytes]:
        return elections.export_record(survey)[:-1].split(b"\n")

    for keys in trustees:
        take([offline.dealing_event(lines(), keys)])
    elections.open_election(creator, survey)
    crypto = state_of(Context(), survey).crypto_election()
    for voter, answers in zip(members, SURVEY_ANSWERS, strict=False):
        marks = []
        for most, quantity in zip(SURVEY_MOST, answers, strict=True):
            row = [0] * most
            if quantity:
                row[quantity - 1] = 1
            marks.append(row)
        ballot, _ = encrypt_ballot(crypto, marks)
        elections.cast_ballot(voter, survey, ballot.to_json())
    elections.close_election(creator, survey)
    for keys in trustees:
        take([offline.partial_decryption_event(lines(), keys)])
    elections.publish_result(creator, survey)
    actions.publish_survey(demo.person(demo_council_member(demo)), council, survey)
    return [
        f"Needs survey of the Kozlova committee, totals for the council: /planning/{council}/needs/"
    ]


def demo_council_member(demo: Any) -> str:
    """The Minsk city council's founder (a member of the council)."""
    return "Sosna"


def load_planning(demo: Any) -> list[str]:
    return [*load_budget(demo), *load_survey(demo)]
