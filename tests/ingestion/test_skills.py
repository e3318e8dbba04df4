"""Skill extraction from text and normalisation of single skill names."""

from __future__ import annotations

import pytest

from ingestion.skills import extract_skills, normalise_skill, skill_key

pytestmark = pytest.mark.unit


def labels(text: str, **kw: object) -> list[str]:
    return [m.label for m in extract_skills(text, **kw)]  # type: ignore[arg-type]


def surfaces(text: str) -> list[str]:
    return [m.surface for m in extract_skills(text)]


def test_punctuated_names_are_matched_whole() -> None:
    text = "Built services in C++, C#, .NET and Node.js with a CI/CD pipeline."
    assert surfaces(text) == ["C++", "C#", ".NET", "Node.js", "CI/CD"]
    assert labels("Wrote C++ daily") == ["C++"]  # not "C"


def test_match_offsets_point_at_the_text_as_written() -> None:
    text = "Skills: Python,  PostgreSQL and k8s"
    for m in extract_skills(text):
        assert text[m.start : m.end] == m.surface
        assert 0 < m.confidence <= 1


def test_no_match_inside_other_words() -> None:
    assert "Java (computer programming)" not in labels("Fluent in Javanese and Javascript.")
    assert labels("A JavaScript-heavy app") == ["JavaScript"]
    assert labels("reactive programming") == []  # "react" inside a word


def test_short_ambiguous_names_need_a_skills_context() -> None:
    prose = "I will go to the office. R&D budget was C-level. Dr. R. Kumar signed it."
    assert labels(prose) == []
    listed = "Languages: Java, C, C++, R, Go"
    assert labels(listed) == [
        "Java (computer programming)",
        "C",
        "C++",
        "R",
        "Go",
    ]
    bullet = "• Go\n• Kubernetes"
    assert labels(bullet) == ["Go", "Kubernetes"]


def test_short_name_next_to_another_skill_is_a_list() -> None:
    assert labels("Experience with R and Python for analysis.") == [
        "R",
        "Python (computer programming)",
    ]


def test_caller_marked_context_accepts_short_names() -> None:
    text = "SKILLS\nC and assembly for microcontrollers"
    assert "C" not in labels(text)
    assert "C" in labels(text, context_spans=[(7, len(text))])


def test_two_letter_acronyms_need_their_capitals_outside_lists() -> None:
    assert labels("Applied ML to churn") == ["machine learning"]
    assert labels("Added 5 ml of reagent to the sample") == []
    assert labels("Frontend in JS and CSS") == ["JavaScript", "CSS"]


def test_product_names_that_are_english_words_need_their_capital() -> None:
    assert "Spring Framework" in labels("Backend on Spring and Hibernate")
    assert "Spring Framework" not in labels("Joined in spring 2019 as an intern")
    assert labels("San Francisco office") == []  # "SAN" the storage network needs capitals


def test_nothing_is_read_inside_emails_or_urls() -> None:
    assert labels("Mail python.dev@example.com or see https://github.com/java") == []


def test_arabic_text_is_normalised_before_lookup() -> None:
    text = "المهارات: ادارة المشاريع، خدمه العملاء، بايثون"
    found = extract_skills(text, lang="ar")
    assert [m.label for m in found] == ["project management", "customer service",
                                        "Python (computer programming)"]  # fmt: skip
    for m in found:
        assert text[m.start : m.end] == m.surface
    diacritics = "خبرة في المحاسَبة"
    (m,) = extract_skills(diacritics)
    assert m.label == "accounting"
    assert m.surface == "المحاسَبة"


def test_longest_match_wins() -> None:
    assert labels("Spring Boot microservices") == ["Spring Boot", "Microservices Architecture"]
    assert labels("machine learning engineer") == ["machine learning"]


@pytest.mark.parametrize(
    ("name", "label", "method"),
    [
        ("JavaScript", "JavaScript", "exact"),
        ("JS", "JavaScript", "alias"),
        ("Python programming", "Python (computer programming)", "exact"),
        ("Javascrpt", "JavaScript", "fuzzy"),
        ("Kubernets", "Kubernetes", "fuzzy"),
        ("إدارة المشاريع", "project management", "alias"),
    ],
)
def test_normalise_skill(name: str, label: str, method: str) -> None:
    ref = normalise_skill(name)
    assert ref is not None
    assert (ref.label, ref.method) == (label, method)
    assert 0 < ref.confidence <= 1


@pytest.mark.parametrize("name", ["", "   ", "qwertyuiop", "x" * 500, "R&D"])
def test_unknown_or_junk_names_are_none(name: str) -> None:
    assert normalise_skill(name) is None


def test_fuzzy_matching_is_strict_for_short_names() -> None:
    assert normalise_skill("Jav") is None
    assert normalise_skill("Pyhton") is None  # ratio below the threshold: no guess


def test_skill_key_tokenises_punctuation() -> None:
    assert skill_key("C++") == ("c", "+", "+")
    assert skill_key("Node.js") == ("node", ".", "js")
    assert skill_key("e-commerce") == ("e", "commerce")
    assert skill_key("الإدارة") == ("اداره",)


def test_empty_and_odd_text() -> None:
    assert extract_skills("") == []
    assert extract_skills("\x00\n\t   ") == []
    assert extract_skills("!!!!" * 1000) == []
