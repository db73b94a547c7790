"""What one audit found: every method's result for one election, as plain values.

The audit runs (``report.run_audit``) and its outputs are drawn from it
(``report.report_json``, ``html.render_html``, ``plots.draw_plots``); this module
is what they share, so that none of them imports another to name it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from veche.audit.digits import SecondDigitTest
from veche.audit.integers import IntegerAnomaly
from veche.audit.klimek import KlimekFit
from veche.audit.protocol import ObserverReports, OfficialProtocol, WitnessReports
from veche.audit.regions import RegionalOutliers
from veche.audit.turnout import TurnoutEstimate
from veche.audit.witnesses import ObserverComparison, WitnessComparison

__all__ = ["AuditReport"]


@dataclass(frozen=True, slots=True, eq=False)
class AuditReport:
    """Every method's result for one election; a method that could not run has None
    and its reason in ``errors``."""

    official: OfficialProtocol
    witnesses: WitnessReports | None
    observers: ObserverReports | None
    witness_comparison: WitnessComparison | None
    observer_comparison: ObserverComparison | None
    klimek: KlimekFit | None
    integers: IntegerAnomaly | None
    second_digit: tuple[SecondDigitTest, ...]
    turnout: TurnoutEstimate | None
    regions: RegionalOutliers | None
    errors: dict[str, str]
    generated_at: datetime

    def signals(self) -> dict[str, bool]:
        """For each method that ran, whether it found what it looks for."""
        results = {
            "witnesses": self.witness_comparison,
            "observers": self.observer_comparison,
            "klimek": self.klimek,
            "integers": self.integers,
            "turnout": self.turnout,
            "regions": self.regions,
        }
        return {
            name: bool(result.detected) for name, result in results.items() if result is not None
        }

    @property
    def flagged(self) -> bool:
        return any(self.signals().values())
