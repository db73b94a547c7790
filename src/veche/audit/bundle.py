"""An audit *bundle*: the files that let anyone re-run an audit and check its report.

A bundle is the audit's public inputs (the official protocol, and the witness and
observer files if any), ``params.json`` (every setting the result depends on, the
random seed among them) and ``report.json``. Its *digest* names exactly those bytes;
``check_bundle`` re-runs the pure audit on the inputs with the parameters and says
where the carried report.json differs from the one it recomputes. The format is
normative in docs/formats/audit-bundle-v1.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal, cast

from veche.audit.errors import AuditInputError
from veche.audit.reading import InputFile, read_observers, read_official, read_witnesses
from veche.audit.report import report_files, run_audit
from veche.events.encoding import b64e

PARAMS = "params.json"
REPORT = "report.json"
ROLES = ("official", "witness", "observer")
_PARAM_KEYS = {
    "official",
    "witness",
    "observer",
    "seed",
    "resamples",
    "integer_draws",
    "skip_bad_rows",
    "simulated",
    "language",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bundle: the file it is in, and an English sentence."""

    file: str
    message: str


def params_bytes(params: Mapping[str, Any]) -> bytes:
    """The one byte layout of params.json: sorted keys, two-space indent, final newline."""
    return (json.dumps(dict(params), sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def input_path(name: str) -> str:
    """Where an input file of this (base) name sits in a bundle."""
    return f"inputs/{name}"


def bundle_digest(files: Mapping[str, bytes]) -> str:
    """BLAKE2b-256 (person ``veche-audit-v1``) of the manifest, base64url unpadded.

    The manifest is, for each bundle file in ascending UTF-8 order of its path, the
    path, a line feed, the lowercase hex BLAKE2b-256 (no person) of the file's bytes,
    and a line feed. Files other than inputs/*, params.json and report.json are not
    part of the bundle and do not change the digest.
    """
    manifest = b""
    for path in sorted(p for p in files if _in_bundle(p)):
        manifest += path.encode() + b"\n"
        manifest += hashlib.blake2b(files[path], digest_size=32).hexdigest().encode() + b"\n"
    return b64e(hashlib.blake2b(manifest, digest_size=32, person=b"veche-audit-v1").digest())


def _in_bundle(path: str) -> bool:
    return path in (PARAMS, REPORT) or path.startswith("inputs/")


def make_bundle(
    inputs: Mapping[str, InputFile],
    *,
    seed: int = 0,
    resamples: int = 1000,
    integer_draws: Literal["binomial", "exact"] = "exact",
    skip_bad_rows: bool = False,
    simulated: bool = False,
    language: str = "en",
) -> dict[str, bytes]:
    """Run the audit on ``inputs`` (role -> file; ``official`` required) and return
    the bundle's files by path. Raises ``ValueError`` on an unreadable input or a
    parameter out of range."""
    params: dict[str, Any] = {
        "seed": seed,
        "resamples": resamples,
        "integer_draws": integer_draws,
        "skip_bad_rows": skip_bad_rows,
        "simulated": simulated,
        "language": language,
    }
    files: dict[str, bytes] = {}
    for role in ROLES:
        given = inputs.get(role)
        params[role] = None if given is None else PurePosixPath(given.name).name
        if given is not None:
            files[input_path(params[role])] = given.data
    files[PARAMS] = params_bytes(params)
    problems, report = _recompute(files)
    if report is None:
        raise ValueError(problems[0].message if problems else "the audit did not run")
    files[REPORT] = report
    return files


def _params(files: Mapping[str, bytes]) -> tuple[dict[str, Any] | None, str]:
    raw = files.get(PARAMS)
    if raw is None:
        return None, "the bundle has no params.json"
    try:
        params = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, "params.json is not JSON"
    if not isinstance(params, dict) or set(params) != _PARAM_KEYS:
        return None, "params.json does not hold exactly the parameters of audit-bundle v1"
    if params_bytes(params) != raw:
        return None, "params.json is not in its one byte layout"
    ok = (
        isinstance(params["seed"], int)
        and not isinstance(params["seed"], bool)
        and 0 <= params["seed"] < 2**32
        and isinstance(params["resamples"], int)
        and not isinstance(params["resamples"], bool)
        and 10 <= params["resamples"] <= 100_000
        and params["integer_draws"] in ("exact", "binomial")
        and isinstance(params["skip_bad_rows"], bool)
        and isinstance(params["simulated"], bool)
        and params["language"] in ("be", "ru", "en")
        and isinstance(params["official"], str)
        and all(params[r] is None or isinstance(params[r], str) for r in ROLES)
    )
    if not ok:
        return None, "params.json holds a parameter out of its range"
    for role in ROLES:
        name = params[role]
        if name is not None and (
            name != PurePosixPath(name).name or name in ("", ".", "..") or "\\" in name
        ):
            return None, "params.json names an input that is not a plain file name"
    return params, ""


def _recompute(
    files: Mapping[str, bytes], generated_at: datetime | None = None
) -> tuple[list[Problem], bytes | None]:
    params, why = _params(files)
    if params is None:
        return [Problem(PARAMS, why)], None
    named = {role: params[role] for role in ROLES if params[role] is not None}
    wanted = {input_path(name) for name in named.values()}
    problems = [
        Problem(path, "this input is not named in params.json")
        for path in sorted(files)
        if path.startswith("inputs/") and path not in wanted
    ]
    for role, name in named.items():
        if input_path(name) not in files:
            problems.append(Problem(input_path(name), f"the {role} input is missing"))
    if problems:
        return problems, None
    skip = params["skip_bad_rows"]
    source = {role: InputFile(name, files[input_path(name)]) for role, name in named.items()}
    try:
        official = read_official(source["official"], skip_bad_rows=skip)
        witnesses = (
            read_witnesses(source["witness"], official, skip_bad_rows=skip)
            if "witness" in source
            else None
        )
        observers = (
            read_observers(source["observer"], official, skip_bad_rows=skip)
            if "observer" in source
            else None
        )
    except AuditInputError as error:
        return [Problem("inputs/", f"an input cannot be read: {error}")], None
    report = run_audit(
        official,
        witnesses,
        observers,
        seed=params["seed"],
        resamples=params["resamples"],
        integer_draws=cast(Literal["binomial", "exact"], params["integer_draws"]),
    )
    if generated_at is not None:
        # The one fact no re-run can recompute: when the audit ran. It is taken as stated.
        report = replace(report, generated_at=generated_at)
    data = report_files(
        report, plots=False, language=params["language"], simulated=params["simulated"]
    )[REPORT]
    return [], data


def _first_difference(carried: Any, recomputed: Any, where: str = "") -> str:
    """The JSON path of the first value that differs (``""`` for the whole file)."""
    if isinstance(carried, dict) and isinstance(recomputed, dict):
        for key in sorted(set(carried) | set(recomputed)):
            if carried.get(key, ...) != recomputed.get(key, ...):
                return _first_difference(carried.get(key), recomputed.get(key), f"{where}/{key}")
    if (
        isinstance(carried, list)
        and isinstance(recomputed, list)
        and len(carried) == len(recomputed)
    ):
        for index, (a, b) in enumerate(zip(carried, recomputed, strict=True)):
            if a != b:
                return _first_difference(a, b, f"{where}/{index}")
    return where or "/"


def check_bundle(files: Mapping[str, bytes]) -> list[Problem]:
    """Re-run the audit on the bundle's inputs and compare report.json, byte for byte.
    An empty list means the report is what the audit computes from these inputs."""
    try:
        _params(files)
    except RecursionError:
        return [Problem(PARAMS, "params.json is not JSON: it is nested too deeply")]
    try:
        return _check_bundle(files)
    except RecursionError:
        # Crafted JSON of 100,000 brackets: named, never a crash of the verifier.
        return [Problem(REPORT, "report.json is not JSON: it is nested too deeply")]


def _check_bundle(files: Mapping[str, bytes]) -> list[Problem]:
    carried = files.get(REPORT)
    if carried is None:
        return [Problem(REPORT, "the bundle has no report.json")]
    try:
        stated = json.loads(carried)["generated_at"]
        when = datetime.fromisoformat(stated.replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, TypeError, KeyError, AttributeError):
        return [Problem(REPORT, "report.json does not say when the audit ran")]
    problems, recomputed = _recompute(files, when)
    if recomputed is None:
        return problems
    if carried == recomputed:
        return []
    try:
        where = _first_difference(json.loads(carried), json.loads(recomputed))
    except ValueError:
        return [Problem(REPORT, "report.json is not JSON")]
    if where == "/" and json.loads(carried) == json.loads(recomputed):
        return [Problem(REPORT, "report.json is not in the byte layout the audit writes")]
    return [Problem(REPORT, f"report.json differs from the recomputed report at {where}")]


def read_bundle(directory: Path | str) -> dict[str, bytes]:
    """The bundle's files in a folder (inputs/*, params.json, report.json), by path."""
    root = Path(directory)
    files: dict[str, bytes] = {}
    for name in (PARAMS, REPORT):
        if (root / name).is_file():
            files[name] = (root / name).read_bytes()
    if (root / "inputs").is_dir():
        for path in sorted((root / "inputs").iterdir()):
            if path.is_file():
                files[input_path(path.name)] = path.read_bytes()
    return files


def write_bundle(files: Mapping[str, bytes], directory: Path | str) -> dict[str, Path]:
    """Write a bundle's files under ``directory``; returns the paths written."""
    root = Path(directory)
    written: dict[str, Path] = {}
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written[path] = target
    return written
