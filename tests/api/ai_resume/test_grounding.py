"""The AI builder's grounding checks: what a rewrite may claim, judged against the source."""

from __future__ import annotations

import pytest

from api.ai_resume.grounding import Source, supported_skill, unsupported_claims
from ingestion.cv_parser import parse_cv

pytestmark = pytest.mark.unit

SOURCE_TEXT = """Amal Haddad
Senior Data Analyst | Dubai, UAE
Email: amal.haddad@example.com

EXPERIENCE
Senior Data Analyst — Falcon Analytics LLC
Jan 2020 – Present
- Built dashboards in Power BI for 12 regional managers
- Automated weekly reporting with Python and SQL

EDUCATION
Bachelor of Science in Statistics — American University of Sharjah, 2014

SKILLS
SQL, Python, Power BI
"""


@pytest.fixture(scope="module")
def source() -> Source:
    return Source(SOURCE_TEXT, parse_cv(SOURCE_TEXT))


def test_a_faithful_rewording_passes(source: Source) -> None:
    text = (
        "Senior Data Analyst at Falcon Analytics LLC since 2020: builds Power BI dashboards "
        "for 12 regional managers and automates weekly reporting in Python and SQL. "
        "Holds a Bachelor of Science in Statistics."
    )
    assert unsupported_claims(text, source) == []


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("Analyst at Falcon Analytics LLC since 2017.", "the year 2017"),
        ("Cut reporting time by 40% for the team.", "the number 40"),
        ("Previously a consultant at Deloitte Middle East Group.", "organisation"),
        ("Holds an MBA and a Bachelor of Science.", "qualification 'MBA'"),
        ("Expert in Kubernetes and Power BI.", "skill 'Kubernetes'"),
        ("Reach me at amal@other.example.org.", "contact amal@other.example.org"),
        ("شغلت منصب محللة في شركة أرامكو السعودية", "organisation 'شركة أرامكو"),
    ],
)
def test_an_invented_claim_is_named(source: Source, text: str, claim: str) -> None:
    problems = unsupported_claims(text, source)
    assert any(claim in p for p in problems), problems


def test_skills_must_come_from_the_source(source: Source) -> None:
    assert supported_skill("power bi", source)  # case and spacing do not matter
    assert supported_skill("SQL", source)
    assert not supported_skill("Kubernetes", source)
    assert not supported_skill("Project Management", source)
