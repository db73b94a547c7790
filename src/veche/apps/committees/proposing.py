"""What a committee may propose now, and what each kind's pickers offer: members and
candidates by pseudonym, delegates, councils, decisions and letters by title. Reads for
the propose form, after ``access_committee_by_space`` let the viewer in."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from veche.apps.committees import access, federation
from veche.apps.committees.forms import KIND_FIELDS, pair
from veche.apps.committees.models import Committee, Mandate, Member, Motion
from veche.apps.store.models import EquivocationRecord, StoredEvent
from veche.events.envelope import format_time
from veche.web.templatetags.veche import when


def kinds(committee: Committee) -> list[str]:
    """The motion kinds that make sense in this committee now (a delegate election needs
    a parent body; accepting committees, a council...)."""
    council = committee.kind == "council"
    parent = bool(committee.parent)
    shown = {
        "delegate_election": parent,
        "ratification": parent,
        "federation_join": not parent,
        "federation_accept": council,
        "recall": Mandate.objects.filter(space=committee.space, recalled_by="").exists(),
        "equivocation": EquivocationRecord.objects.filter(space=committee.space).exists(),
        "admission": Member.objects.filter(
            space=committee.space, status=Member.Status.CANDIDATE
        ).exists(),
    }
    return [kind for kind in KIND_FIELDS if shown.get(kind, True)]


def pickers(committee: Committee, kind: str) -> dict[str, list[tuple[str, str]]]:
    """The choices of a kind's pickers: what its proposal may name, by name or title."""
    space = committee.space
    if kind in ("delegate_election", "expulsion", "revocation"):
        active = list(
            Member.objects.filter(space=space, status=Member.Status.ACTIVE)
            .order_by("pseudonym")
            .values_list("key", "pseudonym")[:500]
        )
        return {"candidates" if kind == "delegate_election" else "member": active}
    if kind == "admission":
        return {
            "candidate": list(
                Member.objects.filter(space=space, status=Member.Status.CANDIDATE)
                .order_by("pseudonym")
                .values_list("key", "pseudonym")[:500]
            )
        }
    if kind == "recall":
        mandates = federation.with_pseudonyms(
            list(Mandate.objects.filter(space=space, recalled_by="").order_by("-at")[:50])
        )
        return {
            "delegate": [
                (pair(m.event, m.key), f"{m.pseudonym} · {when(m.at)}")  # type: ignore[attr-defined]
                for m in mandates
            ]
        }
    if kind == "ratification":
        decisions = Motion.objects.filter(space=committee.parent, status=Motion.Status.PASSED)
        return {
            "decision": [
                (m.close_event, f"{m.title} · {when(m.closed_at)}")
                for m in decisions.order_by("-closed_at")[:100]
            ]
        }
    if kind == "endorsement":
        letters = list(
            Motion.objects.filter(kind="demands", status=Motion.Status.PASSED)
            .exclude(space=space)
            .order_by("-closed_at")[:100]
        )
        names = access.committee_names({m.space for m in letters})
        return {
            "letter": [(m.close_event, f"{m.title} · {names.get(m.space, '')}") for m in letters]
        }
    if kind == "federation_join":
        councils = Committee.objects.filter(kind="council").exclude(space=space).order_by("name")
        return {"council": [(c.space, c.name) for c in councils[:200]]}
    if kind == "federation_accept":
        asked = Motion.objects.filter(
            kind="federation_join", status=Motion.Status.PASSED, target__parent=space
        ).order_by("-closed_at")[:100]
        names = access.committee_names({m.space for m in asked})
        return {
            "join": [
                (
                    pair(m.close_event, m.space),
                    f"{names.get(m.space, m.space[:10])} · {when(m.closed_at)}",
                )
                for m in asked
            ]
        }
    if kind == "equivocation":
        records = list(
            EquivocationRecord.objects.filter(space=space).order_by("author", "seq")[:20]
        )
        who = dict(
            Member.objects.filter(space=space, key__in={r.author for r in records}).values_list(
                "key", "pseudonym"
            )
        )
        return {
            "branch": [
                (
                    pair(r.author, event),
                    _("%(who)s: the history with event %(event)s")
                    % {"who": who.get(r.author, r.author[:10]), "event": event[:10]},
                )
                for r in records
                for event in (r.first, r.second)
            ]
        }
    return {}


def last_seq_before(space: str, key: str, moment: datetime) -> int:
    """The key's last event in the space signed before ``moment`` (0 if none): a
    revocation holds what it signed after that one."""
    last = (
        StoredEvent.objects.filter(space=space, author=key, at__lt=format_time(moment))
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return int(last or 0)


def space_of(event: str) -> str:
    """The space of a picked decision or letter (its close event), "" if not held."""
    return StoredEvent.objects.filter(id=event).values_list("space", flat=True).first() or ""
