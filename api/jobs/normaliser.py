"""The skill normaliser of job writes: every path (REST, feed syncs, the CLI's feed ingest)
resolves skills through the taxonomy the same way, so matching sees the same skills for a job
however it arrived.

``ExplicitSkillsOnly`` keeps names exactly as written and finds none in free text; it is kept
for tests of the pipeline's shape only.
"""

from __future__ import annotations

from ingestion.jobs import SkillNormaliser


class ExplicitSkillsOnly:
    """A ``SkillNormaliser`` that knows no taxonomy: it never invents a skill from free text."""

    def extract(self, text: str) -> list[str]:
        return []


class TaxonomySkills:
    """ingestion.skills behind the job pipeline's SkillNormaliser protocol. A skill named on its
    own is kept as written when the taxonomy knows it; skills found in running text are stored
    as the taxonomy's labels. Matching resolves both to the same ids."""

    def extract(self, text: str) -> list[str]:
        from ingestion.skills import extract_skills, normalise_skill

        if len(text) <= 60 and "\n" not in text:  # one skill name: typo-tolerant lookup first
            ref = normalise_skill(text)
            if ref is not None:
                # Kept as written ("Python", not "Python (computer programming)"): listings
                # show the recruiter's words, and matching resolves both to the same id.
                return [" ".join(text.split())]
        return list(dict.fromkeys(m.label for m in extract_skills(text)))


def skill_normaliser() -> SkillNormaliser:
    """The normaliser of every job write: API writes, ``/api/mobile/sync-jobs`` and feeds."""
    return TaxonomySkills()
