"""Write a mirror folder incrementally, and verify one (docs/formats/mirror-v1.md §4, §7).

``write_mirror`` takes the events to publish and rewrites only the files whose bytes
change; ``verify_mirror`` needs nothing but the folder: it re-derives every checked file
from the folder's signed events and names each page that does not follow, with why.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from veche.events.envelope import event_id
from veche.publish.facts import (
    AUDIT_FILE,
    ELECTION_RECORD_FILE,
    FUND_REPORT_FILE,
    Facts,
    Folder,
    _committees,
    derive,
    read_events,
)
from veche.publish.render import GENERATOR, linked_events, named_committees, render_site

__all__ = [
    "MirrorProblem",
    "WriteReport",
    "build_files",
    "checked_files",
    "folder_committees",
    "verify_mirror",
    "write_mirror",
]

_ID = r"[A-Za-z0-9_-]{43}"
_CHECKED = re.compile(
    rf"\A(index\.html|feed\.atom|mirror-data\.js|(be|ru|en)/(index|strike)\.html"
    rf"|(be|ru|en)/(c|fund|election|audit)/{_ID}\.html|c/{_ID}\.atom)\Z"
)
_EVENT_FILE = re.compile(rf"\Aevents/({_ID})\.json\Z")
_WEB_STATIC = Path(__file__).resolve().parent.parent / "web" / "static" / "veche"
_OWN_STATIC = Path(__file__).resolve().parent / "static"
# Carried files (not checked): the site's style sheet, the browser check and libsodium.js.
_CARRIED = {
    "veche.css": _WEB_STATIC / "veche.css",
    "mirror.css": _OWN_STATIC / "mirror.css",
    "verify.html": _OWN_STATIC / "verify.html",
    "verify.js": _OWN_STATIC / "verify.js",
    "vendor/libsodium-sumo-0.8.4.js": _WEB_STATIC / "vendor" / "libsodium-sumo-0.8.4.js",
    "vendor/libsodium-wrappers-sumo-0.8.4.js": _WEB_STATIC
    / "vendor"
    / "libsodium-wrappers-sumo-0.8.4.js",
    "vendor/libsodium-LICENSE.txt": _WEB_STATIC / "vendor" / "libsodium-LICENSE.txt",
}


@dataclass(frozen=True)
class MirrorProblem:
    """One failing file of a mirror and why, in words."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def _is_document(relative: str) -> bool:
    """A carried document: a fund report's files, an election's record or a published
    audit's bundle."""
    return bool(
        FUND_REPORT_FILE.match(relative)
        or ELECTION_RECORD_FILE.match(relative)
        or AUDIT_FILE.match(relative)
    )


def _facts(events: Mapping[str, bytes], documents: Mapping[str, bytes]) -> Facts:
    parsed, _bad = read_events(events)
    return derive(Folder(parsed), documents)


def build_files(
    events: Mapping[str, bytes], documents: Mapping[str, bytes] | None = None
) -> dict[str, bytes]:
    """Every checked file a folder with these event files (id -> bytes) and carried
    documents (path -> bytes: fund reports) must hold, and the documents that hold."""
    facts = _facts(events, documents or {})
    return {**render_site(facts), **facts.documents}


def checked_files(root: Path) -> dict[str, Path]:
    """The folder's checked files (relative path -> path), and its event files."""
    found: dict[str, Path] = {}
    if not root.is_dir():
        return found
    for path in root.rglob("*"):
        if path.is_file():
            relative = path.relative_to(root).as_posix()
            if _CHECKED.match(relative) or _EVENT_FILE.match(relative) or _is_document(relative):
                found[relative] = path
    return found


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def write_mirror(
    root: Path, events: Iterable[bytes], documents: Mapping[str, bytes] | None = None
) -> WriteReport:
    """Make ``root`` the mirror of ``events`` (canonical bytes) and the published
    documents (path -> bytes: ``fund/ID/report.json`` and ``.html``), writing only what
    changed."""
    by_id = {event_id(data): data for data in events}
    wanted: dict[str, bytes] = {f"events/{eid}.json": data for eid, data in by_id.items()}
    wanted.update(build_files(by_id, documents))
    for name, source in _CARRIED.items():
        wanted[name] = source.read_bytes()
    report = WriteReport()
    existing = checked_files(root)
    for relative, path in existing.items():
        if relative not in wanted:
            path.unlink()
            report.removed.append(relative)
    for relative, data in sorted(wanted.items()):
        path = root / relative
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        if same:
            report.unchanged += 1
        else:
            _write(path, data)
            report.written.append(relative)
    return report


def _page_problem(
    relative: str, content: bytes, folder: Folder, bad: Mapping[str, str], expected: bytes | None
) -> str | None:
    if GENERATOR.encode() not in content:
        return f"not written by {GENERATOR}: this verifier cannot check it"
    committees = named_committees(content)
    for linked in linked_events(content):
        if linked in bad:
            return bad[linked]
        event = folder.events.get(linked)
        if event is None:
            return f"event {linked} is missing from the folder"
        if event.space_id not in committees:
            return (
                f"event {linked} belongs to another committee ({event.space_id}), "
                "not one this page names"
            )
        problem = folder.problem(event)
        if problem is not None:
            return problem
    if expected is None:
        return "this page does not follow from any of the folder's events"
    if content != expected:
        return "the page differs from what its signed events say" + _first_difference(
            content, expected
        )
    return None


def _first_difference(content: bytes, expected: bytes) -> str:
    for number, (have, want) in enumerate(
        zip(content.splitlines(), expected.splitlines(), strict=False), start=1
    ):
        if have != want:
            return f" (line {number})"
    return ""


def _unknown_files(root: Path, files: Mapping[str, Path]) -> list[str]:
    """Files in the folder that are neither checked, events, documents nor carried
    (a top-level ``.git`` folder aside: web hosts do not serve it)."""
    unknown = []
    for path in root.rglob("*"):
        # A linked folder is not walked into, and a host that follows links serves
        # whatever it leads to (even the git folder's files): it is named itself.
        if path.is_dir() and not path.is_symlink():
            continue
        relative = path.relative_to(root).as_posix()
        if relative in files or relative in _CARRIED or relative.startswith(".git/"):
            continue
        unknown.append(relative)
    return sorted(unknown)


def folder_committees(root: Path) -> list[tuple[str, str]]:
    """(name, space id) of every committee founded in the folder's valid event files, by
    name: what a reader compares with the ids learned from a trusted source."""
    files = {
        matched.group(1): path.read_bytes()
        for relative, path in checked_files(root).items()
        if (matched := _EVENT_FILE.match(relative))
    }
    parsed, _bad = read_events(files)
    found = _committees(Folder(parsed))
    return sorted((c.name, c.space) for c in found.values())


def verify_mirror(root: Path, committees: Collection[str] | None = None) -> list[MirrorProblem]:
    """Every problem of the mirror in ``root`` (empty: every page follows from its events).

    ``committees``: the space ids the reader knows from a trusted source; a committee
    founded in the folder that is not among them is a problem (anyone can found a
    committee of any name and sign its decisions). Raises OSError when the folder cannot
    be read."""
    if not root.is_dir():
        raise FileNotFoundError(f"no such folder: {root}")
    files = checked_files(root)
    event_files: dict[str, bytes] = {}
    documents: dict[str, bytes] = {}
    for relative, path in files.items():
        matched = _EVENT_FILE.match(relative)
        if matched:
            event_files[matched.group(1)] = path.read_bytes()
        elif _is_document(relative):
            documents[relative] = path.read_bytes()
    parsed, bad = read_events(event_files)
    folder = Folder(parsed)
    facts = derive(folder, documents)
    expected = render_site(facts)
    problems: list[MirrorProblem] = []
    for name, why in sorted(bad.items()):
        problems.append(MirrorProblem(f"events/{name}.json", why))
    if committees is not None:
        for space, committee in sorted(facts.committees.items()):
            if space not in committees:
                problems.append(
                    MirrorProblem(
                        f"events/{space}.json",
                        f"committee “{committee.name}” ({space}) is not one you named: "
                        "anyone can found a committee of any name and sign its decisions",
                    )
                )
    for relative, why in sorted(facts.document_problems.items()):
        problems.append(MirrorProblem(relative, why))
    for relative in sorted(files):
        if _EVENT_FILE.match(relative) or relative in facts.document_problems:
            continue
        if _is_document(relative):
            if relative not in facts.documents:
                problems.append(
                    MirrorProblem(relative, "this file does not follow from the folder's events")
                )
            continue
        reason = _page_problem(
            relative, files[relative].read_bytes(), folder, bad, expected.get(relative)
        )
        if reason is not None:
            problems.append(MirrorProblem(relative, reason))
    for relative in sorted(set(expected) - set(files)):
        problems.append(MirrorProblem(relative, "this page is missing from the folder"))
    for relative in _unknown_files(root, files):
        # A page no rule checks would still be served as the mirror's own (§1).
        problems.append(
            MirrorProblem(relative, "this file is not part of a mirror: nothing checks it")
        )
    for relative, source in sorted(_CARRIED.items()):
        # The style sheets and the browser check are this release's: a changed style
        # could hide a fact, a changed check could say "verified" of anything.
        path = root / relative
        if not path.is_file():
            problems.append(MirrorProblem(relative, "this file is missing from the folder"))
        elif path.read_bytes() != source.read_bytes():
            problems.append(
                MirrorProblem(relative, f"this file differs from the one {GENERATOR} carries")
            )
    return problems
