"""The committees' event kinds: each one's body schema, rule and projection, by subject.

- ``founding``: a committee's ``space.create`` and its decision rules
- ``membership``: invitations, joining, vouching, leaving
- ``keys``: device keys and revocation (and the holds they cause)
- ``posts``: members' posts
- ``comments``: discussion threads on motions, posts and elections
- ``motions``: propose, amend, vote, close; ``motion_targets`` checks what a
  proposal names, ``motion_effects`` does what a passed motion decides
- ``retention``: how long content is kept (``rules.retention_days``)
- ``delegates``: who takes part in a body, seats under a mandate, recalls a close cites

They share ``roster`` and ``invitations`` (per-batch look-ups), ``unverified`` (what
this node could not verify) and ``citations`` (other committees' decisions, checked).
Rules read only the committee's own projected state and the events named in
``deps``; the arithmetic of results is in ``veche.decisions``.
"""

from __future__ import annotations

from veche.apps.committees.rules import (
    comments,
    delegates,
    founding,
    keys,
    membership,
    motion_effects,
    motions,
    posts,
    retention,
)


def register_all() -> None:
    """Register every committee event kind and projection (in the order of the event
    kinds' summary list)."""
    founding.register_all()
    membership.register_all()
    keys.register_all()
    posts.register_all()
    comments.register_all()
    motions.register_all()
    delegates.register_all()
    motion_effects.register_all()
    retention.register_all()
