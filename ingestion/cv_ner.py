"""A trained span model for CV fields (spaCy ``ner`` on a blank English pipeline).

The model marks spans of these kinds in a CV's plain text:

``NAME``, ``TITLE`` (a job title), ``COMPANY``, ``LOCATION``, ``COLLEGE``, ``DEGREE``,
``GRAD_YEAR``, ``DATES`` (a period or a stated length of experience) and ``SKILL``.

It is trained from scratch (no pretrained vectors or weights: hash embeddings of each token's
lower-case form, prefix, suffix and shape, a CNN encoder and a transition-based entity
recogniser) on the CC0 ``resume-ner-dotin`` annotations by ``scripts/train_cv_ner.py``; the
result ships in ``ingestion/models/cv_ner`` and is loaded once per process (:func:`get_model`).
E-mail, phone and date parsing stay with the exact rules of :mod:`ingestion.cv_parser`.

The training data is English only: Arabic text goes through the model too (its spans are rarely
right there), and :mod:`ingestion.cv_structure` falls back to the rule parser's fields for
Arabic CVs.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language

#: Where the shipped model lives (inside the package, so it is installed with it).
MODEL_DIR = Path(__file__).resolve().parent / "models" / "cv_ner"

#: dotin label -> entity label. "Email Address" is left to the e-mail rule (exact).
DOTIN_LABELS: dict[str, str] = {
    "Name": "NAME",
    "Designation": "TITLE",
    "Companies worked at": "COMPANY",
    "Location": "LOCATION",
    "College Name": "COLLEGE",
    "Degree": "DEGREE",
    "Graduation Year": "GRAD_YEAR",
    "Years of Experience": "DATES",
    "Tech Tools": "SKILL",
    "Job Specific Skills": "SKILL",
    "Soft Skills": "SKILL",
}
LABELS: tuple[str, ...] = tuple(dict.fromkeys(DOTIN_LABELS.values()))

#: Training chunks are cut at blank lines (never inside a span) once this long.
CHUNK_CHARS = 1500
#: The model reads at most this much of a CV (97% of the dotin CVs are shorter); the rule
#: parser still reads the whole text (up to its own 200,000), and its entries fill the rest.
MAX_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class Span:
    label: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a trained model, besides the data."""

    seed: int = 13
    epochs: int = 8
    batch_size: int = 8
    dropout: float = 0.2
    width: int = 64
    depth: int = 2
    embed_size: int = 2000
    hidden_width: int = 64
    learn_rate: float = 0.001


def chunks(text: str, spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """Cut ``text`` at blank lines into pieces of about :data:`CHUNK_CHARS`, never in a span."""
    inside = [False] * (len(text) + 1)
    for s, e, _ in spans:
        for i in range(s, e):
            inside[i] = True
    cuts = [0]
    pos = text.find("\n\n")
    while pos >= 0:
        if pos - cuts[-1] >= CHUNK_CHARS and not inside[pos]:
            cuts.append(pos)
        pos = text.find("\n\n", pos + 2)
    cuts.append(len(text))
    return [(a, b) for a, b in pairwise(cuts) if text[a:b].strip()]


def blank_pipeline(config: TrainConfig) -> Language:
    import spacy

    nlp = spacy.blank("en")
    model = {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": config.hidden_width,
        "maxout_pieces": 2,
        "use_upper": True,
        "nO": None,
        "tok2vec": {
            "@architectures": "spacy.HashEmbedCNN.v2",
            "pretrained_vectors": None,
            "width": config.width,
            "depth": config.depth,
            "embed_size": config.embed_size,
            "window_size": 1,
            "maxout_pieces": 3,
            "subword_features": True,
        },
    }
    ner = nlp.add_pipe("ner", config={"model": model})
    for label in LABELS:
        ner.add_label(label)  # type: ignore[attr-defined]
    return nlp


def _examples(
    nlp: Language, docs: Iterable[tuple[str, Sequence[tuple[int, int, str]]]]
) -> list[Any]:
    from spacy.training import Example
    from spacy.util import filter_spans

    out = []
    for text, raw_spans in docs:
        spans = [(s, e, DOTIN_LABELS[lab]) for s, e, lab in raw_spans if lab in DOTIN_LABELS]
        for a, b in chunks(text, spans):
            piece = text[a:b]
            pred = nlp.make_doc(piece)
            ref = nlp.make_doc(piece)
            ents = []
            for s, e, lab in spans:
                if a <= s and e <= b:
                    span = ref.char_span(s - a, e - a, label=lab, alignment_mode="expand")
                    if span is not None and span.text.strip():
                        ents.append(span)
            ref.ents = filter_spans(ents)
            out.append(Example(pred, ref))
    return out


def train(
    docs: Sequence[tuple[str, Sequence[tuple[int, int, str]]]],
    config: TrainConfig | None = None,
    log: Callable[[str], None] | None = None,
) -> Language:
    """Train a span model on ``(text, [(start, end, dotin label), ...])`` documents.

    Deterministic for a given config and data on one machine (fixed seeds, one thread).
    """
    from spacy.util import fix_random_seed, minibatch  # type: ignore[attr-defined]

    config = config or TrainConfig()
    fix_random_seed(config.seed)
    nlp = blank_pipeline(config)
    examples = _examples(nlp, docs)
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = config.learn_rate
    rng = random.Random(config.seed)  # noqa: S311 - a seeded shuffle, not a secret
    for epoch in range(config.epochs):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=config.batch_size):  # type: ignore[no-untyped-call]
            nlp.update(batch, drop=config.dropout, sgd=optimizer, losses=losses)
        if log:
            log(f"epoch {epoch + 1}/{config.epochs}: loss {losses.get('ner', 0.0):.1f}")
    return nlp


def spans(nlp: Language, text: str) -> list[Span]:
    """The model's spans in ``text`` (character offsets into ``text``)."""
    doc = nlp(text[:MAX_TEXT_CHARS])
    return [Span(e.label_, e.text, e.start_char, e.end_char) for e in doc.ents]


_lock = threading.Lock()
_cache: dict[Path, Language] = {}


class ModelMissing(RuntimeError):
    """The span model folder is absent (a source checkout without the trained model)."""


def get_model(path: Path | None = None) -> Language:
    """The span model at ``path`` (the shipped one by default), loaded once per process."""
    path = path or MODEL_DIR
    with _lock:
        nlp = _cache.get(path)
        if nlp is None:
            if not (path / "meta.json").exists():
                raise ModelMissing(
                    f"no trained CV span model in {path}: run scripts/train_cv_ner.py "
                    "(or set TABASHIR_INGEST_CV_PARSER=rules)"
                )
            import spacy

            nlp = spacy.load(path)
            _cache[path] = nlp
        return nlp


def model_available(path: Path | None = None) -> bool:
    """The model folder is there and spaCy is installed (else ``parse_cv`` uses the rules)."""
    import importlib.util

    return ((path or MODEL_DIR) / "meta.json").exists() and (
        importlib.util.find_spec("spacy") is not None
    )
