"""Run an audit in the background and write its progress where the page can read it.

A daemon thread per run (the work is numpy, which releases the GIL, and
matplotlib's Agg canvas, which is thread-safe without pyplot); a semaphore lets
one audit run at a time so that a small node stays responsive. Tests and the
``VECHE_AUDIT_BACKGROUND = False`` setting run the audit in the request instead.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.translation import gettext_noop

from veche.apps.audit import actions
from veche.apps.audit.models import AuditRun

log = logging.getLogger(__name__)
_ONE_AT_A_TIME = threading.Semaphore(1)

# Where each stage of the pure package falls on the page's progress bar (percent).
_AUDIT_SPAN = (10, 75)
_REPORT_SPAN = (75, 100)
# Stored as written; the page shows it in the reader's language.
INTERNAL_ERROR = gettext_noop("internal error; the node's log has the details")


def start(run_id: int) -> None:
    """Start the run: in a background thread, or now if the settings say so."""
    if getattr(settings, "VECHE_AUDIT_BACKGROUND", True):
        thread = threading.Thread(target=_background, args=(run_id,), name=f"audit-{run_id}")
        thread.daemon = True
        thread.start()
    else:
        execute(run_id)


def _background(run_id: int) -> None:
    with _ONE_AT_A_TIME:
        close_old_connections()
        try:
            execute(run_id)
        finally:
            connection.close()


def _reporter(run_id: int, span: tuple[int, int]) -> Any:
    last = [-1]

    def tell(stage: str, done: float) -> None:
        percent = int(span[0] + (span[1] - span[0]) * done)
        if percent != last[0]:
            last[0] = percent
            actions.record_progress(run_id, stage, percent)

    return tell


def execute(run_id: int) -> None:
    """Read the run's files, audit, write the report, record the outcome."""
    from veche.audit import (
        AuditInputError,
        read_observers,
        read_official,
        read_witnesses,
        report_json,
        run_audit,
        write_report,
    )

    run = AuditRun.objects.get(pk=run_id)
    inputs = run.folder / "input"
    try:
        actions.record_progress(run_id, "reading", 2)
        official = read_official(
            inputs / "official" / run.official_name, skip_bad_rows=run.skip_bad_rows
        )
        witnesses = (
            read_witnesses(
                inputs / "witness" / run.witness_name, official, skip_bad_rows=run.skip_bad_rows
            )
            if run.witness_name
            else None
        )
        observers = (
            read_observers(
                inputs / "observer" / run.observer_name, official, skip_bad_rows=run.skip_bad_rows
            )
            if run.observer_name
            else None
        )
        report = run_audit(official, witnesses, observers, progress=_reporter(run_id, _AUDIT_SPAN))
        write_report(
            report,
            run.report_folder,
            language=run.language,
            simulated=run.simulated,
            progress=_reporter(run_id, _REPORT_SPAN),
        )
        summary = report_json(report)
    except AuditInputError as error:
        actions.record_failure(run_id, str(error))
        return
    except Exception:
        log.exception("audit run %s failed", run_id)
        actions.record_failure(run_id, INTERNAL_ERROR)
        return
    # The report's long lists stay in report.json on disk; the page needs the figures.
    for key in ("outlier_stations", "witnesses", "observers"):
        value = summary.get(key)
        if isinstance(value, list):
            summary[key] = len(value)
        elif isinstance(value, dict):
            summary[key] = {k: v for k, v in value.items() if not isinstance(v, list)}
    summary["methods"] = {
        name: {"detected": method["detected"]} for name, method in summary["methods"].items()
    }
    summary["skipped_rows"] = summary["skipped_rows"][:50]
    actions.record_success(run_id, summary)
