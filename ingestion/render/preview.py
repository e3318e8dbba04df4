"""PNG previews of a rendered PDF's pages, drawn from the same placed lines the PDF is written
from (Pillow, the same TrueType fonts), for visual checks where no PDF rasteriser (pdftoppm)
is installed. Glyphs are drawn exactly as the PDF places them: already shaped and in visual
order, so Pillow's own text layout is switched off.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from ingestion.render.fonts import FontSet, find_fonts
from ingestion.render.layout import CvDocument
from ingestion.render.pdf import MUTED_COLOR, PAGE_HEIGHT, PAGE_WIDTH, TEXT_COLOR, layout_pages


def _rgb(color: tuple[float, float, float]) -> tuple[int, int, int]:
    r, g, b = (round(c * 255) for c in color)
    return r, g, b


def preview_pngs(doc: CvDocument, fonts: FontSet | None = None, dpi: int = 110) -> list[bytes]:
    """One PNG per page of ``doc`` as the PDF writer lays it out."""
    fonts = fonts or find_fonts()
    scale = dpi / 72.0
    cache: dict[tuple[bool, float], ImageFont.FreeTypeFont] = {}

    def font(bold: bool, size: float) -> ImageFont.FreeTypeFont:
        key = (bold, size)
        if key not in cache:
            cache[key] = ImageFont.truetype(
                str(fonts.bold if bold else fonts.regular),
                size * scale,
                layout_engine=ImageFont.Layout.BASIC,
            )
        return cache[key]

    out: list[bytes] = []
    for page in layout_pages(doc, fonts):
        image = Image.new("RGB", (round(PAGE_WIDTH * scale), round(PAGE_HEIGHT * scale)), "white")
        draw = ImageDraw.Draw(image)
        for rule in page.rules:
            draw.line(
                [(rule.x1 * scale, rule.y * scale), (rule.x2 * scale, rule.y * scale)],
                fill=_rgb(MUTED_COLOR),
                width=max(1, round(0.6 * scale)),
            )
        for line in page.lines:
            face = font(line.bold, line.size)
            color = _rgb(MUTED_COLOR if line.muted else TEXT_COLOR)
            for run in line.runs:
                # Glyph by glyph at the PDF's advances, so both agree to the point.
                x = run.x
                visual_advances = run.advances[::-1] if run.rtl else run.advances
                for glyph, advance in zip(run.visual, visual_advances, strict=True):
                    draw.text(
                        (x * scale, line.y * scale), glyph, font=face, fill=color, anchor="ls"
                    )
                    x += advance
        buf = io.BytesIO()
        image.save(buf, format="PNG", optimize=True)
        out.append(buf.getvalue())
    return out
