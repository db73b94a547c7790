"""An election run on the node through the real actions, trustees signing offline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tests.factories import World

from veche.apps.committees import actions as committees
from veche.apps.elections import actions
from veche.apps.elections.kinds import state_of
from veche.apps.store.context import Context
from veche.crypto.ballot import encrypt_ballot
from veche.election import offline
from veche.election.offline import TrusteeKeys

OPTIONS = ["Ales", "Maria", "Sviatlana"]
CHOICES_DEFAULT = {"Sokol": 1, "Zubr": 1, "Rusalka": 0, "Busel": 2, "Lyn": 1}


@dataclass
class NodeElection:
    world: World
    committee: str
    space: str
    trustees: list[TrusteeKeys] = field(default_factory=list)
    motion: str = ""

    def lines(self) -> list[bytes]:
        data = actions.export_record(self.space)
        return data[:-1].split(b"\n")

    def take(self, events: Sequence[object]) -> None:
        data = b"".join(e.raw + b"\n" for e in events)  # type: ignore[attr-defined]
        report = actions.ingest_file(self.space, data, source="test")
        assert all(o.status == "applied" for o in report.outcomes), report.outcomes

    def deal_all(self) -> None:
        for keys in self.trustees:
            self.take([offline.dealing_event(self.lines(), keys)])

    def cast(self, name: str, choice: int) -> str:
        state = state_of(Context(), self.space)
        marks = [0] * len(OPTIONS)
        marks[choice] = 1
        ballot, _ = encrypt_ballot(state.crypto_election(), [marks])
        actions.cast_ballot(self.world.person(name), self.space, ballot.to_json())
        return ballot.tracker()

    def decrypt(self, index: int) -> None:
        self.take([offline.partial_decryption_event(self.lines(), self.trustees[index - 1])])


def call_election(world: World, committee: str, names: Sequence[str], closer: str = "Sokol") -> str:
    """The committee passes a motion to hold an election (closed by ``closer``); its id."""
    motion = committees.propose(
        world.person(closer), committee, kind="election", title="Elect a chair", text="By ballot."
    ).id
    for name in names:
        committees.vote(world.person(name), committee, motion, choice="yes")
    committees.close(world.person(closer), committee, motion)
    return motion


def setup_election(
    members: Sequence[str] = ("Zubr", "Rusalka", "Busel", "Lyn"), *, public_board: bool = False
) -> NodeElection:
    world = World()
    committee = world.committee("Sokol", tuple(members), name="MTZ strike committee")
    trustees = [TrusteeKeys.generate() for _ in range(3)]
    motion = call_election(world, committee, ("Sokol", *members))
    event = actions.create_election(
        world.person("Sokol"),
        committee=committee,
        motion=motion,
        title="Chair of the strike committee",
        questions=[{"text": "Who chairs?", "options": OPTIONS, "min": 1, "max": 1}],
        method="plurality",
        seats=1,
        trustees=[(t.identity.public, t.box_public) for t in trustees],
        threshold=2,
        public_board=public_board,
    )
    return NodeElection(world, committee, event.id, trustees, motion)


def run_election(choices: dict[str, int]) -> NodeElection:
    election = setup_election(tuple(n for n in choices if n != "Sokol"))
    election.deal_all()
    actions.open_election(election.world.person("Sokol"), election.space)
    for name, choice in choices.items():
        election.cast(name, choice)
    actions.close_election(election.world.person("Sokol"), election.space)
    election.decrypt(1)
    election.decrypt(3)
    actions.publish_result(election.world.person("Sokol"), election.space)
    return election
