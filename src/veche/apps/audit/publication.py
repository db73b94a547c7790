"""An audit run as an audit bundle (audit-bundle-v1): the files a committee's motion
cites by digest to publish the audit, and which ``veche publish`` carries once it passes.

The node runs every audit with the pure core's defaults (seed 0, 1000 resamples, exact
draws), so a finished run's bundle is its uploaded inputs, those parameters and the
report.json it wrote; anyone can re-run it with ``veche audit verify``.
"""

from __future__ import annotations

from typing import Any

from veche.apps.audit.models import AuditRun
from veche.audit.bundle import PARAMS, REPORT, bundle_digest, input_path, params_bytes
from veche.web.db import sealed

# The settings of every audit this node runs (veche.apps.audit.runner.execute).
NODE_PARAMS: dict[str, Any] = {"seed": 0, "resamples": 1000, "integer_draws": "exact"}


def run_bundle(run: AuditRun) -> dict[str, bytes] | None:
    """A finished run's bundle by path, or None if it is not done or its files are gone."""
    if run.status != AuditRun.Status.DONE:
        return None
    params: dict[str, Any] = {
        **NODE_PARAMS,
        "skip_bad_rows": run.skip_bad_rows,
        "simulated": run.simulated,
        "language": run.language,
    }
    files: dict[str, bytes] = {}
    try:
        for role, name in (
            ("official", run.official_name),
            ("witness", run.witness_name),
            ("observer", run.observer_name),
        ):
            params[role] = name or None
            if name:
                files[input_path(name)] = sealed.read(run.input_path(role, name), "audit")
        files[REPORT] = sealed.read(run.report_folder / REPORT, "audit")
    except (OSError, sealed.SealedFileError):
        return None
    files[PARAMS] = params_bytes(params)
    return files


def run_digest(run: AuditRun) -> str | None:
    """The digest a motion cites to publish this run (audit-bundle-v1 §3)."""
    files = run_bundle(run)
    return None if files is None else bundle_digest(files)


def bundles_named(digests: set[str]) -> dict[str, dict[str, bytes]]:
    """The finished runs of this node whose bundle digest is one of ``digests``:
    digest -> the bundle's files (the first run found, for equal bundles)."""
    found: dict[str, dict[str, bytes]] = {}
    if not digests:
        return found
    for run in AuditRun.objects.filter(status=AuditRun.Status.DONE).order_by("pk"):
        files = run_bundle(run)
        if files is None:
            continue
        digest = bundle_digest(files)
        if digest in digests and digest not in found:
            found[digest] = files
    return found
