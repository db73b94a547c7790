"""Demo strike pledges (format pledge-v1): one at Belaruskali that reaches its target and
passes the committee's strike call by itself, one at the Hrodna Azot plant that falls
short, and an open one in the Kozlova committee for the demo user to pledge in. The Minsk
region council's general strike call counts plants (§8): Belaruskali is 1 of the 2 it
needs, so its page shows the progress and the call stays open. Azot, whose pledge fell
short, then decides by a secret strike ballot (§10): yes, and its status is set.

Each runs the real path: the committee's members are the electorate, three trustees
deal, the members' pledges are sealed, the trustees decrypt only the total and the
result is published (and, when it crosses, the strike call passes).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from veche.apps.committees import actions as committees
from veche.apps.committees.models import Committee, Member
from veche.apps.elections import actions, pledge_actions
from veche.apps.elections.pledges import state_of
from veche.apps.store.context import Context
from veche.apps.strike.models import Workplace
from veche.crypto.ballot import encrypt_ballot
from veche.demo.text import names_everywhere, text_of
from veche.election import offline
from veche.election.offline import TrusteeKeys
from veche.events import Identity

#: The plants the Minsk region council's general strike call needs (pledge-v1 §8).
GENERAL_PLANTS = 2
#: The Azot strike ballot's votes, members in order: 0 yes, 1 no.
BALLOT_VOTES = (0, 0, 1, 0, 0, 1)

#: (committee key, extra members to invite, answers of the members in order, needed)
PLEDGES: tuple[tuple[str, tuple[str, ...], tuple[int, ...], int], ...] = (
    ("belaruskali", ("Krot", "Sova", "Laska", "Jozh"), (1, 1, 1, 1, 0), 4),
    ("azot", ("Zhuk", "Kaplja", "Shmel"), (1, 0, 1, 0), 3),
)
STRIKE_DATE = "2020-09-14"


def _lines(space: str) -> list[bytes]:
    return actions.export_record(space)[:-1].split(b"\n")


def _take(space: str, events: list[Any]) -> None:
    actions.ingest_file(space, b"".join(e.raw + b"\n" for e in events), source="demo")


def _members(demo: Any, space: str, extra: tuple[str, ...]) -> list[Identity]:
    people: dict[str, Identity] = demo.people
    members = [
        people[m.pseudonym]
        for m in Member.objects.filter(space=space, status=Member.Status.ACTIVE).order_by("id")
        if m.pseudonym in people and people[m.pseudonym].public == m.key
    ]
    inviter = members[0]
    for name in extra:
        code, _ = committees.invite(inviter, space)
        committees.join(demo.person(name), space, code, name)
        members.append(demo.person(name))
    return members


def _pledge(
    creator: Identity,
    committee: str,
    members: list[Identity],
    answers: tuple[int, ...],
    needed: int,
    title: str,
    workplace: str,
    call: str,
    *,
    decide: bool,
) -> str:
    trustees = [TrusteeKeys.generate() for _ in range(3)]
    deadline = datetime.now(UTC).replace(microsecond=0) + (
        timedelta(minutes=1) if decide else timedelta(days=3650)
    )
    space = pledge_actions.create_pledge(
        creator,
        title=title,
        workplace=workplace,
        strike_date=STRIKE_DATE,
        deadline=deadline.strftime("%Y-%m-%dT%H:%M:%SZ"),
        trustees=[(t.identity.public, t.box_public) for t in trustees],
        threshold=2,
        needed=needed,
        committee=committee,
        strike_call=call,
        demo=True,
    ).id
    for keys in trustees:
        _take(space, [offline.dealing_event(_lines(space), keys)])
    pledge_actions.open_pledge(creator, space)
    election = state_of(Context(), space).crypto_election()
    for member, value in zip(members, answers, strict=False):
        ballot, _ = encrypt_ballot(election, [[value]])
        pledge_actions.make_pledge(member, space, ballot.to_json())
    if decide:
        pledge_actions.close_pledge(creator, space, at=deadline)
        for keys in trustees[:2]:
            _take(space, [offline.partial_decryption_event(_lines(space), keys)])
        pledge_actions.publish_pledge_result(creator, space)
    return space


def _general_call(demo: Any, text: Any) -> tuple[str, str] | None:
    """The Minsk region council's general strike call counting plants: (council, call)."""
    council = Committee.objects.filter(demo=True, name__in=names_everywhere("minsk-region")).first()
    if council is None:
        return None
    proposer = _members(demo, council.space, ())[0]
    call = committees.propose(
        proposer,
        council.space,
        kind="strike_call",
        title=text.say("minsk-region", "pledge.general_title", n=GENERAL_PLANTS),
        text=text.say("minsk-region", "pledge.general_text", n=GENERAL_PLANTS),
        target={"plants": GENERAL_PLANTS},
    ).id
    return council.space, call


def _strike_ballot(demo: Any, text: Any, key: str, date: str) -> str | None:
    """A secret strike ballot at ``key``'s workplace: the committee calls it, the members
    vote (sealed), two of three trustees decrypt, and the verified yes sets the status."""
    from veche.apps.elections import actions as elections
    from veche.apps.elections.kinds import state_of as election_state
    from veche.apps.strike import ballots

    committee = Committee.objects.filter(demo=True, name__in=names_everywhere(key)).first()
    place = Workplace.objects.filter(space=committee.space).first() if committee else None
    if committee is None or place is None:
        return None
    members = _members(demo, committee.space, ())
    chair = members[0]
    motion = committees.propose(
        chair,
        committee.space,
        kind="election",
        title=text.say(key, "pledge.ballot_call"),
        text=text.say(key, "pledge.ballot_call_text"),
    ).id
    for member in members:
        committees.vote(member, committee.space, motion, choice="yes")
    committees.close(chair, committee.space, motion)
    trustees = [TrusteeKeys.generate() for _ in range(3)]
    yes, no = text.words(key, "pledge.ballot_options")
    election, _ = ballots.open_ballot(
        chair,
        committee.space,
        motion=motion,
        workplace=place.workplace,
        day=STRIKE_DATE,
        title=text.say(key, "pledge.ballot_title", workplace=place.name),
        question=text.say(key, "pledge.ballot_question", date=date),
        options=(yes, no),
        trustees=[(t.identity.public, t.box_public) for t in trustees],
        threshold=2,
    )
    space = election.id
    for keys in trustees:
        _take(space, [offline.dealing_event(_lines(space), keys)])
    elections.open_election(chair, space)
    for member, choice in zip(members, BALLOT_VOTES, strict=False):
        marks = [0, 0]
        marks[choice] = 1
        sealed, _ = encrypt_ballot(election_state(Context(), space).crypto_election(), [marks])
        elections.cast_ballot(member, space, sealed.to_json())
    elections.close_election(chair, space)
    for keys in trustees[:2]:
        _take(space, [offline.partial_decryption_event(_lines(space), keys)])
    elections.publish_result(chair, space)
    cast = BALLOT_VOTES[: len(members)]
    return (
        f"Secret strike ballot at {text.name(key)}: {cast.count(0)} yes, {cast.count(1)} no"
        " — the verified yes set its strike status."
    )


def load_pledges(demo: Any) -> list[str]:
    """Add the demo pledges; return lines to print."""
    from veche.apps.elections.pledge_general import counted_plants

    text = text_of(demo)
    lines = []
    date = "14.09.2020"
    general = _general_call(demo, text)
    for key, extra, answers, needed in PLEDGES:
        committee = Committee.objects.filter(demo=True, name__in=names_everywhere(key)).first()
        if committee is None:
            continue
        members = _members(demo, committee.space, extra)
        creator = members[0]
        call = committees.propose(
            creator,
            committee.space,
            kind="strike_call",
            title=text.say(key, "pledge.call_title", date=date),
            text=text.say(key, "pledge.call_text", date=date),
        ).id
        place = Workplace.objects.filter(space=committee.space).values_list("name", flat=True)
        _pledge(
            creator,
            committee.space,
            members,
            answers,
            needed,
            text.say(key, "pledge.title", date=date, n=needed),
            place.first() or text.name(key),
            call,
            decide=True,
        )
        total = sum(answers)
        lines.append(
            f"Strike pledge at {text.name(key)}: {total} of {needed} needed"
            + (" — target reached, the strike call passed by itself." if total >= needed else ".")
        )
    if general is not None:
        plants = counted_plants(general[0])
        lines.append(
            f"General strike call of {text.name('minsk-region')}: {len(plants)} of "
            f"{GENERAL_PLANTS} plants have reached their pledge targets (the call stays open)."
        )
    ballot = _strike_ballot(demo, text, "azot", date)
    if ballot is not None:
        lines.append(ballot)
    kozlova = Committee.objects.filter(demo=True, name__in=names_everywhere("kozlova")).first()
    if kozlova is not None:
        members = _members(demo, kozlova.space, ())
        creator = members[0]
        call = committees.propose(
            creator,
            kozlova.space,
            kind="strike_call",
            title=text.say("kozlova", "pledge.call_title", date=date),
            text=text.say("kozlova", "pledge.call_text", date=date),
        ).id
        _pledge(
            creator,
            kozlova.space,
            members[1:3],
            (1, 1),
            max(2, len(members) // 2),
            text.say("kozlova", "pledge.title", date=date, n=max(2, len(members) // 2)),
            text.plant("kozlova")["name"],
            call,
            decide=False,
        )
        lines.append("An open strike pledge in the Kozlova committee: pledge from its page.")
    return lines
