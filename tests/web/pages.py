"""Every GET page of the UI and API, on the Belarus 2020 demo (``veche.demo.load``).

One list, shared by the tests that go through every page: the pinned query counts
(``test_query_counts``) and the phone layout at 360 px (``test_phone_layout``). A new
GET page is added here, and pinned there.
"""

from __future__ import annotations

from collections.abc import Callable


def demo_pages() -> dict[str, Callable[[], str]]:
    """Each GET page of the UI and API, with ids from the demo's data."""
    from veche.apps.audit.models import AuditRun
    from veche.apps.committees.models import Committee, Motion
    from veche.apps.elections.models import Election, Pledge
    from veche.apps.fund.models import Fund, Payout, Report
    from veche.apps.planning.models import Budget
    from veche.apps.store.models import StoredEvent
    from veche.apps.strike.models import Workplace
    from veche.demo.text import DemoText

    text = DemoText()  # the words of the default demo

    def committee() -> str:
        return Committee.objects.get(name=text.name("kozlova")).space

    def motion() -> Motion:
        return Motion.objects.get(title=text.say("kozlova", "motion.kozlova_demands.title"))

    def election() -> Election:
        """The ongoing committee election (Sokol's committee's, he may vote)."""
        return Election.objects.get(title=text.say("kozlova", "election.delegates_title"))

    def pledge() -> Pledge:
        """The open strike pledge of Sokol's committee (he may pledge)."""
        return Pledge.objects.get(committee=committee(), stage="open")

    def own_workplace() -> str:
        """A workplace of a committee Sokol is a member of (he may open a strike ballot)."""
        from veche.apps.committees.models import Member

        mine = Member.objects.filter(pseudonym="Sokol", status=Member.Status.ACTIVE)
        place = Workplace.objects.filter(space__in=mine.values("space")).order_by("name").first()
        assert place is not None
        return place.workplace

    def appeal() -> str:
        """The Kozlova committee's passed appeal (public)."""
        return Motion.objects.get(kind="appeal", space=committee()).event

    def run() -> AuditRun:
        return AuditRun.objects.get()

    def event() -> str:
        return StoredEvent.objects.filter(space=committee()).order_by("height", "id")[3].id

    return {
        "home": lambda: "/",
        "sign-in": lambda: "/accounts/sign-in/",
        "passphrase": lambda: "/accounts/passphrase/",
        "account": lambda: "/accounts/",
        "welcome": lambda: "/accounts/welcome/",
        "key-file": lambda: "/accounts/backup/key/",
        "paper-backup": lambda: "/accounts/backup/paper/",
        "restore": lambda: "/accounts/restore/",
        "event": lambda: f"/events/{event()}/",
        "committees": lambda: "/committees/",
        "committee-new": lambda: "/committees/new/",
        "federation": lambda: "/committees/federation/",
        "committee": lambda: f"/committees/{committee()}/",
        "motion-new": lambda: f"/committees/{committee()}/motions/new/",
        "motion-new-expulsion": lambda: f"/committees/{committee()}/motions/new/?kind=expulsion",
        "motion-new-endorsement": lambda: (
            f"/committees/{committee()}/motions/new/?kind=endorsement"
        ),
        "motion": lambda: f"/committees/{committee()}/motions/{motion().event}/",
        "motion-new-appeal": lambda: f"/committees/{committee()}/motions/new/?kind=appeal",
        "motion-appeal": lambda: f"/committees/{committee()}/motions/{appeal()}/",
        "motion-appeal-leaflet": lambda: (
            f"/committees/{committee()}/motions/{appeal()}/appeal/leaflet-a4.pdf"
        ),
        "appeals": lambda: "/appeals/",
        "appeal": lambda: f"/appeals/{appeal()}/",
        "appeal-leaflet": lambda: f"/appeals/{appeal()}/leaflet-a5.pdf",
        "appeal-qr": lambda: f"/appeals/{appeal()}/qr.svg",
        "appeals-feed": lambda: "/appeals/feed.atom",
        "committee-feed": lambda: f"/appeals/committees/{committee()}/feed.atom",
        "thread": lambda: f"/committees/{committee()}/discussion/motion/{motion().event}/",
        "audits": lambda: "/audit/",
        "audit-new": lambda: "/audit/new/",
        "audit": lambda: f"/audit/{run().public_id}/",
        "audit-progress": lambda: f"/audit/{run().public_id}/progress/",
        "audit-report": lambda: f"/audit/{run().public_id}/files/report.html",
        "strike": lambda: "/strike/",
        "workplace": lambda: (
            f"/strike/workplaces/{Workplace.objects.order_by('name').first().workplace}/"
        ),  # type: ignore[union-attr]
        "strike-ballot-new": lambda: f"/strike/workplaces/{own_workplace()}/ballot/",
        "strike-committee": lambda: f"/strike/committees/{committee()}/",
        "demands": lambda: "/strike/demands/",
        "demands-letter": lambda: f"/strike/demands/{motion().event}/",
        "fund-reports": lambda: "/fund/reports/",
        "fund-report": lambda: f"/fund/reports/{Report.objects.order_by('event').first().event}/",  # type: ignore[union-attr]
        "fund-report-json": lambda: (
            f"/fund/reports/{Report.objects.order_by('event').first().event}/report.json"
        ),  # type: ignore[union-attr]
        "fund": lambda: f"/fund/{Fund.objects.order_by('space').first().space}/",  # type: ignore[union-attr]
        "fund-receipt": lambda: "/fund/{0.space}/payouts/{0.event}/receipt/".format(
            Payout.objects.filter(space=Fund.objects.order_by("space").first().space)  # type: ignore[union-attr]
            .order_by("event")
            .first()
        ),
        "planning-budgets": lambda: f"/planning/{committee()}/budgets/",
        "planning-budget": lambda: "/planning/{0.space}/budgets/{0.event}/".format(
            Budget.objects.get(space=committee())
        ),
        "planning-needs": lambda: f"/planning/{committee()}/needs/",
        "planning-survey-open": lambda: f"/planning/{committee()}/needs/open/",
        "peers": lambda: "/sync/",
        "node-panic": lambda: "/node/panic/",
        "bundles": lambda: "/sync/bundles/",
        "bundle-receive": lambda: "/sync/bundles/receive/",
        "elections": lambda: f"/elections/committee/{election().committee}/",
        "election-new": lambda: f"/elections/committee/{election().committee}/new/",
        "election": lambda: f"/elections/{election().space}/",
        "election-json": lambda: f"/elections/{election().space}/election.json",
        "election-vote": lambda: f"/elections/{election().space}/vote/",
        "election-board": lambda: f"/elections/{election().space}/board/",
        "election-result": lambda: f"/elections/{election().space}/result/",
        "election-record": lambda: f"/elections/{election().space}/record.jsonl",
        "trustee-key": lambda: "/elections/trustee-key/",
        "pledges": lambda: f"/elections/committee/{committee()}/pledges/",
        "pledge-new": lambda: f"/elections/committee/{committee()}/pledges/new/",
        "pledge": lambda: f"/elections/pledge/{pledge().space}/",
        "pledge-make": lambda: f"/elections/pledge/{pledge().space}/make/",
        "pledge-record": lambda: f"/elections/pledge/{pledge().space}/record.jsonl",
    }
