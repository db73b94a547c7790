"""Run an audit in the background and write its progress where the page can read it.

The page queues the run (a task in the ``audits`` queue: ``veche.web.background``
runs one audit at a time for the whole node, on a thread of the worker that ``veche
serve`` starts; the work is numpy, which releases the GIL, and matplotlib's Agg
canvas). The run's files stay in its folder, so a run whose process died is run
again from them when the worker next starts (an encrypted node keeps them sealed
and opens them in memory only); interrupted twice, it is marked failed
and its owner offered a retry. The tests' immediate backend runs it within the
request instead.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_noop
from django_tasks import task

from veche.apps.audit import actions
from veche.apps.audit.models import SEALED_INPUT, AuditRun
from veche.audit.reading import InputFile
from veche.web.background import on_interrupted
from veche.web.db import sealed

if TYPE_CHECKING:
    from veche.audit import AuditInputError

log = logging.getLogger(__name__)

# Where each stage of the pure package falls on the page's progress bar (percent).
_AUDIT_SPAN = (10, 75)
_REPORT_SPAN = (75, 100)
# Stored as written; the page shows them in the reader's language.
INTERNAL_ERROR = gettext_noop("internal error; the node's log has the details")
INTERRUPTED = gettext_noop("the node restarted twice while this audit ran")
# Failures a retry with the same files may cure (an input error needs new files).
RETRYABLE = (INTERNAL_ERROR, INTERRUPTED)


def input_error_record(error: AuditInputError) -> str:
    """An input error as stored on the run: its first bad rows, as report.json lists them."""
    problems = [
        {
            "file": p.file,
            "line": p.line,
            "column": p.column,
            "message": p.message,
            "code": p.code,
            "params": dict(p.params),
        }
        for p in error.problems[:20]
    ]
    return json.dumps({"problems": problems, "count": len(error.problems)}, ensure_ascii=False)


def start(run_id: int) -> None:
    """Queue the run (run it now, with the immediate backend of the tests)."""
    try:
        run_audit.enqueue(run_id)
    except Exception:
        actions.record_failure(run_id, INTERNAL_ERROR)
        raise


@task(queue_name="audits")
def run_audit(run_id: int) -> None:
    """The queued audit."""
    execute(run_id)


@on_interrupted("veche.apps.audit.runner.run_audit")
def _interrupted(args: list[Any], _kwargs: dict[str, Any], gave_up: bool) -> None:
    if not args:
        return
    if gave_up:
        actions.record_failure(int(args[0]), INTERRUPTED)
    else:
        actions.record_restart(int(args[0]))


def _reporter(run_id: int, span: tuple[int, int]) -> Any:
    last = [-1]

    def tell(stage: str, done: float) -> None:
        percent = int(span[0] + (span[1] - span[0]) * done)
        if percent != last[0]:
            last[0] = percent
            actions.record_progress(run_id, stage, percent)

    return tell


def _input(run: AuditRun, kind: str, name: str) -> Path | InputFile:
    """An uploaded file for the readers: its path on a plain node, its bytes opened
    from the sealed file on an encrypted one (never written out in the clear)."""
    path = run.input_path(kind, name)
    if path.name != SEALED_INPUT:
        return path
    return InputFile(name, sealed.read(path, "audit"))


def execute(run_id: int) -> None:
    """Read the run's files, audit, write the report, record the outcome."""
    from veche.audit import (
        AuditInputError,
        read_observers,
        read_official,
        read_witnesses,
        report_files,
        report_json,
        run_audit,
    )

    run = AuditRun.objects.get(pk=run_id)
    try:
        actions.record_progress(run_id, "reading", 2)
        official = read_official(
            _input(run, "official", run.official_name), skip_bad_rows=run.skip_bad_rows
        )
        witnesses = (
            read_witnesses(
                _input(run, "witness", run.witness_name), official, skip_bad_rows=run.skip_bad_rows
            )
            if run.witness_name
            else None
        )
        observers = (
            read_observers(
                _input(run, "observer", run.observer_name),
                official,
                skip_bad_rows=run.skip_bad_rows,
            )
            if run.observer_name
            else None
        )
        report = run_audit(official, witnesses, observers, progress=_reporter(run_id, _AUDIT_SPAN))
        files = report_files(
            report,
            language=run.language,
            simulated=run.simulated,
            progress=_reporter(run_id, _REPORT_SPAN),
        )
        for name, body in files.items():  # sealed on an encrypted node
            sealed.write(run.report_folder / name, body, "audit")
        summary = report_json(report)
    except AuditInputError as error:
        # Codes and parameters: the page says it in its reader's language.
        actions.record_failure(run_id, input_error_record(error))
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
