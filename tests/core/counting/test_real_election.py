"""A real Scottish STV count: Edinburgh council election 2017, Ward 3 (Drum Brae/Gyle).

The ballot data is the City of Edinburgh Council's published preference
profile for the ward (5 candidates, 3 seats), in BLT form as the STVPoll
project republished it; the published result elected Robert Aldridge,
Claire Bridgman and Mark Brown. The council's file pads every line with
spaces to a fixed width, which the reader must tolerate.
"""

from __future__ import annotations

from pathlib import Path

from veche.counting.blt import parse_blt, read_blt
from veche.counting.stv import SCALE, count_stv

WARD_3 = Path(__file__).parent / "blt_files" / "edinburgh-2017-ward-03-drum-brae-gyle.blt"


def test_edinburgh_2017_ward_3_elects_the_published_councillors() -> None:
    election = read_blt(WARD_3)
    assert election.seats == 3
    result = count_stv(election.ballots, election.seats)
    assert set(result.winners) == {"Robert Christopher ALDRIDGE", "Claire BRIDGMAN", "Mark BROWN"}
    assert result.valid_votes == 9474
    assert result.quota == 9474 // 4 + 1 == 2369
    # Aldridge and Bridgman pass the quota on first preferences; Aldridge's
    # larger surplus is transferred first and takes Brown over the quota.
    first, second = result.stages
    assert first.elected == (0, 1)
    assert second.action == "surplus" and second.candidate == 0
    assert second.elected == (2,)
    assert second.votes[2] >= result.quota * SCALE
    assert result.winners == ("Robert Christopher ALDRIDGE", "Claire BRIDGMAN", "Mark BROWN")


def test_fixed_width_padding_as_the_council_publishes_it() -> None:
    text = WARD_3.read_text(encoding="utf-8")
    padded = "".join(line.ljust(500) + "\n" for line in text.splitlines())
    again = parse_blt(padded)
    assert again.ballots.digest() == read_blt(WARD_3).ballots.digest()
    assert again.title == "Ward 3 - Drum Brae-Gyle"
