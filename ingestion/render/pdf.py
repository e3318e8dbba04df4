"""CvDocument → PDF (reportlab): one column, real text, embedded fonts, A4.

Arabic is shaped (contextual forms) and laid out by the Unicode bidi algorithm, right-aligned.
The text layer is written in *logical* order: each glyph of a right-to-left run is placed at
its visual position, but emitted in reading order. The page looks the same as with a visual
text layer, while copy-paste, screen readers and text extraction (ours included) read the
words in the order they are written, with phone numbers and Latin names intact.

:func:`layout_pages` gives the placed lines, so a preview (``preview.py``) draws exactly what
the PDF draws.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.pdfgen import canvas  # type: ignore[import-untyped]

from ingestion.render.bidi import (
    bidi_runs,
    mirror,
    paragraph_rtl,
    protect_ltr,
    shape,
    strip_controls,
    visual_order,
)
from ingestion.render.fonts import FontSet, find_fonts
from ingestion.render.layout import Block, BlockKind, CvDocument

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 54.0
MARGIN_TOP = 54.0
MARGIN_BOTTOM = 54.0
LINE_FACTOR = 1.32
TEXT_COLOR = (0.1, 0.1, 0.1)
MUTED_COLOR = (0.3, 0.3, 0.3)


@dataclass(frozen=True)
class _Style:
    bold: bool
    size: float
    space_before: float
    muted: bool = False
    rule: bool = False


_STYLES: dict[BlockKind, _Style] = {
    "name": _Style(bold=True, size=18, space_before=0),
    "headline": _Style(bold=False, size=11.5, space_before=2),
    "contact": _Style(bold=False, size=9.5, space_before=2, muted=True),
    "heading": _Style(bold=True, size=11.5, space_before=14, rule=True),
    "entry": _Style(bold=True, size=10.5, space_before=2),
    "meta": _Style(bold=False, size=9.5, space_before=0, muted=True),
    "text": _Style(bold=False, size=10, space_before=1),
    "bullet": _Style(bold=False, size=10, space_before=0),
}
_GAP = 7.0
#: Lines a parser reads as one unit ("Title — Company", a period, the contact line): shrunk
#: (down to this share of their size) before they would wrap.
_ONE_LINE: frozenset[BlockKind] = frozenset({"name", "headline", "contact", "entry", "meta"})
_MIN_SHRINK = 0.72


@dataclass(frozen=True)
class PlacedRun:
    """Glyphs of one bidi run, shaped, in logical order; ``x`` is the run's left edge."""

    x: float
    glyphs: str
    rtl: bool
    advances: tuple[float, ...]

    @property
    def width(self) -> float:
        return sum(self.advances)

    @property
    def visual(self) -> str:
        """The glyphs as they appear from left to right."""
        return self.glyphs[::-1] if self.rtl else self.glyphs


@dataclass(frozen=True)
class PlacedLine:
    font: str
    bold: bool
    size: float
    #: Baseline, in points from the top of the page.
    y: float
    muted: bool
    runs: tuple[PlacedRun, ...]


@dataclass(frozen=True)
class Rule:
    y: float
    x1: float
    x2: float


@dataclass
class Page:
    lines: list[PlacedLine] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)


@dataclass(frozen=True)
class _Fonts:
    regular: str
    bold: str
    cmap: frozenset[int]


@lru_cache(maxsize=4)
def _register(fonts: FontSet) -> _Fonts:
    tag = hashlib.sha256(f"{fonts.regular}|{fonts.bold}".encode()).hexdigest()[:8]
    regular, bold = f"CvSans-{tag}", f"CvSans-Bold-{tag}"
    reg_font = TTFont(regular, str(fonts.regular))
    pdfmetrics.registerFont(reg_font)
    pdfmetrics.registerFont(TTFont(bold, str(fonts.bold)))
    return _Fonts(regular, bold, frozenset(reg_font.face.charToGlyph))


def _drawable(text: str, cmap: frozenset[int]) -> str:
    """Characters the font lacks become their compatibility decomposition, or are dropped
    when they are invisible formatting, or a "?" as the last resort."""
    if all(ord(c) in cmap for c in text):
        return text
    out = []
    for c in text:
        if ord(c) in cmap:
            out.append(c)
            continue
        plain = unicodedata.normalize("NFKC", c)
        if plain and all(ord(p) in cmap for p in plain):
            out.append(plain)
        elif unicodedata.category(c) in ("Cf", "Mn"):
            continue
        else:
            out.append("?")
    return "".join(out)


class _Measure:
    def __init__(self, fonts: _Fonts, font: str, size: float) -> None:
        self.fonts, self.font, self.size = fonts, font, size

    def glyphs(self, text: str, rtl_run: bool) -> str:
        text = strip_controls(text)
        if rtl_run:
            text = mirror(text)
        return _drawable(shape(text), self.fonts.cmap)

    def width(self, text: str) -> float:
        w: float = pdfmetrics.stringWidth(self.glyphs(text, False), self.font, self.size)
        return w


def _split_long(token: str, measure: _Measure, width: float) -> list[str]:
    out, cur = [], ""
    for c in token:
        if cur and measure.width(cur + c) > width:
            out.append(cur)
            cur = c
        else:
            cur += c
    return [*out, cur] if cur else out


def wrap(block: Block, measure: _Measure, width: float) -> list[str]:
    """Lines of ``block`` no wider than ``width``, cut between words (between items for a
    list line, so no skill is ever split across lines)."""
    if block.items:
        tokens: list[str] = []
        for n, item in enumerate(block.items):
            tokens.append(item + (block.sep.rstrip() if n < len(block.items) - 1 else ""))
        sep = " "
    else:
        tokens = block.text.split()
        sep = " "
    lines: list[str] = []
    cur = ""
    for token in tokens:
        candidate = f"{cur}{sep}{token}" if cur else token
        if measure.width(candidate) <= width:
            cur = candidate
            continue
        if cur:
            lines.append(cur)
        if measure.width(token) > width:
            *full, cur = _split_long(token, measure, width)
            lines.extend(full)
        else:
            cur = token
    if cur:
        lines.append(cur)
    return lines


def place_line(
    text: str, *, rtl: bool, right: bool, measure: _Measure, y: float, muted: bool
) -> PlacedLine:
    """One line laid out by the bidi algorithm (paragraph direction ``rtl``): runs placed left
    to right, against the right margin when ``right`` (a right-to-left document)."""
    if rtl:
        text = protect_ltr(text)
    runs = [r for r in bidi_runs(text, rtl=rtl) if strip_controls(r.text)]
    shaped = []
    for run in runs:
        glyphs = measure.glyphs(run.text, run.rtl)
        advances = tuple(
            float(pdfmetrics.stringWidth(g, measure.font, measure.size)) for g in glyphs
        )
        shaped.append((run, glyphs, advances))
    total = sum(sum(a) for _, _, a in shaped)
    x = PAGE_WIDTH - MARGIN_X - total if right else MARGIN_X
    xs: dict[int, float] = {}
    for idx in visual_order([r.level for r in runs]):
        xs[idx] = x
        x += sum(shaped[idx][2])
    placed = tuple(
        PlacedRun(xs[i], glyphs, run.rtl, advances)
        for i, (run, glyphs, advances) in enumerate(shaped)
    )
    bold = measure.font == measure.fonts.bold
    return PlacedLine(measure.font, bold, measure.size, y, muted, placed)


def layout_pages(doc: CvDocument, fonts: FontSet | None = None) -> list[Page]:
    """Place every line of ``doc`` on A4 pages (coordinates from the page's top-left)."""
    registered = _register(fonts or find_fonts())
    width = PAGE_WIDTH - 2 * MARGIN_X
    pages = [Page()]
    y = MARGIN_TOP
    for n, block in enumerate(doc.blocks):
        style = _STYLES[block.kind]
        font = registered.bold if style.bold else registered.regular
        size = style.size
        measure = _Measure(registered, font, size)
        if block.kind in _ONE_LINE:
            while measure.width(block.text) > width and size > style.size * _MIN_SHRINK:
                size -= 0.25
                measure = _Measure(registered, font, size)
        leading = style.size * LINE_FACTOR
        lines = wrap(block, measure, width)
        block_rtl = paragraph_rtl(block.text, doc.rtl)
        before = (style.space_before + (_GAP if block.gap else 0.0)) if n else 0.0
        # A heading never ends a page alone: keep it with its first line.
        needed = before + leading * (2 if style.rule else 1) + (6 if style.rule else 0)
        if y + needed > PAGE_HEIGHT - MARGIN_BOTTOM and pages[-1].lines:
            pages.append(Page())
            y = MARGIN_TOP
            before = 0.0
        y += before
        for line in lines:
            if y + leading > PAGE_HEIGHT - MARGIN_BOTTOM:
                pages.append(Page())
                y = MARGIN_TOP
            y += leading
            pages[-1].lines.append(
                place_line(
                    line,
                    rtl=block_rtl,
                    right=doc.rtl,
                    measure=measure,
                    y=y - leading * 0.25,
                    muted=style.muted,
                )
            )
        if style.rule:
            pages[-1].rules.append(Rule(y + 1.5, MARGIN_X, PAGE_WIDTH - MARGIN_X))
            y += 4
    return pages


def _draw(c: canvas.Canvas, page: Page) -> None:
    for rule in page.rules:
        c.setStrokeColorRGB(*MUTED_COLOR)
        c.setLineWidth(0.6)
        c.line(rule.x1, PAGE_HEIGHT - rule.y, rule.x2, PAGE_HEIGHT - rule.y)
    for line in page.lines:
        text = c.beginText()
        text.setFont(line.font, line.size)
        text.setFillColorRGB(*(MUTED_COLOR if line.muted else TEXT_COLOR))
        baseline = PAGE_HEIGHT - line.y
        for run in line.runs:  # logical order: the order a reader extracts
            if not run.rtl:
                text.setTextOrigin(run.x, baseline)
                text.textOut(run.glyphs)
                continue
            # Right to left: glyph k sits left of glyphs k-1 … 0, right of k+1 … end.
            right = run.x + run.width
            for glyph, advance in zip(run.glyphs, run.advances, strict=True):
                right -= advance
                text.setTextOrigin(right, baseline)
                text.textOut(glyph)
        c.drawText(text)


def pdf_from_pages(pages: list[Page], doc: CvDocument) -> bytes:
    """Write placed pages as a PDF (deterministic bytes for the same input)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(doc.title)
    if doc.author:
        c.setAuthor(doc.author)
    c.setSubject("Curriculum vitae")
    c.setCreator("Tabashir")
    for page in pages:
        _draw(c, page)
        c.showPage()
    c.save()
    return buf.getvalue()


def render_pdf_document(doc: CvDocument, fonts: FontSet | None = None) -> bytes:
    """A laid-out CV as PDF bytes."""
    return pdf_from_pages(layout_pages(doc, fonts), doc)
