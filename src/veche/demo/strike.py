"""The demo's general strike: the scenario's plants, their strike timelines from 11 August
2020, the Kozlova demands endorsed across the federation, and a solidarity fund with
donations, k-of-n approved payouts and its published August report.

Plants, cities and dates follow ``scenario/belarus-2020.md``; workforces and shares
out are approximate and every person is invented. Everything goes through the same
actions as real use, so the log is signed and verifiable like any other. What people
wrote (plant names, notes, the fund's labels) comes from ``veche.demo.text``, in the
language of the committee that wrote it.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from veche.apps.committees import actions as committees
from veche.apps.committees.models import Committee, Endorsement, Member, Motion
from veche.apps.fund import actions as fund
from veche.apps.strike import actions as strike
from veche.demo.text import DemoText, DemoTextError, catalogs, names_everywhere, text_of
from veche.events import Identity


class Plant(NamedTuple):
    """One workplace of ``data/plants.toml``: its demo committee key, region, approximate
    workforce, the founder's pseudonym if this module makes its committee, and its
    timeline of (day in 2020 "MM-DD", status, per mille out, published). Its name, city,
    sector and a note per timeline row are in the text files (``[plant.KEY]``).
    Committees the main demo made (``demo.spaces``) are used as they are."""

    key: str
    region: str
    workforce: int
    founder: str
    timeline: list[tuple[str, str, int, bool]]


def _plants() -> list[Plant]:
    with (Path(__file__).parent / "data" / "plants.toml").open("rb") as file:
        table = tomllib.load(file)
    plants = [
        Plant(
            key=row["key"],
            region=row["region"],
            workforce=row["workforce"],
            founder=row["founder"],
            timeline=[
                (day, status, share, published) for day, status, share, published in row["timeline"]
            ],
        )
        for row in table["plant"]
    ]
    written = catalogs()["en"]["plant"]
    if {p.key for p in plants} != set(written):
        raise DemoTextError("plants.toml and the text files name different plants")
    for plant in plants:
        if len(written[plant.key]["notes"]) != len(plant.timeline):
            raise DemoTextError(f"plant {plant.key}: one note per timeline row")
    return plants


PLANTS = _plants()


def kozlova_letter(text: DemoText) -> str:
    """The Kozlova workers' demands letter as their committee wrote it."""
    return text.say("kozlova", "demands.preamble") + "\n" + text.say("kozlova", "demands.points")


def _at(month_day: str, hour: int = 12) -> datetime:
    month, day = (int(part) for part in month_day.split("-"))
    return datetime(2020, month, day, hour, 0, tzinfo=UTC)


def _kozlova(demo: Any, text: DemoText) -> tuple[str, dict[str, Identity]]:
    """The demo's Kozlova committee (the main demo's, or one made here) and its members."""
    known = getattr(demo, "spaces", {}).get("kozlova")
    found = (
        Committee.objects.filter(space=known).first()
        if known
        else Committee.objects.filter(demo=True, name__in=names_everywhere("kozlova")).first()
    )
    if found is None:
        space = committees.create_committee(
            demo.person("Sokol"),
            name=text.name("kozlova"),
            kind="workplace",
            level="local",
            pseudonym="Sokol",
            demo=True,
            at=_at("08-11", 9),
        ).id
    else:
        space = found.space
    people: dict[str, Identity] = demo.people
    members = {
        m.pseudonym: people[m.pseudonym]
        for m in Member.objects.filter(space=space, status=Member.Status.ACTIVE).order_by("id")
        if m.pseudonym in people and people[m.pseudonym].public == m.key
    }
    if not members:
        raise RuntimeError(
            "load_strike needs the demo object that created the Kozlova committee's members"
        )
    inviter = next(iter(members.values()))
    for name in ("Sokol", "Vasilek", "Zubr", "Rusalka"):
        if name not in members:
            code, _ = committees.invite(inviter, space, at=_at("08-11", 10))
            committees.join(demo.person(name), space, code, name, at=_at("08-11", 10))
            members[name] = demo.person(name)
    return space, members


def _pass(
    identity: Identity, space: str, at: datetime, voters: tuple[Identity, ...] = (), **motion: Any
) -> Motion:
    event = committees.propose(identity, space, at=at, **motion)
    for voter in (identity, *voters):
        committees.vote(voter, space, event.id, choice="yes", at=at)
    committees.close(identity, space, event.id, at=at)
    return Motion.objects.get(event=event.id)


def load_strike(demo: Any) -> list[str]:
    """Add the strike and the fund to the loaded demo; return lines to print.

    ``demo`` is ``veche.demo.load.Demo``: ``demo.person(pseudonym)`` gives an
    identity; ``demo.spaces`` and ``demo.members`` (committee key -> space id,
    -> pseudonyms, founder first) name the committees it already made. Plants
    whose committee it did not make get one here; the Kozlova demands letter is
    the main demo's if it passed one, and the committees made here endorse it.
    """
    text = text_of(demo)
    kozlova, members = _kozlova(demo, text)
    spaces: dict[str, str] = dict(getattr(demo, "spaces", {}))
    spaces["kozlova"] = kozlova
    people: dict[str, list[str]] = dict(getattr(demo, "members", {}))
    made_here: list[tuple[str, str, Identity]] = []
    for key, region, workforce, founder, timeline in PLANTS:
        written = text.plant(key)
        if key == "kozlova":
            space, who = kozlova, members["Zubr"]
        elif key in spaces and people.get(key):
            space, who = spaces[key], demo.person(people[key][0])
        else:
            who = demo.person(founder)
            space = committees.create_committee(
                who,
                name=text.name(key),
                kind="workplace",
                level="local",
                pseudonym=founder,
                demo=True,
                at=_at(timeline[0][0], 8),
            ).id
            made_here.append((key, space, who))
        plant = strike.register_workplace(
            who,
            space,
            name=written["name"],
            city=written["city"],
            region=region,
            sector=written["sector"],
            workforce=workforce,
            at=_at(timeline[0][0], 9),
        ).id
        for (day, status, share, published), note in zip(timeline, written["notes"], strict=True):
            strike.record_status(
                who,
                space,
                plant,
                day=f"2020-{day}",
                status=status,
                out_per_mille=share,
                note=note,
                published=published,
                at=_at(day, 18),
            )
    letter = (
        Motion.objects.filter(space=kozlova, kind="demands", status="passed")
        .order_by("closed_at")
        .first()
    )
    if letter is None:
        letter = _pass(
            members["Sokol"],
            kozlova,
            _at("08-11", 14),
            voters=(members["Vasilek"], members["Zubr"], members["Rusalka"]),
            kind="demands",
            title=text.say("kozlova", "motion.kozlova_demands.title"),
            text=kozlova_letter(text),
        )
    for index, (key, space, who) in enumerate(made_here):
        _pass(
            who,
            space,
            _at(f"08-{14 + index % 10}", 15),
            kind="endorsement",
            title=text.say(key, "motion.endorse_letter.title"),
            text=text.say(key, "motion.endorse_letter.text"),
            target={"motion": letter.close_event},
        )
    endorsed = Endorsement.objects.filter(letter_close=letter.close_event).count()
    sample = _fund(kozlova, members, text)
    total_workers = sum(plant.workforce for plant in PLANTS)
    return [
        f"Strike: {len(PLANTS)} workplaces ({total_workers:,} workers) with timelines from "
        "11 August 2020; map at /strike/, demands at /strike/demands/.",
        f"The Kozlova demands are endorsed by {endorsed} committees.",
        "Solidarity fund of the Kozlova committee: 2 of 3 treasurers (Sokol, Vasilek, Zubr); "
        "August 2020 report published at /fund/reports/.",
        "Try: veche fund report --period 2020-08 -o report && veche fund verify-report report",
        f"A recipient checks their payout: veche fund check-payout report --salt={sample[0]} "
        f"--recipient {sample[1]} --amount {sample[2]}",
    ]


def _fund(space: str, members: dict[str, Identity], text: DemoText) -> tuple[str, str, str]:
    sokol, vasilek, zubr = members["Sokol"], members["Vasilek"], members["Zubr"]
    fund.create_fund(
        sokol,
        space,
        name=text.say("kozlova", "fund.name"),
        treasurers=[sokol.public, vasilek.public, zubr.public],
        k=2,
        at=_at("08-12", 9),
    )
    donations = [
        ("08-12", 2500_00, "BYN", "bank", False),
        ("08-13", 400_00, "BYN", "cash", False),
        ("08-14", 1000_00, "EUR", "bank", False),
        ("08-15", 500_00, "USD", "bank", False),
        ("08-18", 1800_00, "BYN", "bank", False),
        ("08-20", 5000_00, "BYN", "bank", True),
        ("08-22", 750_00, "EUR", "bank", False),
    ]
    donors = text.words("kozlova", "fund.donors")
    for (day, amount, currency, account, pledge), donor in zip(donations, donors, strict=True):
        fund.record_donation(
            vasilek,
            space,
            day=f"2020-{day}",
            amount=amount,
            currency=currency,
            account=account,
            donor=donor,
            pledge=pledge,
            at=_at(day, 19),
        )
    fund.record_entry(
        vasilek,
        space,
        day="2020-08-25",
        category="pledge_received",
        postings=[
            {"account": "bank", "currency": "BYN", "side": "debit", "amount": 3000_00},
            {"account": "pledges", "currency": "BYN", "side": "credit", "amount": 3000_00},
        ],
        memo=text.say("kozlova", "fund.pledge_memo"),
        at=_at("08-25", 19),
    )
    fund.record_cost(
        zubr,
        space,
        day="2020-08-14",
        amount=120_00,
        currency="BYN",
        account="cash",
        memo=text.say("kozlova", "fund.cost_memo"),
        at=_at("08-14", 20),
    )
    payouts = [
        ("08-18", "KZ-017", 400_00, "BYN", (sokol, vasilek)),
        ("08-19", "KZ-023", 600_00, "BYN", (vasilek, zubr)),
        ("08-21", "KZ-031", 300_00, "BYN", (sokol, zubr)),
        ("08-24", "KZ-044", 200_00, "EUR", (sokol, vasilek)),
        ("08-27", "KZ-052", 500_00, "BYN", (zubr, sokol)),
        ("08-28", "KZ-017", 250_00, "BYN", (vasilek, zubr)),
    ]
    sample = ("", "", "")
    for day, recipient, amount, currency, approvers in payouts:
        event, salt = fund.propose_payout(
            zubr,
            space,
            recipient=recipient,
            amount=amount,
            currency=currency,
            source="bank",
            day=f"2020-{day}",
            at=_at(day, 10),
        )
        for treasurer in approvers:
            fund.approve_payout(treasurer, space, event.id, at=_at(day, 16))
        if not sample[0]:
            sample = (salt, recipient, f"{amount // 100}")
    fund.publish_report(zubr, space, "2020-08", at=_at("09-01", 10))
    # One payout of September still waits for its second approval.
    pending, _ = fund.propose_payout(
        zubr,
        space,
        recipient="KZ-061",
        amount=350_00,
        currency="BYN",
        source="bank",
        day="2020-09-02",
        at=_at("09-02", 10),
    )
    fund.approve_payout(sokol, space, pending.id, at=_at("09-02", 12))
    return sample
