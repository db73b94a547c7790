"""Secret strike pledges (format pledge-v1), pure Python, no Django.

"I strike from DATE if at least N workers (or P % of the workforce) do": each
member's 0/1 is a v1 ballot of a one-question election, sealed on the member's
device under the trustees' threshold key; only the encrypted total is
decrypted. ``spec`` parses the pledge's ``space.create``; ``rules`` judges its
events with the election rules; ``record`` verifies an exported record with no
database; ``simulate`` plays a whole pledge with real keys.
"""

from veche.pledge.record import PledgeReport, verified_state, verify_record
from veche.pledge.rules import KINDS, REGISTRY, PledgeState, apply_event, judge_event
from veche.pledge.spec import CREATE_BODY, PledgeSpec, parse_pledge

__all__ = [
    "CREATE_BODY",
    "KINDS",
    "REGISTRY",
    "PledgeReport",
    "PledgeSpec",
    "PledgeState",
    "apply_event",
    "judge_event",
    "parse_pledge",
    "verified_state",
    "verify_record",
]
