"""The printable leaflet of an appeal: one A4 or A5 page, PDF.

The appeal's own words (its title and text, in whatever language the committee wrote
them) above, the QR code and the fixed lines (already in the reader's language: the
caller translates them) below. A5 is A4 drawn at 1/sqrt(2), so both sizes look alike;
the text's size shrinks until it fits the page (the appeal rule keeps it short enough to
stay readable). The font is DejaVu Sans, which matplotlib ships: it has Latin and
Cyrillic, so Belarusian, Russian and English print alike.
"""

from __future__ import annotations

import importlib.util
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import segno
from fpdf import FPDF
from fpdf.enums import MethodReturnValue

SIZES = ("a4", "a5")
_SCALE = {"a4": 1.0, "a5": 1 / math.sqrt(2)}
# Page sizes in mm (ISO 216): given as numbers, not fpdf2's names, whose A5 changed.
PAGE_MM = {"a4": (210.0, 297.0), "a5": (148.0, 210.0)}
_MIN_TEXT_PT = 9.0


@dataclass(frozen=True)
class Leaflet:
    heading: str  # to whom, in the reader's language ("To police and army conscripts")
    title: str  # the appeal's title, as passed
    text: str  # the appeal's text, as passed
    footer: tuple[str, ...]  # who passed it, when, and what the QR code holds (translated)
    qr: str  # what the QR code says (veche.appeals.qr_payload)


def font_dir() -> Path:
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise RuntimeError("matplotlib (for its DejaVu fonts) is not installed")
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


def qr_code(payload: str) -> segno.QRCode:
    """The QR code of a payload: an address at error level M, a whole text at L (so it
    fits in fewer modules). Raises ``segno.DataOverflowError`` when it does not fit."""
    is_address = payload.startswith(("http://", "https://")) and "\n" not in payload
    return segno.make(payload, error="m" if is_address else "l", micro=False, boost_error=False)


def qr_png(payload: str, scale: int = 8) -> bytes:
    out = io.BytesIO()
    qr_code(payload).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg(payload: str) -> bytes:
    out = io.BytesIO()
    qr_code(payload).save(out, kind="svg", scale=8, border=4, xmldecl=True)
    return out.getvalue()


def render(leaflet: Leaflet, size: str) -> bytes:
    """The leaflet as a one-page PDF of the given size (``a4`` or ``a5``)."""
    if size not in SIZES:
        raise ValueError(f"size is one of {', '.join(SIZES)}")
    s = _SCALE[size]
    pdf = FPDF(orientation="portrait", unit="mm", format=PAGE_MM[size])
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(leaflet.title)
    pdf.set_creator("Veche")
    fonts = font_dir()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    margin = 16 * s
    pdf.set_margins(margin, margin, margin)
    pdf.add_page()
    width = pdf.w - 2 * margin

    pdf.set_text_color(90, 90, 90)
    pdf.set_font("DejaVu", "B", 13 * s)
    pdf.multi_cell(width, 6.5 * s, leaflet.heading, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3 * s)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "B", 24 * s)
    pdf.multi_cell(width, 11 * s, leaflet.title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5 * s)

    qr_side = 52 * s
    bottom = pdf.h - margin - qr_side - 6 * s  # where the text must end
    room = bottom - pdf.get_y()
    points = 22.0 * s  # a short appeal prints large; a long one shrinks to fit
    while True:
        pdf.set_font("DejaVu", "", points)
        line = points * 0.5  # mm per line: 1.4 x the font size (1 pt = 0.353 mm)
        height = cast(
            float,
            pdf.multi_cell(
                width,
                line,
                leaflet.text,
                align="L",
                dry_run=True,
                output=MethodReturnValue.HEIGHT,
            ),
        )
        if height <= room or points <= _MIN_TEXT_PT * s:
            break
        points -= 0.5
    pdf.multi_cell(width, line, leaflet.text, align="L", new_x="LMARGIN", new_y="NEXT")

    top = pdf.h - margin - qr_side
    pdf.set_draw_color(150, 150, 150)
    pdf.line(margin, top - 3 * s, pdf.w - margin, top - 3 * s)
    pdf.image(io.BytesIO(qr_png(leaflet.qr)), x=margin, y=top, w=qr_side, h=qr_side)
    pdf.set_xy(margin + qr_side + 5 * s, top + 2 * s)
    pdf.set_font("DejaVu", "", 9.5 * s)
    pdf.set_text_color(60, 60, 60)
    pdf.multi_cell(
        width - qr_side - 5 * s,
        4.8 * s,
        "\n".join(leaflet.footer),
        align="L",
        new_x="LEFT",
        new_y="NEXT",
    )
    return bytes(pdf.output())
