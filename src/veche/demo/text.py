"""The demo's words: what its people wrote, in Belarusian, Russian and English.

Code says what happens in the demo; ``data/text.{be,ru,en}.toml`` say what people
wrote while it happened (committee names, motions, posts, comments, demands, plants as
their committees registered them, election questions, fund labels). The three files
have the same keys, the same list lengths and the same ``{placeholders}``;
:func:`catalogs` checks that before the demo uses any of them.

By default (``veche demo``, ``--lang mixed``) each committee writes in the language its
people would have used in August 2020. Most workplaces and every city and regional
council, Minsk's included, wrote in Russian, the language of the shop floor and of
the Kozlova workers' own demands; the Belarusian-speaking ones are the national
council (the Coordination Council and the National Strike Committee wrote in
Belarusian), the BSU students' committee and the Uruchye neighbourhood committee in
Minsk. The constituent-assembly election is the national council's, so it is in
Belarusian too. ``--lang be|ru|en`` makes everyone write in one language. A committee
writes other committees' names in its own language (a Russian-speaking plant joins
"Национальный координационный совет стачкомов", whatever that council calls
itself). Pseudonyms stay in Latin letters in every language: people type them to
sign in.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES: tuple[str, ...] = ("be", "ru", "en")
MIXED = "mixed"
MODES: tuple[str, ...] = (MIXED, *LANGUAGES)

#: In the mixed demo: the committees that write in Belarusian (everyone else: Russian).
BELARUSIAN: frozenset[str] = frozenset({"national", "bsu-students", "uruchye"})
#: Whose language the constituent-assembly election, not a committee's, is written in.
ASSEMBLY = "national"

_FOLDER = Path(__file__).parent / "data"


class DemoTextError(ValueError):
    """The text files disagree: a key, a list's length or a placeholder differs."""


def _flatten(value: Any, path: str, into: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _flatten(inner, f"{path}.{key}" if path else key, into)
    elif isinstance(value, list):
        into[f"{path}[]"] = len(value)
        for index, inner in enumerate(value):
            _flatten(inner, f"{path}[{index}]", into)
    else:
        into[path] = value


def _fields(text: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def check(tables: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise :class:`DemoTextError` unless every language has the same keys, every list
    the same length and every string the same placeholders as the first language."""
    shapes: dict[str, dict[str, Any]] = {}
    for language, table in tables.items():
        flat: dict[str, Any] = {}
        _flatten(table, "", flat)
        shapes[language] = flat
    first, *others = shapes
    problems = []
    for language in others:
        missing = sorted(shapes[first].keys() - shapes[language].keys())
        extra = sorted(shapes[language].keys() - shapes[first].keys())
        if missing:
            problems.append(f"text.{language}.toml lacks {', '.join(missing)}")
        if extra:
            problems.append(f"text.{language}.toml has extra {', '.join(extra)}")
        for key in sorted(shapes[first].keys() & shapes[language].keys()):
            ours, theirs = shapes[first][key], shapes[language][key]
            if key.endswith("[]") and ours != theirs:
                problems.append(f"{key[:-2]}: {ours} items in {first}, {theirs} in {language}")
            elif isinstance(ours, str) and isinstance(theirs, str):
                if _fields(ours) != _fields(theirs):
                    problems.append(f"{key}: placeholders differ between {first} and {language}")
            elif type(ours) is not type(theirs):
                problems.append(f"{key}: not the same kind of value in {first} and {language}")
    if problems:
        raise DemoTextError("; ".join(problems))


def read(language: str) -> dict[str, Any]:
    with (_FOLDER / f"text.{language}.toml").open("rb") as file:
        return tomllib.load(file)


@cache
def catalogs() -> dict[str, dict[str, Any]]:
    """Every language's text, checked to agree (see :func:`check`)."""
    tables = {language: read(language) for language in LANGUAGES}
    check(tables)
    return tables


class DemoText:
    """The demo's words in one mode: ``mixed`` (each committee its own language) or one
    of ``be``, ``ru``, ``en`` for everyone."""

    def __init__(self, mode: str = MIXED) -> None:
        if mode not in MODES:
            raise ValueError(f"demo language must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode

    def language(self, committee: str) -> str:
        """The language ``committee`` (a demo committee's key) writes in."""
        if self.mode != MIXED:
            return self.mode
        return "be" if committee in BELARUSIAN else "ru"

    def table(self, committee: str) -> dict[str, Any]:
        return catalogs()[self.language(committee)]

    def say(self, committee: str, key: str, **params: object) -> str:
        """The text ``key`` (dotted, e.g. ``motion.strike_call.title``) as ``committee``
        writes it, with ``params`` filled in."""
        value: Any = self.table(committee)
        for part in key.split("."):
            value = value[part]
        if not isinstance(value, str):
            raise DemoTextError(f"{key} is not a text")
        return value.format(**params) if params else value

    def words(self, committee: str, key: str) -> list[str]:
        """A list of texts (e.g. an election's options) as ``committee`` writes it."""
        value: Any = self.table(committee)
        for part in key.split("."):
            value = value[part]
        return [str(item) for item in value]

    def name(self, committee: str, *, writer: str | None = None, form: str = "name") -> str:
        """``committee``'s name as ``writer`` (its own members by default) writes it;
        ``form="into"`` is the form after "into" (Russian в, Belarusian у, English "the")."""
        return str(self.table(writer or committee)["committee"][committee][form])

    def plant(self, key: str) -> dict[str, Any]:
        """A workplace's name, city, sector and timeline notes, as its committee wrote them."""
        return dict(self.table(key)["plant"][key])


def committee_names(mode: str = MIXED) -> dict[str, str]:
    """Every demo committee's key and name as it calls itself in ``mode``."""
    text = DemoText(mode)
    return {key: text.name(key) for key in catalogs()["en"]["committee"]}


def names_everywhere(committee: str) -> list[str]:
    """``committee``'s name in every language: to find it whatever mode made the demo."""
    return [str(catalogs()[language]["committee"][committee]["name"]) for language in LANGUAGES]


def text_of(demo: object) -> DemoText:
    """The words of a demo object (``veche.demo.load.Demo``): its ``text`` if it has one,
    else the default mode (a test's stand-in demo)."""
    text = getattr(demo, "text", None)
    return text if isinstance(text, DemoText) else DemoText()
