"""Appeals (issue 19 item 4): an ``appeal`` motion proposed, voted and passed; its
audience and its words checked on every node; its A4/A5 leaflet and its QR code."""

from __future__ import annotations

import io
import json
import re
import zlib
from pathlib import Path

import pytest
import zxingcpp
from django.utils import translation
from PIL import Image
from tests.factories import World

from veche.appeals import QR_TEXT_MAX_BYTES, TEXT_MAX_CHARS, qr_payload
from veche.appeals.leaflet import PAGE_MM, qr_code
from veche.apps.committees import actions
from veche.apps.committees.appeals import leaflet_pdf, passed_appeal, passed_appeals, qr_image
from veche.apps.committees.models import Motion
from veche.apps.store.log import ingest, state_digest
from veche.apps.store.models import StoredEvent
from veche.apps.store.reasons import FIXED_MESSAGES, PATTERN_MESSAGES, matching_templates
from veche.events import RuleViolation, build_event

pytestmark = pytest.mark.django_db

MIRROR = "https://mirror.example.org/mtz/"
TEXT = "Вы — частка народа. Не страляйце ў сваіх! Ёсць выбар: стаць на бок праўды."


def _committee() -> tuple[World, str]:
    w = World()
    return w, w.committee("Sokol", ("Zubr", "Rusalka"), name="Страйкам МТЗ")


def _pass(w: World, space: str, **target: str) -> str:
    motion = actions.propose(
        w.person("Sokol"),
        space,
        kind="appeal",
        title="Да міліцыі і вайскоўцаў",
        text=TEXT,
        target={"audience": "police_army", **target},
    ).id
    for name in ("Sokol", "Zubr", "Rusalka"):
        actions.vote(w.person(name), space, motion, choice="yes")
    actions.close(w.person("Sokol"), space, motion)
    return motion


def _refused(call, *args, **kwargs) -> RuleViolation:  # type: ignore[no-untyped-def]
    before = state_digest()
    with pytest.raises(RuleViolation) as refused:
        call(*args, **kwargs)
    assert state_digest() == before
    return refused.value


def _listed(message: str) -> bool:
    return message in FIXED_MESSAGES or bool(set(matching_templates(message)) & PATTERN_MESSAGES)


def pdf_text(pdf: bytes) -> list[str]:
    """The text of each string a PDF of fpdf2 shows, read through each font's ToUnicode
    map (fpdf2 subsets fonts: a string is 2-byte glyph codes)."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    cmaps = [
        {int(a, 16): chr(int(b, 16)) for a, b in re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]{4})>", s)}
        for s in streams
        if b"beginbfchar" in s
    ]
    literal = rb"\(((?:\\.|[^\\)])*)\)"
    shown = []
    for stream in streams:
        # a line is one string (Tj) or, justified, strings between spacings ([...] TJ)
        for array, single in re.findall(
            rb"\[((?:\((?:\\.|[^\\)])*\)|[^\]()])*)\] TJ|" + literal + rb" Tj",
            stream,
            re.S,
        ):
            parts = re.findall(literal, array, re.S) if array else [single]
            raw = re.sub(
                rb"\\([nrtbf()\\])",
                lambda m: {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(
                    m.group(1), m.group(1)
                ),
                b"".join(parts),
            )
            codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
            shown.extend("".join(cmap.get(c, "?") for c in codes) for cmap in cmaps)
    return shown


def test_an_appeal_is_proposed_voted_passed_and_public() -> None:
    w, space = _committee()
    motion = _pass(w, space, mirror=MIRROR)
    row = Motion.objects.get(event=motion)
    assert (row.kind, row.status, row.target) == (
        "appeal",
        "passed",
        {"audience": "police_army", "mirror": MIRROR},
    )
    [appeal] = passed_appeals(space)
    assert (appeal.event, appeal.committee, appeal.text, appeal.qr) == (
        motion,
        "Страйкам МТЗ",
        TEXT,
        MIRROR,
    )
    assert passed_appeal(motion) == appeal
    open_one = actions.propose(
        w.person("Sokol"),
        space,
        kind="appeal",
        title="Draft",
        text="x",
        target={"audience": "public"},
    ).id
    assert passed_appeal(open_one) is None and len(passed_appeals()) == 1


@pytest.mark.parametrize(
    ("target", "text", "field"),
    [
        ({"audience": "ministers"}, TEXT, "body.target.audience"),
        ({"audience": "police_army"}, "Не страляйце. " * 100, "body.text"),
        ({"audience": "police_army"}, "радок\n" * 30, "body.text"),
        ({"audience": "public", "mirror": "javascript:alert(1)"}, TEXT, "body.target.mirror"),
        ({"audience": "public", "mirror": "https://a b"}, TEXT, "body.target.mirror"),
        ({"audience": "workers"}, "Ж" * TEXT_MAX_CHARS, "body.text"),  # its QR is too long
    ],
)
def test_a_bad_appeal_is_refused_with_a_listed_translated_reason(
    target: dict[str, str], text: str, field: str
) -> None:
    w, space = _committee()
    refused = _refused(
        actions.propose,
        w.person("Sokol"),
        space,
        kind="appeal",
        title="Title",
        text=text,
        target=target,
    )
    assert (refused.rule, refused.field) == ("appeal", field)
    assert _listed(refused.message), refused.message
    with translation.override("be"):
        from veche.apps.store.reasons import message_text

        assert message_text(refused.message) != refused.message


def test_an_appeal_needs_an_audience_and_a_yes_no_vote() -> None:
    w, space = _committee()
    assert (
        _refused(
            actions.propose, w.person("Sokol"), space, kind="appeal", title="Title", text=TEXT
        ).rule
        == "target"
    )
    assert (
        _refused(
            actions.propose,
            w.person("Sokol"),
            space,
            kind="appeal",
            title="Title",
            text=TEXT,
            method="approval",
            options=["a", "b"],
            target={"audience": "public"},
        ).rule
        == "method"
    )


def test_an_amendment_must_fit_the_leaflet_too() -> None:
    w, space = _committee()
    motion = actions.propose(
        w.person("Sokol"),
        space,
        kind="appeal",
        title="Title",
        text=TEXT,
        target={"audience": "public"},
    ).id
    refused = _refused(actions.amend, w.person("Sokol"), space, motion, text="x" * 5000)
    assert refused.rule == "appeal"
    actions.amend(w.person("Sokol"), space, motion, text="Short and clear.")


def test_a_signed_appeal_with_a_bad_target_is_refused_on_ingest() -> None:
    w, space = _committee()
    sokol = w.person("Sokol")
    last = StoredEvent.objects.filter(space=space, author=sokol.public).order_by("-seq").first()
    head = StoredEvent.objects.filter(space=space).order_by("-height").first()
    assert last is not None and head is not None
    crafted = build_event(
        sokol,
        space=space,
        seq=last.seq + 1,
        prev=last.id,
        deps=[head.id],
        kind="motion.propose",
        body={
            "kind": "appeal",
            "title": "Title",
            "text": TEXT,
            "method": "yes_no",
            "target": {"audience": "everyone"},
        },
    )
    outcome = ingest([crafted.raw], source="t").outcomes[0]
    assert outcome.status == "rejected" and "audience" in outcome.reason
    assert not Motion.objects.filter(kind="appeal").exists()


@pytest.mark.parametrize("size", ["a4", "a5"])
def test_the_leaflet_is_one_page_of_its_size_with_the_words_in_cyrillic(size: str) -> None:
    w, space = _committee()
    motion = _pass(w, space, mirror=MIRROR)
    appeal = passed_appeal(motion)
    assert appeal is not None
    with translation.override("ru"):
        pdf = leaflet_pdf(appeal, size)
    assert (
        pdf.startswith(b"%PDF-") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") <= 1
    )
    width, height = (round(mm / 25.4 * 72, 2) for mm in PAGE_MM[size])
    [box] = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert (float(box[0]), float(box[1])) == pytest.approx((width, height), abs=0.05)
    shown = " ".join(pdf_text(pdf))
    assert "Да міліцыі і вайскоўцаў" in shown  # the appeal's own words, as written
    assert all(word in shown for word in TEXT.split())  # lines wrap between words
    assert "Сотрудникам милиции и военнослужащим срочной службы" in shown  # the reader's


def test_the_qr_code_reads_as_the_mirror_or_the_appeal_itself() -> None:
    w, space = _committee()
    with_mirror = passed_appeal(_pass(w, space, mirror=MIRROR))
    without = passed_appeal(_pass(w, space))
    assert with_mirror is not None and without is not None
    for appeal, expected in ((with_mirror, MIRROR), (without, f"{without.title}\n\n{TEXT}")):
        [read] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_image(appeal, "png"))))
        assert read.text == expected
        assert qr_image(appeal, "svg").startswith(b"<?xml")


def test_the_longest_text_the_rule_admits_fits_a_qr_code() -> None:
    payload = qr_payload("", "Ж" * ((QR_TEXT_MAX_BYTES - 2) // 2), {})
    assert len(payload.encode()) <= QR_TEXT_MAX_BYTES
    assert qr_code(payload).version <= 40


def test_the_appeal_commands(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from veche.cli import main

    w, space = _committee()
    motion = _pass(w, space)
    assert main(["appeal", "list", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["event"], listed["audience"], listed["text"]) == (motion, "police_army", TEXT)
    pdf = tmp_path / "leaflet.pdf"
    argv = ["appeal", "leaflet", "--motion", motion, "--size", "a5", "--lang", "be", "-o", str(pdf)]
    assert main(argv) == 0
    assert b"/MediaBox [0 0 419.53 595.28]" in pdf.read_bytes()
    assert "Супрацоўнікам міліцыі" in " ".join(pdf_text(pdf.read_bytes()))
    svg = tmp_path / "qr.svg"
    assert main(["appeal", "qr", "--motion", motion, "-o", str(svg)]) == 0
    assert svg.read_bytes().startswith(b"<?xml")
    capsys.readouterr()
    assert main(["appeal", "leaflet", "--motion", space, "-o", str(pdf)]) == 2
    assert "no appeal motion" in capsys.readouterr().err
