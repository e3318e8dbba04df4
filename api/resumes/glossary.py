"""The job-title glossary translations must follow: English ↔ Arabic.

Read from ``data/job_titles_glossary.json`` (masculine and feminine Arabic forms) and merged
with the occupation titles of the demo vocabulary (``api/demo/vocab.json``). "Senior X" is
"X أول" (feminine "X أولى"), likewise Junior and Lead. English → Arabic gives the masculine
form, the one Arabic job ads and CVs use generically; a person's gender is never guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingestion.extract import normalise_arabic_for_search

_DATA = Path(__file__).resolve().parent / "data" / "job_titles_glossary.json"
_VOCAB = Path(__file__).resolve().parents[1] / "demo" / "vocab.json"


def _en_key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _ar_key(text: str) -> str:
    return re.sub(r"\s+", " ", normalise_arabic_for_search(text)).strip()


@dataclass(frozen=True)
class Glossary:
    en_to_ar: dict[str, str]
    ar_to_en: dict[str, str]
    #: Folded English title → as the glossary writes it ("financial controller" → "Financial …").
    en_display: dict[str, str]
    #: (English word, Arabic masculine, Arabic feminine) that follow the title.
    seniority: tuple[tuple[str, str, str], ...]

    def to_arabic(self, title: str) -> str | None:
        """The Arabic of an English title, or None when the glossary does not know it."""
        key = _en_key(title)
        if key in self.en_to_ar:
            return self.en_to_ar[key]
        for en, ar, _ in self.seniority:
            prefix = en.casefold() + " "
            if key.startswith(prefix) and key[len(prefix) :] in self.en_to_ar:
                return f"{self.en_to_ar[key[len(prefix) :]]} {ar}"
        return None

    def to_english(self, title: str) -> str | None:
        """The English of an Arabic title (either gender), or None."""
        key = _ar_key(title)
        if key in self.ar_to_en:
            return self.ar_to_en[key]
        for en, ar, ar_f in self.seniority:
            for word in (ar, ar_f):
                suffix = " " + _ar_key(word)
                if key.endswith(suffix) and key[: -len(suffix)] in self.ar_to_en:
                    return f"{en} {self.ar_to_en[key[: -len(suffix)]]}"
        return None

    def translate(self, title: str, target: str) -> str | None:
        return self.to_arabic(title) if target == "ar" else self.to_english(title)

    def hints(self, text: str, target: str, limit: int = 30) -> list[tuple[str, str]]:
        """Glossary pairs (source, target) whose source title occurs in ``text``."""
        out: list[tuple[str, str]] = []
        if target == "ar":
            folded = _en_key(text)
            for en, ar in self.en_to_ar.items():
                if re.search(rf"(?<!\w){re.escape(en)}(?!\w)", folded):
                    out.append((self.en_display.get(en, en), ar))
        else:
            folded = _ar_key(text)
            for ar, en in self.ar_to_en.items():
                if re.search(rf"(?<!\w){re.escape(ar)}(?!\w)", folded):
                    out.append((ar, en))
        out.sort(key=lambda pair: -len(pair[0]))
        return out[:limit]


@lru_cache(maxsize=1)
def get_glossary() -> Glossary:
    """The glossary, loaded once."""
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    en_to_ar: dict[str, str] = {}
    ar_to_en: dict[str, str] = {}
    en_display: dict[str, str] = {}
    pairs: list[tuple[str, str, str | None]] = [
        (t["en"], t["ar"], t.get("ar_f")) for t in data["titles"]
    ]
    if _VOCAB.is_file():
        vocab = json.loads(_VOCAB.read_text(encoding="utf-8"))
        pairs += [(o["title_en"], o["title_ar"], None) for o in vocab.get("occupations", [])]
    for en, ar, ar_f in pairs:
        en_to_ar.setdefault(_en_key(en), ar)
        en_display.setdefault(_en_key(en), en)
        for form in (ar, ar_f):
            if form:
                ar_to_en.setdefault(_ar_key(form), en)
    seniority = tuple((s["en"], s["ar"], s["ar_f"]) for s in data["seniority"])
    return Glossary(en_to_ar, ar_to_en, en_display, seniority)


def english_title(title: str) -> str | None:
    """The English of an Arabic job title the glossary knows, else None: what matching embeds
    an Arabic title as, so that it sits close to its English twin (see indexing.titles)."""
    if not any("\u0600" <= ch <= "\u06ff" for ch in title):
        return None
    return get_glossary().to_english(title)
