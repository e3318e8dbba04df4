"""The shipped skills taxonomy: ids, aliases, Arabic labels, rarity weights, attribution."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ingestion.skills import normalise_skill
from ingestion.taxonomy import DATA_FILE, TaxonomyError, get_taxonomy, load_taxonomy

pytestmark = pytest.mark.unit


def _id(name: str) -> str:
    ref = normalise_skill(name)
    assert ref is not None, name
    return ref.skill_id


def test_spellings_and_abbreviations_of_javascript_share_one_id() -> None:
    ids = {_id(n) for n in ("JavaScript", "JS", "javascript", "Java Script")}
    assert len(ids) == 1
    assert get_taxonomy().skills[ids.pop()].label == "JavaScript"


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("TS", "TypeScript"),
        ("ReactJS", "React"),
        ("React.js", "React"),
        ("NodeJS", "Node.js"),
        ("k8s", "Kubernetes"),
        ("Postgres", "PostgreSQL"),
        ("ML", "machine learning"),
        ("MS Excel", "Excel"),
        ("Amazon Web Services", "AWS"),
        ("C sharp", "C#"),
        ("Power BI", "Microsoft Power BI"),
    ],
)
def test_curated_aliases_resolve_to_the_canonical_skill(alias: str, canonical: str) -> None:
    assert _id(alias) == _id(canonical)


@pytest.mark.parametrize(
    ("arabic", "english"),
    [
        ("إدارة المشاريع", "project management"),
        ("خدمة العملاء", "customer service"),
        ("المحاسبة", "accounting"),
        ("اللغة الإنجليزية", "English"),
        ("القيادة", "leadership"),
        ("التسويق الرقمي", "digital marketing"),
        ("بايثون", "Python"),
        ("جافا سكريبت", "JavaScript"),
    ],
)
def test_arabic_label_has_the_id_of_the_english_one(arabic: str, english: str) -> None:
    assert _id(arabic) == _id(english)


def test_arabic_spelling_variants_are_normalised() -> None:
    # Bare alef for hamza-on-alef, ha for ta marbuta, a tatweel and a diacritic.
    assert _id("ادارة المشاريع") == _id("إدارة المشاريع")
    assert _id("اللغه الانجليزيه") == _id("اللغة الإنجليزية")
    assert _id("بايـثون") == _id("Python")
    assert _id("المحاسَبة") == _id("accounting")


def test_generic_skills_weigh_less_than_rare_ones() -> None:
    tax = get_taxonomy()
    communication = tax.skills[_id("communication")]
    kubernetes = tax.skills[_id("Kubernetes")]
    excel = tax.skills[_id("Excel")]
    assert 0.0 <= communication.weight < kubernetes.weight <= 1.0
    assert excel.weight < kubernetes.weight  # listed for most O*NET occupations


def test_ids_are_esco_uuids_or_onet_slugs_and_kinds_are_known() -> None:
    tax = get_taxonomy()
    assert len(tax) > 20_000
    kinds = {"tool", "knowledge", "skill", "language", "transversal"}
    for entry in tax:
        assert entry.id.startswith(("esco:", "onet:")), entry.id
        assert entry.kind in kinds
        assert 0.0 <= entry.weight <= 1.0
    assert tax.by_label("English") is not None
    assert tax.by_label("English").kind == "language"
    assert tax.skills[_id("Kubernetes")].kind == "tool"


def test_onet_tool_named_like_an_esco_skill_is_merged_into_it() -> None:
    python = get_taxonomy().skills[_id("Python")]
    assert python.id.startswith("esco:")
    assert set(python.sources) == {"esco", "onet"}
    assert python.hot  # O*NET's Hot Technology flag travels with the merge


def test_attribution_lines_ship_inside_the_data_file() -> None:
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as fh:
        doc = json.load(fh)
    assert "European Union" in doc["attribution"]["esco"]
    assert "CC BY 4.0" in doc["attribution"]["onet"]
    assert get_taxonomy().attribution == doc["attribution"]
    assert DATA_FILE.stat().st_size < 5_000_000


def test_missing_or_foreign_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="not found"):
        load_taxonomy(tmp_path / "nope.json.gz")
    bad = tmp_path / "bad.json.gz"
    with gzip.open(bad, "wt", encoding="utf-8") as fh:
        json.dump({"format": 999}, fh)
    with pytest.raises(TaxonomyError, match="format"):
        load_taxonomy(bad)
    junk = tmp_path / "junk.json.gz"
    junk.write_bytes(b"not gzip")
    with pytest.raises(TaxonomyError, match="unreadable"):
        load_taxonomy(junk)
