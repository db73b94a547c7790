"""Run every benchmark in this folder, each in its own process, and collect the figures.

``python bench/run.py [--quick] [NAME ...]`` prints each benchmark's output and, at
the end, all JSON figure lines together.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = {"run.py", "common.py"}


def main() -> int:
    args = sys.argv[1:]
    quick = "--quick" in args
    names = [a for a in args if not a.startswith("--")]
    scripts = sorted(
        p for p in HERE.glob("*.py") if p.name not in SKIP and not p.name.startswith("_")
    )
    if names:
        scripts = [p for p in scripts if p.stem in names]
    figures: list[str] = []
    failed: list[str] = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        cmd = [sys.executable, str(script)] + (["--quick"] if quick else [])
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            failed.append(script.name)
            sys.stdout.write(proc.stderr[-4000:])
        for line in proc.stdout.splitlines():
            if line.startswith("{") and '"bench"' in line:
                figures.append(line)
    print("== all figures")
    for line in figures:
        print(line)
    misses = [json.loads(x) for x in figures if json.loads(x).get("meets_target") is False]
    if misses:
        print(f"{len(misses)} figure(s) below target", file=sys.stderr)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
