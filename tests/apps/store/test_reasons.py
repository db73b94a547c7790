"""Every sentence a rule can give is listed for translation, and translated: a fixed
sentence as it is, a sentence with values by the template that wrote it."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from django.utils import translation
from tests.factories import World, signed_in_client

import veche
from veche.apps.store.log import ingest
from veche.apps.store.reasons import (
    FIXED_MESSAGES,
    PATTERN_MESSAGES,
    explain,
    matching_templates,
    message_text,
)
from veche.events import build_event

ROOT = Path(veche.__file__).parent
# The position of the message among each refusal's positional arguments.
MESSAGE_ARG = {
    "RuleViolation": 1,
    "ChainError": 1,
    "SchemaError": 2,
    "EventError": 2,
    "LedgerError": 2,
}


# Messages a refusal takes from another refusal or error it relays (``error.message``,
# ``exc.reason``, ``str(error)``): that one's own raise site is what the scan checks.
RELAYED_ATTRIBUTES = {"message", "reason"}


def _is_relayed(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in RELAYED_ATTRIBUTES
    return (
        isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "str"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Name)
    )


def _branches(node: ast.expr, assigned: dict[str, list[ast.expr]]) -> list[ast.expr]:
    """What a message expression can be: each side of a conditional, and what a local
    name given as the message was assigned."""
    if isinstance(node, ast.IfExp):
        return _branches(node.body, assigned) + _branches(node.orelse, assigned)
    if isinstance(node, ast.Name) and node.id in assigned:
        return [b for value in assigned[node.id] for b in _branches(value, assigned)]
    return [node]


def _raise_sites() -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Every message given to a refusal in our code: the fixed sentences and the
    templates (``"... %(name)s ..." % {...}``), each with where it is, and the sites
    whose message is neither (an f-string, a concatenation, ...), as file:line."""
    fixed: dict[str, str] = {}
    templates: dict[str, str] = {}
    other: list[str] = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] == "audit" or "migrations" in relative.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned: dict[str, list[ast.expr]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(node.value)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            position = MESSAGE_ARG.get(name)
            if position is None or len(node.args) <= position:
                continue
            where = f"{relative}:{node.lineno}"
            for branch in _branches(node.args[position], assigned):
                if isinstance(branch, ast.Constant) and isinstance(branch.value, str):
                    fixed.setdefault(branch.value, where)
                elif (
                    isinstance(branch, ast.BinOp)
                    and isinstance(branch.op, ast.Mod)
                    and isinstance(branch.left, ast.Constant)
                    and isinstance(branch.left.value, str)
                ):
                    templates.setdefault(branch.left.value, where)
                elif not _is_relayed(branch):
                    other.append(f"{where}: {ast.unparse(branch)[:80]}")
    return fixed, templates, other


def _fixed_sentences() -> dict[str, str]:
    """Every literal message given to a refusal in our code, with where it is."""
    return _raise_sites()[0]


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


def test_every_sentence_with_values_is_built_from_a_listed_template() -> None:
    _fixed, templates, other = _raise_sites()
    assert not other, f"build these from a template listed in PATTERN_MESSAGES: {other}"
    assert len(templates) > 25  # the scan finds the templates
    missing = {s: where for s, where in templates.items() if s not in PATTERN_MESSAGES}
    assert not missing, f"add these to PATTERN_MESSAGES in veche/apps/store/reasons.py: {missing}"
    assert not PATTERN_MESSAGES & FIXED_MESSAGES


@pytest.mark.parametrize("language", ["be", "ru"])
def test_every_template_is_translated_with_its_placeholders(language: str) -> None:
    placeholder = re.compile(r"%\(\w+\)[sdr]")
    with translation.override(language):
        for template in PATTERN_MESSAGES:
            translated = translation.gettext(template)
            assert translated != template, template
            assert sorted(placeholder.findall(translated)) == sorted(
                placeholder.findall(template)
            ), template


def _example(template: str) -> str:
    """The sentence a rule writes from the template, with made-up values."""
    values = {"n": 7, "have": 2, "index": 3, "by": 1, "dealer": 2, "seq": 4, "expected": 8}
    fields = re.findall(r"%\((\w+)\)([sdr])", template)
    return template % {
        name: values.get(name, 5 + len(name) if kind == "d" else f"{name}-value")
        for name, kind in fields
    }


def test_a_sentence_with_values_is_read_by_one_template() -> None:
    # A sentence one template writes may fit a shorter one too; the longer literal text
    # wins. The only such pair today: the envelope names missing and unknown fields.
    allowed = {("missing %(missing)s; unknown %(unknown)s", "missing %(missing)s")}
    for template in PATTERN_MESSAGES:
        example = _example(template)
        found = matching_templates(example)
        assert found and found[0] == template, (example, found)
        assert all((template, other) in allowed for other in found[1:]), (example, found)
        assert example not in FIXED_MESSAGES


@pytest.mark.parametrize(
    ("language", "stored", "shown"),
    [
        (
            "ru",
            "period-overlap|body.period|the period 2020-09 overlaps the published report for 2020-08",
            "период 2020-09 пересекается с опубликованным отчётом за 2020-08",
        ),
        (
            "be",
            "period-overlap|body.period|the period 2020-09 overlaps the published report for 2020-08",
            "перыяд 2020-09 перасякаецца з апублікаванай справаздачай за 2020-08",
        ),
        (
            "ru",
            "threshold|space|1 of the 3 partial decryptions needed",
            "есть 1 из 3 нужных частичных расшифровок",
        ),
        (
            "be",
            "threshold|space|1 of the 3 partial decryptions needed",
            "ёсць 1 з 3 патрэбных частковых расшыфровак",
        ),
        ("ru", "dealer|body.dealing.dealer|you are trustee 3", "вы — хранитель ключа № 3"),
        ("be", "dealer|body.dealing.dealer|you are trustee 3", "вы — захавальнік ключа № 3"),
        (
            "ru",
            "chain-seq|prev|prev: prev has seq 4, expected 8",
            "у предыдущего события номер 4, а нужен 8",
        ),
        (
            "be",
            "chain-seq|prev|prev: prev has seq 4, expected 8",
            "у папярэдняй падзеі нумар 4, а патрэбны 8",
        ),
    ],
)
def test_a_sentence_with_values_is_translated_with_its_values(
    language: str, stored: str, shown: str
) -> None:
    with translation.override(language):
        explained = explain(stored)
    assert explained is not None
    assert explained.message == shown
    assert explained.rule == stored.split("|", maxsplit=1)[0]


def test_an_english_sentence_that_matches_nothing_is_shown_as_written() -> None:
    stored = "period-closed|body.day|the period 2020-08 is closed by a published report"
    with translation.override("ru"):
        assert explain(stored).message == stored.split("|")[2]  # type: ignore[union-attr]
        assert message_text("must be one of") == "must be one of"
        assert message_text("an election is over") == "an election is over"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("be", "павінна быць адным з: motion, post, election"),
        ("ru", "должно быть одним из: motion, post, election"),
        ("en", "must be one of motion, post, election"),
    ],
)
def test_a_refused_events_page_gives_the_sentence_with_its_values(
    language: str, sentence: str
) -> None:
    world = World()
    space = world.committee("Sokol", ("Zubr",))
    odd = build_event(
        world.person("Stranger"),
        space=space,
        seq=1,
        prev=None,
        kind="comment.write",
        body={"subject": "rumour", "on": space, "text": "hi"},
        at="2020-08-11T18:00:00Z",
    )
    assert ingest([odd.raw], source="test").outcomes[0].status == "rejected"
    client = signed_in_client(world.person("Zubr"), "Zubr", language=language)
    page = html.unescape(client.get(f"/events/{odd.id}/").content.decode())
    assert sentence in page, page[page.find("<main") :][:3000]
