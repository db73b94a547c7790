"""Elections as events: the record, its rules and its verifier, pure Python (no Django).

``spec`` parses an election's ``space.create`` body; ``rules`` judges and
applies every event kind of the election lifecycle against an in-memory
``ElectionState``; ``outcome`` turns decrypted counts into winners or seats;
``record`` replays an exported record and verifies everything with no
database; ``simulate`` runs a whole election with real keys and events.
"""

from veche.election.outcome import Outcome, compute_outcome
from veche.election.record import (
    RecordError,
    VerificationReport,
    read_record,
    replay,
    split_record,
    verify_record,
    write_record,
)
from veche.election.rules import (
    REGISTRY,
    CastBallot,
    ElectionState,
    apply_event,
    ballot_tracker,
    judge_event,
)
from veche.election.simulate import EventWriter, Simulation, simulate
from veche.election.spec import CREATE_BODY, ElectionSpec, Trustee, Voter, parse_spec

__all__ = [
    "CREATE_BODY",
    "REGISTRY",
    "CastBallot",
    "ElectionSpec",
    "ElectionState",
    "EventWriter",
    "Outcome",
    "RecordError",
    "Simulation",
    "Trustee",
    "VerificationReport",
    "Voter",
    "apply_event",
    "ballot_tracker",
    "compute_outcome",
    "judge_event",
    "parse_spec",
    "read_record",
    "replay",
    "simulate",
    "split_record",
    "verify_record",
    "write_record",
]
