"""No English on Belarusian and Russian pages, outside people's own words.

Three checks, on every GET page of the demo (``tests/web/pages.py``) and on the error
pages, in be and in ru:

- every catalog entry (django.po, djangojs.po) of be and ru has its translation, and
  none is left marked fuzzy;
- no raw event kind (``motion.close``) or audit report key (``proven_falsified_stations``)
  in the text a reader sees (``<code>``, ``<kbd>`` and attributes may keep them);
- no English UI text: no msgid of the catalog (its parts of 12 characters or more
  between placeholders) appears verbatim in the page's text or its readable
  attributes (placeholder, title, aria-label, alt).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults
from tests.demo_snapshot import load_demo_cached

import veche
from veche.audit.report_words import KEYS, REASONS
from veche.demo.load import DEMO_PASSPHRASE

try:  # the shared list of every GET page, if it exists yet
    from tests.web.pages import demo_pages as _pages
except ImportError:  # pragma: no cover - before tests/web/pages.py
    from tests.web.test_query_counts import _pages  # type: ignore[attr-defined,no-redef]

LOCALE = Path(veche.__file__).parent / "locale"
LANGUAGES = ("be", "ru")
DOMAINS = ("django", "djangojs")


@dataclass
class Entry:
    msgid: str = ""
    plural: str = ""
    context: str = ""
    strings: list[str] = field(default_factory=list)
    fuzzy: bool = False
    line: int = 0


def _unquote(text: str) -> str:
    body = text.strip()
    assert body.startswith('"') and body.endswith('"'), body
    return body[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (no header, no obsolete ``#~`` entries), parsed plainly:
    a flags line, msgctxt, msgid, msgid_plural, msgstr and msgstr[n], with the quoted
    lines that continue them."""
    entries: list[Entry] = []
    entry = Entry()
    target: str | None = None

    def finish() -> None:
        nonlocal entry
        if entry.msgid or entry.strings:
            entries.append(entry)
        entry = Entry()

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
                target = None
            continue
        if line.startswith("#,"):
            if entry.msgid or entry.strings:
                finish()
            entry.fuzzy = "fuzzy" in line
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}"
            value = _unquote(line)
            if target == "msgid":
                entry.msgid += value
            elif target == "msgid_plural":
                entry.plural += value
            elif target == "msgctxt":
                entry.context += value
            else:
                entry.strings[-1] += value
            continue
        if keyword == "msgctxt":
            if entry.msgid or entry.strings:
                finish()
            entry.context, target = _unquote(rest), "msgctxt"
        elif keyword == "msgid":
            if entry.strings:
                finish()
            entry.msgid, entry.line, target = _unquote(rest), number, "msgid"
        elif keyword == "msgid_plural":
            entry.plural, target = _unquote(rest), "msgid_plural"
        elif keyword.startswith("msgstr"):
            entry.strings.append(_unquote(rest))
            target = "msgstr"
    finish()
    return [e for e in entries if e.msgid]  # the header has an empty msgid


def _catalog(language: str, domain: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_entry_is_translated(language: str, domain: str) -> None:
    path = _catalog(language, domain)
    entries = read_po(path)
    assert entries, path
    untranslated = [
        f"{path.name}:{e.line} {e.msgid[:70]!r}"
        for e in entries
        if not e.strings or any(not s for s in e.strings)
    ]
    fuzzy = [f"{path.name}:{e.line} {e.msgid[:70]!r}" for e in entries if e.fuzzy]
    assert not untranslated, f"{len(untranslated)} untranslated:\n" + "\n".join(untranslated)
    assert not fuzzy, f"{len(fuzzy)} fuzzy:\n" + "\n".join(fuzzy)


def test_the_parser_reads_plurals_contexts_and_flags(tmp_path: Path) -> None:
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy, python-format\nmsgctxt "outcome"\nmsgid "held"\nmsgstr "затрымана"\n\n'
        'msgid "%(n)d part"\nmsgid_plural "%(n)d parts"\nmsgstr[0] "%(n)d частка"\n'
        'msgstr[1] ""\n\nmsgid ""\n"a long "\n"one"\nmsgstr ""\n"доўгі"\n',
        encoding="utf-8",
    )
    held, part, long = read_po(po)
    assert (held.context, held.msgid, held.strings, held.fuzzy) == (
        "outcome",
        "held",
        ["затрымана"],
        True,
    )
    assert (part.plural, part.strings, part.fuzzy) == ("%(n)d parts", ["%(n)d частка", ""], False)
    assert (long.msgid, long.strings) == ("a long one", ["доўгі"])


# -- the pages ---------------------------------------------------------------------------

_HIDDEN = re.compile(r"(?is)<(script|style|code|kbd|pre|textarea)\b.*?</\1\s*>|<!--.*?-->")
_READABLE_ATTRIBUTES = re.compile(r'(?i)\b(?:placeholder|title|aria-label|alt)="([^"]*)"')
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]*>")


def page_text(page: str) -> str:
    """What a reader sees: text outside tags, <code>, <kbd>, <pre> and scripts."""
    return html.unescape(re.sub(r"(?s)<[^>]+>", "\n", _HIDDEN.sub(" ", page)))


def readable_attributes(page: str) -> str:
    return "\n".join(html.unescape(v) for v in _READABLE_ATTRIBUTES.findall(_HIDDEN.sub(" ", page)))


def english_phrases() -> set[str]:
    """Parts of the catalog's msgids (between placeholders) of 12 characters or more,
    with letters, whose translation differs from them: UI text in English."""
    phrases: set[str] = set()
    for language in LANGUAGES:
        for domain in DOMAINS:
            for entry in read_po(_catalog(language, domain)):
                for source in filter(None, (entry.msgid, entry.plural)):
                    if source in entry.strings:
                        continue  # the same in every language (a name, a format)
                    for piece in _PLACEHOLDER.split(source):
                        part = piece.strip(" .,:;()«»\"'—-\n")
                        if len(part) >= 12 and re.search(r"[A-Za-z]{3}", part):
                            phrases.add(part)
    return phrases


def event_kinds() -> list[str]:
    from veche.apps.store.kinds import KINDS

    return sorted(kind.name for kind in KINDS)


def raw_codes(text: str) -> list[str]:
    """Event kinds and audit report keys found as words in ``text``."""
    found = [
        kind for kind in event_kinds() if re.search(rf"(?<![\w.]){re.escape(kind)}(?![\w.])", text)
    ]
    found += [key for key in [*KEYS, *REASONS] if "_" in key and re.search(rf"\b{key}\b", text)]
    return found


def leaks(page: str, phrases: set[str]) -> list[str]:
    text = page_text(page)
    problems = [f"raw code {code!r}" for code in raw_codes(text)]
    readable = text + "\n" + readable_attributes(page)
    problems += [f"English {phrase!r}" for phrase in sorted(phrases) if phrase in readable]
    return problems


def test_the_checks_see_leaks() -> None:
    """The checks find what they look for, and leave <code> and attributes alone."""
    phrases = {"Signature and id verified"}
    page = (
        '<p title="motion.close">Выкананы <code>motion.close</code></p>'
        "<p>Signature and id verified on this page load.</p><p>motion.close</p>"
        '<input placeholder="Signature and id verified"><td>proven_falsified_stations</td>'
    )
    assert leaks(page, phrases) == [
        "raw code 'motion.close'",
        "raw code 'proven_falsified_stations'",
        "English 'Signature and id verified'",
    ]
    assert leaks('<p>Подпіс <code>motion.close</code></p><p title="x.y">ok</p>', phrases) == []


def _client(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    signed_in = client.post(
        "/accounts/sign-in/", {"pseudonym": "Sokol", "passphrase": DEMO_PASSPHRASE}
    )
    assert signed_in.status_code == 302
    return client


def _body(response: object) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8", "replace")  # type: ignore[attr-defined]
    return response.content.decode("utf-8", "replace")  # type: ignore[attr-defined]


@pytest.mark.slow
@pytest.mark.django_db
def test_every_page_in_belarusian_and_russian_has_no_english_ui_text() -> None:
    from veche.apps.audit.models import AuditRun

    load_demo_cached()
    phrases = english_phrases()
    problems: list[str] = []
    for language in LANGUAGES:
        client = _client(language)
        for name, url_of in _pages().items():
            url = url_of()
            response = client.get(url)
            if response.status_code != 200:
                problems.append(f"{language} {name} {url}: status {response.status_code}")
                continue
            if not response.get("Content-Type", "").startswith("text/html"):
                continue  # report.json, election.json, the record: data, not words
            if name == "audit-report" and AuditRun.objects.get().language != language:
                continue  # a file made once, in the language chosen when it was made
            problems += [f"{language} {name} {url}: {p}" for p in leaks(_body(response), phrases)]
        missing = client.get("/no-such-page/")
        assert missing.status_code == 404
        problems += [f"{language} 404: {p}" for p in leaks(_body(missing), phrases)]
    assert not problems, f"{len(problems)} leaks:\n" + "\n".join(problems)


# -- the error pages ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "not_found", "forbidden", "failed"),
    [
        ("be", "Старонка не знойдзена", "Няма доступу", "Нешта пайшло не так"),
        ("ru", "Страница не найдена", "Нет доступа", "Что-то пошло не так"),
    ],
)
def test_error_pages_are_in_the_site_layout_and_language(
    language: str, not_found: str, forbidden: str, failed: str
) -> None:
    from tests.factories import World, signed_in_client

    assert not settings.DEBUG
    client = signed_in_client(World().person("Zubr"), "Zubr", language=language)
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    text = page.content.decode()
    assert f"<h1>{not_found}</h1>" in text
    assert 'class="brand"' in text and 'href="/committees/"' in text  # the site's navigation
    assert f'<html lang="{language}">' in text
    # The peers page is for the node's operators: the site's 403 page says so.
    peers = client.get("/sync/")
    assert peers.status_code == 403
    with translation.override(language):
        reason = html.escape(_("Only this node's operators manage its peers."))
    assert f"<h1>{forbidden}</h1>" in peers.content.decode()
    assert f"<p>{reason}</p>" in peers.content.decode() and 'class="brand"' in text
    # A PermissionDenied (a fund's treasurers-only step, say) in the site's layout, with
    # its reason; a server error renders without the database or the context processors.
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with translation.override(language):
        why = _("Only the fund's treasurers may do this.")
        denied = defaults.permission_denied(request, PermissionDenied(why))
        failure = defaults.server_error(RequestFactory().get("/"))
    assert denied.status_code == 403
    assert f"<h1>{forbidden}</h1>" in denied.content.decode()
    assert f"<p>{html.escape(why)}</p>" in denied.content.decode()
    assert 'class="brand"' in denied.content.decode()
    assert failure.status_code == 500 and f"<h1>{failed}</h1>" in failure.content.decode()
    assert f'<html lang="{language}">' in failure.content.decode()
    for response in (page, peers, denied, failure):
        assert not leaks(response.content.decode(), english_phrases())


@pytest.mark.django_db
def test_an_election_file_is_refused_in_the_readers_language() -> None:
    """A trustee's file with an event of the wrong kind: the event kind's label, the
    sentence in Russian, no raw kind."""
    from tests.factories import World

    from veche.apps.elections.actions import ElectionActionError, ingest_file
    from veche.events import build_event

    world = World()
    post = build_event(
        world.person("Zubr"),
        space="A" * 43,
        seq=1,
        prev=None,
        kind="space.post",
        body={"text": "привет"},
        at="2020-08-11T18:00:00Z",
    )
    with translation.override("ru"), pytest.raises(ElectionActionError) as refused:
        ingest_file(post.space_id, post.raw + b"\n", source="test")
    assert refused.value.message == "строка 1: события «Сообщение» здесь не принимаются"
    with translation.override("ru"), pytest.raises(ElectionActionError) as empty:
        ingest_file(post.space_id, b"\n", source="test")
    assert empty.value.message == "в файле нет ни одного события"
