"""``veche audit``: simulate an election with known fraud, or audit an official result.

Needs no Django and no node: it reads files and writes files.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from veche.cli.base import LANGUAGES, CliError, add_json_flag, print_json


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return value


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser(
        "audit", help="audit an official election result (witnesses, statistics, report)"
    )
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)

    simulate = actions.add_parser(
        "simulate",
        help="write a simulated election with known fraud "
        "(official, witness, observer CSVs, truth.json)",
    )
    simulate.add_argument("--stations", type=int, required=True, help="number of polling stations")
    simulate.add_argument(
        "--seed", type=int, required=True, help="random seed (same seed, same election)"
    )
    simulate.add_argument(
        "--stuffing",
        type=_share,
        default=0.0,
        help="share of stations with ballot stuffing (Klimek model)",
    )
    simulate.add_argument(
        "--rewrite",
        type=_share,
        default=0.0,
        help="share of stations whose protocol is rewritten to a round share",
    )
    simulate.add_argument(
        "--carousel", type=_share, default=0.0, help="share of stations with carousel voting"
    )
    simulate.add_argument(
        "--candidates",
        type=int,
        default=6,
        help="columns on the ballot, 'against all' included (default 6)",
    )
    simulate.add_argument("-o", "--output", required=True, help="folder to write into")
    add_json_flag(simulate)
    simulate.set_defaults(handler=_simulate)

    run = actions.add_parser("run", help="audit an official protocol and write the report")
    run.add_argument("official", help="official per-station protocol (.csv UTF-8 or .xlsx)")
    run.add_argument("--witness", help="witness reports CSV (per vote or aggregated)")
    run.add_argument("--observer", help="observer counts CSV")
    run.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="leave bad rows out (and list them) instead of rejecting the file",
    )
    run.add_argument("--no-plots", action="store_true", help="do not draw plots (faster)")
    run.add_argument(
        "--language", choices=LANGUAGES, default="en", help="language of plots and report"
    )
    run.add_argument(
        "--simulated", action="store_true", help="label the report as a simulated election"
    )
    run.add_argument(
        "--seed", type=int, default=0, help="seed of the resampling and model simulations"
    )
    run.add_argument(
        "--resamples", type=int, default=1000, help="binomial resamples of the integer test"
    )
    run.add_argument(
        "--integer-draws",
        choices=("exact", "binomial"),
        default="exact",
        help="draw each resample's count from its exact distribution (default), or draw "
        "every station's two binomials in every resample (same distribution, ~100x slower)",
    )
    run.add_argument("-o", "--output", required=True, help="folder to write the report into")
    add_json_flag(run)
    run.set_defaults(handler=_run)

    verify = actions.add_parser(
        "verify",
        help="re-run an audit from its folder (inputs/, params.json) and check its report.json; "
        "print the audit's digest",
    )
    verify.add_argument("folder", type=Path, help="a folder 'veche audit run' wrote")
    add_json_flag(verify)
    verify.set_defaults(handler=_verify)


def _simulate(args: argparse.Namespace) -> int:
    from veche.audit import simulate, write_simulation

    if args.stations < 1:
        raise CliError("--stations must be at least 1")
    if args.candidates < 2:
        raise CliError("--candidates must be at least 2")
    election = simulate(
        args.stations,
        args.seed,
        stuffing=args.stuffing,
        rewrite=args.rewrite,
        carousel=args.carousel,
        candidates=args.candidates,
    )
    try:
        paths = write_simulation(election, args.output)
    except OSError as error:
        raise CliError(f"cannot write into {args.output}: {error}") from None
    truth = election.truth
    summary = {
        "files": {name: str(path) for name, path in paths.items()},
        "stations": truth["stations"],
        "registered": truth["registered"],
        "leader": truth["leader"],
        "stations_touched": truth["stations_touched"],
        "injected_leader_votes": truth["injected_leader_votes"],
    }
    if args.json:
        print_json(summary)
    else:
        print(
            f"Simulated election: {truth['stations']} stations, "
            f"{truth['registered']} registered voters"
        )
        print(
            f"Fraud injected: {truth['stations_touched']['any']} stations touched, "
            f"{truth['injected_leader_votes']} votes for {truth['leader']}"
        )
        for path in paths.values():
            print(f"  wrote {path}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from veche.audit import (
        AuditInputError,
        read_observers,
        read_official,
        read_witnesses,
        run_audit,
        write_report,
    )
    from veche.audit.bundle import bundle_digest, write_bundle

    if args.resamples < 10:
        raise CliError("--resamples must be at least 10")
    try:
        official = read_official(args.official, skip_bad_rows=args.skip_bad_rows)
        witnesses = (
            read_witnesses(args.witness, official, skip_bad_rows=args.skip_bad_rows)
            if args.witness
            else None
        )
        observers = (
            read_observers(args.observer, official, skip_bad_rows=args.skip_bad_rows)
            if args.observer
            else None
        )
    except AuditInputError as error:
        raise CliError(str(error)) from None
    report = run_audit(
        official,
        witnesses,
        observers,
        seed=args.seed,
        resamples=args.resamples,
        integer_draws=args.integer_draws,
    )
    try:
        paths = write_report(
            report,
            args.output,
            plots=not args.no_plots,
            language=args.language,
            simulated=args.simulated,
        )
        bundle = _bundle_files(args, report)
        write_bundle(bundle, args.output)
    except OSError as error:
        raise CliError(f"cannot write into {args.output}: {error}") from None
    from veche.audit import report_json

    data = report_json(report)
    summary: dict[str, Any] = {
        key: data[key]
        for key in (
            "stations",
            "registered",
            "ballots",
            "leader",
            "proven_falsified_stations",
            "proven_min_falsified_votes",
            "anomalous_votes_estimate",
            "integer_anomaly",
            "klimek",
            "signals",
            "flagged",
            "errors",
        )
    }
    summary["outlier_stations"] = len(data["outlier_stations"])
    summary["skipped_rows"] = data["skipped_rows"]
    summary["files"] = sorted(str(Path(p)) for p in paths.values())
    summary["digest"] = bundle_digest(bundle)
    if args.json:
        print_json(summary)
        return 0
    print(
        f"Audited {data['source']}: {data['stations']} stations, {data['registered']} registered, "
        f"{data['ballots']} ballots; leader {data['leader']}"
    )
    for problem in data["skipped_rows"][:20]:
        print(
            f"  skipped: {problem['file']}, line {problem['line']}, "
            f"column {problem['column']}: {problem['message']}"
        )
    if len(data["skipped_rows"]) > 20:
        print(f"  ... {len(data['skipped_rows']) - 20} more skipped rows are listed in report.json")
    if data["proven_falsified_stations"] is not None:
        print(
            f"Proven falsified stations: {data['proven_falsified_stations']} "
            f"(at least {data['proven_min_falsified_votes']} falsified votes)"
        )
    if data["anomalous_votes_estimate"]:
        print(
            f"Anomalous votes for {data['leader']} (turnout method): "
            f"{data['anomalous_votes_estimate'][data['leader']]}"
        )
    for name, found in data["signals"].items():
        print(f"  {name:10} {'SIGNAL' if found else 'no signal'}")
    for name, message in data["errors"].items():
        print(f"  {name:10} not run: {message}")
    print(f"Report written to {args.output}")
    print(f"Audit digest (veche audit verify {args.output}): {summary['digest']}")
    return 0


def _bundle_files(args: argparse.Namespace, report: Any) -> dict[str, bytes]:
    """The audit's bundle (audit-bundle-v1): its inputs, params.json, report.json."""
    from veche.audit import report_files
    from veche.audit.bundle import PARAMS, REPORT, input_path, params_bytes

    params: dict[str, Any] = {
        "seed": args.seed,
        "resamples": args.resamples,
        "integer_draws": args.integer_draws,
        "skip_bad_rows": args.skip_bad_rows,
        "simulated": args.simulated,
        "language": args.language,
    }
    files: dict[str, bytes] = {}
    for role in ("official", "witness", "observer"):
        given = getattr(args, role)
        params[role] = None if given is None else Path(given).name
        if given is not None:
            if input_path(params[role]) in files:
                raise CliError(f"two inputs are named {params[role]}; rename one")
            files[input_path(params[role])] = Path(given).read_bytes()
    files[PARAMS] = params_bytes(params)
    files[REPORT] = report_files(
        report, plots=False, language=args.language, simulated=args.simulated
    )[REPORT]
    return files


def _verify(args: argparse.Namespace) -> int:
    from veche.audit.bundle import bundle_digest, check_bundle, read_bundle

    if not args.folder.is_dir():
        raise CliError(f"{args.folder} is not a folder")
    files = read_bundle(args.folder)
    problems = check_bundle(files)
    digest = bundle_digest(files)
    if args.json:
        print_json(
            {
                "verified": not problems,
                "digest": digest,
                "problems": [{"file": p.file, "message": p.message} for p in problems],
            }
        )
    else:
        for problem in problems:
            print(f"{problem.file}: {problem.message}")
        print(f"digest {digest}")
        print("verified" if not problems else "NOT verified")
    return 0 if not problems else 1
