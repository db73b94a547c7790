"""Names of the motion rules and arithmetic that other code imports from here.

The rules live in ``veche.apps.committees.rules`` (``motions``, ``motion_targets``,
``motion_effects``, ``delegates``) and the arithmetic in ``veche.decisions``; this
module keeps the names the tests import.
"""

from veche.apps.committees.rules.motions import counted_votes
from veche.decisions import compute_result

__all__ = ["compute_result", "counted_votes"]
