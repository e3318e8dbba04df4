"""The skill normalisers of job writes: the taxonomy one (the CLI's feed ingest) and the interim
one API writes and feed syncs still use.

Interim: the skill taxonomy is being built in ``ingestion``; until it lands this keeps explicit
skill names exactly as written and finds none in free text (``ingestion.jobs`` then stores
explicit names unchanged). Swap ``skill_normaliser`` for the taxonomy's normaliser in one place.
"""

from __future__ import annotations

from ingestion.jobs import SkillNormaliser


class ExplicitSkillsOnly:
    """A ``SkillNormaliser`` that knows no taxonomy: it never invents a skill from free text."""

    def extract(self, text: str) -> list[str]:
        return []


class TaxonomySkills:
    """ingestion.skills behind the job pipeline's SkillNormaliser protocol. Jobs store the
    taxonomy's canonical labels: readable in listings, and matching resolves them to ids."""

    def extract(self, text: str) -> list[str]:
        from ingestion.skills import extract_skills, normalise_skill

        if len(text) <= 60 and "\n" not in text:  # one skill name: typo-tolerant lookup first
            ref = normalise_skill(text)
            if ref is not None:
                return [ref.label]
        return list(dict.fromkeys(m.label for m in extract_skills(text)))


def skill_normaliser() -> SkillNormaliser:
    """The normaliser used by API job writes and ``/api/mobile/sync-jobs``."""
    return ExplicitSkillsOnly()
