"""Read and write BLT ballot files, the format OpenSTV, eSTV and others use.

A BLT file is: a line "CANDIDATES SEATS"; optionally one or more lines of
withdrawn candidates as negative numbers ("-2 -5"); one line per ballot,
"WEIGHT PREF PREF ... 0" (candidates numbered from 1, most preferred first),
optionally prefixed by a ballot id in parentheses, "(17) 1 3 2 0"; a line
"0" that ends the ballots; one line per candidate name, in double quotes or
bare; and a title line. Blank lines and "#" comments are ignored outside
quoted names. A "-" in a ballot marks a skipped rank: the rules count only
preferences "in consecutive order", so preferences after it are ignored.
Equal rankings ("2=3") are not part of STV and are rejected.

The reader is built for files of millions of lines: identical ballot lines
are counted with one dictionary lookup each and parsed once, so the cost is
in the distinct ballots, not the paper count. Every malformed line is
reported with its line number.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from veche.counting.ballots import RankedBallots

__all__ = ["BltElection", "BltError", "parse_blt", "read_blt", "write_blt"]


class BltError(ValueError):
    """A malformed BLT file; ``line`` is the 1-based line number, if known."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(frozen=True, slots=True)
class BltElection:
    """The contents of a BLT file: the ballots and the number of seats."""

    ballots: RankedBallots
    seats: int

    @property
    def candidates(self) -> tuple[str, ...]:
        return self.ballots.candidates

    @property
    def title(self) -> str:
        return self.ballots.title


def _strip_comment(text: str) -> str:
    hash_at = text.find("#")
    return (text if hash_at < 0 else text[:hash_at]).strip()


def _int(token: str, line: int, what: str) -> int:
    # int() would accept "1_000", "+3" and "٣"; a BLT file has ASCII digits only.
    body = token[1:] if token.startswith("-") else token
    if not body.isascii() or not body.isdigit():
        raise BltError(line, f"{what} must be a whole number, found {token!r}")
    return int(token)


def _parse_ballot(text: str, line: int, n_candidates: int) -> tuple[int, tuple[int, ...]] | None:
    """Parse one ballot line; ``None`` means it is the "0" end-of-ballots line."""
    body = _strip_comment(text)
    if body.startswith("("):
        close = body.find(")")
        if close < 0:
            raise BltError(line, "ballot id opened with '(' but never closed with ')'")
        body = body[close + 1 :].strip()
        if not body:
            raise BltError(line, "ballot id is not followed by a ballot")
    tokens = body.split()
    if tokens == ["0"]:
        return None
    if len(tokens) < 2:
        raise BltError(
            line,
            "a ballot line is 'WEIGHT PREFERENCES... 0' (or '0' alone to end the "
            f"ballots), found {text.strip()!r}",
        )
    weight = _int(tokens[0], line, "the ballot weight")
    if weight < 1:
        raise BltError(line, f"the ballot weight must be at least 1, found {weight}")
    if tokens[-1] != "0":
        raise BltError(line, "a ballot line must end with 0")
    prefs: list[int] = []
    skipped = False
    for token in tokens[1:-1]:
        if "=" in token:
            raise BltError(
                line,
                f"equal rankings ({token!r}) are not supported: STV needs a strict "
                "order of preference",
            )
        if token == "-":  # noqa: S105 - the BLT mark for a skipped rank
            skipped = True
            continue
        number = _int(token, line, "a preference")
        if not 1 <= number <= n_candidates:
            raise BltError(
                line,
                f"preference {number} is not a candidate number (1..{n_candidates})",
            )
        if skipped:
            continue  # preferences after a skipped rank are not consecutive
        index = number - 1
        if index in prefs:
            raise BltError(line, f"candidate {number} is ranked more than once")
        prefs.append(index)
    return weight, tuple(prefs)


# The line almost every BLT writer produces: "WEIGHT PREF ... 0", digits and blanks.
_NOT_PLAIN = re.compile(r"[^0-9 \t]")
_PLAIN_BALLOT = re.compile(r"[0-9]+(?:[ \t]+[0-9]+)*[ \t]+0[ \t]*")

Scanned = tuple[set[int], dict[tuple[int, ...], int], int]


def _quick_ballot(raw: str, n_candidates: int) -> tuple[int, tuple[int, ...]] | None:
    """Parse a plain, valid ballot line fast; ``None`` sends it to the careful parser."""
    if _PLAIN_BALLOT.fullmatch(raw) is None:
        return None
    numbers = [int(token) for token in raw.split()]
    weight, prefs = numbers[0], numbers[1:-1]
    if weight < 1:
        return None
    if prefs and (min(prefs) < 1 or max(prefs) > n_candidates or len(set(prefs)) != len(prefs)):
        return None
    return weight, tuple(p - 1 for p in prefs)


def _parse_withdrawn(body: str, line: int, n_candidates: int) -> set[int]:
    withdrawn: set[int] = set()
    for token in body.split():
        number = _int(token, line, "a withdrawn candidate")
        if not -n_candidates <= number <= -1:
            raise BltError(
                line,
                f"withdrawn candidate {token} is not minus a candidate number "
                f"(-1..-{n_candidates})",
            )
        withdrawn.add(-number - 1)
    return withdrawn


def _scan_counted(
    lines: list[str], start: int, n_candidates: int
) -> tuple[set[int], npt.NDArray[np.int16], npt.NDArray[np.int64], int] | None:
    """Count identical lines in C, then parse the distinct ones with numpy.

    Handles the usual file (plain ballot lines, a withdrawn line up front, blank
    or comment lines, a bare "0" at the end) and returns (withdrawn, rankings,
    weights, index after the "0" line). Anything else -- ballot ids, skipped
    ranks, any error -- returns ``None`` and the file is read again line by
    line, which gives the exact error and its line number.
    """
    try:
        end = lines.index("0", start)
    except ValueError:
        # Fixed-width files pad the "0" line with spaces too.
        end = next((k for k in range(start, len(lines)) if lines[k].strip() == "0"), -1)
        if end < 0:
            return None
    counts = Counter(lines[start:end])
    keys = list(counts)
    withdrawn: set[int] = set()
    if any(_NOT_PLAIN.search(raw) is not None for raw in keys):
        plain: list[str] = []
        for raw in keys:
            if _NOT_PLAIN.search(raw) is None:
                plain.append(raw)
                continue
            body = _strip_comment(raw)
            if not body:
                continue
            if body.startswith("-") and not plain and counts[raw] == 1:
                withdrawn |= _parse_withdrawn(body, lines.index(raw, start) + 1, n_candidates)
                continue
            return None
        keys = plain
    parsed = _parse_plain_lines("\n".join(keys), len(keys), n_candidates)
    if parsed is None:
        return None
    rankings, line_weights, kept = parsed
    copies = np.fromiter((counts[keys[k]] for k in kept.tolist()), dtype=np.int64, count=kept.size)
    return withdrawn, rankings, line_weights * copies, end + 1


def _parse_plain_lines(
    text: str, n_lines: int, n_candidates: int
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    """Parse lines of digits and blanks as "WEIGHT PREF ... 0" ballots, all at once.

    Returns (rankings, weights, index of each non-blank line) or ``None`` if any
    line is not a valid ballot (the careful parser then names it).
    """
    try:
        values = np.fromstring(text, dtype=np.int64, sep=" ")
    except ValueError:
        return None
    raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    digit = (raw >= ord("0")) & (raw <= ord("9"))
    before = np.zeros_like(digit)
    before[1:] = digit[:-1]
    after = np.zeros_like(digit)
    after[:-1] = digit[1:]
    starts = np.flatnonzero(digit & ~before)
    ends = np.flatnonzero(digit & ~after)
    if starts.size != values.size:
        return None
    if starts.size and int((ends - starts).max()) >= 15:
        return None  # numbers this long could overflow; let the careful parser judge
    line_of_token = np.searchsorted(np.flatnonzero(raw == ord("\n")), starts)
    per_line = np.bincount(line_of_token, minlength=n_lines)
    if np.any(per_line == 1):
        return None  # a lone number is not a ballot
    kept = np.flatnonzero(per_line > 0)
    counts = per_line[kept]
    first = np.cumsum(counts) - counts
    last = first + counts - 1
    weights = values[first]
    if np.any(weights < 1) or np.any(values[last] != 0):
        return None
    is_pref = np.ones(values.size, dtype=bool)
    is_pref[first] = False
    is_pref[last] = False
    prefs = values[is_pref]
    if prefs.size and (int(prefs.min()) < 1 or int(prefs.max()) > n_candidates):
        return None
    n_prefs = counts - 2
    width = max(int(n_prefs.max(initial=0)), 1)
    rankings = np.full((kept.size, width), -1, dtype=np.int16)
    rows = np.repeat(np.arange(kept.size), n_prefs)
    cols = np.arange(prefs.size) - np.repeat(np.cumsum(n_prefs) - n_prefs, n_prefs)
    rankings[rows, cols] = prefs - 1
    ordered = np.sort(rankings, axis=1)
    if np.any((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)):
        return None  # a candidate ranked twice
    return rankings, weights, kept


def _scan_in_order(lines: list[str], start: int, n_candidates: int) -> Scanned:
    """Read the ballot section line by line, stopping at the "0" line."""
    withdrawn: set[int] = set()
    parsed: dict[str, tuple[int, tuple[int, ...]]] = {}
    counts: dict[str, int] = {}
    i = start
    total = len(lines)
    ended = False
    while i < total:
        raw = lines[i]
        i += 1
        seen = counts.get(raw)
        if seen is not None:
            counts[raw] = seen + 1
            continue
        ballot = _quick_ballot(raw, n_candidates)
        if ballot is None:
            body = _strip_comment(raw)
            if not body:
                continue
            if body.startswith("-"):
                if parsed:
                    raise BltError(
                        i,
                        "withdrawn candidates (negative numbers) must come before the first ballot",
                    )
                withdrawn |= _parse_withdrawn(body, i, n_candidates)
                continue
            ballot = _parse_ballot(raw, i, n_candidates)
            if ballot is None:
                ended = True
                break
        parsed[raw] = ballot
        counts[raw] = 1
    if not ended:
        raise BltError(None, "the file ends before the '0' line that closes the ballots")
    merged: dict[tuple[int, ...], int] = {}
    for raw, (weight, prefs) in parsed.items():
        merged[prefs] = merged.get(prefs, 0) + weight * counts[raw]
    return withdrawn, merged, i


def _parse_name(text: str, line: int, what: str) -> str:
    body = text.strip()
    if body.startswith('"'):
        close = body.find('"', 1)
        if close < 0:
            raise BltError(line, f"the {what} opens a quote but does not close it")
        rest = body[close + 1 :].strip()
        if rest and not rest.startswith("#"):
            raise BltError(line, f"unexpected text after the quoted {what}: {rest!r}")
        return body[1:close]
    if not body:
        raise BltError(line, f"the {what} is empty")
    return body


def parse_blt(text: str) -> BltElection:
    """Parse the text of a BLT file. Raises :class:`BltError` with a line number."""
    lines = text.splitlines()
    total = len(lines)
    i = 0

    def next_content(what: str) -> tuple[int, str]:
        nonlocal i
        while i < total:
            raw = lines[i]
            i += 1
            if _strip_comment(raw):
                return i, raw
        raise BltError(None, f"the file ends before the {what}")

    line_no, raw = next_content("first line ('CANDIDATES SEATS')")
    header = _strip_comment(raw).split()
    if len(header) != 2:
        raise BltError(line_no, f"the first line must be 'CANDIDATES SEATS', found {raw!r}")
    n_candidates = _int(header[0], line_no, "the number of candidates")
    seats = _int(header[1], line_no, "the number of seats")
    if n_candidates < 1:
        raise BltError(line_no, "there must be at least one candidate")
    if seats < 1:
        raise BltError(line_no, "there must be at least one seat")

    counted = _scan_counted(lines, i, n_candidates)
    if counted is None:
        withdrawn, merged, i = _scan_in_order(lines, i, n_candidates)
    else:
        i = counted[3]

    names: list[str] = []
    for k in range(n_candidates):
        line_no, raw = next_content(f"name of candidate {k + 1} of {n_candidates}")
        names.append(_parse_name(raw, line_no, f"name of candidate {k + 1}"))
    title = ""
    if any(_strip_comment(rest) for rest in lines[i:]):
        line_no, raw = next_content("title")
        title = _parse_name(raw, line_no, "title")
        while i < total:
            i += 1
            if _strip_comment(lines[i - 1]):
                raise BltError(
                    i,
                    "unexpected line after the title (too many candidate names for the "
                    f"first line's {n_candidates}?)",
                )
    if counted is None:
        ballots = RankedBallots.from_distinct(names, merged, withdrawn=withdrawn, title=title)
    else:
        ballots = RankedBallots.from_arrays(
            names, counted[1], counted[2], withdrawn=counted[0], title=title
        )
    return BltElection(ballots=ballots, seats=seats)


def read_blt(path: str | Path) -> BltElection:
    """Read a BLT file (UTF-8; a byte-order mark is tolerated)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise BltError(None, f"{path} is not UTF-8 text ({error.reason})") from error
    return parse_blt(text)


def write_blt(election: BltElection) -> str:
    """Write ``election`` as BLT text: one line per distinct ranking, names quoted."""
    ballots = election.ballots
    for what, name in [
        *(("candidate name", n) for n in ballots.candidates),
        ("title", ballots.title),
    ]:
        if '"' in name or "\n" in name or "\r" in name:
            raise BltError(
                None, f"a {what} cannot contain a double quote or a line break: {name!r}"
            )
    out = [f"{len(ballots.candidates)} {election.seats}"]
    if ballots.withdrawn:
        out.append(" ".join(f"-{c + 1}" for c in sorted(ballots.withdrawn)))
    for ranking, weight in ballots.iter_rankings():
        out.append(" ".join([str(weight), *(str(c + 1) for c in ranking), "0"]))
    out.append("0")
    out.extend(f'"{name}"' for name in ballots.candidates)
    out.append(f'"{ballots.title}"')
    return "\n".join(out) + "\n"
