"""Committee, motion and count codes in the reader's language.

The events and the projections keep the codes (``workplace``, ``city``,
``delegate_election``...); pages show these labels. A code this node does not
know (from a newer node) is shown as it is (``veche.web.labels.label``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

KIND_LABELS = {
    "workplace": _("Workplace"),
    "college": _("College"),
    "neighbourhood": _("Neighbourhood"),
    "council": _("Council of delegates"),
}
# Adjectives qualifying a committee: "City" here is not the town a workplace is in.
LEVEL_LABELS = {
    "local": pgettext_lazy("committee level", "Local"),
    "city": pgettext_lazy("committee level", "City"),
    "regional": pgettext_lazy("committee level", "Regional"),
    "national": pgettext_lazy("committee level", "National"),
}
MOTION_LABELS = {
    "general": _("General motion"),
    "demands": _("Demands letter"),
    "strike_call": _("Strike call"),
    "delegate_election": _("Delegate election"),
    "recall": _("Recall of a delegate"),
    "ratification": _("Ratification of a parent body's decision"),
    "rule_change": _("Change of rules"),
    "admission": _("Admission of a candidate"),
    "expulsion": _("Expulsion"),
    "revocation": _("Revocation of a seized key"),
    "federation_join": _("Join a parent body"),
    "federation_accept": _("Accept a committee into this body"),
    "endorsement": _("Endorsement of another committee's decision"),
    "election": _("Call of a secret-ballot election"),
    "equivocation": _("Accept one history of a member who signed two"),
    "appeal": _("Appeal to people outside the committee"),
}
# To whom an appeal speaks (veche.appeals.AUDIENCES): its leaflet's heading.
AUDIENCE_LABELS = {
    "police_army": _("To police officers and army conscripts"),
    "workers": _("To the workers of a plant not yet on strike"),
    "public": _("To the public"),
}
METHOD_LABELS = {
    "yes_no": _("Yes / no / abstain"),
    "approval": _("Approval (choose any number of options)"),
    "ranked": _("Ranked options (Schulze)"),
    "stv": _("Single transferable vote (several seats)"),
}
# What one stage of an STV count did (veche.counting.stv.Stage.action), and to whom.
STV_ACTION_LABELS = {
    "first": pgettext_lazy("STV stage", "first preferences"),
    "surplus": pgettext_lazy("STV stage", "surplus of %(candidate)s transferred"),
    "exclusion": pgettext_lazy("STV stage", "%(candidate)s excluded"),
}


def stv_action(action: str, candidate: str) -> str:
    """One stage of an STV count, as the motion page describes it."""
    text = STV_ACTION_LABELS.get(action)
    if text is None:
        return action
    return str(text) % {"candidate": candidate}
