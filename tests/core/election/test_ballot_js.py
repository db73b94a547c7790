"""ballot.js (the browser's ballot encryption) under node: byte-identical with the Python core."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from veche.crypto.ballot import BallotSecrets, Election, audit_ballot, check_ballot

ROOT = Path(__file__).resolve().parents[3]
STATIC = ROOT / "src" / "veche" / "web" / "static" / "veche"
VECTORS = ROOT / "docs" / "formats" / "election-v1-vectors.json"


@pytest.fixture(scope="module")
def node_run() -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    done = subprocess.run(
        [
            node,
            str(Path(__file__).parent / "js" / "ballot_check.js"),
            str(STATIC / "vendor"),
            str(STATIC / "ballot.js"),
            str(VECTORS),
        ],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def test_js_hashes_like_the_vectors(node_run):
    assert node_run["hashes"]
    assert all(h == {"transcript": True, "scalar": True} for h in node_run["hashes"])


def test_js_reproduces_the_vector_ballots_byte_for_byte(node_run):
    assert len(node_run["ballots"]) == 3
    for ballot in node_run["ballots"]:
        assert ballot == {
            "canonical": True,
            "tracker": True,
            "secrets": True,
            "verified": True,
            "audited": True,
            "tamperCaught": True,
        }


def test_a_ballot_made_by_js_checks_in_python(node_run):
    vectors = json.loads(VECTORS.read_text())
    election = Election.from_json(vectors["election"]["election"])
    fresh = node_run["fresh"]
    ballot = check_ballot(election, fresh["canonical"].encode())
    assert ballot.tracker() == fresh["tracker"]
    audit_ballot(election, ballot, BallotSecrets.from_json(fresh["secrets"]))
