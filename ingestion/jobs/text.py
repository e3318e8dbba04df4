"""Text folding shared by the job normalisers: case, Latin accents, Arabic marks and digits.

Everything here is C-speed string work (``unicodedata.normalize``, one regex, ``str.translate``)
so that folding a whole description stays in the microseconds the re-ingest budget allows.
"""

from __future__ import annotations

import re
import unicodedata

# Combining marks left after NFKD: Latin accents, Arabic harakat, superscript alef, Quranic marks.
# NFKD also splits أ إ آ ؤ ئ into a base letter plus a hamza/madda mark, so dropping the marks
# folds those letters onto ا و ي as Arabic search engines do.
_MARKS = re.compile("[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")

_TRANSLATE = str.maketrans(
    {
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Extended Arabic-Indic (Persian/Urdu)
        "\u066c": ",",  # Arabic thousands separator
        "\u066b": ".",  # Arabic decimal separator
        "\u060c": ",",  # Arabic comma
        "\u061b": ";",  # Arabic semicolon
        "\u0649": "\u064a",  # alef maqsura -> ya
        "\u0629": "\u0647",  # ta marbuta -> ha
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u06a9": "\u0643",  # Persian kaf -> kaf
        "\u06cc": "\u064a",  # Persian ya -> ya
        "\u2010": "-",  # the dashes people type between numbers: 10k–15k, 3—5 years
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\uff0d": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200f": None,  # right-to-left mark
        "\u200e": None,  # left-to-right mark
        "\u200c": None,
        "\u200d": None,
    }
)

_NON_WORD = re.compile(r"[^\w]+")
# Runs, not single letters: counting the length of word-sized matches allocates far less.
_ARABIC_LETTER = re.compile("[\u0621-\u064a]+")
_LATIN_LETTER = re.compile("[A-Za-z]+")


def fold_letters(text: str) -> str:
    """Fold accents, Arabic letter variants, digits and dashes; keep case and punctuation.

    Used to write regular expressions in the folded alphabet (``\\W`` must stay upper-case)."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).translate(_TRANSLATE)


def fold(text: str) -> str:
    """Lower-case ``text`` and fold accents, Arabic letter variants, digits and dashes; keep
    punctuation."""
    return fold_letters(text).casefold()


def key(text: str) -> str:
    """``fold`` plus punctuation removed: dots vanish ("U.A.E." -> "uae"), the rest become spaces."""
    folded = fold(text).replace(".", "").replace("'", "").replace("\u2019", "")
    return " ".join(_NON_WORD.sub(" ", folded).replace("_", " ").split())


def arabic_share(text: str) -> float:
    """Share of Arabic letters among the Arabic and Latin letters of ``text`` (0 when none)."""
    arabic = sum(map(len, _ARABIC_LETTER.findall(text)))
    latin = sum(map(len, _LATIN_LETTER.findall(text)))
    return arabic / (arabic + latin) if arabic + latin else 0.0
