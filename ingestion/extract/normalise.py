"""Whitespace and invisible characters: one tidy display text, one folded search text."""

from __future__ import annotations

import re

from ingestion.extract.arabic import normalise_arabic_for_search

# Controls a document may carry but no reader needs (C0 but tab/newline, DEL, C1).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Invisible format characters: zero-width spaces and joiners, bidi marks and embeddings, BOM.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_RUN = re.compile(r"\n{3,}")


def clean_display_text(text: str) -> str:
    """Newlines normalised, controls dropped, trailing spaces cut, at most one blank line in a
    row, no leading or trailing blank lines. Letters and their order are left alone."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    text = _CONTROLS.sub("", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUN.sub("\n\n", text).strip("\n")


def search_text(display: str) -> str:
    """The display text folded for matching: Arabic variants unified, case folded, invisible
    characters dropped, runs of spaces made one; lines kept."""
    folded = normalise_arabic_for_search(_INVISIBLE.sub("", display)).casefold()
    return "\n".join(_SPACES.sub(" ", line).strip() for line in folded.split("\n"))
