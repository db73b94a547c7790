"""QR transfer: a bundle split into codes, drawn, read back in any order; missing parts named."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from veche.sync.errors import QrError
from veche.sync.qr import CHUNK, assemble, decode_images, split, write_codes


def test_qr_round_trip_in_shuffled_order_reports_a_missing_part(tmp_path: Path) -> None:
    data = os.urandom(CHUNK * 4 + 123)
    paths = write_codes(data, tmp_path)
    assert len(paths) == 5
    assert (tmp_path / "index.html").read_text().count("<svg") == 5
    shuffled = paths[:]
    random.Random(7).shuffle(shuffled)
    parts, problems = decode_images(shuffled)
    assert problems == []
    assert assemble(parts) == data
    without_third = [p for p in shuffled if not p.name.endswith("0003.png")]
    parts, _ = decode_images(without_third)
    with pytest.raises(QrError) as caught:
        assemble(parts)
    assert caught.value.reason == "missing"
    assert caught.value.missing == (3,)
    assert "3" in caught.value.message


def test_images_without_codes_are_reported(tmp_path: Path) -> None:
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(blank)
    (tmp_path / "junk.png").write_bytes(b"not an image")
    parts, problems = decode_images([blank, tmp_path / "junk.png"])
    assert parts == []
    assert len(problems) == 2


def test_parts_of_two_bundles_are_not_mixed() -> None:
    first, second = split(os.urandom(CHUNK * 2)), split(os.urandom(CHUNK * 2))
    with pytest.raises(QrError) as caught:
        assemble([first[0], second[1]])
    assert caught.value.reason == "mixed"


def test_an_altered_part_is_detected() -> None:
    parts = split(os.urandom(CHUNK * 3))
    bad = type(parts[1])(parts[1].bundle, 2, 3, bytes([parts[1].data[0] ^ 1]) + parts[1].data[1:])
    with pytest.raises(QrError) as caught:
        assemble([parts[0], bad, parts[2]])
    assert caught.value.reason == "damaged"
