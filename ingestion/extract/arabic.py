"""Arabic text as PDFs give it back, made fit to read and to search.

PDF writers place glyphs in visual order: an Arabic line's characters come out reversed, often
as presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFE: one code point per contextual glyph shape)
rather than letters. ``fix_visual_text`` finds such lines and restores logical order with the
Unicode bidi algorithm, which keeps Latin and number runs (emails, "Python", phone numbers) in
their own order; ``normalise_arabic_for_search`` folds the spelling variants a search must not
tell apart; ``detect_language`` says which script a text is written in.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Literal

from bidi import get_display  # type: ignore[import-untyped]

Language = Literal["ar", "en", "mixed"]

_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")
# Letters of the Arabic blocks (the script of Arabic, Persian and Urdu) and of Latin scripts.
_ARABIC_LETTER = re.compile(
    "[\u0620-\u064a\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff"
    "\ufb50-\ufdff\ufe70-\ufefe]"
)
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")
# A word for the order statistics: Arabic letters, diacritics and tatweel inside it allowed.
_ARABIC_WORD = re.compile(
    "[\u0620-\u065f\u0670-\u06d3\u06d5\u06fa-\u06ff\ufb50-\ufdff\ufe70-\ufefe]+"
)
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_BRACKETS = (("(", ")"), ("[", "]"), ("{", "}"), ("<", ">"))

_FORM_TAGS = {"<initial>": "i", "<medial>": "m", "<final>": "f", "<isolated>": "s"}
# Neighbouring glyph shapes inside one word. Logical order runs initial → medial… → final;
# stored in visual order the same word reads final → medial… → initial.
_LOGICAL_PAIRS = frozenset({("i", "m"), ("i", "f"), ("m", "f")})
_VISUAL_PAIRS = frozenset({("f", "m"), ("f", "i"), ("m", "i")})


def to_base_letters(text: str) -> str:
    """Map presentation forms to the letters they draw (NFKC does exactly this for Arabic)."""
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def _form(char: str) -> str | None:
    tag = unicodedata.decomposition(char).split(" ", 1)[0]
    return _FORM_TAGS.get(tag)


def visual_order_score(line: str) -> int:
    """Evidence that ``line`` holds Arabic in visual (reversed) order: > 0 visual, < 0 logical,
    0 undecided (no Arabic, or nothing telling, like a lone short word).

    Two kinds of evidence: the order of contextual glyph shapes inside a word (presentation
    forms; decisive, counted double), and where tell-tale letters sit in a word: the article
    "ال" begins words and "ة"/"ى" end them, so "لا" closing a long word or "ة"/"ى" opening
    one means the word was reversed.
    """
    score = 0
    for word in _ARABIC_WORD.findall(line):
        forms = [_form(c) for c in word]
        for pair in itertools.pairwise(forms):
            if pair in _LOGICAL_PAIRS:
                score -= 2
            elif pair in _VISUAL_PAIRS:
                score += 2
        letters = _DIACRITICS.sub("", to_base_letters(word)).replace(_TATWEEL, "")
        if len(letters) < 2:
            continue
        if len(letters) >= 3 and letters.startswith("ال"):
            score -= 1
        if len(letters) >= 4 and letters.endswith("لا"):
            score += 1
        if letters[-1] in "ةى":
            score -= 1
        if letters[0] in "ةى":
            score += 1
    return score


def fix_visual_order(line: str, *, rtl: bool = True) -> str:
    """Turn one line stored in visual order into logical order, with letters for glyph forms.

    ``rtl`` is the line's base direction: True for an Arabic line (its first word is at the
    right), False for a Latin line holding some Arabic words. Latin and number runs keep their
    order; the bidi algorithm also knows that "+971 50 123 4567" inside Arabic is shown with
    its groups reversed, and puts them back.
    """
    if not _ARABIC_LETTER.search(line):
        return line
    logical: str = get_display(line, base_dir="R" if rtl else "L")
    return _fix_inverted_brackets(to_base_letters(logical))


def _fix_inverted_brackets(line: str) -> str:
    """Some writers store mirrored bracket glyphs, which read back as ")…(" once reordered;
    a line whose brackets close before they open gets them swapped."""
    for opening, closing in _BRACKETS:
        depth = 0
        for char in line:
            if char == opening:
                depth += 1
            elif char == closing:
                depth -= 1
                if depth < 0:
                    break
        if depth < 0:
            line = line.translate({ord(opening): closing, ord(closing): opening})
    return line


def fix_visual_text(text: str, *, default_visual: bool | None = None) -> str:
    """Fix every line of ``text`` that holds Arabic in visual order; map presentation forms to
    letters everywhere.

    A line without decisive evidence follows ``default_visual``; None means the document's
    own verdict (the sum of all lines' evidence), as one PDF writer treats all its lines alike.
    The base direction of a visual line comes from its script when one outweighs the other
    three to one, else from the document's majority script ("Name: محمد أحمد" in an English
    CV reads left to right; "مهندس name@example.com +971…" in an Arabic one right to left).
    """
    lines = text.split("\n")
    scores = [visual_order_score(line) for line in lines]
    if default_visual is None:
        default_visual = sum(scores) > 0
    arabic_total = len(_ARABIC_LETTER.findall(text))
    document_rtl = arabic_total > 0 and arabic_total >= len(_LATIN_LETTER.findall(text))
    out: list[str] = []
    for line, score in zip(lines, scores, strict=True):
        arabic = len(_ARABIC_LETTER.findall(line))
        visual = score > 0 or (score == 0 and default_visual)
        if not arabic or not visual:
            out.append(to_base_letters(line))
            continue
        latin = len(_LATIN_LETTER.findall(line))
        if arabic >= 3 * latin:
            rtl = True
        elif latin >= 3 * arabic:
            rtl = False
        else:
            rtl = document_rtl
        out.append(fix_visual_order(line, rtl=rtl))
    return "\n".join(out)


_SEARCH_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",  # Persian yeh, common in Gulf keyboards' output
        "ک": "ك",  # Persian keheh
        "،": ",",
        "؛": ";",
        "؟": "?",
        _TATWEEL: None,
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Extended (Persian/Urdu) digits
    }
)


def normalise_arabic_for_search(text: str, *, fold_ta_marbuta: bool = True) -> str:
    """Fold Arabic spelling variants for matching: alef forms → ا, ى → ي, optionally ة → ه;
    drop tatweel and diacritics; Arabic-Indic digits → ASCII. Display text keeps the original.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _DIACRITICS.sub("", text).translate(_SEARCH_FOLD)
    if fold_ta_marbuta:
        text = text.replace("ة", "ه")
    return text


def detect_language(text: str, *, arabic_share: float = 0.6, latin_share: float = 0.8) -> Language:
    """ "ar", "en" or "mixed", from the share of Arabic among Arabic and Latin letters.

    "ar" from ``arabic_share`` Arabic letters up (an Arabic CV still spells emails, companies
    and tools in Latin), "en" from ``latin_share`` Latin letters up, "mixed" between. A text
    with no letters at all counts as "en".
    """
    arabic = len(_ARABIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    if arabic + latin == 0:
        return "en"
    share = arabic / (arabic + latin)
    if share >= arabic_share:
        return "ar"
    if 1 - share >= latin_share:
        return "en"
    return "mixed"
