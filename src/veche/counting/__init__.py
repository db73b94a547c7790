"""Pure counting rules for motions and elections, with no Django import.

Each module is one family of methods and works on plain values:
``stv`` (Scottish single transferable vote) over ``ballots.RankedBallots``
read from ``blt`` files, ``schulze`` for ranked motions, ``simple`` for
plurality, approval and yes/no/abstain votes, and ``seats`` for party-list
proportional representation. Every function is deterministic: the same input
gives the same result on every node, ties included.
"""
