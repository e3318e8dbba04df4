"""Skill extraction: find taxonomy skills in free text (English and Arabic), normalise skill names.

Text and dictionary entries are normalised the same way (lower case, Arabic alef / ta marbuta /
alef maqsura unified, diacritics and tatweel removed, the Arabic article dropped) and split into
tokens where punctuation is its own token, so "C++", "C#", ".NET", "Node.js" and "CI/CD" are
token sequences like any other. Matching is longest-first over token n-grams at word boundaries.

Some names are also ordinary words. Three rules keep them from firing in prose:

- single letters and short mixed-case names ("R", "C", "Go") and curated ambiguous aliases
  ("Oracle", "Node") are accepted only in a *skills context*: a span the caller marks (the CV's
  SKILLS section), a list-like line ("Java, C, C++" or "• C"), or right next to another skill
  joined by a comma, slash, "and" / "or";
- two-letter acronyms ("ML", "JS") and product names that are English words ("Spring", "Swift",
  "Excel") need their own capitalisation outside a skills context;
- nothing is matched inside an e-mail address or a URL, or glued to "+", "#", "&" or ".x".
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from ingestion.taxonomy import Taxonomy, get_taxonomy

MatchMethod = Literal["exact", "alias", "contained", "fuzzy"]

#: Entries longer than this many words stay ids in the taxonomy but are never matched in text.
MAX_MATCH_WORDS = 6
#: rapidfuzz ratio (0-100) a misspelt name needs to be accepted ("Javascrpt" -> JavaScript).
FUZZY_THRESHOLD = 90
FUZZY_MIN_LEN = 5

# Surface modes: anywhere; own capitalisation unless in a skills context; only in a skills
# context; an acronym, never in Title case ("San" is not SAN); exactly as written ("BASIC").
_ANY, _CASED, _CONTEXT, _ACRONYM, _EXACT = 0, 1, 2, 3, 4
# Collision priority (lower wins) and confidence by where a surface came from.
_PRIORITY = {"curated": 0, "ar": 0, "label": 1, "onet": 1, "onet_variant": 2, "alt": 3}
_CONFIDENCE = {
    "curated": 0.95,
    "ar": 0.9,
    "label": 0.95,
    "onet": 0.9,
    "onet_variant": 0.85,
    "alt": 0.8,
}

# --- normalisation ----------------------------------------------------------------------------

_REMOVE = [0x0640, 0x0670, *range(0x0610, 0x061B), *range(0x064B, 0x0660), *range(0x06D6, 0x06EE)]
_REPLACE = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ة": "ه",
    "ى": "ي",
    "ؤ": "و",
    "ئ": "ي",
    "\u2019": "'",
    "\u2018": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u00a0": " ",
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
}
_TABLE: dict[int, str | None] = {cp: None for cp in _REMOVE}
_TABLE.update({ord(k): v for k, v in _REPLACE.items()})
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
_ARTICLES = (("وال", 5), ("بال", 5), ("كال", 5), ("فال", 5), ("ال", 4), ("لل", 4))


def normalise_arabic(text: str) -> str:
    """Unify alef forms, ta marbuta, alef maqsura and hamza seats; drop diacritics and tatweel."""
    return text.translate(_TABLE)


def _normalise(text: str) -> tuple[str, list[int] | None]:
    """Lower-cased, Arabic-normalised text, and for each of its characters the index it came
    from in ``text`` (None when positions are unchanged, the common case)."""
    t = text.translate(_TABLE)
    if len(t) == len(text):
        low = t.lower()
        if len(low) == len(t):
            return low, None
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        mapped = _TABLE.get(ord(ch), ch)
        if mapped is None:
            continue
        for c in mapped.lower():
            chars.append(c)
            index.append(i)
    return "".join(chars), index


def _token_key(tok: str) -> str | None:
    """The lookup form of one token: hyphens vanish, the Arabic article is dropped."""
    if tok == "-":
        return None
    if _ARABIC_LETTER.match(tok):
        for prefix, min_len in _ARTICLES:
            if len(tok) >= min_len and tok.startswith(prefix):
                return tok[len(prefix) :]
    return tok


def skill_key(text: str) -> tuple[str, ...]:
    """The normalised token sequence two skill names are compared by."""
    norm, _ = _normalise(text)
    return tuple(k for k in map(_token_key, _TOKEN.findall(norm)) if k)


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SkillMatch:
    """A skill found in text; ``surface`` is ``text[start:end]`` exactly as written."""

    skill_id: str
    label: str
    surface: str
    start: int
    end: int
    confidence: float


@dataclass(frozen=True, slots=True)
class SkillRef:
    """A skill name resolved to the taxonomy."""

    skill_id: str
    label: str
    kind: str
    weight: float
    confidence: float
    method: MatchMethod


# --- the matcher ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Surface:
    skill_id: str
    origin: str
    mode: int
    priority: int
    weight: float
    forms: set[str]  # every capitalisation the dictionary knows, for the exact-case rule


_LIST_SEP = re.compile(r"[,;|•·▪●◦★✓➢►■♦\u2022\u25aa\u25cf\t]")
_BULLET_START = re.compile(r"^\s*[-*•·▪●◦★✓➢►■♦\u2022\u25aa\u25cf>]\s*")
_LABEL_PREFIX = re.compile(r"^[^:]{1,40}:\s*")
_SEGMENT = re.compile(r"[^\n]+")
_SOFT_BREAK = re.compile(r"[ \t]{2,}")
# Bounded repeats: an unbounded "\S+@" rescans a long token from every position (quadratic).
_URL_OR_EMAIL = re.compile(
    r"(?<![^\s<(\[,;:|])[^\s@]{1,64}@[^\s@]{1,253}\.\w{2,24}|(?:https?://|www\.)\S{1,2000}"
    r"|(?<![\w.-])[\w.-]{1,253}\.(?:com|org|net|io|in|ae|sa|edu|gov)/\S{0,2000}",
    re.IGNORECASE,
)
_COORD_WORDS = frozenset({"and", "or", "&", ",", "/", "|", "و", "او", "+"})
_GENERIC_TAIL = frozenset(
    {"skills", "skill", "programming", "language", "languages", "framework", "software", "basics"}
)


class SkillMatcher:
    """A token n-gram dictionary over a taxonomy; build once, share freely (read-only)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._index: dict[tuple[str, ...], _Surface] = {}
        for entry in taxonomy:
            self._add(entry.label, entry.id, "label", False, entry.weight)
            for syn, syn_origin in entry.synonyms.items():
                self._add(syn, entry.id, syn_origin, False, entry.weight)
        for alias in taxonomy.aliases:
            skill = taxonomy.skills[alias.skill_id]
            origin = "ar" if _ARABIC_LETTER.search(alias.text) else "curated"
            self._add(alias.text, alias.skill_id, origin, alias.context_only, skill.weight)
        lengths: dict[str, set[int]] = defaultdict(set)
        for key in self._index:
            lengths[key[0]].add(len(key))
        self._lengths = {k: sorted(v, reverse=True) for k, v in lengths.items()}
        self._fuzzy_by_len: dict[tuple[str, int], list[str]] | None = None
        self._fuzzy_keys: dict[str, tuple[str, ...]] = {}
        self._fuzzy_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._index)

    def _mode(self, surface: str, key: tuple[str, ...], context_only: bool) -> int:
        if context_only:
            return _CONTEXT
        if len(key) == 1:
            word = key[0]
            if len(word) == 1:
                return _CONTEXT
            if len(word) == 2 and not surface.isupper():
                return _CONTEXT  # "Go"
            if surface.isupper() and len(word) > 2 and word in self.taxonomy.common_words:
                return _EXACT  # "BASIC", "LESS": never "basic" or "less"
            if len(word) == 2 or (
                word in self.taxonomy.common_words and surface != surface.lower()
            ):
                return _CASED  # "ML", "Spring"
            if surface.isupper() and surface.isalpha() and len(surface) <= 5:
                return _ACRONYM
        return _ANY

    def _add(self, surface: str, skill_id: str, origin: str, context_only: bool, w: float) -> None:
        surface = surface.strip()
        key = skill_key(surface)
        words = [k for k in key if k[0].isalnum()]
        if not key or not words or len(words) > MAX_MATCH_WORDS:
            return
        if all(k.isdigit() for k in words):
            return
        if (
            origin == "alt"
            and len(key) == 1
            and surface.islower()
            and key[0] in self.taxonomy.common_words
        ):
            # Single ordinary words among ESCO's alternative labels ("interaction" for
            # communication, "recovery") are noise in CV prose.
            return
        mode = self._mode(surface, key, context_only)
        prio = _PRIORITY[origin]
        cur = self._index.get(key)
        if cur is not None:
            if cur.skill_id == skill_id:
                cur.forms.add(surface)
                if prio < cur.priority:
                    cur.priority = prio
                if cur.origin != "label" and (origin == "label" or prio < _PRIORITY[cur.origin]):
                    cur.origin = origin  # the preferred label names it best
                if not context_only and (mode == _ANY or cur.mode == _CONTEXT):
                    cur.mode = mode
                return
            # Another skill owns this name: the better source wins, then the more common skill.
            if (cur.priority, cur.weight, cur.skill_id) <= (prio, w, skill_id):
                return
        self._index[key] = _Surface(skill_id, origin, mode, prio, w, {surface})

    # -- text ----------------------------------------------------------------------------------

    @staticmethod
    def _tokens(text: str) -> tuple[list[str], list[int], list[int]]:
        """Token keys and their (start, end) in the original text, as parallel lists."""
        norm, index = _normalise(text)
        keys: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        arabic = _ARABIC_LETTER.search(norm) is not None
        for m in _TOKEN.finditer(norm):
            tok = m.group()
            if tok == "-":
                continue
            keys.append(_token_key(tok) or tok if arabic else tok)
            if index is None:
                starts.append(m.start())
                ends.append(m.end())
            else:
                starts.append(index[m.start()])
                ends.append(index[m.end() - 1] + 1)
        return keys, starts, ends

    @staticmethod
    def _list_spans(text: str) -> list[tuple[int, int]]:
        """Items of list-like segments ("Java, C, C++", "• C", "Languages: R"): short pieces
        between separators, in a segment where most pieces are short."""
        spans: list[tuple[int, int]] = []
        for line in _SEGMENT.finditer(text):
            pos = line.start()
            for seg in _SOFT_BREAK.split(line.group()):
                seg_start = text.find(seg, pos) if seg else pos
                pos = seg_start + len(seg)
                label = _LABEL_PREFIX.match(seg)
                body_start = seg_start + (label.end() if label else 0)
                body = text[body_start:pos]
                if not body.strip():
                    continue
                items: list[tuple[int, int]] = []
                last = 0
                for m in [*_LIST_SEP.finditer(body), None]:
                    a, b = last, (m.start() if m else len(body))
                    if body[a:b].strip():
                        items.append((body_start + a, body_start + b))
                    last = m.end() if m else last
                short = [(a, b) for a, b in items if len(text[a:b].split()) <= 3]
                if len(items) >= 2 and len(short) >= 0.6 * len(items):
                    spans += short
                elif (
                    len(items) == 1
                    and len(short) == 1
                    and (label is not None or _BULLET_START.match(seg))
                ):
                    spans += short  # "Languages: R", "• C"
        return spans

    def find(
        self,
        text: str,
        context_spans: Sequence[tuple[int, int]] = (),
    ) -> list[SkillMatch]:
        """Every skill occurrence in ``text``, in order, without overlaps."""
        keys, starts, ends = self._tokens(text)
        if not keys:
            return []
        blocked = [(m.start(), m.end()) for m in _URL_OR_EMAIL.finditer(text)]
        ctx = sorted([*context_spans, *self._list_spans(text)])
        found: list[tuple[int, int, _Surface]] = []  # (first token, last token + 1, surface)
        pending: list[tuple[int, int, _Surface]] = []  # needs context; decided below
        i, n = 0, len(keys)
        index, lengths = self._index, self._lengths
        while i < n:
            cands = lengths.get(keys[i])
            hit = None
            if cands:
                for length in cands:
                    if i + length > n:
                        continue
                    surf = index.get(tuple(keys[i : i + length]))
                    if surf is None:
                        continue
                    start, end = starts[i], ends[i + length - 1]
                    if not self._boundary_ok(text, start, end, surf):
                        continue
                    if _inside(blocked, start, end):
                        continue
                    hit = (i, i + length, surf)
                    break
            if hit is None:
                i += 1
                continue
            start, end = starts[hit[0]], ends[hit[1] - 1]
            surf = hit[2]
            if surf.mode == _ANY or (surf.mode in (_CASED, _CONTEXT) and _inside(ctx, start, end)):
                found.append(hit)
            elif surf.mode in (_CASED, _EXACT):
                if text[start:end] in surf.forms:
                    found.append(hit)
            elif surf.mode == _ACRONYM:
                written = text[start:end]
                if written in surf.forms or not (written[:1].isupper() and written[1:].islower()):
                    found.append(hit)  # "SAN", "san" but not "San" (Francisco)
            else:
                pending.append(hit)
            i = hit[1]
        # Short names next to an accepted skill ("R and Python", "Python, R") are in a list. Not
        # so English words ("Spring Boot and spring water"): those need their capital letter.
        accepted_edges = {a for a, _, _ in found} | {b for _, b, _ in found}
        for a, b, surf in pending:
            if self._coordinated(keys, a, b, accepted_edges):
                found.append((a, b, surf))
        found.sort(key=lambda h: h[0])
        out = []
        for a, b, surf in found:
            start, end = starts[a], ends[b - 1]
            skill = self.taxonomy.skills[surf.skill_id]
            conf = _CONFIDENCE[surf.origin] if surf.mode in (_ANY, _ACRONYM) else 0.75
            out.append(SkillMatch(skill.id, skill.label, text[start:end], start, end, conf))
        return out

    @staticmethod
    def _boundary_ok(text: str, start: int, end: int, surf: _Surface) -> bool:
        after = text[end] if end < len(text) else " "
        after2 = text[end + 1] if end + 1 < len(text) else " "
        before = text[start - 1] if start > 0 else " "
        before2 = text[start - 2] if start > 1 else " "
        if after in "+#" or before in "@#":
            return False
        if after == "." and after2.isalnum():
            return False  # "ASP" in "ASP.NET", "python" in "python.org"
        if before == "." and before2.isalnum() and not text[start].startswith("."):
            return False
        if surf.mode != _ANY:
            if after in "&'" or before in "&'":
                return False  # "R&D", "C'est"
            if end - start == 1 and after == ".":
                return False  # an initial: "R. Kumar"
        return True

    @staticmethod
    def _coordinated(keys: list[str], a: int, b: int, edges: set[int]) -> bool:
        # Walk left and right over joiners only; reaching an accepted match edge means a list.
        j = a - 1
        while j >= 0 and keys[j] in _COORD_WORDS:
            j -= 1
        if j < a - 1 and (j + 1) in edges:
            return True
        j = b
        while j < len(keys) and keys[j] in _COORD_WORDS:
            j += 1
        return j > b and j in edges

    # -- one name ------------------------------------------------------------------------------

    def lookup(self, name: str, *, fuzzy: bool = True) -> SkillRef | None:
        """Resolve one skill name: exact, then without generic words, then contained, then
        (unless ``fuzzy`` is False) typo-tolerant."""
        key = skill_key(name)
        if not key:
            return None
        ref = self._exact(key)
        if ref:
            return ref
        trimmed = _trim(name)
        if trimmed != name:
            ref = self._exact(skill_key(trimmed))
            if ref:
                return ref
        matches = self.find(name, context_spans=[(0, len(name))]) if len(key) > 1 else []
        ids = {m.skill_id for m in matches}
        if len(ids) == 1:
            covered = sum(len(m.surface) for m in matches)
            if covered >= 0.6 * len(name.strip()):
                return self._ref(matches[0].skill_id, 0.8, "contained")
        return self._fuzzy(" ".join(skill_key(trimmed))) if fuzzy else None

    def _exact(self, key: tuple[str, ...]) -> SkillRef | None:
        surf = self._index.get(key)
        if surf is None:
            return None
        method: MatchMethod = "alias" if surf.origin in ("curated", "ar") else "exact"
        return self._ref(surf.skill_id, _CONFIDENCE[surf.origin], method)

    def _ref(self, skill_id: str, confidence: float, method: MatchMethod) -> SkillRef:
        s = self.taxonomy.skills[skill_id]
        return SkillRef(s.id, s.label, s.kind, s.weight, confidence, method)

    def _fuzzy(self, query: str) -> SkillRef | None:
        if len(query) < FUZZY_MIN_LEN:
            return None
        # Typos rarely hit the first letter: compare with names of about the same length that
        # start like the query (a few hundred strings, not a hundred thousand).
        choices = self._fuzzy_choices(query[0], len(query))
        best = process.extractOne(query, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
        if best is None:
            return None
        surf = self._index[self._fuzzy_keys[best[0]]]
        return self._ref(surf.skill_id, round(0.85 * best[1] / 100, 3), "fuzzy")

    def _fuzzy_choices(self, first: str, length: int) -> list[str]:
        with self._fuzzy_lock:
            if self._fuzzy_by_len is None:
                by_len: dict[tuple[str, int], list[str]] = defaultdict(list)
                for key, surf in self._index.items():
                    if surf.mode == _CONTEXT:
                        continue
                    text = " ".join(key)
                    self._fuzzy_keys[text] = key
                    by_len[(text[0], len(text))].append(text)
                self._fuzzy_by_len = dict(by_len)
            by = self._fuzzy_by_len
            return [c for n in range(length - 2, length + 3) for c in by.get((first, n), ())]


def _inside(spans: Iterable[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in spans)


def _trim(name: str) -> str:
    """Drop a parenthetical and generic trailing words: "Python programming" -> "Python"."""
    name = re.sub(r"\([^)]*\)", " ", name).strip()
    words = name.split()
    while len(words) > 1 and words[-1].lower() in _GENERIC_TAIL:
        words.pop()
    return " ".join(words)


_matcher_lock = threading.Lock()
_matchers: dict[int, SkillMatcher] = {}


def get_matcher(taxonomy: Taxonomy | None = None) -> SkillMatcher:
    """The matcher for a taxonomy (default: the shipped one), built once and cached."""
    taxonomy = taxonomy or get_taxonomy()
    with _matcher_lock:
        matcher = _matchers.get(id(taxonomy))
        if matcher is None or matcher.taxonomy is not taxonomy:
            matcher = SkillMatcher(taxonomy)
            _matchers[id(taxonomy)] = matcher
        return matcher


def extract_skills(
    text: str,
    lang: str | None = None,
    *,
    context_spans: Sequence[tuple[int, int]] = (),
    taxonomy: Taxonomy | None = None,
) -> list[SkillMatch]:
    """Every taxonomy skill mentioned in ``text``, in reading order.

    ``context_spans`` marks (start, end) ranges known to be skill lists (a CV's SKILLS section),
    where short ambiguous names ("R", "Go") are accepted. ``lang`` is accepted for symmetry with
    the other parsers; English and Arabic are handled alike, so it changes nothing today.
    """
    del lang  # one dictionary serves both languages
    return get_matcher(taxonomy).find(text, context_spans)


def _word_list(text: str) -> list[str]:
    return text.split()


#: Words CVs write that name no skill: contact words ("Email me on Indeed"), section words
#: ("EMPLOYMENT HISTORY"), and everyday words some taxonomy aliases share.
NOT_SKILLS = frozenset(
    _word_list(
        """
    email e-mail mail phone mobile telephone tel fax address contact indeed linkedin github
    website web site url link links profile history summary objective experience education
    skills skill details information info references reference declaration personal name
    resume cv curriculum vitae date place hobbies interests achievements awards languages
    language others other additional key core qualifications qualification responsibilities
    projects project certifications certification tools technologies technical dies die
    present current employment career professional academic educational work
    """
    )
)
#: Human languages: skills only inside a languages section ("English" in "Languages: ...").
LANGUAGE_NAMES = frozenset(
    _word_list(
        """
    english arabic hindi urdu french german spanish tamil telugu malayalam kannada marathi
    bengali bangla gujarati punjabi russian chinese mandarin persian farsi turkish italian
    portuguese japanese korean sinhala nepali swahili indonesian malay dutch greek kurdish
    pashto somali amharic oriya odia assamese konkani tagalog filipino
    """
    )
)


def is_not_a_skill(name: str, *, in_languages: bool = False) -> bool:
    """Whether a skill candidate is a contact word, a section word, a generic word, or a human
    language named outside a languages section."""
    if re.search(r"@|https?:|www\.|\.com\b|/in/|/r/", name, re.IGNORECASE):
        return True  # a link or an address, not a claim
    key = " ".join(re.sub(r"[^\w+#.]+", " ", name.casefold()).split()).strip(". ")
    if not key or len(key) > 80:
        return True
    if key in NOT_SKILLS or all(w in NOT_SKILLS for w in key.split()):
        return True
    language = key in LANGUAGE_NAMES or key.removesuffix(" language") in LANGUAGE_NAMES
    return language and not in_languages


def clean_skill_names(
    names: Sequence[str], in_languages: Sequence[bool] | None = None
) -> list[str]:
    """``names`` without what :func:`is_not_a_skill` rejects (order kept)."""
    flags = in_languages if in_languages is not None else [False] * len(names)
    return [
        n for n, lang in zip(names, flags, strict=True) if not is_not_a_skill(n, in_languages=lang)
    ]


def normalise_skill(name: str, *, taxonomy: Taxonomy | None = None) -> SkillRef | None:
    """Resolve one skill name (a job post's skill list item) to the taxonomy, or None.

    Exact names and aliases first, then the name without generic words ("Python programming"),
    then a single skill covering most of it, then a typo-tolerant match (rapidfuzz ratio >= 90).
    """
    if not name or not name.strip() or len(name) > 200:
        return None
    return get_matcher(taxonomy).lookup(name)
