"""Right-to-left text for the writers: the Unicode bidi algorithm's levels, runs in visual
order, Arabic shaping, and marks that keep numbers and Latin in their own order.

A paragraph takes its direction from its first strong character (rule P2) and its alignment
from the document. A DOCX carries logical text and lets Word (or LibreOffice) lay it out: it
only needs its right-to-left paragraphs marked ``bidi``, its Arabic runs marked ``rtl``, and a
left-to-right mark (LRM) where the bidi algorithm would otherwise scramble a phone number
("+971 50 123 4567" inside Arabic shows with its groups reversed). A PDF
must be drawn in visual order: :func:`visual_runs` gives the runs of a line from left to right,
each with its glyphs shaped (contextual forms, lam-alef ligatures) by ``arabic_reshaper``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import arabic_reshaper  # type: ignore[import-untyped]
from bidi import algorithm as _uba  # type: ignore[import-untyped]
from bidi.mirror import MIRRORED  # type: ignore[import-untyped]

LRM = "\u200e"
#: Bidi marks, embeddings and isolates: they steer the layout and are never drawn.
BIDI_CONTROLS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefe]")
# Digit groups separated by spaces: phone numbers ("+971 52 982 3249", "050 123 4567").
_NUMBER_GROUPS = re.compile(r"(?<![\w\u200e+])\+?\(?\d[\d().\-]*(?:[ \u00a0]\(?\d[\d().\-]*)+")
_MIN_PHONE_DIGITS = 7


def has_arabic(text: str) -> bool:
    return _ARABIC.search(text) is not None


def _strong(char: str) -> str | None:
    kind = unicodedata.bidirectional(char)
    if kind == "L":
        return "L"
    if kind in ("R", "AL"):
        return "R"
    return None


def first_strong(text: str) -> str | None:
    """ "L" or "R" for the first strongly directional character of ``text`` (rule P2), else
    None."""
    for char in strip_controls(text):
        kind = _strong(char)
        if kind:
            return kind
    return None


def paragraph_rtl(text: str, document_rtl: bool) -> bool:
    """A paragraph's direction: from its first strong character (an English line in an Arabic
    CV reads left to right, "- Responsibilities" keeping its bullet on the left), the
    document's when it has none. Alignment always follows the document."""
    kind = first_strong(text)
    return document_rtl if kind is None else kind == "R"


def protect_ltr(text: str) -> str:
    """For a right-to-left paragraph: a left-to-right mark (LRM) before each group of numbers
    separated by spaces, so "+971 52 982 3249" keeps its order instead of showing its groups
    reversed. Invisible; the text is otherwise unchanged."""
    return _NUMBER_GROUPS.sub(
        lambda m: (
            LRM + m.group()
            if sum(c.isdigit() for c in m.group()) >= _MIN_PHONE_DIGITS
            else m.group()
        ),
        text,
    )


@dataclass(frozen=True)
class BidiRun:
    """A maximal stretch of one embedding level, in logical order (controls removed)."""

    text: str
    level: int

    @property
    def rtl(self) -> bool:
        return self.level % 2 == 1


def bidi_runs(text: str, *, rtl: bool) -> list[BidiRun]:
    """The runs of one line in logical order, with the levels of the Unicode bidi algorithm
    (paragraph direction ``rtl``; whitespace at the line's end at the paragraph level, L1)."""
    if not text:
        return []
    storage: dict[str, Any] = _uba.get_empty_storage()
    storage["base_level"] = 1 if rtl else 0
    storage["base_dir"] = "R" if rtl else "L"
    _uba.get_embedding_levels(text, storage)
    _uba.explicit_embed_and_overrides(storage)
    _uba.resolve_weak_types(storage)
    _uba.resolve_neutral_types(storage, False)
    _uba.resolve_implicit_levels(storage, False)
    chars: list[dict[str, Any]] = storage["chars"]
    base = storage["base_level"]
    for ch in reversed(chars):  # L1: trailing whitespace takes the paragraph level
        if ch["orig"] in ("WS", "BN") or BIDI_CONTROLS.match(ch["ch"]):
            ch["level"] = base
        else:
            break
    runs: list[BidiRun] = []
    for ch in chars:
        level = int(ch["level"])
        if runs and runs[-1].level == level:
            runs[-1] = BidiRun(runs[-1].text + ch["ch"], level)
        else:
            runs.append(BidiRun(ch["ch"], level))
    return runs


def visual_order(levels: list[int]) -> list[int]:
    """Indices of runs (given by level, logical order) from left to right (rule L2)."""
    order = list(range(len(levels)))
    if not levels:
        return order
    highest = max(levels)
    odd = [lv for lv in levels if lv % 2]
    if not odd:
        return order
    lowest_odd = min(odd)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order


@lru_cache(maxsize=1)
def _reshaper() -> Any:
    # Only the lam-alef ligatures every Arabic font has; "Allah" and friends are in Presentation
    # Forms-A, which common fonts (DejaVu) lack. Harakat are kept.
    return arabic_reshaper.ArabicReshaper(
        configuration={
            "delete_harakat": False,
            "support_ligatures": True,
            "ARABIC LIGATURE ALLAH": False,
        }
    )


def shape(text: str) -> str:
    """Contextual glyph forms of the Arabic in ``text`` (logical order); other text unchanged."""
    if not has_arabic(text):
        return text
    shaped: str = _reshaper().reshape(text)
    return shaped


def mirror(text: str) -> str:
    """Brackets as drawn inside right-to-left runs: "(" shows as ")" (rule L4)."""
    return "".join(MIRRORED.get(c, c) for c in text)


def strip_controls(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)
