"""Audit pages: the list, the upload form, a run's progress and report, its files, publishing.

Reads go through ``access``; writes through ``actions``; the audit itself runs in
``runner``. The report's plots and files are served from the run's folder (opened if sealed).
"""

from __future__ import annotations

import io
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from veche.apps.audit import actions, runner
from veche.apps.audit.access import access_run_by_public_id, is_owner, published_runs, runs_of
from veche.apps.audit.forms import AuditUploadForm
from veche.apps.audit.labels import METHOD_NAMES, PLOT_TITLES, STAGES
from veche.apps.audit.models import AuditRun
from veche.audit.labels import LANGUAGES as AUDIT_LANGUAGES
from veche.audit.report_words import row_problem
from veche.web.db import sealed
from veche.web.labels import label
from veche.web.viewer import account, viewer

PLOTS = ("fingerprint", "turnout", "integers", "second_digit", "regions", "witnesses")
FILES = {
    "report.html": "text/html; charset=utf-8",
    "report.json": "application/json",
    "flagged_stations.csv": "text/csv; charset=utf-8",
    **{f"{name}.png": "image/png" for name in PLOTS},
    **{f"{name}.svg": "image/svg+xml" for name in PLOTS},
}


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    key = viewer(request)
    return render(
        request,
        "audit/list.html",
        {
            "published": published_runs()[:100],
            "mine": runs_of(key)[:100] if key is not None else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def audit_new(request: HttpRequest) -> HttpResponse:
    language = (get_language() or "en")[:2]
    form = AuditUploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"language": language if language in ("en", "ru", "be") else "en"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = actions.start_audit_run(
            account(request).pk,
            title=data["title"],
            official=data["official"],
            witness=data.get("witness"),
            observer=data.get("observer"),
            language=data["language"],
            simulated=data["simulated"],
            skip_bad_rows=data["skip_bad_rows"],
        )
        runner.start(run.pk)
        return redirect("audit:detail", public_id=run.public_id)
    return render(request, "audit/new.html", {"form": form})


def _stage_text(run: AuditRun) -> str:
    stage = run.stage.split(":", 1)[0]
    if run.status == run.Status.QUEUED and stage not in STAGES:
        return label(STAGES, "reading")
    return label(STAGES, stage, default="")


def _committees_of(key: str | None, run: AuditRun) -> list[Any]:
    """The committees ``key`` is an active member of, which may publish this finished run
    through a motion (one query; none for a visitor, an unfinished run or another's run:
    the mirror carries the input files, which the node shows nobody but their owner)."""
    if key is None or run.status != AuditRun.Status.DONE or not is_owner(key, run):
        return []
    from veche.apps.committees.models import Committee, Member

    return list(
        Committee.objects.filter(
            space__in=Member.objects.filter(key=key, status=Member.Status.ACTIVE).values("space")
        )
        .only("space", "name")
        .order_by("name", "space")
    )


def _context(run: AuditRun, key: str | None) -> dict[str, Any]:
    summary = run.summary or {}
    signals = [
        {"name": label(METHOD_NAMES, name), "found": found}
        for name, found in (summary.get("signals") or {}).items()
    ]
    plots = [
        {"name": name, "title": PLOT_TITLES[name]}
        for name in PLOTS
        if (run.report_folder / f"{name}.png").is_file()
    ]
    leader = summary.get("leader")
    estimates = summary.get("anomalous_votes_estimate") or {}
    return {
        "run": run,
        "is_owner": is_owner(key, run),
        "summary": summary,
        "skipped": [_problem_text(problem) for problem in summary.get("skipped_rows") or []],
        "signals": signals,
        "plots": plots,
        "leader_estimate": estimates.get(leader) if leader else None,
        "stage": _stage_text(run),
        "error": _failure_text(run.error),
        "retryable": run.status == AuditRun.Status.FAILED and run.error in runner.RETRYABLE,
        "committees": _committees_of(key, run),
    }


def _problem_text(problem: dict[str, Any]) -> str:
    """A bad row of an input file in the reader's language: where, then what."""
    language = (get_language() or "en")[:2]
    what = row_problem(problem, language if language in AUDIT_LANGUAGES else "en")
    if problem.get("column"):
        where = _("%(file)s, line %(line)s, column %(column)s") % problem
    elif problem.get("line"):
        where = _("%(file)s, line %(line)s") % problem
    else:
        where = str(problem.get("file", ""))
    return f"{where}: {what}"


def _failure_text(error: str) -> str:
    """Why a run failed: a failure of the node's own (a msgid), or the input's bad rows
    (``runner.input_error_record``); older runs stored the English sentence."""
    if error in runner.RETRYABLE:
        return _(error)
    try:
        record = json.loads(error)
        problems = record["problems"]
        first = _problem_text(problems[0])
    except (ValueError, KeyError, IndexError, TypeError):
        return error
    more = int(record.get("count", 1)) - 1
    if more:
        first += " " + ngettext(
            "(and %(count)d more bad row)", "(and %(count)d more bad rows)", more
        ) % {"count": more}
    return first


@require_GET
def audit_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    key = viewer(request)
    run = access_run_by_public_id(key, public_id)
    return render(request, "audit/detail.html", _context(run, key))


@require_GET
def audit_progress(request: HttpRequest, public_id: str) -> HttpResponse:
    """The progress fragment the detail page polls; when the run ends, the page reloads."""
    run = access_run_by_public_id(viewer(request), public_id)
    # The fragment shows only the run and its stage (it is polled every second).
    response = render(request, "audit/_progress.html", {"run": run, "stage": _stage_text(run)})
    if run.finished:
        response["HX-Refresh"] = "true"
    return response


@require_GET
def audit_file(request: HttpRequest, public_id: str, name: str) -> HttpResponseBase:
    run = access_run_by_public_id(viewer(request), public_id)
    if name not in FILES or run.status != AuditRun.Status.DONE:
        raise Http404
    try:
        data = sealed.read(run.report_folder / name, "audit")
    except (OSError, sealed.SealedFileError):
        raise Http404 from None
    response = FileResponse(io.BytesIO(data), content_type=FILES[name])
    if name.endswith(".csv") or name.endswith(".json"):
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    # The report is self-contained: no script, no request leaves it.
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline'"
    )
    return response


@login_required
@require_POST
def audit_publish(request: HttpRequest, public_id: str) -> HttpResponse:
    run = access_run_by_public_id(viewer(request), public_id)
    try:
        actions.publish_audit_run(run, account(request).pk)
    except actions.AuditRunError:
        raise Http404 from None
    messages.success(request, _("The report is published: anyone can read it now."))
    return redirect("audit:detail", public_id=run.public_id)


@login_required
@require_POST
def audit_retry(request: HttpRequest, public_id: str) -> HttpResponse:
    """Run a failed audit again with the files it was given (its owner only)."""
    run = access_run_by_public_id(viewer(request), public_id)
    try:
        run = actions.retry_audit_run(run, account(request).pk, runner.RETRYABLE)
    except actions.AuditRunError:
        raise Http404 from None
    runner.start(run.pk)
    return redirect("audit:detail", public_id=run.public_id)


@login_required
@require_POST
def audit_propose(request: HttpRequest, public_id: str) -> HttpResponse:
    """Propose, in a committee the viewer is an active member of, a general motion that
    publishes this finished run (its bundle's digest) in the committee's signed mirror."""
    from veche.apps.audit.publication import run_digest
    from veche.apps.committees import actions as committees
    from veche.web.viewer import run_signed_action

    key = viewer(request)
    run = access_run_by_public_id(key, public_id)
    space = request.POST.get("space", "")
    if space not in {c.space for c in _committees_of(key, run)}:
        raise Http404
    digest = run_digest(run)
    if digest is None:
        raise Http404
    text = _(
        "Publish the audit report “%(title)s” in this committee's signed mirror "
        "(veche publish): its input files, parameters and report.json, whose digest is "
        "%(digest)s. Anyone can re-run the audit with veche audit verify."
    ) % {"title": run.title, "digest": digest}
    title = _("Publish the audit: %(title)s") % {"title": run.title}
    event = run_signed_action(
        request,
        lambda identity: committees.propose(
            identity,
            space,
            kind="general",
            title=title[:300],
            text=text,
            target={"audit": digest},
        ),
    )
    if event is None:
        return redirect("audit:detail", public_id=run.public_id)
    return redirect("committees:motion", space, event.id)
