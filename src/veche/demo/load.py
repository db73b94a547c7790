"""Load the Belarus 2020 demonstration: committees, federation, decisions, a recall.

Everything goes through the same actions as real use, so the demo's log is
signed and verifiable like any other. The people are invented (pseudonyms);
the plants, cities, dates and the Kozlova plant's demands are real (see
``shared/scenario``). Every demo committee is marked as a demonstration.

This module says what happens; what people wrote is in ``data/text.*.toml``
(``veche.demo.text``). By default each committee writes in the language its
people used in 2020: Russian at the plants and in the city and regional
councils, Belarusian in the national council, the BSU students' committee and
the Uruchye neighbourhood committee; ``load_demo(lang="be"|"ru"|"en")`` makes
everyone write in one language. Only the words change with the language: the
committees, events, elections, strike statuses and fund entries are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

from veche.apps.accounts.actions import create_account
from veche.apps.committees import actions
from veche.apps.committees.comments import write_comment
from veche.apps.committees.models import Committee
from veche.apps.store.log import ingest
from veche.demo.strike import kozlova_letter
from veche.demo.text import MIXED, DemoText
from veche.events import Identity, build_event

DEMO_PASSPHRASE = "veche-demo-2020"  # noqa: S105 - printed to the operator on purpose
DEMO_OPERATOR = "Sokol"  # the Kozlova founder: the demo's main account

# (key, kind, level, parent key, founder, other members); names are in the text files.
COMMITTEES: tuple[tuple[str, str, str, str | None, str, tuple[str, ...]], ...] = (
    ("national", "council", "national", None, "Veche", ()),
    (
        "minsk-city",
        "council",
        "regional",
        "national",
        "Sosna",
        (),
    ),
    ("minsk-region", "council", "regional", "national", "Bereza", ()),
    ("grodno-region", "council", "regional", "national", "Neman", ()),
    ("gomel-region", "council", "regional", "national", "Sozh", ()),
    ("mogilev-region", "council", "regional", "national", "Dnepr", ()),
    ("brest-region", "council", "regional", "national", "Bug", ()),
    ("zhlobin-city", "council", "city", "gomel-region", "Kalina", ()),
    (
        "kozlova",
        "workplace",
        "local",
        "minsk-city",
        "Sokol",
        ("Vasilek", "Zubr", "Rusalka", "Lyn"),
    ),
    (
        "mtz",
        "workplace",
        "local",
        "minsk-city",
        "Bobr",
        ("Kupala", "Yaryla", "Vyraj", "Zhuravel"),
    ),
    (
        "minsktrans-4",
        "workplace",
        "local",
        "minsk-city",
        "Trolley",
        ("Iskra", "Vetla"),
    ),
    (
        "margarine",
        "workplace",
        "local",
        "minsk-city",
        "Lipa",
        ("Rumyanka",),
    ),
    (
        "bsu-students",
        "college",
        "local",
        "minsk-city",
        "Student",
        ("Kvetka", "Chaika", "Lastauka"),
    ),
    (
        "uruchye",
        "neighbourhood",
        "local",
        "minsk-city",
        "Dvor",
        ("Sasedka", "Pchala"),
    ),
    (
        "azot",
        "workplace",
        "local",
        "grodno-region",
        "Azot",
        ("Khimik", "Volat"),
    ),
    (
        "devyatovka",
        "neighbourhood",
        "local",
        "grodno-region",
        "Yalina",
        ("Kruk",),
    ),
    (
        "bmz",
        "workplace",
        "local",
        "zhlobin-city",
        "Stal",
        ("Molat", "Kavala", "Iskarka"),
    ),
    (
        "belshina",
        "workplace",
        "local",
        "mogilev-region",
        "Shyna",
        ("Kola", "Gumka"),
    ),
    (
        "belaruskali",
        "workplace",
        "local",
        "minsk-region",
        "Kalii",
        ("Shakhtsyor", "Sol", "Glyba"),
    ),
    (
        "zhabinka",
        "workplace",
        "local",
        "brest-region",
        "Tsukar",
        ("Burak",),
    ),
)


class DemoAlreadyLoaded(Exception):
    pass


def _publish_demo_audit(demo: Demo) -> list[str]:
    """The Minsk city council publishes the demo audit by a passed general motion naming
    its bundle's digest, so that the demo mirror carries it (mirror-v1 §3)."""
    from veche.apps.audit.models import AuditRun
    from veche.apps.audit.publication import run_digest

    run = AuditRun.objects.filter(published_at__isnull=False).order_by("-pk").first()
    digest = run_digest(run) if run is not None else None
    if digest is None:
        return []
    key = "minsk-city"
    demo.decide(
        key,
        demo.members[key][0],
        day=21,
        hour=16,
        kind="general",
        title=demo.text.say(key, "motion.publish_audit.title"),
        text=demo.text.say(key, "motion.publish_audit.text", digest=digest),
        target={"audit": digest},
    )
    return [f"The Minsk city council published the demo audit by a motion (digest {digest})."]


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment in August 2020, UTC."""
    return datetime(2020, 8, day, hour, minute, tzinfo=UTC)


class Demo:
    """The demo's people and committees, for this loader and the other demo parts;
    ``text`` is what they write, in ``lang`` (``mixed``: each committee its own)."""

    def __init__(self, lang: str = MIXED) -> None:
        self.text = DemoText(lang)
        self.people: dict[str, Identity] = {}
        self.spaces: dict[str, str] = {}
        self.members: dict[str, list[str]] = {}
        self.mandates: dict[str, str] = {}
        self.decisions: dict[str, str] = {}
        self.seated: dict[str, set[str]] = {}  # delegate -> bodies they sit in

    def person(self, pseudonym: str) -> Identity:
        if pseudonym not in self.people:
            _, identity = create_account(pseudonym, DEMO_PASSPHRASE)
            self.people[pseudonym] = identity
        return self.people[pseudonym]

    def committee(
        self,
        key: str,
        kind: str,
        level: str,
        founder: str,
        members: Sequence[str],
        day: int,
    ) -> str:
        rules = {"ratification": level == "national", "weighting": "per_delegate"}
        space = actions.create_committee(
            self.person(founder),
            name=self.text.name(key),
            kind=kind,
            level=level,
            pseudonym=founder,
            rules=rules,
            demo=True,
            at=at(day, 8),
        ).id
        self.spaces[key] = space
        self.members[key] = [founder]
        for index, member in enumerate(members):
            code, _ = actions.invite(self.person(founder), space, at=at(day, 9, index))
            actions.join(self.person(member), space, code, member, at=at(day, 9, 30 + index))
            self.members[key].append(member)
        return space

    def decide(
        self,
        key: str,
        proposer: str,
        *,
        day: int,
        hour: int = 14,
        no: Sequence[str] = (),
        discussion: Sequence[tuple[str, str]] = (),
        **motion: object,
    ) -> str:
        """Propose a motion, discuss it (``discussion``: pseudonym and text key, each
        comment answering the one before), let everyone with a say vote (yes unless
        named in ``no``), close it."""
        space = self.spaces[key]
        voters = self.voters(key)
        event = actions.propose(self.person(proposer), space, at=at(day, hour), **motion)  # type: ignore[arg-type]
        previous = ""
        for index, (author, text_key) in enumerate(discussion):
            previous = write_comment(
                self.person(author),
                space,
                subject="motion",
                on=event.id,
                text=self.text.say(key, text_key),
                reply_to=previous,
                at=at(day, hour, 1 + index),
            ).id
        for index, voter in enumerate(voters):
            choice = "no" if voter in no else "yes"
            if motion.get("method", "yes_no") == "yes_no":
                actions.vote(
                    self.person(voter), space, event.id, choice=choice, at=at(day, hour, 10 + index)
                )
        return actions.close(self.person(proposer), space, event.id, at=at(day, hour + 2)).id

    def voters(self, key: str) -> list[str]:
        seated = [p for p, k in self.seated.items() if key in k]
        return self.members[key] + seated

    def join_parent(self, child: str, parent: str, day: int) -> None:
        child_founder = self.members[child][0]
        join = self.decide(
            child,
            child_founder,
            day=day,
            hour=10,
            kind="federation_join",
            title=self.text.say(
                child, "motion.join.title", parent=self.text.name(parent, writer=child, form="acc")
            ),
            text=self.text.say(child, "motion.join.text"),
            target={"parent": self.spaces[parent]},
        )
        self.decide(
            parent,
            self.members[parent][0],
            day=day,
            hour=11,
            kind="federation_accept",
            title=self.text.say(
                parent,
                "motion.accept.title",
                child=self.text.name(child, writer=parent, form="acc"),
            ),
            text=self.text.say(parent, "motion.accept.text"),
            target={"child": self.spaces[child], "join": join},
        )

    def elect(
        self,
        child: str,
        parent: str,
        candidates: Sequence[str],
        seats: int,
        ballots: Sequence[Sequence[int]],
        day: int,
    ) -> list[str]:
        space = self.spaces[child]
        keys = [self.person(c).public for c in candidates]
        method = "stv" if seats > 1 or len(candidates) > 2 else "approval"
        proposer = self.voters(child)[0]
        election = actions.propose(
            self.person(proposer),
            space,
            kind="delegate_election",
            title=self.text.say(
                child,
                "motion.delegates.title",
                parent=self.text.name(parent, writer=child, form="acc"),
            ),
            text=self.text.say(child, "motion.delegates.text"),
            method=method,
            options=keys,
            seats=seats,
            at=at(day, 15),
        ).id
        for index, (voter, ballot) in enumerate(zip(self.voters(child), ballots, strict=False)):
            if method == "stv":
                actions.vote(
                    self.person(voter),
                    space,
                    election,
                    ranking=[[i] for i in ballot],
                    at=at(day, 15, 5 + index),
                )
            else:
                actions.vote(
                    self.person(voter),
                    space,
                    election,
                    approve=list(ballot[:seats]),
                    at=at(day, 15, 5 + index),
                )
        mandate = actions.close(self.person(proposer), space, election, at=at(day, 17)).id
        from veche.apps.committees.models import Motion

        elected = Motion.objects.get(event=election).result["elected_keys"]
        names = [c for c in candidates if self.person(c).public in elected]
        for name in names:
            actions.take_seat(self.person(name), self.spaces[parent], mandate, at=at(day, 18))
            self.seated.setdefault(name, set()).add(parent)
            self.mandates[f"{child}:{name}"] = mandate
        return names


def load_demo(out: TextIO | None = None, lang: str = MIXED) -> str:
    """Load the demo, its people writing in ``lang`` (``mixed``: each committee in the
    language its people used in 2020, see the module's docstring); return what to print."""
    if Committee.objects.filter(demo=True).exists():
        raise DemoAlreadyLoaded("The demonstration is already loaded.")
    demo = Demo(lang)
    text = demo.text
    for index, (key, kind, level, _parent, founder, members) in enumerate(COMMITTEES):
        demo.committee(
            key, kind, level, founder, members, day=11 if level == "local" else 12 + index % 2
        )
    lines = [
        "DEMONSTRATION DATA: invented people, real plants and dates (Belarus, August 2020).",
    ]
    # The Kozlova workers' demands, 11 August, as a demands letter passed by their committee.
    letter = demo.decide(
        "kozlova",
        "Sokol",
        day=11,
        hour=15,
        kind="demands",
        title=text.say("kozlova", "motion.kozlova_demands.title"),
        text=kozlova_letter(text),
        no=("Lyn",),
    )
    demo.decisions["kozlova-demands"] = letter
    for key, proposer, day in (
        ("mtz", "Bobr", 12),
        ("azot", "Azot", 12),
        ("bmz", "Stal", 13),
        ("belshina", "Shyna", 13),
        ("bsu-students", "Student", 14),
    ):
        demo.decide(
            key,
            proposer,
            day=day,
            hour=12,
            kind="endorsement",
            title=text.say(key, "motion.endorse.title"),
            text=text.say(key, "motion.endorse.text"),
            target={"motion": letter},
        )
    demo.decide(
        "mtz",
        "Bobr",
        day=13,
        hour=9,
        kind="strike_call",
        title=text.say("mtz", "motion.strike_call.title"),
        text=text.say("mtz", "motion.strike_call.text"),
        no=("Zhuravel",),
        discussion=(("Zhuravel", "comment.strike_doubt"), ("Yaryla", "comment.strike_answer")),
    )
    # The Kozlova committee's appeal to police and army conscripts (issue 19): public
    # once passed, with a printable leaflet whose QR code carries the text itself.
    demo.decisions["kozlova-appeal"] = demo.decide(
        "kozlova",
        "Sokol",
        day=13,
        hour=11,
        kind="appeal",
        title=text.say("kozlova", "motion.appeal.title"),
        text=text.say("kozlova", "motion.appeal.text"),
        target={"audience": "police_army"},
    )
    # What members tell each other on their committees' pages.
    for key, author, day, hour in (
        ("kozlova", "Sokol", 12, 20),
        ("bsu-students", "Student", 13, 19),
        ("uruchye", "Dvor", 15, 18),
    ):
        actions.post(
            demo.person(author), demo.spaces[key], text.say(key, f"post.{key}"), at=at(day, hour)
        )
    # Federation: local committees join city and regional councils, those join the national one.
    parents = {key: parent for key, _k, _l, parent, _f, _m in COMMITTEES}
    order = [
        k
        for k, *_ in COMMITTEES
        if parents[k] and COMMITTEES[[c[0] for c in COMMITTEES].index(k)][2] != "local"
    ]
    order += [k for k, *_ in COMMITTEES if parents[k] and k not in order]
    for key in sorted(
        order,
        key=lambda k: ("local", "city", "regional").index(
            COMMITTEES[[c[0] for c in COMMITTEES].index(k)][2]
        ),
    ):
        demo.join_parent(key, parents[key] or "", day=14)
    # Delegate elections, bottom up.
    for key, *_rest in COMMITTEES:
        level = COMMITTEES[[c[0] for c in COMMITTEES].index(key)][2]
        if level != "local":
            continue
        electors = demo.members[key]
        seats = 2 if len(electors) >= 5 else 1
        running = electors[1 : 1 + seats + 1] if len(electors) > seats else electors[:2]
        if len(running) <= seats:
            running = electors[: seats + 1] if len(electors) > seats else electors
        if len(running) <= seats:
            continue
        ballots = [
            list(range(len(running)))[i % len(running) :]
            + list(range(len(running)))[: i % len(running)]
            for i in range(len(electors))
        ]
        demo.elect(key, parents[key] or "", running, seats, ballots, day=15)
    for key in ("zhlobin-city",):
        voters = demo.voters(key)
        if len(voters) > 1:
            demo.elect(
                key,
                parents[key] or "",
                voters[1:3] if len(voters) > 2 else voters,
                1,
                [[0, 1]] * len(voters),
                day=16,
            )
    for key in (
        "minsk-city",
        "minsk-region",
        "grodno-region",
        "gomel-region",
        "mogilev-region",
        "brest-region",
    ):
        voters = demo.voters(key)
        finalists = voters[-2:]
        if len(finalists) == 2:
            demo.elect(key, "national", finalists, 1, [[0, 1]] * len(voters), day=17)
    # One recall: MTZ recalls a delegate who voted against the strike in the city council.
    recalled = next((m for m in demo.mandates if m.startswith("mtz:")), None)
    if recalled is not None:
        name = recalled.split(":", 1)[1]
        demo.decide(
            "mtz",
            "Bobr",
            day=18,
            hour=9,
            kind="recall",
            title=text.say("mtz", "motion.recall.title", name=name),
            text=text.say("mtz", "motion.recall.text"),
            target={"mandate": demo.mandates[recalled], "key": demo.person(name).public},
            no=(name,),
        )
        lines.append(f"Recalled: {name} (MTZ delegate), 18 August.")
    # The national council adopts common demands; they need ratification from below.
    national_demands = demo.decide(
        "national",
        "Veche",
        day=19,
        hour=12,
        kind="demands",
        title=text.say("national", "motion.common_demands.title"),
        text=text.say("national", "demands.points") + "\n" + text.say("national", "demands.fifth"),
    )
    demo.decisions["national-demands"] = national_demands
    for key in ("minsk-city", "grodno-region", "gomel-region", "minsk-region"):
        demo.decide(
            key,
            demo.members[key][0],
            day=20,
            hour=10,
            kind="ratification",
            title=text.say(key, "motion.ratify.title"),
            text=text.say(key, "motion.ratify.text"),
            target={"motion": national_demands},
        )
    # A forged "call to violence" in the Kozlova founder's name: rejected, kept as evidence.
    forged = build_event(
        Identity(b"\x07" * 32),
        space=demo.spaces["kozlova"],
        seq=1,
        prev=None,
        kind="space.post",
        body={"text": text.say("kozlova", "post.forged")},
        at=at(16, 22),
    )
    tampered = forged.raw.replace(forged.author.encode(), demo.person("Sokol").public.encode())
    ingest([tampered], source="demo: forged event")
    lines.append(
        "A forged 'call to violence' in the Kozlova founder's name was rejected (bad signature)."
    )
    from veche.apps.accounts.models import Account
    from veche.apps.audit.demo import load_demo_audit
    from veche.demo.elections import load_elections
    from veche.demo.strike import load_strike
    from veche.demo.sync import load_sync

    lines.extend(load_strike(demo))
    lines.extend(load_elections(demo))
    from veche.demo.pledges import load_pledges

    lines.extend(load_pledges(demo))
    from veche.demo.planning import load_planning

    lines.extend(load_planning(demo))
    lines.extend(
        load_demo_audit(
            Account.objects.get(pseudonym=DEMO_OPERATOR).pk,
            language=text.language("kozlova"),  # the operator's, a Kozlova worker
            title=text.say("kozlova", "audit.title"),
        )
    )
    lines.extend(_publish_demo_audit(demo))
    lines.extend(load_sync(demo))
    # The demo's main account runs the node, so the demo shows the Peers page too;
    # on a real node the operator is named on the command line (docs/node.md).
    Account.objects.filter(pseudonym=DEMO_OPERATOR).update(is_operator=True)
    lines += [
        f"{DEMO_OPERATOR} is this node's operator (manages peers on the Sync page).",
        f"{Committee.objects.count()} committees on "
        f"{Committee.objects.values('level').distinct().count()} levels.",
        f"Sign in as any of: {', '.join(sorted(demo.people))}",
        f"Demo passphrase for all of them: {DEMO_PASSPHRASE}",
    ]
    return "\n".join(lines)
