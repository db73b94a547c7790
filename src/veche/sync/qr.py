"""A bundle as a sequence of QR codes, and back, in any order.

Two framings are read. Version 2 (the default for new codes, veche.sync.fountain,
docs/formats/qr-v2.md) is rateless: frames past the bundle's fragments mix them,
so a receiver needs only about as many codes as fragments, whichever it missed.
Version 1 (``split``; the vote page's audit codes still use it) carries numbered
slices, each of which must be scanned::

    b"VQ1"  | 16 bytes: BLAKE2b-256 of the whole bundle, first half
            | index (2 bytes) | total (2 bytes) | up to CHUNK bytes of the bundle

The hash ties parts of one bundle together (parts of two bundles scanned in one
go are told apart) and checks the reassembled file. segno draws the codes;
zxing-cpp reads photos or screenshots of them.
"""

from __future__ import annotations

import hashlib
import html
import io
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from veche.sync import fountain
from veche.sync.errors import QrError
from veche.sync.fountain import Frame

__all__ = [
    "CHUNK",
    "MAX_PARTS",
    "Frame",
    "ImageProblem",
    "QrPart",
    "assemble",
    "decode_images",
    "frame_svg",
    "html_page",
    "parse_part",
    "read_images",
    "split",
    "svg_codes",
    "svg_frames",
    "write_codes",
]

PREFIX = b"VQ1"
CHUNK = 700  # bytes per code: version 21 at error level M, easy to scan from a phone screen
MAX_PARTS = 4000
_HEAD = struct.Struct(">3s16sHH")


@dataclass(frozen=True, slots=True)
class QrPart:
    bundle: bytes  # 16-byte hash prefix
    index: int  # 1-based
    total: int
    data: bytes

    def encode(self) -> bytes:
        return _HEAD.pack(PREFIX, self.bundle, self.index, self.total) + self.data


def _hash16(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()[:16]


def split(data: bytes, chunk: int = CHUNK) -> list[QrPart]:
    if not data:
        raise QrError("empty", "nothing to split")
    total = -(-len(data) // chunk)
    if total > MAX_PARTS:
        raise QrError(
            "too-large",
            f"{total} QR codes would be needed (at most {MAX_PARTS}): use a file instead",
        )
    digest = _hash16(data)
    return [QrPart(digest, i + 1, total, data[i * chunk : (i + 1) * chunk]) for i in range(total)]


def parse_part(payload: bytes) -> QrPart | Frame:
    """One code's bytes as a v1 part or a v2 frame; QrError if neither."""
    if payload[:3] == fountain.PREFIX:
        return fountain.parse_frame(payload)
    if len(payload) <= _HEAD.size or payload[:3] != PREFIX:
        raise QrError("not-veche", "this QR code is not part of a Veche bundle")
    _, digest, index, total = _HEAD.unpack_from(payload)
    if not 1 <= index <= total <= MAX_PARTS:
        raise QrError("numbering", f"part {index} of {total} is not a valid numbering")
    return QrPart(digest, index, total, payload[_HEAD.size :])


def assemble(parts: Iterable[QrPart | Frame]) -> bytes:
    """Put v1 parts back in order, or solve v2 frames; QrError naming what is missing."""
    parts = list(parts)
    frames = [p for p in parts if isinstance(p, Frame)]
    if frames:
        if len(frames) != len(parts):
            raise QrError("mixed", "codes of two different bundles were given; scan one")
        return fountain.decode(frames)
    groups: dict[bytes, dict[int, QrPart]] = {}
    for part in parts:
        assert isinstance(part, QrPart)
        held = groups.setdefault(part.bundle, {})
        other = held.get(part.index)
        if other is not None and other.data != part.data:
            raise QrError("conflict", f"two different codes both claim to be part {part.index}")
        held[part.index] = part
    if not groups:
        raise QrError("empty", "no Veche QR codes were found in the images")
    if len(groups) > 1:
        raise QrError("mixed", f"codes of {len(groups)} different bundles were given; scan one")
    (held,) = groups.values()
    totals = {p.total for p in held.values()}
    if len(totals) != 1:
        raise QrError("numbering", "the codes disagree on how many parts there are")
    (total,) = totals
    missing = tuple(i for i in range(1, total + 1) if i not in held)
    if missing:
        listed = ", ".join(str(i) for i in missing[:50])
        raise QrError(
            "missing",
            f"{len(missing)} of {total} parts missing: {listed}; scan them and try again",
            missing,
        )
    data = b"".join(held[i].data for i in range(1, total + 1))
    digest = next(iter(held.values())).bundle
    if _hash16(data) != digest:
        raise QrError("damaged", "the parts do not add up to the bundle they name")
    return data


def _qr(part: QrPart | Frame) -> Any:
    import segno

    # v2 frames are sized for error level L (a screen is not a scuffed print); v1 kept M.
    error = "l" if isinstance(part, Frame) else "m"
    return segno.make(part.encode(), mode="byte", error=error, micro=False)


def _number(part: QrPart | Frame) -> tuple[int, int]:
    return (part.seq, part.count) if isinstance(part, Frame) else (part.index, part.total)


def write_codes(
    data: bytes,
    folder: Path,
    *,
    kind: str = "png",
    scale: int = 6,
    framing: int = 1,
    frames: int | None = None,
    frame_bytes: int = fountain.FRAME_BYTES,
) -> list[Path]:
    """Write qr-0001.png (or .svg)… and index.html into ``folder``.

    ``framing=2`` writes fountain frames: ``frames`` of them (default: the fragments
    and half as many mixed frames again), each at most ``frame_bytes`` bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    parts: Sequence[QrPart | Frame]
    if framing == 2:
        parts = fountain.encode(data, frames, frame_bytes=frame_bytes)
    elif framing == 1:
        parts = split(data)
    else:
        raise QrError("framing", f"there is no QR framing version {framing} (1 or 2)")
    paths = []
    width = len(str(len(parts)))
    for part in parts:
        path = folder / f"qr-{_number(part)[0]:0{max(4, width)}d}.{kind}"
        _qr(part).save(str(path), kind=kind, scale=scale, border=4)
        paths.append(path)
    (folder / "index.html").write_text(html_page(parts), encoding="utf-8")
    return paths


def svg_codes(data: bytes) -> list[str]:
    """Inline SVG for each v1 part (for web pages)."""
    return [_qr(part).svg_inline(scale=5, border=4) for part in split(data)]


def frame_svg(part: QrPart | Frame) -> str:
    """One code as inline SVG that scales to its box: a viewBox of one unit per module
    (quiet zone included), no fixed size, a white ground whatever the page's colours."""
    return str(
        _qr(part).svg_inline(
            scale=1, border=4, light="#fff", omitsize=True, svgclass="qr-code", lineclass=None
        )
    )


def svg_frames(data: bytes, frames: int | None = None) -> list[str]:
    """Inline SVG for the first ``frames`` v2 frames (for an animated web page)."""
    return [frame_svg(frame) for frame in fountain.encode(data, frames)]


def html_page(parts: Sequence[QrPart | Frame], title: str = "Veche bundle") -> str:
    """A self-contained page that shows the codes one after another (no scripts fetched)."""
    figures = "\n".join(
        f'<figure class="qr" data-index="{_number(p)[0]}" hidden>'
        f"{_qr(p).svg_inline(scale=5, border=4)}"
        f"<figcaption>{_caption(p)}</figcaption></figure>"
        for p in parts
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; text-align: center; margin: 1em; }}
figure.qr svg {{ width: min(90vw, 80vh); height: auto; }}
figcaption {{ font-size: 2em; font-weight: bold; }}
</style></head><body>
<h1>{html.escape(title)}: {len(parts)} codes</h1>
<p>Scan each code with the receiving device. Space pauses, arrows step.
<label>Seconds per code
<input id="delay" type="number" min="0.2" step="0.1" value="1.5"></label></p>
{figures}
<script>
(function () {{
  var codes = document.querySelectorAll("figure.qr"), at = 0, paused = false;
  function show(i) {{ codes[at].hidden = true; at = (i + codes.length) % codes.length;
    codes[at].hidden = false; }}
  codes[0].hidden = false;
  function tick() {{ if (!paused) show(at + 1);
    setTimeout(tick, 1000 * Math.max(0.2, +document.getElementById("delay").value || 1.5)); }}
  setTimeout(tick, 1500);
  document.addEventListener("keydown", function (e) {{
    if (e.key === " ") {{ paused = !paused; e.preventDefault(); }}
    if (e.key === "ArrowRight") show(at + 1);
    if (e.key === "ArrowLeft") show(at - 1);
  }});
}})();
</script></body></html>
"""


def _caption(part: QrPart | Frame) -> str:
    if isinstance(part, Frame):  # frames past the fragments are mixes: any will do
        return f"{part.seq} ({part.count})"
    return f"{part.index} / {part.total}"


@dataclass(frozen=True, slots=True)
class ImageProblem:
    """Why one image gave no usable code: ``reason`` is ``too-large-image``,
    ``unreadable``, ``no-code`` or a QrError reason, ``detail`` the English sentence."""

    number: int  # 1-based, in the order given
    name: str
    reason: str
    detail: str

    def text(self) -> str:
        return f"{self.name}: {self.detail}"


def read_images(
    images: Iterable[bytes | Path],
) -> tuple[list[QrPart | Frame], list[ImageProblem]]:
    """Read Veche QR parts (v1) or frames (v2) from image files or bytes; returns them
    and per-image problems as codes (for pages to put in the reader's language)."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    parts: list[QrPart | Frame] = []
    problems: list[ImageProblem] = []
    for number, item in enumerate(images, 1):
        name = str(item) if isinstance(item, Path) else f"image {number}"
        try:
            source = io.BytesIO(item) if isinstance(item, bytes) else item
            with Image.open(source) as image:
                image.load()
                if image.width * image.height > 40_000_000:
                    problems.append(
                        ImageProblem(number, name, "too-large-image", "image too large")
                    )
                    continue
                found = zxingcpp.read_barcodes(image.convert("L"))
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as error:
            problems.append(
                ImageProblem(number, name, "unreadable", f"not a readable image ({error})")
            )
            continue
        codes = [r for r in found if r.format == zxingcpp.BarcodeFormat.QRCode and r.valid]
        if not codes:
            problems.append(ImageProblem(number, name, "no-code", "no QR code found"))
        for result in codes:
            try:
                parts.append(parse_part(bytes(result.bytes)))
            except QrError as error:
                problems.append(ImageProblem(number, name, error.reason, error.message))
    return parts, problems


def decode_images(images: Iterable[bytes | Path]) -> tuple[list[QrPart | Frame], list[str]]:
    """Read Veche QR parts (v1) or frames (v2) from image files or bytes; returns them
    and per-image problems (English, for the command line)."""
    parts, problems = read_images(images)
    return parts, [problem.text() for problem in problems]
