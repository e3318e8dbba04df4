"""A realistic synthetic job corpus for the scale benchmarks (100k–1M jobs), generated without the model.

Text: titles, skills and duties come from ``api/demo/vocab.json`` (66 occupations derived from
ESCO — © European Union, reused under the Commission's reuse policy — and O*NET 29.2, CC BY 4.0,
U.S. Department of Labor, Employment and Training Administration), put into English or Arabic
job-post templates; companies are invented. About 15 % of posts are in Arabic, as in the demo.

Vectors: the embedding model would take hours on a CPU at 1M texts, so vectors are drawn instead,
as a sum of orthogonal-in-expectation parts: one direction shared by every post, one per sector,
one per occupation, one per each of its 12 specialisations, and noise, with weights that give the
cosines all-MiniLM-L6-v2 gives the demo's English job ads (measured: 0.73 within an occupation,
0.56 across occupations of a sector, 0.48 across sectors; ``GENERATOR`` below):
≈ 0.48 across sectors, ≈ 0.56 within a sector, ≈ 0.68 within an occupation, ≈ 0.78 within a
specialisation. The first generator (v1) drew occupations independently, so any two occupations
were orthogonal (cosine 0): islands with no gradient between them, which no real embedding shows
and on which HNSW at 1M could not find some queries' neighbourhoods at all (recall 0 for some
queries even at ef_search 1000).

Filter columns: ``city`` carries the selectivities the recall benchmark needs (Abu Dhabi 10 %,
Sharjah 1 %, Fujairah 0.1 %), the other fields look like the demo's.

Everything is deterministic in (seed, batch start, batch size), so a corpus is streamed into COPY
batch by batch without holding it in memory, and regenerated identically later.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

VOCAB = Path(__file__).resolve().parent.parent / "api" / "demo" / "vocab.json"
DIM = 384
N_SPECIALISATIONS = 12
#: Bumped whenever the corpus changes, so a loaded benchmark database is never silently reused.
GENERATOR = "v2: global .693, sector .283, occupation .346, specialisation .316, noise .469"
#: Squared weights: .48 + .08 + .12 + .10 + .22 = 1.
_W_GLOBAL, _W_SECTOR, _W_OCC, _W_SPEC, _W_NOISE = 0.693, 0.283, 0.346, 0.316, 0.469

#: city -> (country, share). The first three make the 10 %, 1 % and 0.1 % filters.
CITIES: dict[str, tuple[str, float]] = {
    "Abu Dhabi": ("AE", 0.10),
    "Sharjah": ("AE", 0.01),
    "Fujairah": ("AE", 0.001),
    "Dubai": ("AE", 0.449),
    "Riyadh": ("SA", 0.15),
    "Jeddah": ("SA", 0.07),
    "Doha": ("QA", 0.08),
    "Kuwait City": ("KW", 0.05),
    "Manama": ("BH", 0.04),
    "Muscat": ("OM", 0.05),
}
SELECTIVITY_CITY = {"10%": "Abu Dhabi", "1%": "Sharjah", "0.1%": "Fujairah"}

COMPANIES = [
    f"{a} {b}"
    for a in (
        "Falcon", "Oasis", "Noor", "Sahara", "Pearl", "Dune", "Marina", "Crescent", "Palm",
        "Gulf", "Horizon", "Summit", "Atlas", "Cedar", "Lotus", "Zenith",
    )
    for b in (
        "Analytics LLC", "Holdings", "Trading Co", "Healthcare", "Logistics", "Technologies",
        "Construction", "Hospitality Group", "Retail", "Consulting", "Energy", "Bank",
    )
]  # fmt: skip

EN_INTRO = [
    "{company} is hiring {a_title} to join its team in {city}.",
    "We are looking for {a_title} for our growing office in {city}.",
    "{company} seeks an experienced {title} based in {city}.",
    "Join {company} in {city} as {a_title} and grow with a leading employer.",
]
EN_DUTIES = [
    "You will {x}.",
    "Day to day you will {x}, working closely with the wider team.",
    "Responsibilities include the ability to {x}.",
]
EN_TOOLS = ["Hands-on experience with {x} is required.", "You will use {x} every day."]
EN_KNOWLEDGE = ["Solid knowledge of {x} is expected.", "A good grasp of {x} matters here."]
EN_EXTRAS = [
    "We offer a competitive tax-free salary, housing allowance and annual flights.",
    "Medical insurance, visa and end-of-service benefits are provided.",
    "The working week is Monday to Friday with flexible hours.",
    "Candidates who can join immediately are preferred.",
    "This is a permanent position with clear career progression.",
]
AR_INTRO = [
    "تعلن {company} عن حاجتها إلى {title} للعمل في {city}.",
    "نبحث عن {title} للانضمام إلى فريقنا في {city}.",
]
AR_DUTIES = ["تشمل المهام {x}.", "سيكون المرشح مسؤولاً عن {x}."]
AR_EXTRAS = [
    "نقدم راتباً تنافسياً معفى من الضرائب وبدل سكن وتذاكر سفر سنوية.",
    "يتم توفير التأمين الطبي والتأشيرة ومكافأة نهاية الخدمة.",
    "الأفضلية لمن يستطيع الالتحاق فوراً.",
]
SENIORITY = [("Junior", 0, 2), ("", 2, 5), ("Senior", 5, 9), ("Lead", 8, 12)]
JOB_TYPES = ["full_time"] * 8 + ["part_time", "contract", "temporary", "internship"]
WORK_MODES = ["onsite"] * 6 + ["hybrid"] * 3 + ["remote"]


def _article(phrase: str) -> str:
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def _join(items: list[str], conj: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


@dataclass(frozen=True)
class Vocabulary:
    occupations: list[dict[str, Any]]
    glossary: dict[str, str]

    @classmethod
    def load(cls) -> Vocabulary:
        raw = json.loads(VOCAB.read_text(encoding="utf-8"))
        return cls(raw["occupations"], {g["en"]: g["ar"] for g in raw["skill_glossary"]})


@dataclass(frozen=True)
class JobBatch:
    """Columns of ``n`` jobs, in the order of ``COLUMNS`` (``embedding`` is an (n, DIM) array)."""

    rows: list[tuple[Any, ...]]
    embedding: np.ndarray
    occupation: np.ndarray
    city: list[str]


COLUMNS = (
    "id", "title", "company", "description", "requirements", "skills", "city", "country",
    "salary_min", "salary_max", "salary_currency", "salary_period", "job_type", "work_mode",
    "experience_min", "experience_max", "language", "status", "source", "source_id",
    "posted_at",
)  # fmt: skip
#: Postgres types of COLUMNS (+ the vector), for a binary COPY.
PG_TYPES = (
    "uuid", "varchar", "varchar", "text", "text[]", "varchar[]", "varchar", "varchar",
    "int4", "int4", "varchar", "varchar", "varchar", "varchar",
    "int4", "int4", "varchar", "varchar", "varchar", "varchar",
    "timestamptz",
)  # fmt: skip


class Corpus:
    """Deterministic synthetic jobs: ``batch(start, n)`` is always the same rows."""

    def __init__(self, seed: int = 0, *, today: datetime | None = None) -> None:
        self.seed = seed
        self.vocab = Vocabulary.load()
        self.today = today or datetime(2026, 11, 1, tzinfo=UTC)
        rng = np.random.default_rng([seed, 1])
        n_occ = len(self.vocab.occupations)
        sectors = sorted({o["sector"] for o in self.vocab.occupations})
        sector_of = np.array([sectors.index(o["sector"]) for o in self.vocab.occupations])
        common = self._unit(rng.standard_normal(DIM))
        sector_dirs = self._unit(rng.standard_normal((len(sectors), DIM)))
        own = self._unit(rng.standard_normal((n_occ, DIM)))
        # Not unit vectors: the parts of a post are summed with their weights, then normalised.
        self.centroids = (
            _W_GLOBAL * common + _W_SECTOR * sector_dirs[sector_of] + _W_OCC * own
        ).astype(np.float32)
        self.specialisations = self._unit(rng.standard_normal((n_occ, N_SPECIALISATIONS, DIM)))
        # Popular occupations are far more common (Zipf-like), as in real job boards.
        weights = 1.0 / np.arange(1, n_occ + 1) ** 0.8
        self.occupation_p = rng.permutation(weights / weights.sum())
        names = list(CITIES)
        shares = np.array([CITIES[c][1] for c in names])
        self.city_names = names
        self.city_p = shares / shares.sum()

    @staticmethod
    def _unit(x: np.ndarray) -> np.ndarray:
        out: np.ndarray = (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)
        return out

    def vectors(
        self, occupation: np.ndarray, specialisation: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        noise = self._unit(rng.standard_normal((len(occupation), DIM)))
        v = self.centroids[occupation] + _W_SPEC * self.specialisations[occupation, specialisation]
        return self._unit(v + _W_NOISE * noise)

    def query_vectors(self, n: int, seed: int = 99) -> tuple[np.ndarray, np.ndarray]:
        """``n`` query vectors shaped like a CV of some occupation, and those occupations."""
        rng = np.random.default_rng([self.seed, seed])
        occ = rng.choice(len(self.centroids), size=n, p=self.occupation_p)
        spec = rng.integers(0, N_SPECIALISATIONS, n)
        return self.vectors(occ, spec, rng), occ

    def batch(self, start: int, n: int) -> JobBatch:
        """Jobs ``start`` .. ``start + n - 1``."""
        # One generator per batch (per-row generators are too slow at 1M rows).
        rng = np.random.default_rng([self.seed, 2, start])
        occ = rng.choice(len(self.centroids), size=n, p=self.occupation_p)
        spec = rng.integers(0, N_SPECIALISATIONS, n)
        vectors = self.vectors(occ, spec, rng)
        city_idx = rng.choice(len(self.city_names), size=n, p=self.city_p)
        arabic = rng.random(n) < 0.15
        seniority = rng.integers(0, len(SENIORITY), n)
        posted_days = rng.integers(0, 180, n)
        closed = rng.random(n) < 0.1
        py = random.Random(f"{self.seed}-{start}")
        rows: list[tuple[Any, ...]] = []
        cities: list[str] = []
        for i in range(n):
            occupation = self.vocab.occupations[int(occ[i])]
            city = self.city_names[int(city_idx[i])]
            cities.append(city)
            country = CITIES[city][0]
            level, exp_lo, exp_hi = SENIORITY[int(seniority[i])]
            company = py.choice(COMPANIES)
            skills_all = occupation["skills"]
            picked = py.sample(skills_all, min(len(skills_all), py.randint(4, 8)))
            labels = [s["label"] for s in picked]
            lo, hi = occupation["salary_aed_month"]
            base = int(lo + (hi - lo) * (0.2 + 0.2 * int(seniority[i])) * py.uniform(0.8, 1.1))
            salary_min = base // 500 * 500
            salary_max = salary_min + py.choice([2000, 3000, 5000, 8000])
            if py.random() < 0.3:
                salary_min = salary_max = None  # type: ignore[assignment]
            if arabic[i]:
                title = occupation["title_ar"]
                skills = [self.vocab.glossary.get(s, s) for s in occupation["skills_ar"]] or labels
                duties = "، ".join(skills[:3])
                description = " ".join(
                    [
                        py.choice(AR_INTRO).format(company=company, title=title, city=city),
                        py.choice(AR_DUTIES).format(x=duties),
                        *py.sample(AR_EXTRAS, 2),
                    ]
                )
                requirements = [
                    f"خبرة لا تقل عن {exp_lo} سنوات في مجال مماثل",
                    "مهارات تواصل ممتازة باللغتين العربية والإنجليزية",
                ]
                language = "ar"
            else:
                name = py.choice([occupation["title_en"], *occupation["alt_titles_en"][:2]])
                title = f"{level} {name}".strip()
                by_type: dict[str, list[str]] = {"competence": [], "knowledge": [], "tool": []}
                for s in picked:
                    by_type.setdefault(s["type"], []).append(s["label"])
                sentences = [
                    py.choice(EN_INTRO).format(
                        company=company, title=title, a_title=_article(title), city=city
                    )
                ]
                if by_type["competence"]:
                    sentences.append(
                        py.choice(EN_DUTIES).format(x=_join(by_type["competence"][:3]))
                    )
                if by_type["tool"]:
                    sentences.append(py.choice(EN_TOOLS).format(x=_join(by_type["tool"][:3])))
                if by_type["knowledge"]:
                    sentences.append(
                        py.choice(EN_KNOWLEDGE).format(x=_join(by_type["knowledge"][:2]))
                    )
                sentences += py.sample(EN_EXTRAS, 2)
                description = " ".join(sentences)
                requirements = [
                    f"{exp_lo}+ years of experience as {_article(name)}"
                    if exp_lo
                    else "Fresh graduates are welcome to apply",
                    f"Bachelor's degree in {occupation['degree_en'] or 'a related field'}",
                    "Excellent written and spoken English; Arabic is an advantage",
                ]
                skills = labels
                language = "en"
            rows.append(
                (
                    uuid.UUID(int=(self.seed << 96) | (start + i) | (1 << 127)),
                    title[:300],
                    company,
                    description,
                    requirements,
                    [s[:200] for s in skills],
                    city,
                    country,
                    salary_min,
                    salary_max,
                    "AED" if salary_min is not None else None,
                    "month" if salary_min is not None else None,
                    py.choice(JOB_TYPES),
                    py.choice(WORK_MODES),
                    exp_lo,
                    exp_hi,
                    language,
                    "closed" if closed[i] else "open",
                    "bench",
                    f"bench-{start + i}",
                    self.today - timedelta(days=int(posted_days[i]), minutes=py.randint(0, 1439)),
                )
            )
        return JobBatch(rows=rows, embedding=vectors, occupation=occ, city=cities)

    def batches(self, n: int, batch_size: int = 5000) -> Iterator[JobBatch]:
        for start in range(0, n, batch_size):
            yield self.batch(start, min(batch_size, n - start))

    def cv_text(self, occupation: int, seed: int = 0, words: int = 450) -> str:
        """A CV-length English text for an occupation (a long OR query for the lexical index)."""
        py = random.Random(f"cv-{self.seed}-{occupation}-{seed}")
        occ = self.vocab.occupations[occupation]
        labels = [s["label"] for s in occ["skills"]]
        parts = [
            f"{occ['title_en']} with {py.randint(2, 12)} years of experience in the GCC.",
            "Profile: " + ", ".join(py.sample(labels, min(6, len(labels)))) + ".",
        ]
        fillers = [
            "Delivered projects on time and within budget for demanding clients.",
            "Worked closely with managers, colleagues and customers across departments.",
            "Trained and mentored new team members and improved processes.",
            "Prepared reports and presentations for senior management.",
            "Fluent in English with working knowledge of Arabic.",
        ]
        while sum(len(p.split()) for p in parts) < words:
            role = py.choice([occ["title_en"], *occ["alt_titles_en"]])
            company = py.choice(COMPANIES)
            parts.append(
                f"{role} at {company}, {py.choice(list(CITIES))}. "
                f"Responsible for {_join(py.sample(labels, min(3, len(labels))))}. "
                + py.choice(fillers)
            )
        return "\n".join(parts)


def machine() -> str:
    """One line naming the machine a figure was measured on (these machines are noisy)."""
    import os
    import platform

    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"machine: {model}, {os.cpu_count()} CPUs, load {load:.2f}, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )
