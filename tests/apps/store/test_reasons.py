"""Every fixed sentence a rule can give is listed for translation, and translated."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

import veche
from veche.apps.store.reasons import FIXED_MESSAGES, message_text

ROOT = Path(veche.__file__).parent
# The position of the message among each refusal's positional arguments.
MESSAGE_ARG = {
    "RuleViolation": 1,
    "ChainError": 1,
    "SchemaError": 2,
    "EventError": 2,
    "LedgerError": 2,
}


def _fixed_sentences() -> dict[str, str]:
    """Every literal message given to a refusal in our code, with where it is."""
    found: dict[str, str] = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] == "audit" or "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            position = MESSAGE_ARG.get(name)
            if position is None or len(node.args) <= position:
                continue
            arg = node.args[position]
            branches = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
            for branch in branches:
                if isinstance(branch, ast.Constant) and isinstance(branch.value, str):
                    found.setdefault(branch.value, f"{relative}:{node.lineno}")
    return found


def test_every_fixed_sentence_of_a_rule_is_listed_for_translation() -> None:
    sentences = _fixed_sentences()
    assert len(sentences) > 100  # the scan finds the rules
    missing = {s: where for s, where in sentences.items() if s not in FIXED_MESSAGES}
    assert not missing, f"add these to veche/apps/store/reasons.py: {missing}"


@pytest.mark.parametrize("language", ["be", "ru"])
def test_every_listed_sentence_is_translated(language: str) -> None:
    with translation.override(language):
        untranslated = [m for m in FIXED_MESSAGES if message_text(m) == m]
    assert not untranslated


def test_other_text_is_shown_as_written() -> None:
    with translation.override("ru"):
        assert message_text("Open") == "Open"  # a msgid, but not a rule's sentence
        assert message_text("the period 2020-08 is closed") == "the period 2020-08 is closed"
