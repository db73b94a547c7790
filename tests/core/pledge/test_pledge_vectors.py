"""Known-answer vectors of pledge-v1 §7 (docs/formats/pledge-v1-vectors.json): regenerated
byte for byte from their seed, and the round checked by the rules on its own."""

from __future__ import annotations

import json
from pathlib import Path

from veche.crypto.elgamal import Ciphertext
from veche.crypto.group import parse_point
from veche.crypto.threshold import ElectionKey
from veche.pledge import reveal
from veche.pledge.vectors import generate

PATH = Path(__file__).resolve().parents[3] / "docs" / "formats" / "pledge-v1-vectors.json"


def test_vectors_regenerate_exactly() -> None:
    assert json.loads(json.dumps(generate())) == json.loads(PATH.read_text(encoding="utf-8"))


def test_the_vector_round_verifies_and_decrypts_to_one_zero() -> None:
    data = json.loads(PATH.read_text(encoding="utf-8"))["reveal"]
    key = parse_point(data["public_key"])
    total = Ciphertext.from_json(data["total"])
    diffs = reveal.differences(total, data["needed"])
    assert [ct.to_json() for ct in diffs] == data["differences"]
    ctx = reveal.Context(data["pledge"], ElectionKey(data["pledge"], 1, key, (key,)), 1, 3, total)
    state = reveal.RevealState()
    (body,) = data["bodies"]
    pending = reveal.judge_blind(ctx, state, data["trustee"], body)
    reveal.apply_blind(state, pending)
    assert [ct.to_json() for ct in state.rounds[0][1]] == body["shuffled"]
    # total 1 of 3 needed: not reached, so exactly one element decrypts to 0.
    assert data["decrypted"].count(data["identity"]) == 1
