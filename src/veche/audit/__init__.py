"""Audit an official election: witnessed votes against protocols, statistical
fingerprints of fraud, and a report a journalist can publish.

A pure package (numpy, scipy, matplotlib; no Django): readers turn the official
protocol, witness and observer files into arrays, each method returns a frozen
dataclass that states its assumptions and limits, :func:`run_audit` runs them
all, :func:`write_report` writes report.json, report.html, flagged_stations.csv
and the plots, and :func:`simulate` makes elections with known injected fraud.
"""

from __future__ import annotations

from veche.audit.digits import SecondDigitTest, second_digit_tests
from veche.audit.errors import AuditError, AuditInputError, AuditMethodError, RowProblem
from veche.audit.integers import IntegerAnomaly, integer_anomaly
from veche.audit.klimek import KlimekFit, klimek_fit
from veche.audit.protocol import ObserverReports, OfficialProtocol, WitnessReports
from veche.audit.reading import InputFile, read_observers, read_official, read_witnesses
from veche.audit.regions import RegionalOutliers, regional_outliers
from veche.audit.report import AuditReport, report_files, report_json, run_audit, write_report
from veche.audit.simulation import SimulatedElection, simulate, write_simulation
from veche.audit.turnout import TurnoutEstimate, turnout_estimate
from veche.audit.witnesses import (
    ObserverComparison,
    WitnessComparison,
    compare_observers,
    compare_witnesses,
)

__all__ = [
    "AuditError",
    "AuditInputError",
    "AuditMethodError",
    "AuditReport",
    "InputFile",
    "IntegerAnomaly",
    "KlimekFit",
    "ObserverComparison",
    "ObserverReports",
    "OfficialProtocol",
    "RegionalOutliers",
    "RowProblem",
    "SecondDigitTest",
    "SimulatedElection",
    "TurnoutEstimate",
    "WitnessComparison",
    "WitnessReports",
    "compare_observers",
    "compare_witnesses",
    "integer_anomaly",
    "klimek_fit",
    "read_observers",
    "read_official",
    "read_witnesses",
    "regional_outliers",
    "report_files",
    "report_json",
    "run_audit",
    "second_digit_tests",
    "simulate",
    "turnout_estimate",
    "write_report",
    "write_simulation",
]
