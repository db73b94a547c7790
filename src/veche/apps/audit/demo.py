"""The demonstration audit: a simulated election shaped like Belarus 2020, audited and published.

``veche demo`` can call :func:`load_demo_audit` after it has created its
accounts. The election is simulated (5,800 stations, ~6.5 million voters) with
known fraud, and every page and the report say so.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.files import File

from veche.apps.audit import actions, runner
from veche.apps.audit.models import AuditRun
from veche.audit import simulate, write_simulation

DEMO_STATIONS = 5800
DEMO_SEED = 2020
DEMO_FRAUD = {"stuffing": 0.35, "rewrite": 0.25, "carousel": 0.05}


DEMO_TITLE = "Simulated presidential election shaped like Belarus, 9 August 2020"


def load_demo_audit(
    owner_id: int,
    *,
    language: str = "en",
    stations: int = DEMO_STATIONS,
    title: str = DEMO_TITLE,
) -> list[str]:
    """Simulate, audit (in this thread) and publish the demo election; return lines to print.
    ``title`` is the run's title as its owner typed it (``veche demo`` gives it in the
    owner's language); ``language`` is the report's."""
    election = simulate(
        stations,
        DEMO_SEED,
        stuffing=DEMO_FRAUD["stuffing"],
        rewrite=DEMO_FRAUD["rewrite"],
        carousel=DEMO_FRAUD["carousel"],
    )
    with tempfile.TemporaryDirectory() as folder:
        paths = write_simulation(election, Path(folder))
        with (
            paths["official"].open("rb") as official,
            paths["witness"].open("rb") as witness,
            paths["observer"].open("rb") as observer,
        ):
            run = actions.start_audit_run(
                owner_id,
                title=title,
                official=File(official, name="official.csv"),
                witness=File(witness, name="witness.csv"),
                observer=File(observer, name="observer.csv"),
                language=language,
                simulated=True,
            )
    runner.execute(run.pk)
    run.refresh_from_db()
    if run.status != AuditRun.Status.DONE:
        return [f"The demo audit failed: {run.error}"]
    actions.publish_audit_run(run, owner_id)
    truth = election.truth
    return [
        f"Simulated election audited and published: {stations} stations, "
        f"{run.summary['proven_falsified_stations']} proven falsified "
        f"({truth['injected_leader_votes']} votes injected for {truth['leader']}).",
    ]
