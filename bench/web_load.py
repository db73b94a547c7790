"""50 members voting at once through a real ``veche serve``, on SQLite and PostgreSQL.

Each configuration is a node of its own on loopback (``veche serve --workers N``, its
own data folder, ``VECHE_KDF_PROFILE=test``): SQLite with 2 workers, then a fresh
PostgreSQL database with 2 workers and another with 4. A subprocess prepares the node
through the real actions: 50 member accounts, a committee of those 50, one open
yes/no motion and one open election (called by a passed motion, three trustees dealt
offline). Then 50 clients (threads with ``http.client``, each with its own cookies):

1. sign in through ``/accounts/sign-in/`` with the CSRF token, and fetch the motion
   page and the voting page (every hidden input of the form they submit; the ballot
   is encrypted on the "device", here this process) — not timed;
2. all at once, each votes on the motion through the page's form (timed), then all at
   once each casts its encrypted ballot as ``vote.js`` does (timed);
3. 50 connections at once, each GETs the committee page and the motion page 6 times
   (alternating); the single-request time is the median of 20 of the same GETs one
   at a time. (``--quick``: 12 members, 2 times, 5 single GETs.)

Then the node is stopped and checked: errors (answers that are not 2xx/3xx, or no
answer), refused (a 302 whose flash message is an error), lost (a vote or ballot
the client was told was accepted that is not in the live state), duplicated (more
than one vote or ballot event of a member who sent one), and whether the live state
digest equals the one ``veche log rebuild`` re-derives from the events.

Figures: accepted writes/s (votes and ballots, over the two timed phases) on
PostgreSQL ÷ on SQLite (target ≥ 0.8); PostgreSQL with 4 workers ÷ with 2 (target
≥ 1.5); per configuration and page, the single-request time ÷ the p99 at 50
connections (target ≥ 0.25, i.e. p99 < 4× single); and whether there were no errors,
refusals, lost or duplicated writes and no drift (target 1). Each timed phase also
prints the CPU seconds of the node's processes, of PostgreSQL, of this load generator
and of the rest of the machine, and the node's and PostgreSQL's CPU per write (steadier
than the rates when others share the machine), to tell what limits a figure.

Needs a PostgreSQL server that may create databases: ``VECHE_TEST_POSTGRES_URL``
(default ``postgres://veche:veche@127.0.0.1/postgres``), as the tests do.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # tests.web.served, .databases
from tests import databases
from tests.web.served import Served, node_env, veche_serve

from common import emit, figure, parser

PASSPHRASE = "bench passphrase 1"
VECHE = str(Path(sys.executable).with_name("veche"))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Runs in the node's environment (Django set up on its data folder, migrated); prints
# one JSON line: the committee, the open motion, the open election, the members.
SETUP = """
import json
from veche.apps.accounts.actions import create_account
from veche.apps.committees import actions as committees
from veche.apps.elections import actions as elections
from veche.election import offline

count, passphrase = {count}, {passphrase!r}
people = []
for n in range(1, count + 1):
    _, identity = create_account(f"Member {{n:02d}}", passphrase)
    people.append((f"Member {{n:02d}}", identity))
founder = people[0][1]
space = committees.create_committee(
    founder, name="Bench works committee", kind="workplace", level="local",
    pseudonym=people[0][0],
).id
for pseudonym, identity in people[1:]:
    code, _ = committees.invite(founder, space)
    committees.join(identity, space, code, pseudonym)
call = committees.propose(founder, space, kind="election", title="Elect a chair", text="By ballot.").id
for _, identity in people:
    committees.vote(identity, space, call, choice="yes")
committees.close(founder, space, call)
trustees = [offline.TrusteeKeys.generate() for _ in range(3)]
election = elections.create_election(
    founder, committee=space, motion=call, title="Chair of the committee",
    questions=[{{"text": "Who chairs?", "options": ["Ales", "Maria", "Sviatlana"], "min": 1, "max": 1}}],
    method="plurality", seats=1,
    trustees=[(t.identity.public, t.box_public) for t in trustees], threshold=2,
).id
for keys in trustees:
    lines = elections.export_record(election)[:-1].split(b"\\n")
    event = offline.dealing_event(lines, keys)
    report = elections.ingest_file(election, event.raw + b"\\n", source="bench")
    assert all(o.status == "applied" for o in report.outcomes), report.outcomes
elections.open_election(founder, election)
motion = committees.propose(founder, space, kind="general", title="Strike on Monday", text="All out.").id
print(json.dumps({{
    "committee": space, "motion": motion, "election": election,
    "members": [[pseudonym, identity.public] for pseudonym, identity in people],
}}))
"""

# Reads the live state after the run: per member, its vote and ballot rows and events.
CHECK = """
import json
from veche.apps.committees.models import Vote
from veche.apps.elections.models import Ballot
from veche.apps.store.models import StoredEvent

space, motion, election = {committee!r}, {motion!r}, {election!r}
votes = {{}}
for event in StoredEvent.objects.filter(space=space, kind="motion.vote").values_list("author", "raw"):
    body = json.loads(bytes(event[1]))["body"]
    if body.get("motion") == motion:
        votes.setdefault(event[0], []).append(1)
print(json.dumps({{
    "vote_rows": {{p: c for p, c in Vote.objects.filter(space=space, motion=motion).values_list("person", "choice")}},
    "vote_events": {{a: len(v) for a, v in votes.items()}},
    "ballot_rows": [list(r) for r in Ballot.objects.filter(space=election).values_list("author", "event", "counted")],
    "ballot_events": list(StoredEvent.objects.filter(space=election, kind="ballot.cast").values_list("author", "id", "status")),
}}))
"""


# -- a browser, just enough ----------------------------------------------------------------


class Forms(HTMLParser):
    """Every form of a page: its attributes and its hidden inputs, whatever they are named."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.scripts: dict[str, str] = {}
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"attrs": values, "hidden": {}, "fields": set()})
        elif tag == "input" and self.forms:
            name = values.get("name", "")
            self.forms[-1]["fields"].add(name)
            if values.get("type", "").lower() == "hidden" and name:
                self.forms[-1]["hidden"][name] = values.get("value", "")
        elif tag == "script" and values.get("id"):
            self._script = values["id"]
            self.scripts[self._script] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts[self._script] += data


def parse(page: bytes) -> Forms:
    forms = Forms()
    forms.feed(page.decode("utf-8", "replace"))
    return forms


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused, reset, timeout)
    body: bytes
    seconds: float
    location: str = ""


class Browser:
    """One member's browser: its own cookies, a new connection per request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = {"Accept-Language": "en", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            sent |= {"Origin": self.origin, "Referer": f"{self.origin}{path}"}
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            return Answer(0, str(error).encode(), time.perf_counter() - start)
        finally:
            connection.close()
        seconds = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            pair = header.partition(";")[0]
            name, _, value = pair.partition("=")
            if value.strip('"') == "" or "max-age=0" in header.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()
        return Answer(response.status, data, seconds, response.getheader("Location") or "")

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str]) -> Answer:
        return self.request(
            "POST",
            path,
            urlencode(fields).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )


def ok(answer: Answer) -> bool:
    return 200 <= answer.status < 400


# -- one member -------------------------------------------------------------------------------


@dataclass
class Member:
    pseudonym: str
    key: str
    browser: Browser
    vote_form: tuple[str, dict[str, str]] = ("", {})
    cast: tuple[str, dict[str, str], dict[str, Any]] = ("", {}, {})
    vote: Answer | None = None
    ballot: Answer | None = None
    vote_flash: str = ""  # "success", "error" or "" (no message)
    ballot_event: str = ""
    sign_in_busy: int = 0

    def sign_in(self) -> Answer:
        while True:
            page = self.browser.get("/accounts/sign-in/")
            if page.status != 200:
                return page
            form = next(f for f in parse(page.body).forms if "pseudonym" in f["fields"])
            fields = form["hidden"] | {"pseudonym": self.pseudonym, "passphrase": PASSPHRASE}
            answer = self.browser.post_form(
                form["attrs"].get("action") or "/accounts/sign-in/", fields
            )
            if answer.status != 503:  # every passphrase slot busy: retry, as the page says
                return answer
            self.sign_in_busy += 1
            time.sleep(0.5)

    def prepare(self, committee: str, motion: str, election: str) -> list[Answer]:
        """The motion page's vote form and the voting page, the ballot encrypted."""
        from veche.crypto.ballot import Election, encrypt_ballot

        motion_page = self.browser.get(f"/committees/{committee}/motions/{motion}/")
        vote_page = self.browser.get(f"/elections/{election}/vote/")
        if motion_page.status != 200 or vote_page.status != 200:
            return [motion_page, vote_page]
        form = next(
            f
            for f in parse(motion_page.body).forms
            if f["attrs"].get("action", "").endswith("/vote/")
        )
        self.vote_form = (form["attrs"]["action"], form["hidden"])
        page = parse(vote_page.body)
        form = next(f for f in page.forms if f["attrs"].get("id") == "vote-form")
        election_json = json.loads(page.scripts["election-json"])
        choice = sum(map(ord, self.pseudonym)) % 3
        marks = [[1 if i == choice else 0 for i in range(3)]]
        ballot, _ = encrypt_ballot(Election.from_json(election_json), marks)
        self.cast = (form["attrs"]["data-cast-url"], form["hidden"], ballot.to_json())
        return [motion_page, vote_page]

    def send_vote(self) -> Answer:
        action, hidden = self.vote_form
        self.vote = self.browser.post_form(action, hidden | {"choice": "yes"})
        return self.vote

    def send_ballot(self) -> Answer:
        url, hidden, ballot = self.cast
        token = hidden.get("csrfmiddlewaretoken", "")
        extra = {k: v for k, v in hidden.items() if k != "csrfmiddlewaretoken"}
        body = json.dumps({"ballot": ballot, **extra}).encode()
        self.ballot = self.browser.request(
            "POST", url, body, {"Content-Type": "application/json", "X-CSRFToken": token}
        )
        if self.ballot.status == 200:
            with_event = json.loads(self.ballot.body)  # a page that is no JSON: see answers()
            if with_event.get("ok"):
                self.ballot_event = str(with_event.get("event", ""))
        return self.ballot

    def read_flash(self) -> Answer:
        """Follow the vote's redirect, as the browser would: the message says accepted or not."""
        if self.vote is None or not (300 <= self.vote.status < 400):
            return Answer(200, b"", 0.0)
        page = self.browser.get(self.vote.location or "/")
        found = re.findall(r'class="message ([a-z ]+)"', page.body.decode("utf-8", "replace"))
        self.vote_flash = (
            "error"
            if any("error" in f for f in found)
            else ("success" if any("success" in f for f in found) else "")
        )
        return page


# -- measuring --------------------------------------------------------------------------------


def cpu_of_children(master: int) -> float:
    """CPU seconds so far of the server's worker processes (children of the master)."""
    total = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit() and (s := _stat(pid)) and master in (int(pid), int(s[2])):
            total += int(s[12]) + int(s[13])
    return total / CLOCK_TICKS


def _stat(pid: str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            name, _, rest = handle.read().rpartition(")")
    except OSError:
        return None
    return [name.partition("(")[2], *rest.split()]


def postgres_cpu() -> float | None:
    """CPU seconds so far of the PostgreSQL server on this machine, if it runs here: the
    postmaster with its ended children (a backend per connection) and the live ones.
    Whoever else uses that server is counted too."""
    stats = {pid: s for pid in os.listdir("/proc") if pid.isdigit() and (s := _stat(pid))}
    names = {pid: s[0] for pid, s in stats.items()}
    total, found = 0, False
    for s in stats.values():
        if s[0] != "postgres":
            continue
        if names.get(s[2]) != "postgres":  # the postmaster: its own and reaped children's time
            found = True
            total += sum(int(v) for v in s[12:16])
        else:
            total += int(s[12]) + int(s[13])
    return total / CLOCK_TICKS if found else None


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores."""
    with open("/proc/stat", encoding="ascii") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Phase:
    name: str
    seconds: float
    answers: list[Answer]
    server_cpu: float
    client_cpu: float
    machine_busy: float
    machine_total: float
    postgres_cpu: float | None


def answers(task: Callable[[], Answer | list[Answer]]) -> list[Answer]:
    """The task's answers; a task that broke (a page without the form it needs, say) is
    one failed answer saying why, not a dead thread."""
    try:
        got = task()
    except Exception as error:
        return [Answer(0, f"{type(error).__name__}: {error}".encode(), 0.0)]
    return got if isinstance(got, list) else [got]


def at_once(name: str, tasks: list[Callable[[], Answer | list[Answer]]], master: int) -> Phase:
    """Run every task in a thread of its own, released together; wall time to the last."""
    results: list[list[Answer]] = [[] for _ in tasks]
    barrier = threading.Barrier(len(tasks) + 1)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = answers(tasks[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tasks))]
    for thread in threads:
        thread.start()
    server0, client0, (busy0, total0) = cpu_of_children(master), own_cpu(), machine_cpu()
    postgres0 = postgres_cpu()
    start = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    busy1, total1 = machine_cpu()
    postgres1 = postgres_cpu()
    return Phase(
        name,
        seconds,
        [a for got in results for a in got],
        cpu_of_children(master) - server0,
        own_cpu() - client0,
        busy1 - busy0,
        total1 - total0,
        None if postgres0 is None or postgres1 is None else postgres1 - postgres0,
    )


def in_pool(tasks: list[Callable[[], Answer | list[Answer]]], width: int) -> list[list[Answer]]:
    """Untimed preparation, ``width`` at a time."""
    results: list[list[Answer]] = [[] for _ in tasks]
    lock = threading.Lock()
    queue = list(enumerate(tasks))

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                index, task = queue.pop()
            results[index] = answers(task)

    threads = [threading.Thread(target=worker) for _ in range(width)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


# -- one configuration ------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    workers: int
    database: str
    votes: Phase
    ballots: Phase
    errors: dict[str, int]  # answers that are not 2xx/3xx (or no answer), by stage
    sign_in_busy: int
    refused: int
    lost: int
    duplicated: int
    unacknowledged: int
    accepted_votes: int
    accepted_ballots: int
    digests_equal: bool
    digest: str
    reads: dict[str, dict[str, float]]
    read_phase: Phase
    setup_seconds: float
    problems: list[str]
    load: float  # the machine's 1-minute load average as the timed part began

    @property
    def writes_per_s(self) -> float:
        accepted = self.accepted_votes + self.accepted_ballots
        return max(accepted, 1e-9) / (self.votes.seconds + self.ballots.seconds)

    @property
    def cpu_ms_per_write(self) -> float:
        """CPU of the node's processes and of PostgreSQL per accepted write, both phases."""
        cpu = sum(p.server_cpu + (p.postgres_cpu or 0) for p in (self.votes, self.ballots))
        return round(1000 * cpu / max(self.accepted_votes + self.accepted_ballots, 1), 1)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def failures(stage: str, failed: list[Answer]) -> list[str]:
    """One line per kind of failure of a stage: how many, and what the first one said."""
    by_status: dict[int, list[Answer]] = {}
    for answer in failed:
        by_status.setdefault(answer.status, []).append(answer)
    lines = []
    for status, group in sorted(by_status.items()):
        text = group[0].body.decode("utf-8", "replace")
        title = re.search(r"<title>(.*?)</title>", text, re.S)
        said = " ".join((title.group(1) if title else text).split())[:300]
        lines.append(f"{stage}: {len(group)} x {status or 'no answer'}: {said}")
    return lines


def run_in_node(folder: Path, database: str | None, code: str, timeout: float = 900) -> str:
    prelude = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0)\n"
    )
    env = node_env(folder, database, DJANGO_SETTINGS_MODULE="veche.web.settings")
    done = subprocess.run(
        [sys.executable, "-c", prelude + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"node setup failed:\n{done.stderr[-4000:]}")
    return done.stdout.strip().splitlines()[-1]


def veche_json(folder: Path, database: str | None, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [VECHE, *args, "--json"],
        env=node_env(folder, database),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"veche {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return dict(json.loads(done.stdout))


def measure_reads(
    node: Served, members: list[Member], committee: str, motion: str, rounds: int, single: int
) -> tuple[dict[str, dict[str, float]], Phase, list[Answer]]:
    pages = {
        "committee": f"/committees/{committee}/",
        "motion": f"/committees/{committee}/motions/{motion}/",
    }
    failed: list[Answer] = []
    figures: dict[str, dict[str, float]] = {}
    alone: dict[str, list[float]] = {}
    reader = members[0].browser
    for name, path in pages.items():
        reader.get(path)  # warm: templates, caches
        got = [reader.get(path) for _ in range(single)]
        failed += [a for a in got if a.status != 200]
        alone[name] = [a.seconds for a in got]

    def reads_of(member: Member, offset: int) -> Callable[[], list[Answer]]:
        order = list(pages.values())
        return lambda: [member.browser.get(order[(offset + i) % 2]) for i in range(2 * rounds)]

    phase = at_once("reads", [reads_of(m, i) for i, m in enumerate(members)], node.process.pid)
    failed += [a for a in phase.answers if a.status != 200]
    # Each thread alternates pages, starting on either: the answers interleave by page.
    by_page: dict[str, list[float]] = {name: [] for name in pages}
    per_thread = 2 * rounds
    for t in range(len(members)):
        for i in range(per_thread):
            page = list(pages)[(t + i) % 2]
            by_page[page].append(phase.answers[t * per_thread + i].seconds)
    for name in pages:
        figures[name] = {
            "single": statistics.median(alone[name]),
            "p50": statistics.median(by_page[name]),
            "p99": p99(by_page[name]),
            "samples": len(by_page[name]),
        }
    return figures, phase, failed


def run_configuration(
    label: str, workers: int, database: str | None, count: int, rounds: int, single: int
) -> Result:
    work = Path(tempfile.mkdtemp(prefix=f"veche-bench-web-{label}-"))
    folder = work / "node"
    folder.mkdir()
    print(f"-- {label}: preparing {count} members, a committee, a motion, an election…", flush=True)
    start = time.perf_counter()
    made = json.loads(
        run_in_node(folder, database, SETUP.format(count=count, passphrase=PASSPHRASE))
    )
    setup_seconds = time.perf_counter() - start
    committee, motion, election = made["committee"], made["motion"], made["election"]
    with veche_serve(folder, workers, database) as node:
        members = [Member(p, k, Browser(node.port)) for p, k in made["members"]]
        signed = in_pool([m.sign_in for m in members], 4)
        failed = {"sign-in": [a for got in signed for a in got if a.status != 302]}
        prepared = in_pool([lambda m=m: m.prepare(committee, motion, election) for m in members], 4)
        failed["pages before voting"] = [a for got in prepared for a in got if a.status != 200]
        ready = [m for m in members if m.vote_form[0] and m.cast[0]]
        print(
            f"   {len(ready)} of {count} members signed in and ready "
            f"({sum(m.sign_in_busy for m in members)} sign-ins retried on 503)",
            flush=True,
        )
        master = node.process.pid
        load = os.getloadavg()[0]
        votes = at_once("votes", [m.send_vote for m in ready], master)
        flashes = in_pool([m.read_flash for m in ready], 4)
        ballots = at_once("ballots", [m.send_ballot for m in ready], master)
        reads, read_phase, failed["reads"] = measure_reads(
            node, ready, committee, motion, rounds, single
        )
        failed["pages after voting"] = [a for got in flashes for a in got if a.status != 200]
        failed["votes"] = [a for a in votes.answers if not ok(a)]
        failed["ballots"] = [a for a in ballots.answers if not ok(a)]
        server_log = node.output()
    state = json.loads(
        run_in_node(
            folder,
            database,
            CHECK.format(committee=committee, motion=motion, election=election),
        )
    )
    rebuilt = veche_json(folder, database, "log", "rebuild")
    problems: list[str] = []
    refused = lost = duplicated = unacknowledged = 0
    accepted_votes = accepted_ballots = 0
    ballot_rows = {event: (author, counted) for author, event, counted in state["ballot_rows"]}
    ballot_events: dict[str, list[tuple[str, str]]] = {}
    for author, event, status in state["ballot_events"]:
        ballot_events.setdefault(author, []).append((event, status))
    for m in ready:
        vote_sent = m.vote is not None and ok(m.vote)
        if vote_sent and m.vote_flash == "success":
            accepted_votes += 1
            if state["vote_rows"].get(m.key) != "yes":
                lost += 1
                found = state["vote_rows"].get(m.key, "nothing")
                problems.append(f"vote of {m.pseudonym} accepted, the live state has {found}")
        elif vote_sent:
            refused += 1
            problems.append(f"vote of {m.pseudonym}: 3xx but flash {m.vote_flash or 'none'}")
        if not (vote_sent and m.vote_flash == "success") and m.key in state["vote_rows"]:
            unacknowledged += 1
            problems.append(f"vote of {m.pseudonym} in the state, the member was not told")
        if state["vote_events"].get(m.key, 0) > 1:
            duplicated += 1
            problems.append(f"{state['vote_events'][m.key]} vote events of {m.pseudonym}")
        if m.ballot_event:
            accepted_ballots += 1
            row = ballot_rows.get(m.ballot_event)
            if row is None or row != (m.key, True):
                lost += 1
                problems.append(f"ballot {m.ballot_event} of {m.pseudonym} accepted: row {row}")
        elif m.ballot is not None and m.ballot.status in (400, 403, 422):
            refused += 1
            problems.append(f"ballot of {m.pseudonym}: {m.ballot.status} {m.ballot.body[:200]!r}")
        events = ballot_events.get(m.key, [])
        if len(events) > 1:
            duplicated += 1
            problems.append(f"{len(events)} ballot events of {m.pseudonym}")
        if events and not m.ballot_event:
            unacknowledged += 1
            problems.append(f"ballot of {m.pseudonym} in the log, the member was not told")
    for stage, answers_ in failed.items():
        problems += failures(stage, answers_)
    if problems:
        if "Traceback" in server_log:
            problems.append("server log:\n" + server_log[-6000:])
        problems.append(f"the node's data folder and log are kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return Result(
        label=label,
        workers=workers,
        database="postgresql" if database else "sqlite",
        votes=votes,
        ballots=ballots,
        errors={stage: len(a) for stage, a in failed.items() if a},
        sign_in_busy=sum(m.sign_in_busy for m in members),
        refused=refused,
        lost=lost,
        duplicated=duplicated,
        unacknowledged=unacknowledged,
        accepted_votes=accepted_votes,
        accepted_ballots=accepted_ballots,
        digests_equal=rebuilt["digest_before"] == rebuilt["digest_after"],
        digest=str(rebuilt["digest_after"])[:16],
        reads=reads,
        read_phase=read_phase,
        setup_seconds=setup_seconds,
        problems=problems,
        load=load,
    )


def on_postgres(label: str, workers: int, count: int, rounds: int, single: int) -> Result:
    url = databases.create_database("veche_bench_web", databases.server_url())
    try:
        return run_configuration(label, workers, url, count, rounds, single)
    finally:
        databases.drop_database(url, databases.server_url())


def cpu_columns(phase: Phase) -> str:
    postgres = "-" if phase.postgres_cpu is None else f"{phase.postgres_cpu:.2f}"
    other = phase.machine_busy - phase.server_cpu - phase.client_cpu - (phase.postgres_cpu or 0)
    busy = 100 * phase.machine_busy / phase.machine_total if phase.machine_total else 0.0
    return (
        f"{phase.server_cpu:>7.2f} {phase.client_cpu:>7.2f} {postgres:>7} {other:>7.2f}"
        f" {phase.machine_total:>6.1f} {busy:>5.0f}%"
    )


CPU_HEAD = f"{'server':>7} {'loadgen':>7} {'pg':>7} {'other':>7} {'cores':>6} {'busy':>6}"


def cpu_per_write(phase: Phase, accepted: int) -> float:
    """Milliseconds of CPU of the node and PostgreSQL per accepted write: less at the
    mercy of whatever else runs on the machine than the rate is."""
    return 1000 * (phase.server_cpu + (phase.postgres_cpu or 0)) / max(accepted, 1)


CPU_NOTE = (
    "  CPU seconds in the phase: server = the node's gunicorn processes, loadgen = this\n"
    "  process, pg = the PostgreSQL server (whoever else uses it too), other = the rest of\n"
    "  the machine; cores = CPU seconds available (wall time x cores), busy = share used;\n"
    "  cpu ms/w = (server + pg) per accepted write."
)


def print_results(results: list[Result], count: int) -> None:
    print()
    print(f"writes: {count} members at once, each one vote, then each one ballot")
    print(
        f"{'config':<12} {'phase':<8} {'accepted':>8} {'s':>6} {'/s':>6} {'p50 ms':>7}"
        f" {'max ms':>7} {'cpu ms/w':>8} {CPU_HEAD}"
    )
    for r in results:
        for phase, accepted in ((r.votes, r.accepted_votes), (r.ballots, r.accepted_ballots)):
            times = [a.seconds for a in phase.answers] or [0.0]
            print(
                f"{r.label:<12} {phase.name:<8} {accepted:>8} {phase.seconds:>6.2f}"
                f" {accepted / phase.seconds:>6.1f} {statistics.median(times) * 1000:>7.0f}"
                f" {max(times) * 1000:>7.0f} {cpu_per_write(phase, accepted):>8.0f}"
                f" {cpu_columns(phase)}"
            )
        print(f"{r.label:<12} {'both':<8} {'':>8} {'':>6} {r.writes_per_s:>6.1f}")
    print(CPU_NOTE)
    print()
    print(f"reads: committee and motion pages, {count} connections at once vs one at a time")
    print(
        f"{'config':<12} {'page':<10} {'single ms':>9} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'p99/single':>10} {'req/s':>6} {CPU_HEAD}"
    )
    for r in results:
        phase = r.read_phase
        for page in ("committee", "motion"):
            f = r.reads[page]
            print(
                f"{r.label:<12} {page:<10} {f['single'] * 1000:>9.1f} {f['p50'] * 1000:>7.0f}"
                f" {f['p99'] * 1000:>7.0f} {f['p99'] / f['single']:>10.1f}"
                f" {len(phase.answers) / phase.seconds:>6.1f} {cpu_columns(phase)}"
            )
    print("  CPU columns as above, over the whole read phase (both pages).")
    print()
    print("checks")
    print(
        f"{'config':<12} {'errors':>6} {'refused':>7} {'lost':>5} {'dup':>4} {'unack':>5}"
        f" {'rebuild=live':>12} {'digest':>17} {'setup s':>8} {'503 retried':>11} {'load':>5}"
    )
    for r in results:
        print(
            f"{r.label:<12} {r.error_count:>6} {r.refused:>7} {r.lost:>5} {r.duplicated:>4}"
            f" {r.unacknowledged:>5} {r.digests_equal!s:>12} {r.digest:>17}"
            f" {r.setup_seconds:>8.1f} {r.sign_in_busy:>11} {r.load:>5.1f}"
        )
    print("  load: the machine's 1-minute load average as the timed part began")
    for r in results:
        for problem in r.problems[:20]:
            print(f"  {r.label}: {problem}")


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    count = 12 if args.quick else 50
    rounds = 2 if args.quick else 6
    single = 5 if args.quick else 20
    why = databases.reachable(databases.server_url())
    if why is not None:
        raise SystemExit(f"no PostgreSQL server at VECHE_TEST_POSTGRES_URL: {why}")
    started = time.perf_counter()
    results = [
        run_configuration("sqlite-2w", 2, None, count, rounds, single),
        on_postgres("postgres-2w", 2, count, rounds, single),
        on_postgres("postgres-4w", 4, count, rounds, single),
    ]
    print_results(results, count)
    sqlite, pg2, pg4 = results
    rows = [
        figure(
            "web_load",
            "postgres_writes_per_s",
            pg2.writes_per_s,
            "sqlite_writes_per_s",
            sqlite.writes_per_s,
            target=0.8,
            members=count,
            cpu_ms_per_write=pg2.cpu_ms_per_write,
            baseline_cpu_ms_per_write=sqlite.cpu_ms_per_write,
            votes_ratio=round(
                max(pg2.accepted_votes, 1e-9)
                / pg2.votes.seconds
                / (max(sqlite.accepted_votes, 1e-9) / sqlite.votes.seconds),
                4,
            ),
            ballots_ratio=round(
                max(pg2.accepted_ballots, 1e-9)
                / pg2.ballots.seconds
                / (max(sqlite.accepted_ballots, 1e-9) / sqlite.ballots.seconds),
                4,
            ),
        ),
        figure(
            "web_load",
            "postgres_4_workers_writes_per_s",
            pg4.writes_per_s,
            "postgres_2_workers_writes_per_s",
            pg2.writes_per_s,
            target=1.5,
            members=count,
            cpu_ms_per_write=pg4.cpu_ms_per_write,
            baseline_cpu_ms_per_write=pg2.cpu_ms_per_write,
        ),
    ]
    for r in results:
        for page in ("committee", "motion"):
            f = r.reads[page]
            rows.append(
                figure(
                    "web_load",
                    f"{r.label}_{page}_page_p99_seconds",
                    f["p99"],
                    "single_request_seconds",
                    f["single"],
                    lower_is_better=True,
                    target=0.25,
                    connections=count,
                )
            )
    faults = sum(
        r.error_count + r.refused + r.lost + r.duplicated + r.unacknowledged for r in results
    )
    drift = sum(1 for r in results if not r.digests_equal)
    rows.append(
        figure(
            "web_load",
            "correct",
            1.0 if faults + drift == 0 else 0.0,
            "no_errors_lost_duplicated_or_drift",
            1.0,
            target=1.0,
            errors=sum(r.error_count for r in results),
            refused=sum(r.refused for r in results),
            lost=sum(r.lost for r in results),
            duplicated=sum(r.duplicated for r in results),
            unacknowledged=sum(r.unacknowledged for r in results),
            rebuild_differs=drift,
        )
    )
    print()
    print(f"run time {time.perf_counter() - started:.0f} s")
    for row in rows:
        if "meets_target" in row:
            verdict = "holds" if row["meets_target"] else "MISSED"
            print(
                f"target {row['metric']}: ratio {row['ratio']} vs {row['target_ratio']}: {verdict}"
            )
    emit(rows)


if __name__ == "__main__":
    main()
