"""The rule of an ``appeal`` motion: to whom it speaks, and words that fit its leaflet
and QR code (``veche.appeals``); checked on the proposal and again on each amendment.
The sentences are ``veche.appeals``' own, listed in apps/store/reasons.py."""

from __future__ import annotations

from typing import Any

from veche.appeals import Problem, problems, text_problem
from veche.apps.store.context import Context
from veche.events import Event, RuleViolation


def check_appeal(ctx: Context, proposal: Event, target: dict[str, Any]) -> None:
    found = problems(proposal.body["title"], proposal.body["text"], target)
    if found:
        raise RuleViolation("appeal", found[0].message, found[0].field)


def check_appeal_amendment(title: str, text: str, target: dict[str, Any]) -> None:
    sentence = text_problem(title, text, target)
    if sentence is not None:
        problem = Problem(sentence, "body.text")
        raise RuleViolation("appeal", problem.message, problem.field)
