"""Ink-saver colours: every colour to the grey of the same lightness; nothing else touched."""

from __future__ import annotations

import io
import json
import re

from PIL import Image

from takehome import inksaver

from .conftest import CORPUS


def test_grey_keeps_contrast_against_white() -> None:
    assert inksaver.grey("#2f6f73") == "#666666"
    assert inksaver.grey("#ffffff") == "#ffffff" and inksaver.grey("black") == "#000000"
    for colour in ("#2f6f73", "#c0392b", "#1f2328", "gold"):
        r, g, b = (int(inksaver.grey(colour)[i:i + 2], 16) / 255 for i in (1, 3, 5))
        original = Image.new("RGB", (1, 1), colour).getpixel((0, 0))
        assert abs(inksaver.luminance((r, g, b))
                   - inksaver.luminance(tuple(c / 255 for c in original))) < 0.01


def test_stylesheet_colours_become_grey() -> None:
    css = """
    :root { --accent: #2f6f73; }
    @page { margin: 10mm; @top-left { color: red; content: "Room #1 red"; } }
    h1 { color: rgb(47 111 115); border-bottom: 1pt solid hsl(200 60% 40%); }
    .band { background: url("data:image/png;base64,AAAA;x") #eef2f2; color: white; }
    .soft { background-color: rgba(47, 111, 115, 0.2); font-family: 'Red Hat'; }
    .none { color: currentColor; border-color: transparent; }
    """
    out = inksaver.grey_css(css)
    assert "--accent: #666666" in out
    assert 'content: "Room #1 red"' in out and '"Red Hat"' in out  # text is not a colour
    assert "color: #7f7f7f" in out  # the margin box's red
    assert "color: #666666" in out and "solid #" in out
    assert '"data:image/png;base64,AAAA;x"' in out and "#f1f1f1" in out
    assert f"color: {inksaver.INK}" in out  # white text would vanish with its fill
    assert "rgb(" in out and "/ 0.2)" in out
    assert "currentColor" in out and "transparent" in out
    # Nothing coloured is left: every hex colour in the output is a grey.
    for value in re.findall(r"#([0-9a-f]{6})\b", out):
        assert value[0:2] == value[2:4] == value[4:6]


def test_naughty_stylesheet_text_survives() -> None:
    strings = json.loads((CORPUS / "blns/blns.json").read_text(encoding="utf-8"))
    for text in strings[:300]:
        css = f'.x {{ content: {json.dumps(text)}; color: #c0392b }}'
        out = inksaver.grey_css(css)
        assert "#c0392b" not in out


def test_svg_and_bitmaps_become_grey() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><circle fill="#2f6f73"/>'
           '<text style="fill:red;stroke: blue">red fill</text></svg>')
    out = inksaver.grey_image(svg.encode(), "image/svg+xml").decode()
    assert 'fill="#666666"' in out and "fill:#7f7f7f" in out and ">red fill<" in out
    buffer = io.BytesIO()
    Image.new("RGBA", (4, 4), (200, 30, 30, 128)).save(buffer, format="PNG")
    grey = Image.open(io.BytesIO(inksaver.grey_image(buffer.getvalue(), "image/png")))
    assert grey.mode == "LA" and grey.getpixel((0, 0))[1] == 128
