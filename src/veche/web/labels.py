"""Codes in the reader's language: the one lookup every app's labels go through.

Events and projections keep codes (``full_strike``, ``delegate_election``, ``bank``);
each app's ``labels`` module holds its tables of lazy translations, and pages show
``label(TABLE, code)``. A code this node does not know (from a newer node) is shown as
it is, or as ``default`` where a page would rather show nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

Labels = Mapping[str, Promise | str]


def label(labels: Labels, code: str, default: str | None = None) -> str:
    """The label of ``code`` in the active language; the code itself (or ``default``) if
    it has none."""
    text = labels.get(code)
    if text is None:
        return code if default is None else default
    return str(text)


def translated(labels: Labels) -> dict[str, str]:
    """A whole table in the active language (for drawings that take plain strings)."""
    return {code: str(text) for code, text in labels.items()}


# Every event kind of the store's registry (``veche.apps.store.kinds.KINDS``), as a
# reader would name it; pages show the label and keep the raw kind in <code>.
EVENT_KIND_LABELS: Labels = {
    "ballot.cast": pgettext_lazy("event kind", "Ballot cast"),
    "comment.amend": pgettext_lazy("event kind", "Comment edited"),
    "comment.mark": pgettext_lazy("event kind", "Comment marked"),
    "comment.withdraw": pgettext_lazy("event kind", "Comment withdrawn"),
    "comment.write": pgettext_lazy("event kind", "Comment written"),
    "delegate.seat": pgettext_lazy("event kind", "Delegate seated"),
    "election.close": pgettext_lazy("event kind", "Election closed"),
    "election.open": pgettext_lazy("event kind", "Election opened"),
    "election.result": pgettext_lazy("event kind", "Election result"),
    "pledge.result": pgettext_lazy("event kind", "Strike pledge result"),
    "pledge.strike": pgettext_lazy("event kind", "Strike call passed by a pledge"),
    "pledge.general": pgettext_lazy("event kind", "General strike call passed by plants' pledges"),
    "pledge.blind": pgettext_lazy("event kind", "Strike pledge blinding round"),
    "pledge.decrypt": pgettext_lazy("event kind", "Strike pledge: decryption of the blinded list"),
    "election.roll": pgettext_lazy("event kind", "Voter roll"),
    "budget.open": pgettext_lazy("event kind", "Participatory budget opened"),
    "budget.propose": pgettext_lazy("event kind", "Project proposed for a budget"),
    "budget.vote": pgettext_lazy("event kind", "Budget vote"),
    "budget.result": pgettext_lazy("event kind", "Participatory budget decided"),
    "fund.approve": pgettext_lazy("event kind", "Payout approved"),
    "fund.create": pgettext_lazy("event kind", "Fund created"),
    "fund.entry": pgettext_lazy("event kind", "Fund entry"),
    "fund.payout": pgettext_lazy("event kind", "Payout proposed"),
    "fund.report": pgettext_lazy("event kind", "Fund report"),
    "key.revoke": pgettext_lazy("event kind", "Key revoked"),
    "member.device": pgettext_lazy("event kind", "Device added"),
    "member.invite": pgettext_lazy("event kind", "Invitation"),
    "member.join": pgettext_lazy("event kind", "Member joined"),
    "member.leave": pgettext_lazy("event kind", "Member left"),
    "member.vouch": pgettext_lazy("event kind", "Member vouched for"),
    "motion.amend": pgettext_lazy("event kind", "Motion amended"),
    "motion.close": pgettext_lazy("event kind", "Motion closed"),
    "motion.propose": pgettext_lazy("event kind", "Motion proposed"),
    "motion.vote": pgettext_lazy("event kind", "Vote on a motion"),
    "space.create": pgettext_lazy("event kind", "Space created"),
    "space.post": pgettext_lazy("event kind", "Post"),
    "strike.ballot": pgettext_lazy("event kind", "Strike ballot opened"),
    "strike.ballot_result": pgettext_lazy("event kind", "Strike ballot result applied"),
    "strike.status": pgettext_lazy("event kind", "Strike status"),
    "trustee.complain": pgettext_lazy("event kind", "Trustee's complaint"),
    "trustee.deal": pgettext_lazy("event kind", "Trustee's key shares"),
    "trustee.decrypt": pgettext_lazy("event kind", "Trustee's decryption"),
    "workplace.register": pgettext_lazy("event kind", "Workplace registered"),
    "workplace.update": pgettext_lazy("event kind", "Workplace updated"),
}
