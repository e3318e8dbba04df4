"""Parsing and skill-extraction quality on public labelled data (``../shared/data``).

:func:`evaluate_parsing` scores :func:`~ingestion.cv_parser.parse_cv` field by field on

- ``resume-ner-dotin/train/*.xml``: 310 CVs with inline ``<label type="...">`` spans. The text a
  parser sees is the file's body with the tags removed, XML entities unescaped, the literal
  ``\\xNN`` byte escapes some files carry decoded as UTF-8, and the quotes wrapping the
  one-line files dropped; the labelled spans are the gold values;
- ``sample-resumes``: five PDFs (text by ``pypdf``'s ``page.extract_text()``, pages joined by a
  newline) against ``ground_truth.json``.

How values are compared: each value is normalised (Unicode NFKC, case-folded, every run of
characters that are not letters or digits turned into one space, trimmed); per document the
predicted values and the gold values are two sets, and a predicted value is correct when it is
equal to a gold value after normalisation ("Oracle India Pvt. Ltd" = "oracle india pvt ltd").
Years are compared as the last four-digit year in the value, phone numbers as their digits,
dates as ``YYYY`` / ``YYYY-MM``. Skills also match when both sides resolve to the same taxonomy
id ("JS" = "JavaScript"). Precision = correct predicted values / predicted values, recall =
gold values found / gold values, both micro-averaged over all documents; F1 their harmonic
mean. The ``lenient`` F1 also accepts a value whose normalised words contain, or are contained
in, a gold value's words as a contiguous run ("B.E." for "B.E. in ENC").

:func:`evaluate_skills` scores :func:`~ingestion.skills.extract_skills` on the TECH and HOUSE
validation sets of Decorte et al. ("Extreme Multi-Label Skill Extraction Training using Large
Language Models"): job-ad sentences whose skill spans are linked to ESCO preferred labels. Per
sentence the gold set is the ESCO labels of its spans ("LABEL NOT PRESENT" and "UNDERSPECIFIED"
are not labels; a label our taxonomy lacks is counted as unresolvable and stays in the gold
set, so it lowers recall). Only sentences with at least one gold label are scored, as in the
paper. Our ranked list is the distinct skill ids found in the sentence, by confidence then
position. Reported: micro precision / recall / F1 of that set, and R-Precision@K for K = 5, 10:
the mean over sentences of (gold labels among our first K) / min(K, number of gold labels).
"""

from __future__ import annotations

import csv
import html
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ingestion.cv_parser import find_date_ranges, parse_cv
from ingestion.cv_schema import StructuredCV
from ingestion.skills import extract_skills, normalise_skill
from ingestion.taxonomy import get_taxonomy

# --- normalisation and scoring ----------------------------------------------------------------


def norm(value: str) -> str:
    """NFKC, case-folded, non-alphanumeric runs -> one space, trimmed."""
    value = unicodedata.normalize("NFKC", value).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", value).split())


def _year(value: str) -> str:
    years = re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", value)
    return years[-1] if years else ""


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _contains(a: str, b: str) -> bool:
    """Whether the words of ``b`` appear as a contiguous run in ``a`` (or vice versa)."""
    if not a or not b:
        return False
    wa, wb = f" {a} ", f" {b} "
    return wb in wa or wa in wb


@dataclass
class _Tally:
    gold: int = 0
    pred: int = 0
    tp_pred: int = 0  # predicted values that are correct
    tp_gold: int = 0  # gold values that were found
    lenient_pred: int = 0
    lenient_gold: int = 0
    docs: int = 0

    def add(
        self,
        pred: Iterable[str],
        gold: Iterable[str],
        same: Callable[[str, str], bool] | None = None,
    ) -> None:
        p = {v for v in pred if v}
        g = {v for v in gold if v}
        if not p and not g:
            return
        self.docs += 1
        self.gold += len(g)
        self.pred += len(p)

        def eq(x: str, y: str) -> bool:
            return x == y or (same is not None and same(x, y))

        self.tp_pred += sum(any(eq(x, y) for y in g) for x in p)
        self.tp_gold += sum(any(eq(x, y) for x in p) for y in g)
        self.lenient_pred += sum(any(eq(x, y) or _contains(x, y) for y in g) for x in p)
        self.lenient_gold += sum(any(eq(x, y) or _contains(x, y) for x in p) for y in g)


def _prf(tp_pred: int, pred: int, tp_gold: int, gold: int) -> tuple[float, float, float]:
    p = tp_pred / pred if pred else 0.0
    r = tp_gold / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return round(p, 4), round(r, 4), round(f, 4)


@dataclass(frozen=True)
class FieldScore:
    """One field's micro-averaged scores."""

    field: str
    gold: int
    predicted: int
    precision: float | None
    recall: float
    f1: float | None
    lenient_f1: float | None
    note: str = ""

    @classmethod
    def from_tally(cls, name: str, t: _Tally, note: str = "") -> FieldScore:
        p, r, f = _prf(t.tp_pred, t.pred, t.tp_gold, t.gold)
        _, _, lf = _prf(t.lenient_pred, t.pred, t.lenient_gold, t.gold)
        return cls(name, t.gold, t.pred, p, r, f, lf, note)


@dataclass(frozen=True)
class DatasetScores:
    dataset: str
    documents: int
    fields: list[FieldScore]
    notes: list[str] = field(default_factory=list)

    def field(self, name: str) -> FieldScore:
        return next(f for f in self.fields if f.field == name)


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


@dataclass(frozen=True)
class ParsingReport:
    """Per-field precision / recall / F1 of the CV parser on each labelled set."""

    datasets: list[DatasetScores]

    def dataset(self, name: str) -> DatasetScores:
        return next(d for d in self.datasets if d.dataset == name)

    def to_dict(self) -> dict[str, Any]:
        return {"datasets": [asdict(d) for d in self.datasets]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_markdown(self) -> str:
        out: list[str] = []
        for d in self.datasets:
            out.append(f"### {d.dataset} ({d.documents} documents)\n")
            out.append("| field | gold | predicted | precision | recall | F1 | lenient F1 | note |")
            out.append("|---|---:|---:|---:|---:|---:|---:|---|")
            for f in d.fields:
                out.append(
                    f"| {f.field} | {f.gold} | {f.predicted} | {_fmt(f.precision)} | "
                    f"{_fmt(f.recall)} | {_fmt(f.f1)} | {_fmt(f.lenient_f1)} | {f.note} |"
                )
            out += [f"\n- {n}" for n in d.notes]
            out.append("")
        return "\n".join(out)


# --- resume-ner-dotin -------------------------------------------------------------------------

_LABEL = re.compile(r'<label type="([^"]*)">(.*?)</label>', re.DOTALL)
_BYTE_ESCAPES = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")


def _decode_escapes(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        raw = bytes(int(h, 16) for h in re.findall(r"\\x([0-9a-fA-F]{2})", m.group()))
        return raw.decode("utf-8", errors="replace")

    return _BYTE_ESCAPES.sub(one, text).replace("\\'", "'")


def _clean_dotin(text: str) -> str:
    return _decode_escapes(html.unescape(text))


@dataclass(frozen=True)
class LabelledCV:
    """One dotin CV: the text a parser sees and its labelled spans by type."""

    path: Path
    text: str
    labels: dict[str, list[str]]


def load_dotin(data_dir: Path) -> list[LabelledCV]:
    """The 310 labelled CVs of ``resume-ner-dotin/train``, in file-number order."""
    folder = data_dir / "resume-ner-dotin" / "train"
    files = sorted(folder.glob("*.xml"), key=lambda p: (len(p.stem), p.stem))
    out = []
    for path in files:
        raw = path.read_text(encoding="utf-8")
        body = raw.split("<cv>", 1)[-1].rsplit("</cv>", 1)[0].strip("\n")
        if len(body) >= 2 and body.startswith('"') and body.endswith('"'):
            body = body[1:-1]
        labels: dict[str, list[str]] = defaultdict(list)
        for m in _LABEL.finditer(body):
            labels[m.group(1)].append(_clean_dotin(m.group(2)))
        text = _clean_dotin(_LABEL.sub(lambda m: m.group(2), body))
        out.append(LabelledCV(path, text, dict(labels)))
    return out


def dotin_spans(path: Path) -> tuple[str, list[tuple[int, int, str]]]:
    """One dotin file as the text :func:`load_dotin` gives and its labelled character spans.

    The same reading as :func:`load_dotin` (tags removed, entities unescaped, byte escapes
    decoded), done piece by piece so each ``<label type="T">`` becomes ``(start, end, T)`` with
    ``text[start:end]`` the cleaned label text (leading / trailing whitespace left outside).
    """
    raw = path.read_text(encoding="utf-8")
    body = raw.split("<cv>", 1)[-1].rsplit("</cv>", 1)[0].strip("\n")
    if len(body) >= 2 and body.startswith('"') and body.endswith('"'):
        body = body[1:-1]
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = length = 0
    for m in _LABEL.finditer(body):
        before = _clean_dotin(body[pos : m.start()])
        parts.append(before)
        length += len(before)
        inner = _clean_dotin(m.group(2))
        lead = len(inner) - len(inner.lstrip())
        core = inner.strip()
        if core:
            spans.append((length + lead, length + lead + len(core), m.group(1)))
        parts.append(inner)
        length += len(inner)
        pos = m.end()
    parts.append(_clean_dotin(body[pos:]))
    return "".join(parts), spans


def dotin_files(data_dir: Path) -> list[Path]:
    """The dotin XML files in file-number order (the order :func:`load_dotin` uses)."""
    folder = data_dir / "resume-ner-dotin" / "train"
    return sorted(folder.glob("*.xml"), key=lambda p: (len(p.stem), p.stem))


#: Cross-validation folds of the dotin set and the seed that deals documents into them.
DEFAULT_FOLDS = 5
FOLD_SEED = 13


def dotin_folds(n: int, k: int = DEFAULT_FOLDS, seed: int = FOLD_SEED) -> list[int]:
    """The fold (0..k-1) of each of ``n`` documents (in :func:`dotin_files` order): a seeded
    shuffle dealt round-robin, so folds differ in size by at most one."""
    import random

    order = list(range(n))
    random.Random(seed).shuffle(order)  # noqa: S311 - a seeded deal, not a secret
    folds = [0] * n
    for pos, i in enumerate(order):
        folds[i] = pos % k
    return folds


_SKILL_LABELS = ("Tech Tools", "Job Specific Skills", "Soft Skills")


def _skill_same() -> Callable[[str, str], bool]:
    """Two normalised skill strings name the same taxonomy skill."""
    cache: dict[str, str | None] = {}

    def sid(value: str) -> str | None:
        if value not in cache:
            ref = normalise_skill(value)
            cache[value] = ref.skill_id if ref else None
        return cache[value]

    def same(a: str, b: str) -> bool:
        ia = sid(a)
        return ia is not None and ia == sid(b)

    return same


def _stated_spans(text: str) -> list[str]:
    from ingestion.cv_parser import _STATED_YEARS

    return [m.group() for m in _STATED_YEARS.finditer(text)]


def score_dotin(
    docs: Iterable[LabelledCV],
    today: date | None = None,
    *,
    parse: Callable[[LabelledCV], StructuredCV] | None = None,
    dataset: str = "resume-ner-dotin/train",
) -> DatasetScores:
    """Parse every document (with ``parse``, default :func:`parse_cv`) and score each field."""
    names = (
        "name", "email", "designation", "companies", "location", "college", "degree",
        "graduation_year", "years_of_experience", "skills",
    )  # fmt: skip
    t = {n: _Tally() for n in names}
    per_label = {lab: _Tally() for lab in _SKILL_LABELS}
    same = _skill_same()
    docs = list(docs)
    phones = 0
    for doc in docs:
        cv = parse(doc) if parse is not None else parse_cv(doc.text, today=today)
        g = doc.labels
        p = cv.personal
        t["name"].add([norm(p.name or "")], map(norm, g.get("Name", [])))
        t["email"].add([norm(p.email or "")], map(norm, g.get("Email Address", [])))
        titles = [cv.title or "", *(e.title or "" for e in cv.employment)]
        t["designation"].add(map(norm, titles), map(norm, g.get("Designation", [])))
        t["companies"].add(
            (norm(e.company or "") for e in cv.employment),
            map(norm, g.get("Companies worked at", [])),
        )
        places = [p.location or "", *(e.location or "" for e in cv.employment)]
        t["location"].add(map(norm, places), map(norm, g.get("Location", [])))
        t["college"].add(
            (norm(e.institution or "") for e in cv.education),
            map(norm, g.get("College Name", [])),
        )
        t["degree"].add(
            (norm(e.degree or "") for e in cv.education), map(norm, g.get("Degree", []))
        )
        t["graduation_year"].add(
            (_year(e.end or "") for e in cv.education), map(_year, g.get("Graduation Year", []))
        )
        spans = [r.text for r in find_date_ranges(doc.text, today)] + _stated_spans(doc.text)
        t["years_of_experience"].add(map(norm, spans), map(norm, g.get("Years of Experience", [])))
        pred_skills = [norm(s.name) for s in cv.skills]
        gold_skills = [norm(v) for lab in _SKILL_LABELS for v in g.get(lab, [])]
        t["skills"].add(pred_skills, gold_skills, same)
        for lab in _SKILL_LABELS:
            per_label[lab].add(pred_skills, map(norm, g.get(lab, [])), same)
        phones += bool(p.phone)
    notes_by_field = {
        "designation": "CV title and every job title",
        "location": "CV location and every job location",
        "years_of_experience": "date ranges and 'N years of experience' phrases found",
        "skills": "Tech Tools + Job Specific Skills + Soft Skills; same taxonomy id counts",
    }
    fields = [FieldScore.from_tally(n, t[n], notes_by_field.get(n, "")) for n in names]
    for lab in _SKILL_LABELS:
        s = FieldScore.from_tally(f"skills: {lab}", per_label[lab], "recall only")
        fields.append(FieldScore(s.field, s.gold, s.predicted, None, s.recall, None, None, s.note))
    fields.insert(
        2,
        FieldScore(
            "phone", 0, phones, None, 0.0, None, None,
            "not labelled in this set: scored on sample-resumes; predicted = CVs with a phone",
        ),
    )  # fmt: skip
    notes = [
        "Text: tags stripped, XML entities unescaped, literal \\xNN escapes decoded as UTF-8.",
        f"{sum(1 for d in docs if not d.labels.get('Name'))} documents have no Name label "
        "(templates, anonymised samples): any name predicted there counts as a false positive.",
    ]
    return DatasetScores(dataset, len(docs), fields, notes)


# --- sample-resumes ---------------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    """Plain ``pypdf`` text of a PDF, pages joined by a newline."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _gold_date(value: str | None) -> str:
    if not value:
        return ""
    if re.search(r"(?i)present|current|now", value):
        return "present"
    ranges = find_date_ranges(f"{value} - {value}")
    return ranges[0].start_str if ranges else _year(value)


def score_samples(
    data_dir: Path,
    today: date | None = None,
    *,
    parse: Callable[[str], StructuredCV] | None = None,
    dataset: str = "sample-resumes",
) -> DatasetScores:
    """Score the parser (``parse``, default :func:`parse_cv`) on the sample PDFs against
    ``ground_truth.json``."""
    folder = data_dir / "sample-resumes"
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))["resumes"]
    names = (
        "name", "title", "email", "phone", "location", "skills", "employment.title",
        "employment.company", "employment.dates", "education.degree", "education.institution",
        "education.dates",
    )  # fmt: skip
    t = {n: _Tally() for n in names}
    same = _skill_same()
    for gt in truth:
        text = pdf_text(folder / gt["file"])
        cv: StructuredCV = parse(text) if parse is not None else parse_cv(text, today=today)
        p = cv.personal
        t["name"].add([norm(p.name or "")], [norm(gt.get("name") or "")])
        t["title"].add([norm(cv.title or "")], [norm(gt.get("title") or "")])
        t["email"].add([norm(p.email or "")], [norm(gt.get("email") or "")])
        t["phone"].add([_digits(p.phone or "")], [_digits(gt.get("phone") or "")])
        t["location"].add([norm(p.location or "")], [norm(gt.get("location") or "")])
        t["skills"].add((norm(s.name) for s in cv.skills), map(norm, gt.get("skills", [])), same)
        jobs = gt.get("employment", [])
        t["employment.title"].add(
            (norm(e.title or "") for e in cv.employment), (norm(j["title"]) for j in jobs)
        )
        t["employment.company"].add(
            (norm(e.company or "") for e in cv.employment), (norm(j["company"]) for j in jobs)
        )
        t["employment.dates"].add(
            (f"{e.start}|{'present' if e.current else e.end}" for e in cv.employment),
            (f"{_gold_date(j.get('start'))}|{_gold_date(j.get('end'))}" for j in jobs),
        )
        edus = gt.get("education", [])
        t["education.degree"].add(
            (norm(e.degree or "") for e in cv.education), (norm(x["degree"]) for x in edus)
        )
        t["education.institution"].add(
            (norm(e.institution or "") for e in cv.education),
            (norm(x["institution"]) for x in edus),
        )
        t["education.dates"].add(
            (f"{e.start}|{e.end}" for e in cv.education),
            (f"{_gold_date(x.get('start'))}|{_gold_date(x.get('end'))}" for x in edus),
        )
    fields = [FieldScore.from_tally(n, t[n]) for n in names]
    notes = ["Text: pypdf page.extract_text(), pages joined by a newline (no layout analysis)."]
    return DatasetScores(dataset, len(truth), fields, notes)


def evaluate_parsing(
    data_dir: Path,
    *,
    today: date | None = None,
    limit: int | None = None,
    cv_dir: Path | None = None,
) -> ParsingReport:
    """Per-field precision / recall / F1 of the parsers on the dotin CVs and the sample PDFs.

    The shipped span model was trained on all dotin CVs, so on dotin only the rule parser is
    scored directly; with ``cv_dir`` (fold models, see :func:`crossval_parsing`) the model's
    k-fold figures are added beside the rules' on the same documents. The sample PDFs (never
    trained on) are scored with both parsers. ``data_dir`` is the shared data folder
    (``../shared/data``); ``limit`` keeps the first N dotin CVs (quick runs, rules only).
    """
    from ingestion import cv_ner
    from ingestion.cv_parser import parse_cv_rules

    if cv_dir is not None and not limit:
        datasets = list(crossval_parsing(data_dir, cv_dir, today=today).datasets)
    else:
        docs = load_dotin(data_dir)[:limit] if limit else load_dotin(data_dir)
        datasets = [
            score_dotin(
                docs,
                today,
                parse=lambda d: parse_cv_rules(d.text, today=today),
                dataset="resume-ner-dotin/train: rules",
            )
        ]
    datasets.append(
        score_samples(
            data_dir,
            today,
            parse=lambda t: parse_cv_rules(t, today=today),
            dataset="sample-resumes: rules",
        )
    )
    if cv_ner.model_available():
        from ingestion.cv_structure import parse_cv_model

        datasets.append(
            score_samples(
                data_dir,
                today,
                parse=lambda t: parse_cv_model(t, today=today),
                dataset="sample-resumes: model (shipped, trained on all dotin CVs)",
            )
        )
    return ParsingReport(datasets)


def crossval_parsing(
    data_dir: Path,
    folds_dir: Path,
    *,
    today: date | None = None,
    k: int = DEFAULT_FOLDS,
    variants: dict[str, Any] | None = None,
) -> ParsingReport:
    """K-fold figures of the span-model parser beside the rule parser, on the same documents.

    ``folds_dir/fold{i}`` is a model trained on every dotin document outside fold ``i``
    (``scripts/train_cv_ner.py --folds K``); each document is parsed by the model that never
    saw it, and the scores pool all documents (micro-averaged). ``variants`` maps a name to a
    :class:`~ingestion.cv_structure.Combine` (default: the shipped combination only).
    """
    from ingestion import cv_ner
    from ingestion.cv_parser import parse_cv_rules, prepare_text
    from ingestion.cv_structure import DEFAULT_COMBINE, structure

    docs = load_dotin(data_dir)
    folds = dotin_folds(len(docs), k)
    models = [cv_ner.get_model(folds_dir / f"fold{i}") for i in range(k)]
    cache: dict[Path, tuple[StructuredCV, list[cv_ner.Span], str]] = {}
    for doc, f in zip(docs, folds, strict=True):
        rules_cv = parse_cv_rules(doc.text, today=today)
        text = prepare_text(doc.text)
        cache[doc.path] = (rules_cv, cv_ner.spans(models[f], text), text)
    out = [
        score_dotin(docs, today, parse=lambda d: cache[d.path][0], dataset="rules (same documents)")
    ]
    for name, combine in (variants or {"model": DEFAULT_COMBINE}).items():

        def parse(d: LabelledCV, combine: Any = combine) -> StructuredCV:
            rules_cv, sp, text = cache[d.path]
            return structure(text, sp, rules_cv, today=today, combine=combine)

        out.append(score_dotin(docs, today, parse=parse, dataset=f"{name} ({k}-fold CV)"))
    return ParsingReport(out)


# --- skills -----------------------------------------------------------------------------------

_NOT_A_LABEL = frozenset({"LABEL NOT PRESENT", "UNDERSPECIFIED"})


@dataclass(frozen=True)
class SkillSetScores:
    dataset: str
    sentences: int
    labelled_sentences: int
    gold_labels: int
    unresolvable_labels: int
    predicted: int
    precision: float
    recall: float
    f1: float
    rp_at_5: float
    rp_at_10: float
    predictions_on_unlabelled: int


@dataclass(frozen=True)
class SkillsReport:
    """Skill extraction against ESCO-linked job-ad sentences (Decorte et al., TECH and HOUSE)."""

    datasets: list[SkillSetScores]

    def dataset(self, name: str) -> SkillSetScores:
        return next(d for d in self.datasets if d.dataset == name)

    def to_dict(self) -> dict[str, Any]:
        return {"datasets": [asdict(d) for d in self.datasets]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def to_markdown(self) -> str:
        out = [
            "| set | sentences (labelled) | gold labels (not in taxonomy) | predicted | precision "
            "| recall | F1 | RP@5 | RP@10 | predictions on unlabelled sentences |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for d in self.datasets:
            out.append(
                f"| {d.dataset} | {d.sentences} ({d.labelled_sentences}) | {d.gold_labels} "
                f"({d.unresolvable_labels}) | {d.predicted} | {d.precision:.3f} | {d.recall:.3f} "
                f"| {d.f1:.3f} | {d.rp_at_5:.3f} | {d.rp_at_10:.3f} | "
                f"{d.predictions_on_unlabelled} |"
            )
        return "\n".join(out)


@dataclass
class _Sentence:
    gold: set[str]
    exact: list[str]  # exact taxonomy matches, ranked by confidence then position
    links: list[tuple[str, float]]  # nearest ESCO label of each candidate phrase


def _read_skill_file(path: Path, linker: Any | None) -> tuple[list[_Sentence], int]:
    tax = get_taxonomy()
    gold: dict[str, set[str]] = defaultdict(set)
    order: list[str] = []
    unresolved: set[tuple[str, str]] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            sentence = row["sentence"]
            if sentence not in gold:
                order.append(sentence)
                gold[sentence] = set()
            label = row["label"].strip()
            if not label or label in _NOT_A_LABEL:
                continue
            entry = tax.by_label(label)
            if entry is None:
                unresolved.add((sentence, label))
                gold[sentence].add("?" + label)  # stays in the gold set: unreachable recall
            else:
                gold[sentence].add(entry.id)
    out = []
    for sentence in order:
        matches = extract_skills(sentence)
        ranked: list[str] = []
        for m in sorted(matches, key=lambda m: (-m.confidence, m.start)):
            if m.skill_id not in ranked:
                ranked.append(m.skill_id)
        links: list[tuple[str, float]] = []
        if linker is not None:
            from ingestion.skill_linking import candidate_phrases

            links = [
                (x.skill_id, x.similarity) for x in linker.nearest(candidate_phrases(sentence))
            ]
        out.append(_Sentence(gold[sentence], ranked, links))
    return out, len(unresolved)


def _predict(s: _Sentence, threshold: float | None) -> list[str]:
    """Exact matches, then the one nearest phrase-label link when it reaches ``threshold``
    (:func:`ingestion.skill_linking.SkillLinker.link_text`: at most one link per text)."""
    ranked = list(s.exact)
    if threshold is not None and s.links:
        sid, sim = max(s.links, key=lambda x: x[1])
        if sim >= threshold and sid not in ranked:
            ranked.append(sid)
    return ranked


def _score_sentences(
    name: str, sents: list[_Sentence], unresolvable: int, threshold: float | None
) -> SkillSetScores:
    return _merge_scores(name, [(sents, threshold)], unresolvable)


def _score_skill_file(path: Path, name: str) -> SkillSetScores:
    sents, unresolvable = _read_skill_file(path, None)
    return _score_sentences(name, sents, unresolvable, None)


#: Thresholds tried when tuning the linking threshold (cosine similarity).
LINK_GRID = tuple(round(0.4 + 0.025 * i, 3) for i in range(21))  # 0.4 .. 0.9


def _f1_at(sents: list[_Sentence], threshold: float) -> float:
    tp = n_pred = n_gold = 0
    for s in sents:
        if not s.gold:
            continue
        ranked = set(_predict(s, threshold))
        n_gold += len(s.gold)
        n_pred += len(ranked)
        tp += len(ranked & s.gold)
    return 2 * tp / (n_pred + n_gold) if n_pred + n_gold else 0.0


def tune_threshold(sents: list[_Sentence]) -> float:
    """The grid threshold with the best micro F1 on ``sents`` (ties: the higher one)."""
    return max(LINK_GRID, key=lambda t: (_f1_at(sents, t), t))


def evaluate_skills(
    data_dir: Path, *, linking: bool = False, k: int = DEFAULT_FOLDS
) -> SkillsReport:
    """Micro P/R/F1 and R-Precision@5/10 of skill extraction on the TECH and HOUSE sets.

    Rows: ``extract_skills`` alone (exact taxonomy matching); with ``linking`` also exact +
    semantic linking (:mod:`ingestion.skill_linking`) where the threshold is chosen by k-fold
    cross-validation over the validation sentences of both sets pooled (each fold's sentences
    scored with the threshold that was best on the other folds: the honest figure, as these
    sets have no test split here), and with the shipped :data:`LINK_THRESHOLD` (tuned on all of
    those sentences, so in-sample: shown for reference only).
    """
    folder = data_dir / "skill-extraction"
    files = {
        "tech": folder / "tech_validation_annotations.csv",
        "house": folder / "house_validation_annotations.csv",
    }
    linker = None
    if linking:
        from ingestion.skill_linking import get_linker, linking_available

        linker = get_linker() if linking_available() else None
    read = {name: _read_skill_file(path, linker) for name, path in files.items()}
    out = [_score_sentences(n, s, u, None) for n, (s, u) in read.items()]
    if linker is None:
        return SkillsReport(out)
    import random

    from ingestion.skill_linking import LINK_THRESHOLD

    pooled = [(n, i) for n, (s, _) in read.items() for i in range(len(s))]
    order = list(range(len(pooled)))
    random.Random(FOLD_SEED).shuffle(order)  # noqa: S311 - a seeded deal, not a secret
    fold_of = {pooled[j]: pos % k for pos, j in enumerate(order)}
    chosen: dict[tuple[str, int], float] = {}
    thresholds = []
    for f in range(k):
        train = [read[n][0][i] for (n, i), ff in fold_of.items() if ff != f]
        t = tune_threshold(train)
        thresholds.append(t)
        for key, ff in fold_of.items():
            if ff == f:
                chosen[key] = t
    for name, (sents, unres) in read.items():
        # Score each sentence with its fold's threshold: group by threshold, then merge tallies.
        per_t: dict[float, list[_Sentence]] = defaultdict(list)
        for i, s in enumerate(sents):
            per_t[chosen[(name, i)]].append(s)
        merged = _merge_scores(
            f"{name} + linking ({k}-fold CV threshold {min(thresholds)}-{max(thresholds)})",
            [(ss, tt) for tt, ss in per_t.items()],
            unres,
        )
        out.append(merged)
    for name, (sents, unres) in read.items():
        out.append(
            _score_sentences(
                f"{name} + linking (shipped threshold {LINK_THRESHOLD}, in-sample)",
                sents,
                unres,
                LINK_THRESHOLD,
            )
        )
    return SkillsReport(out)


def _merge_scores(
    name: str, groups: list[tuple[list[_Sentence], float | None]], unresolvable: int
) -> SkillSetScores:
    """Scores of sentence groups, each predicted with its own threshold, pooled (micro)."""
    tp = n_pred = n_gold = on_unl = 0
    rp5: list[float] = []
    rp10: list[float] = []
    total = 0
    for sents, t in groups:
        total += len(sents)
        for s in sents:
            ranked = _predict(s, t)
            if not s.gold:
                on_unl += len(ranked)
                continue
            n_gold += len(s.gold)
            n_pred += len(ranked)
            tp += len(set(ranked) & s.gold)
            for kk, acc in ((5, rp5), (10, rp10)):
                acc.append(len(set(ranked[:kk]) & s.gold) / min(kk, len(s.gold)))
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return SkillSetScores(
        dataset=name,
        sentences=total,
        labelled_sentences=len(rp5),
        gold_labels=n_gold,
        unresolvable_labels=unresolvable,
        predicted=n_pred,
        precision=round(p, 4),
        recall=round(r, 4),
        f1=round(f, 4),
        rp_at_5=round(sum(rp5) / len(rp5), 4) if rp5 else 0.0,
        rp_at_10=round(sum(rp10) / len(rp10), 4) if rp10 else 0.0,
        predictions_on_unlabelled=on_unl,
    )
