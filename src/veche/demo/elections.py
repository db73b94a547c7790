"""Demo elections: a decided committee election, an open one to vote in, and a
constituent-assembly party-list election with constituencies and its seat arithmetic.

Trustees of the open election get key files in the node's data folder (sealed under
``DEMO_TRUSTEE_PASSPHRASE``) so that a demo user can try ``veche trustee decrypt``.
The committee elections are written in their committee's language, the assembly in the
national council's (``veche.demo.text``).
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

from veche.apps.committees import actions as committees
from veche.apps.committees.models import Committee, Member
from veche.apps.elections import actions
from veche.apps.elections.kinds import state_of
from veche.apps.store.context import Context
from veche.crypto.ballot import encrypt_ballot
from veche.demo.text import ASSEMBLY, DemoText, names_everywhere, text_of
from veche.election import offline
from veche.election.offline import TrusteeKeys, save_trustee_keys
from veche.events import Identity

DEMO_TRUSTEE_PASSPHRASE = "demo trustee passphrase"  # noqa: S105 - printed to demo users
#: Seats of the assembly's constituencies (Minsk, Hrodna, Homiel; named in the text files).
SEATS = (5, 3, 3)


def _take(space: str, events: list[Any]) -> None:
    actions.ingest_file(space, b"".join(e.raw + b"\n" for e in events), source="demo")


def _lines(space: str) -> list[bytes]:
    return actions.export_record(space)[:-1].split(b"\n")


def _cast(identity: Identity, space: str, marks: list[list[int]]) -> None:
    election = state_of(Context(), space).crypto_election()
    ballot, _ = encrypt_ballot(election, marks)
    actions.cast_ballot(identity, space, ballot.to_json())


def _run_ceremony(space: str, trustees: list[TrusteeKeys]) -> None:
    for keys in trustees:
        _take(space, [offline.dealing_event(_lines(space), keys)])


def _decide(creator: Identity, space: str, trustees: list[TrusteeKeys]) -> None:
    actions.close_election(creator, space)
    for keys in trustees[:2]:
        _take(space, [offline.partial_decryption_event(_lines(space), keys)])
    actions.publish_result(creator, space)


def _call(committee: str, proposer: Identity, voters: list[Identity], title: str, text: str) -> str:
    """The committee decides to hold an election: an ``election`` motion proposed, voted
    and closed through the committee's own actions; returns the motion's id."""
    motion = committees.propose(proposer, committee, kind="election", title=title, text=text).id
    for voter in voters:
        committees.vote(voter, committee, motion, choice="yes")
    committees.close(proposer, committee, motion)
    return motion


def load_elections(demo: Any) -> list[str]:
    """Add elections to the loaded demo; return lines to print. ``demo.person(name)`` gives
    a demo person's Identity; the Kozlova committee (any demo committee) hosts them."""
    kozlova = getattr(demo, "spaces", {}).get("kozlova")
    committee = (
        Committee.objects.filter(demo=True, space=kozlova).first()
        or Committee.objects.filter(demo=True, name__in=names_everywhere("kozlova")).first()
        or Committee.objects.filter(demo=True).first()
    )
    if committee is None:
        raise RuntimeError("load_elections needs the demo committees loaded first")
    people: dict[str, Identity] = demo.people
    members = [
        people[m.pseudonym]
        # In the order they joined: the same creator and voters on every database
        # (PostgreSQL returns unordered rows in whatever order its heap holds them).
        for m in Member.objects.filter(space=committee.space, status=Member.Status.ACTIVE).order_by(
            "id"
        )
        if m.pseudonym in people and people[m.pseudonym].public == m.key
    ]
    if not members:
        raise RuntimeError("no demo member of the host committee is known to the demo object")
    creator = members[0]
    choose = random.Random(2020)  # noqa: S311 - demo voters' choices
    text = text_of(demo)

    def say(key: str) -> str:
        return text.say("kozlova", f"election.{key}")

    candidates = text.words("kozlova", "election.candidates")
    question = {"text": say("chair_question"), "options": candidates}
    lines = []

    # 1. A decided committee election, called by the committee's motion.
    trustees = [TrusteeKeys.generate() for _ in range(3)]
    decided = actions.create_election(
        creator,
        committee=committee.space,
        motion=_call(committee.space, creator, members, say("chair_call"), say("call_text")),
        title=say("chair_title"),
        questions=[{**question, "min": 1, "max": 1}],
        method="plurality",
        seats=1,
        trustees=[(t.identity.public, t.box_public) for t in trustees],
        threshold=2,
        public_board=True,
        demo=True,
    ).id
    _run_ceremony(decided, trustees)
    actions.open_election(creator, decided)
    for voter in members:
        marks = [0] * len(candidates)
        marks[choose.choice([0, 0, 1, 2])] = 1
        _cast(voter, decided, [marks])
    _decide(creator, decided, trustees)
    lines.append(f"Election (decided, verifiable): /elections/{decided}/result/")

    # 2. An open election to vote in from the browser; its trustees' key files are on disk.
    folder = Path(os.environ.get("VECHE_DATA_DIR", "data")) / "demo-trustees"
    folder.mkdir(parents=True, exist_ok=True)
    open_trustees = [TrusteeKeys.generate() for _ in range(3)]
    for j, keys in enumerate(open_trustees, start=1):
        save_trustee_keys(
            folder / f"trustee-{j}.key",
            keys,
            DEMO_TRUSTEE_PASSPHRASE,
            os.environ.get("VECHE_KDF_PROFILE", "interactive"),
        )
    ongoing = actions.create_election(
        creator,
        committee=committee.space,
        motion=_call(committee.space, creator, members, say("delegates_call"), say("call_text")),
        title=say("delegates_title"),
        questions=[{**question, "text": say("delegates_question"), "min": 0, "max": 3}],
        method="approval",
        seats=3,
        trustees=[(t.identity.public, t.box_public) for t in open_trustees],
        threshold=2,
        demo=True,
    ).id
    _run_ceremony(ongoing, open_trustees)
    actions.open_election(creator, ongoing)
    lines.append(
        f"Election (open, vote in the browser): /elections/{ongoing}/vote/ — trustee key files "
        f"in {folder} (passphrase {DEMO_TRUSTEE_PASSPHRASE!r})"
    )

    # 3. A constituent assembly: party lists, Sainte-Laguë, 5% threshold, three constituencies.
    lines.append(_assembly(creator, text))
    return lines


def _assembly(creator: Identity, text: DemoText) -> str:
    """The constituent assembly's election, in the national council's language."""
    parties = text.words(ASSEMBLY, "election.parties")
    names = text.words(ASSEMBLY, "election.constituencies")
    constituencies = list(zip(names, SEATS, strict=True))
    roll = []
    voters: list[tuple[Identity, int]] = []
    weights = [[34, 20, 14, 3, 6], [18, 22, 10, 2, 5], [15, 9, 16, 2, 1]]
    for c, (name, _) in enumerate(constituencies):
        for p, count in enumerate(weights[c]):
            for _ in range(count):
                voter = Identity.generate()
                roll.append({"keys": [voter.public], "constituency": name})
                voters.append((voter, p))
    assembly_trustees = [TrusteeKeys.generate() for _ in range(3)]
    assembly = actions.create_election(
        creator,
        committee=None,
        title=text.say(ASSEMBLY, "election.assembly_title", voters=len(roll)),
        questions=[
            {
                "text": text.say(ASSEMBLY, "election.assembly_question"),
                "options": parties,
                "min": 1,
                "max": 1,
            }
        ],
        method="party_list",
        seats=sum(SEATS),
        trustees=[(t.identity.public, t.box_public) for t in assembly_trustees],
        threshold=2,
        electorate=roll,
        divisor="sainte-lague",
        threshold_percent="5",
        constituencies=constituencies,
        public_board=True,
        demo=True,
    ).id
    _run_ceremony(assembly, assembly_trustees)
    actions.open_election(creator, assembly)
    for voter, party in voters:
        marks = [0] * len(parties)
        marks[party] = 1
        _cast(voter, assembly, [marks])
    _decide(creator, assembly, assembly_trustees)
    return f"Constituent assembly (party lists, seats): /elections/{assembly}/result/"
