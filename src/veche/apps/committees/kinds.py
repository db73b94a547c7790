"""Names of the committee membership rules that other code imports from here.

The rules live in ``veche.apps.committees.rules`` by subject; this module keeps
the names the fund and strike apps, the tests and the benchmarks import.
"""

from veche.apps.committees.rules.founding import DEFAULT_RULES
from veche.apps.committees.rules.invitations import invitation_hash
from veche.apps.committees.rules.roster import member_status, require_member

__all__ = ["DEFAULT_RULES", "invitation_hash", "member_status", "require_member"]
