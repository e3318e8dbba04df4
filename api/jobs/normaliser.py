"""The skill normaliser job writes and feed syncs use.

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


def skill_normaliser() -> SkillNormaliser:
    """The normaliser used by API job writes and ``/api/mobile/sync-jobs``."""
    return ExplicitSkillsOnly()
