"""Ranking sets built from real text with labels this project did not produce.

- **Occupations as jobs**: each O*NET 29.2 occupation (title, description, its technology skills,
  hot ones first) and each ESCO v1.1.1 occupation (preferred label, description, its essential
  skills) becomes a job ad.
- **dotin CVs as queries**: the 310 CC0 CVs of ``resume-ner-dotin``, whose job titles were
  labelled by the dataset's annotators. A CV's relevant occupations are those one of whose
  titles (O*NET: title and alternate titles; ESCO: preferred and alternative labels) is exactly
  the CV's first labelled designation, after normalisation, else after dropping seniority words
  ("Senior", "Sr", "Lead", ...), else one part of it ("Java Developer/Senior Systems Engineer").
  Grade 2 for those occupations, 1 for others of the same group (O*NET minor group, first five
  characters of the code; ESCO: the 4-digit ISCO group), 0 for the rest. CVs whose title maps to
  no occupation are left out.
- **Titles masked**: the same CVs with every labelled designation removed from the text, so
  that nothing can match on the very words the relevance came from.

Only lexical rules on the annotators' titles decide relevance: no model of ours takes part.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingestion.evaluate import load_dotin, norm

SENIORITY = frozenset(
    [
        "senior",
        "sr",
        "junior",
        "jr",
        "associate",
        "lead",
        "principal",
        "chief",
        "head",
        "trainee",
        "intern",
        "assistant",
        "l1",
        "l2",
        "l3",
        "i",
        "ii",
        "iii",
        "staff",
    ]
)


@dataclass(frozen=True)
class RefJob:
    """An occupation written as a job ad."""

    key: str  # the occupation's code or URI
    group: str  # its group, for grade 1
    title: str
    description: str
    skills: tuple[str, ...]
    labels: tuple[str, ...]  # every title it is known by


@dataclass(frozen=True)
class RefQuery:
    """A CV and the grade of every job of its set (by index into the set's jobs)."""

    name: str
    text: str
    designations: tuple[str, ...]
    grades: tuple[int, ...]


def _csv_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def onet_jobs(data_dir: Path, max_skills: int = 15) -> list[RefJob]:
    """O*NET occupations as jobs: title, description, technology skills (hot first)."""
    folder = data_dir / "onet"
    labels: dict[str, list[str]] = defaultdict(list)
    for row in _csv_rows(folder / "alternate_titles.txt", "\t"):
        code = row["O*NET-SOC Code"]
        labels[code].append(row["Alternate Title"])
        if row["Short Title"] != "n/a":
            labels[code].append(row["Short Title"])
    hot: dict[str, list[str]] = defaultdict(list)
    other: dict[str, list[str]] = defaultdict(list)
    for row in _csv_rows(folder / "technology_skills.txt", "\t"):
        (hot if row["Hot Technology"] == "Y" else other)[row["O*NET-SOC Code"]].append(
            row["Example"]
        )
    return [
        RefJob(
            key=row["O*NET-SOC Code"],
            group=row["O*NET-SOC Code"][:5],
            title=row["Title"],
            description=row["Description"],
            skills=tuple((hot[row["O*NET-SOC Code"]] + other[row["O*NET-SOC Code"]])[:max_skills]),
            labels=(row["Title"], *labels[row["O*NET-SOC Code"]]),
        )
        for row in _csv_rows(folder / "occupation_data.txt", "\t")
    ]


def esco_jobs(data_dir: Path, max_skills: int = 15) -> list[RefJob]:
    """ESCO occupations as jobs: preferred label, description, essential skills."""
    folder = data_dir / "esco"
    skills = {r["conceptUri"]: r["preferredLabel"] for r in _csv_rows(folder / "skills_en.csv")}
    essential: dict[str, list[str]] = defaultdict(list)
    for row in _csv_rows(folder / "occupationSkillRelations.csv"):
        if row["relationType"] == "essential" and row["skillUri"] in skills:
            essential[row["occupationUri"]].append(skills[row["skillUri"]])
    return [
        RefJob(
            key=row["conceptUri"],
            group=row["iscoGroup"],
            title=row["preferredLabel"],
            description=row["description"],
            skills=tuple(essential[row["conceptUri"]][:max_skills]),
            labels=(
                row["preferredLabel"],
                *(x for x in (row["altLabels"] or "").split("\n") if x.strip()),
            ),
        )
        for row in _csv_rows(folder / "occupations_en.csv")
    ]


def _strip_seniority(title: str) -> str:
    return " ".join(w for w in title.split() if w not in SENIORITY)


def occupations_for(title: str, index: dict[str, set[int]]) -> set[int]:
    """The occupations (indexes) one of whose titles is ``title`` (module docstring rules)."""
    for text in (title, *re.split(r"[/,&|()-]| and ", title)):
        for candidate in (norm(text), _strip_seniority(norm(text))):
            if candidate and candidate in index:
                return index[candidate]
    return set()


def mask_titles(text: str, titles: Iterable[str]) -> str:
    """``text`` with every one of ``titles`` removed (case-insensitive), longest first."""
    for title in sorted({t.strip() for t in titles if t.strip()}, key=len, reverse=True):
        text = re.sub(re.escape(title), " ", text, flags=re.IGNORECASE)
    return text


def dotin_queries(data_dir: Path, jobs: Sequence[RefJob], *, masked: bool) -> list[RefQuery]:
    """The dotin CVs whose first designation maps to an occupation of ``jobs``, graded."""
    index: dict[str, set[int]] = defaultdict(set)
    for i, job in enumerate(jobs):
        for label in job.labels:
            index[norm(label)].add(i)
    out: list[RefQuery] = []
    for cv in load_dotin(data_dir):
        designations = tuple(cv.labels.get("Designation") or ())
        if not designations:
            continue
        relevant = occupations_for(designations[0], index)
        if not relevant:
            continue
        groups = {jobs[i].group for i in relevant}
        grades = tuple(
            2 if i in relevant else 1 if job.group in groups else 0 for i, job in enumerate(jobs)
        )
        text = mask_titles(cv.text, designations) if masked else cv.text
        out.append(RefQuery(cv.path.stem, text, designations, grades))
    return out
