"""Election codes in the reader's language: the stage of an election, how a seat tie was
broken. The events and the projections keep the codes; pages show these labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from veche.web.labels import label

# Election.stage (veche.election.rules.STAGES; "none" never reaches a page).
STAGE_LABELS = {
    "created": _("key ceremony"),
    "open": _("open for voting"),
    "closed": _("closed, being decrypted"),
    "decided": _("decided"),
}
# veche.counting.seats.SeatTie.rule
TIE_RULES = {
    "more votes": _("Seat %(seat)s was a tie, won by the party with more votes."),
    "lot": _("Seat %(seat)s was a tie, broken by lot."),
}


def stage_label(stage: str) -> str:
    return label(STAGE_LABELS, stage)


def tie_text(seat: int, rule: str) -> str:
    sentence = TIE_RULES.get(rule)
    return f"{seat}: {rule}" if sentence is None else str(sentence) % {"seat": seat}
