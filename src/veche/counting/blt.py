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

from dataclasses import dataclass
from pathlib import Path

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

    withdrawn: set[int] = set()
    parsed: dict[str, tuple[int, int, tuple[int, ...]]] = {}
    counts: dict[str, int] = {}
    ended = False
    while i < total:
        raw = lines[i]
        i += 1
        seen = counts.get(raw)
        if seen is not None:
            counts[raw] = seen + 1
            continue
        body = _strip_comment(raw)
        if not body:
            continue
        if body.startswith("-"):
            if parsed:
                raise BltError(
                    i, "withdrawn candidates (negative numbers) must come before the first ballot"
                )
            for token in body.split():
                number = _int(token, i, "a withdrawn candidate")
                if not -n_candidates <= number <= -1:
                    raise BltError(
                        i,
                        f"withdrawn candidate {token} is not minus a candidate number "
                        f"(-1..-{n_candidates})",
                    )
                withdrawn.add(-number - 1)
            continue
        ballot = _parse_ballot(raw, i, n_candidates)
        if ballot is None:
            ended = True
            break
        parsed[raw] = (i, ballot[0], ballot[1])
        counts[raw] = 1
    if not ended:
        raise BltError(None, "the file ends before the '0' line that closes the ballots")

    merged: dict[tuple[int, ...], int] = {}
    for raw, (_, weight, prefs) in parsed.items():
        merged[prefs] = merged.get(prefs, 0) + weight * counts[raw]

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
    ballots = RankedBallots.from_distinct(names, merged, withdrawn=withdrawn, title=title)
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
