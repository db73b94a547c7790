"""Verifying a whole election record against verifying its ballots alone.

``veche election verify`` does more than check ballot proofs: it parses and
signature-checks every event, replays the rules (eligibility, copied
ciphertexts, re-votes), recomputes the encrypted tally and checks the key
ceremony and every partial decryption. This bench simulates an election
(5 options, vote for 1, 3 trustees, threshold 2), then measures ballots/s of
the full record verification against the baseline of checking the same ballots'
proofs alone (``veche.crypto.check_ballots`` on the same cores) in the same run.
The ratio shows what the record's other checks cost; target >= 0.6.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit, figure, parser, peak_rss_mb, timed
from veche.crypto.ballot import Election, check_ballots
from veche.crypto.encoding import canonical_json
from veche.crypto.group import parse_point
from veche.election.record import split_record, verify_record
from veche.election.simulate import simulate
from veche.election.spec import parse_spec
from veche.events import parse_event


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    voters = 200 if args.quick else 3000
    seconds, sim = timed(
        lambda: simulate(voters=voters, options=5, trustees=3, threshold=2, check_ballots=False)
    )
    lines = split_record(sim.record)
    events = [parse_event(line) for line in lines]
    create = next(e for e in events if e.kind == "space.create")
    opened = next(e for e in events if e.kind == "election.open")
    spec = parse_spec(create.id, create.author, create.body)
    election = Election(
        spec.election_id,
        parse_point(opened.body["public_key"]),
        tuple(q.crypto() for q in spec.questions),
    )
    wires = [canonical_json(e.body["ballot"]) for e in events if e.kind == "ballot.cast"]
    workers = os.cpu_count() or 1
    chunk = max(50, -(-len(wires) // workers))
    base_time, rejected = timed(lambda: check_ballots(election, wires, chunk=chunk))
    assert not rejected
    record_time, report = timed(lambda: verify_record(lines))
    assert report.ok and list(report.counts or ()) == list(sim.true_counts), report.failure
    base_rate = len(wires) / base_time
    record_rate = voters / record_time
    print(f"election record verification, {voters} voters x 5 options, {workers} cores")
    print(f"{'step':<44}{'seconds':>10}{'ballots/s':>12}")
    print(
        f"{'simulate (encrypt, sign, tally, decrypt)':<44}{seconds:>10.2f}{voters / seconds:>12.1f}"
    )
    print(f"{'ballot proofs only (check_ballots)':<44}{base_time:>10.2f}{base_rate:>12.1f}")
    print(f"{'whole record (verify_record)':<44}{record_time:>10.2f}{record_rate:>12.1f}")
    print(
        f"record: {len(sim.record) / 1e6:.2f} MB, {len(lines)} events; peak RSS {peak_rss_mb():.0f} MB"
    )
    emit(
        [
            figure(
                "election_record",
                "record_ballots_per_s",
                record_rate,
                "ballot_proofs_only_per_s",
                base_rate,
                target=0.6,
                voters=voters,
            )
        ]
    )


if __name__ == "__main__":
    main()
