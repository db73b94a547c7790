"""Closing a motion, before it is signed: whether the viewer's close would be weighed at
all, who has not voted, and the confirmation page's words (the tally it would record and
what the motion's kind changes if it passes). Reads, after ``access_motion_by_event``."""

from __future__ import annotations

from datetime import UTC, datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from veche.apps.committees import access, federation, tally
from veche.apps.committees.models import Committee, Member, Motion, Seat, Vote
from veche.web.confirm import Confirmation, isolated
from veche.web.templatetags.veche import EVENT_TIME, when


def may_close(key: str | None, committee: Committee, motion: Motion) -> bool:
    """Whether the viewer's close would be weighed at all (the rule has the last word):
    an open motion, closed by its proposer, after a deadline, or once the proposer
    is gone. Otherwise the refusal is shown at once, with nothing to confirm."""
    if motion.status != Motion.Status.OPEN:
        return False
    if motion.deadline or access.person_of(key, committee) == motion.proposer:
        return True
    return not (
        Member.objects.filter(
            space=committee.space, person=motion.proposer, status=Member.Status.ACTIVE
        ).exists()
        or Seat.objects.filter(space=committee.space, key=motion.proposer).exists()
    )


def not_voted(committee: Committee, motion: Motion) -> list[str]:
    """Pseudonyms of those entitled to vote whose vote on the current text is missing (a
    vote on an earlier text must be cast again): active members, and the seated
    delegates this node does not know were recalled (a delegate's person is their key)."""
    voted = set(
        Vote.objects.filter(motion=motion.event, version=motion.version).values_list(
            "person", flat=True
        )
    )
    names = dict(
        Member.objects.filter(space=committee.space, status=Member.Status.ACTIVE)
        .order_by("id")
        .values_list("person", "pseudonym")
    )
    seats = list(Seat.objects.filter(space=committee.space).values_list("key", "mandate"))
    if seats:
        recalled = tally.recalled_delegates(sorted({m for _, m in seats}))
        delegates = {k for k, m in seats if (m, k) not in recalled and k not in names}
        known = federation.pseudonyms(delegates)
        names.update({k: known.get(k, k[:10]) for k in delegates})
    return sorted(name for person, name in names.items() if person not in voted)


def confirmation(committee: Committee, motion: Motion) -> Confirmation:
    """What closing a motion now does: the tally it would record, who has not voted, and
    what the motion's kind changes if it passes."""
    result = tally.standing(motion).result
    missing = not_voted(committee, motion)
    deadline = _parse_time(motion.deadline)
    warnings = []
    if deadline is None:
        warnings.append(_("This motion has no deadline: closing it ends the vote now."))
    elif deadline > datetime.now(UTC):
        warnings.append(
            _("The deadline (%(deadline)s) has not passed yet: members may still be voting.")
            % {"deadline": when(motion.deadline)}
        )
    if missing:
        warnings.append(
            ngettext(
                "%(n)d member entitled to vote has not voted yet.",
                "%(n)d members entitled to vote have not voted yet.",
                len(missing),
            )
            % {"n": len(missing)}
        )
    facts = []
    if result.get("method") == "yes_no":
        facts += [
            (_("Yes"), str(result.get("yes", 0))),
            (_("No"), str(result.get("no", 0))),
            (_("Abstain"), str(result.get("abstain", 0))),
        ]
    facts += [
        (
            _("Votes cast"),
            _("%(cast)s of %(electorate)s entitled; quorum %(quorum)s")
            % {
                "cast": result.get("cast", 0),
                "electorate": result.get("electorate", 0),
                "quorum": result.get("quorum", 0),
            },
        ),
        (
            _("Result if closed now"),
            _("the motion passes") if result.get("passed") else _("the motion fails"),
        ),
    ]
    consequences = [
        _("Voting ends: nobody can vote or change their vote any more."),
        _("The result above is signed and recorded; every node checks it against the votes."),
    ]
    consequences.append(
        effect_if_passed(committee, motion)
        if result.get("passed")
        else _("The motion fails: nothing it proposes takes effect.")
    )
    return Confirmation(
        question=_("Close the vote on “%(title)s”?") % {"title": isolated(motion.title)},
        consequences=consequences,
        button=_("Close the vote now"),
        back=reverse("committees:motion", args=[committee.space, motion.event]),
        warnings=warnings,
        facts=facts,
        names_heading=_("Who has not voted"),
        names=missing,
    )


def effect_if_passed(committee: Committee, motion: Motion) -> str:
    """What a passed motion of this kind changes, in words, naming whom it concerns."""
    key = motion.target.get("key", "")
    who = (
        Member.objects.filter(space=committee.space, key=key)
        .values_list("pseudonym", flat=True)
        .first()
        or key[:10]
        or "—"
    )
    effects = {
        "expulsion": _(
            "The motion passes: %(who)s is expelled. They stop being a member: they can no "
            "longer vote, propose or read the committee's new events."
        ),
        "recall": _(
            "The motion passes: %(who)s is recalled as a delegate. Their mandate ends and "
            "their votes in the council no longer count."
        ),
        "revocation": _(
            "The motion passes: the key of %(who)s is revoked. Everything it signed after "
            "its event number %(seq)s is held and counts nowhere."
        ),
        "admission": _("The motion passes: %(who)s becomes a member."),
        "delegate_election": _(
            "The motion passes: the elected become the committee's delegates to its parent body."
        ),
        "rule_change": _("The motion passes: the committee's rules change at once."),
    }
    text = effects.get(motion.kind, _("The motion passes: it becomes a decision of the committee."))
    return str(text) % {"who": isolated(who), "seq": motion.target.get("after_seq", "")}


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, EVENT_TIME).replace(tzinfo=UTC) if value else None
    except ValueError:
        return None
