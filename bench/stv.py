"""STV count speed: Veche's Scottish STV beside votekit's FastSTV on the same BLT file.

Generates 1,000,000 ranked ballots over 20 candidates for 5 seats (seeded; four
party blocks and independents, preferences correlated within a party and with
an allied party, ballot lengths from 1 to 20), writes them as a BLT file, then
times, in the same run:

* Veche: ``read_blt`` + ``count_stv`` (Scottish rules, SSI 2007/42), in this process;
* votekit ``FastSTV`` in its own virtual environment (bench/.votekit-venv,
  created here with ``pip install votekit``) in a subprocess that times itself:
  reading the same file (identical lines grouped first, as Veche does, then
  ``RankBallot``/``RankProfile``) and counting.

votekit's FastSTV is configured as close to the Scottish rules as it goes:
Droop quota (floor(votes/(seats+1)) + 1), ``transfer="fractional"`` (weighted
inclusive Gregory: every paper of an elected candidate passes on at
surplus/total), ``simultaneous=False`` (one surplus per stage, largest
first), exclusion of the lowest candidate with papers at their current value.
It differs in using floating point instead of transfer values truncated to
five decimals, and in breaking ties at random (seeded) rather than by the
look-back rule, so on a tight count the winners could legitimately differ;
the bench prints both lists and whether they agree.

``--quick`` uses 20,000 ballots.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from common import emit, figure, parser, peak_rss_mb
from veche.counting.blt import read_blt
from veche.counting.stv import count_stv

HERE = Path(__file__).resolve().parent
VOTEKIT_VENV = HERE / ".votekit-venv"
SEATS = 5
CANDIDATES = 20

# Party blocks: (name, candidates, share of first preferences, ally)
PARTIES = [
    ("Sviatlo", 5, 0.34, "Zmena"),
    ("Zmena", 5, 0.24, "Sviatlo"),
    ("Paradak", 4, 0.22, None),
    ("Zialiony", 3, 0.12, "Zmena"),
    ("Independent", 3, 0.08, None),
]

VOTEKIT_RUNNER = textwrap.dedent(
    """
    import json, sys, time, warnings
    warnings.filterwarnings("ignore")
    path, seats = sys.argv[1], int(sys.argv[2])
    t0 = time.perf_counter()
    from votekit.ballot import RankBallot
    from votekit.pref_profile import RankProfile
    from votekit.elections import FastSTV
    t_import = time.perf_counter() - t0

    start = time.perf_counter()
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    n_cands, _ = (int(x) for x in lines[0].split())
    i = 1
    counts = {}
    while lines[i].strip() != "0":
        counts[lines[i]] = counts.get(lines[i], 0) + 1
        i += 1
    names = [lines[i + 1 + k].strip().strip('"') for k in range(n_cands)]
    ballots = []
    for line, count in counts.items():
        tokens = line.split()
        weight = int(tokens[0]) * count
        ranking = tuple(frozenset({names[int(t) - 1]}) for t in tokens[1:-1])
        ballots.append(RankBallot(ranking=ranking, weight=weight))
    profile = RankProfile(ballots=tuple(ballots), candidates=tuple(names))
    read_s = time.perf_counter() - start

    start = time.perf_counter()
    election = FastSTV(
        profile,
        n_seats=seats,
        transfer="fractional",
        quota="droop",
        simultaneous=False,
        tiebreak="random",
        rng_seed=2020,
    )
    winners = []
    for group in election.get_elected():
        winners.extend(sorted(group))
    count_s = time.perf_counter() - start
    print(json.dumps({"read_s": read_s, "count_s": count_s, "import_s": t_import,
                      "winners": winners, "version": __import__("votekit").__version__
                      if hasattr(__import__("votekit"), "__version__") else "?"}))
    """
)


def generate(n: int, seed: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Rankings (n x 20, -1 padded) for a seeded, party-structured electorate."""
    rng = np.random.default_rng(seed)
    names: list[str] = []
    party_of: list[int] = []
    for p, (party, size, _, _) in enumerate(PARTIES):
        for k in range(size):
            names.append(f"{party} {k + 1}")
            party_of.append(p)
    party_arr = np.array(party_of)
    shares = np.array([share for _, _, share, _ in PARTIES])
    ally = np.array(
        [[name for name, *_ in PARTIES].index(a) if a is not None else -1 for *_, a in PARTIES]
    )
    # Candidate appeal inside the party: a lead candidate and a tail.
    appeal = rng.normal(0.0, 0.8, CANDIDATES)
    voter_party = rng.choice(len(PARTIES), size=n, p=shares / shares.sum())
    utility = appeal[None, :] + rng.gumbel(size=(n, CANDIDATES))
    own = party_arr[None, :] == voter_party[:, None]
    allied = party_arr[None, :] == ally[voter_party][:, None]
    utility += 6.0 * own + 3.0 * allied
    order = np.argsort(-utility, axis=1).astype(np.int16)
    # Lengths: many vote the party ticket only, some rank a few more, a few rank all.
    lengths = np.minimum(
        CANDIDATES,
        np.where(
            rng.random(n) < 0.08,
            CANDIDATES,
            1 + rng.geometric(0.28, size=n),
        ),
    )
    lengths = np.where(rng.random(n) < 0.12, 1, lengths)
    mask = np.arange(CANDIDATES)[None, :] < lengths[:, None]
    order[~mask] = -1
    return names, order, lengths


def write_blt(path: Path, names: list[str], order: np.ndarray, lengths: np.ndarray) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(f"{len(names)} {SEATS}\n")
        rows = (order + 1).tolist()
        lens = lengths.tolist()
        f.writelines(
            "1 " + " ".join(map(str, row[:k])) + " 0\n" for row, k in zip(rows, lens, strict=True)
        )
        f.write("0\n")
        f.writelines(f'"{name}"\n' for name in names)
        f.write('"Benchmark: 1,000,000 ballots, 20 candidates, 5 seats"\n')


def ensure_votekit() -> tuple[Path | None, str]:
    """Create bench/.votekit-venv with votekit in it; (python, "") or (None, why not)."""
    python = VOTEKIT_VENV / "bin" / "python"
    check = [str(python), "-c", "import votekit.elections"]
    if python.exists() and subprocess.run(check, capture_output=True, check=False).returncode == 0:
        return python, ""
    made = subprocess.run(
        [sys.executable, "-m", "venv", str(VOTEKIT_VENV)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        return None, f"could not create {VOTEKIT_VENV}: {made.stderr.strip()[-300:]}"
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "votekit"],
        capture_output=True,
        text=True,
        check=False,
    )
    if pip.returncode != 0:
        return None, f"pip install votekit failed: {pip.stderr.strip()[-300:]}"
    if subprocess.run(check, capture_output=True, check=False).returncode != 0:
        return None, "votekit installed but does not import"
    return python, ""


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    n = 20_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ballots.blt"
        start = time.perf_counter()
        names, order, lengths = generate(n, seed=2020)
        write_blt(path, names, order, lengths)
        gen_s = time.perf_counter() - start
        size_mb = path.stat().st_size / 1e6

        start = time.perf_counter()
        election = read_blt(path)
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        result = count_stv(election.ballots, election.seats)
        count_s = time.perf_counter() - start
        veche_s = read_s + count_s
        veche_winners = list(result.winners)

        python, why_not = ensure_votekit()
        votekit: dict[str, object] | None = None
        if python is not None:
            run = subprocess.run(
                [str(python), "-c", VOTEKIT_RUNNER, str(path), str(SEATS)],
                capture_output=True,
                text=True,
                check=False,
            )
            if run.returncode == 0:
                votekit = json.loads(run.stdout.strip().splitlines()[-1])
            else:
                why_not = f"votekit run failed: {run.stderr.strip()[-500:]}"

    print(f"STV count: {n:,} ballots, {CANDIDATES} candidates, {SEATS} seats")
    print(f"  BLT file {size_mb:.1f} MB, generated in {gen_s:.1f} s")
    print(
        f"  distinct rankings {len(election.ballots.weights):,}; quota {result.quota:,}; "
        f"{len(result.stages)} stages; ties {len(result.tie_breaks)}"
    )
    print(f"  {'':24} {'read s':>8} {'count s':>8} {'total s':>8}")
    print(f"  {'Veche (Scottish STV)':24} {read_s:8.3f} {count_s:8.3f} {veche_s:8.3f}")
    rows = []
    if votekit is not None:
        vk_read = float(votekit["read_s"])  # type: ignore[arg-type]
        vk_count = float(votekit["count_s"])  # type: ignore[arg-type]
        vk_total = vk_read + vk_count
        vk_winners = list(votekit["winners"])  # type: ignore[call-overload]
        print(f"  {'votekit FastSTV':24} {vk_read:8.3f} {vk_count:8.3f} {vk_total:8.3f}")
        same = sorted(vk_winners) == sorted(veche_winners)
        print(f"  Veche winners:   {', '.join(veche_winners)}")
        print(f"  votekit winners: {', '.join(vk_winners)}")
        print(f"  same winners: {'yes' if same else 'NO'}; speed-up {vk_total / veche_s:.1f}x")
        rows.append(
            figure(
                "stv",
                "read_and_count_s",
                veche_s,
                "votekit_faststv_read_and_count_s",
                vk_total,
                lower_is_better=True,
                target=5.0,
                ballots=n,
                same_winners=same,
                veche_read_s=round(read_s, 4),
                veche_count_s=round(count_s, 4),
                votekit_read_s=round(vk_read, 4),
                votekit_count_s=round(vk_count, 4),
                peak_rss_mb=round(peak_rss_mb(), 1),
            )
        )
        rows.append(
            figure(
                "stv",
                "count_only_s",
                count_s,
                "votekit_faststv_count_only_s",
                vk_count,
                lower_is_better=True,
                ballots=n,
                distinct_rankings=len(election.ballots.weights),
            )
        )
    else:
        print(f"  votekit not measured: {why_not}")
        print(f"  Veche winners: {', '.join(veche_winners)}")
        rows.append(
            {
                "bench": "stv",
                "metric": "read_and_count_s",
                "value": round(veche_s, 4),
                "baseline": "votekit_faststv_read_and_count_s",
                "baseline_value": None,
                "ratio": None,
                "target_ratio": 5.0,
                "ballots": n,
                "note": why_not,
            }
        )
    emit(rows)


if __name__ == "__main__":
    main()
