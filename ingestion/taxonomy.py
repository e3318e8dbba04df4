"""The skills taxonomy: canonical skill ids from ESCO and O*NET, synonyms, aliases, rarity weights.

Built offline by ``scripts/build_skill_taxonomy.py`` into ``ingestion/data/skills.json.gz`` and
loaded here on first use, once per process. ESCO: © European Union, reused under the
Commission's reuse policy; O*NET 29.2: CC BY 4.0, U.S. Department of Labor, Employment and
Training Administration (the full attribution lines travel inside the data file, see
:attr:`Taxonomy.attribution`).
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, cast

SkillKind = Literal["tool", "knowledge", "skill", "language", "transversal"]
#: Where a synonym came from: an ESCO alternative label, an O*NET technology name or a name
#: derived from one ("Structured query language SQL" -> "SQL"), or a curated Arabic label.
SynonymOrigin = Literal["alt", "onet", "onet_variant", "ar"]

DATA_FILE = Path(__file__).resolve().parent / "data" / "skills.json.gz"
FORMAT_VERSION = 1


class TaxonomyError(RuntimeError):
    """The taxonomy file is missing or not in the format this code reads."""


@dataclass(frozen=True, slots=True)
class SkillEntry:
    """One canonical skill."""

    id: str
    label: str
    kind: SkillKind
    #: Rarity in [0, 1]: ~0 for skills most occupations list (Excel), 1 for rare ones; 0.5 unknown.
    weight: float
    synonyms: Mapping[str, SynonymOrigin]
    sources: tuple[str, ...]
    hot: bool = False
    #: O*NET commodity title of a tool ("Spreadsheet software"), when O*NET knows it.
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Alias:
    """A curated alternative name: an abbreviation, a spelling, an Arabic label."""

    text: str
    skill_id: str
    #: Ambiguous as a plain word ("Oracle" the company): accepted only inside a skills list.
    context_only: bool


@dataclass(frozen=True)
class Taxonomy:
    """All skills by id, plus the vocabularies the matcher and the CV parser need."""

    skills: Mapping[str, SkillEntry]
    aliases: tuple[Alias, ...]
    #: Lower-cased single-word skill names that are also ordinary English words.
    common_words: frozenset[str]
    #: Head nouns of occupation titles ("engineer", "accountant").
    title_words: frozenset[str]
    #: Ordinary English words (lower case in ESCO's descriptions).
    english_words: frozenset[str]
    attribution: Mapping[str, str]
    _by_label: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _by_label_folded: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Sorted ids make the case-folded fallback deterministic when two labels fold alike.
        for sid in sorted(self.skills):
            label = self.skills[sid].label
            self._by_label.setdefault(label, sid)
            self._by_label_folded.setdefault(label.casefold(), sid)

    def __len__(self) -> int:
        return len(self.skills)

    def __iter__(self) -> Iterator[SkillEntry]:
        return iter(self.skills.values())

    def get(self, skill_id: str) -> SkillEntry | None:
        """The skill with this id, or None."""
        return self.skills.get(skill_id)

    def by_label(self, label: str) -> SkillEntry | None:
        """The skill whose preferred label is ``label`` (exact, then case-insensitive)."""
        sid = self._by_label.get(label.strip()) or self._by_label_folded.get(
            label.strip().casefold()
        )
        return self.skills[sid] if sid else None


def _entry(raw: Mapping[str, Any]) -> SkillEntry:
    return SkillEntry(
        id=str(raw["id"]),
        label=str(raw["label"]),
        kind=cast(SkillKind, raw["kind"]),
        weight=float(raw["weight"]),
        synonyms=cast(dict[str, SynonymOrigin], raw.get("synonyms", {})),
        sources=tuple(raw.get("sources", ())),
        hot=bool(raw.get("hot", False)),
        category=raw.get("category"),
    )


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read a taxonomy file (default: the one shipped in ``ingestion/data``)."""
    path = path or DATA_FILE
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError as exc:
        raise TaxonomyError(
            f"skills taxonomy not found at {path}; run scripts/build_skill_taxonomy.py"
        ) from exc
    except (OSError, ValueError) as exc:
        raise TaxonomyError(f"skills taxonomy at {path} is unreadable: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_VERSION:
        raise TaxonomyError(f"skills taxonomy at {path} is not format {FORMAT_VERSION}")
    skills = {e.id: e for e in map(_entry, doc["skills"])}
    aliases = tuple(
        Alias(text=str(a), skill_id=str(sid), context_only=bool(ctx))
        for a, sid, ctx in doc["aliases"]
        if sid in skills
    )
    return Taxonomy(
        skills=skills,
        aliases=aliases,
        common_words=frozenset(doc.get("common_words", ())),
        title_words=frozenset(doc.get("title_words", ())),
        english_words=frozenset(doc.get("english_words", ())),
        attribution=dict(doc.get("attribution", {})),
    )


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _cached() -> Taxonomy:
    return load_taxonomy()


def get_taxonomy() -> Taxonomy:
    """The shipped taxonomy, loaded on first use and shared by the whole process."""
    with _lock:  # one load even when two threads ask at once
        return _cached()
