"""Candidate onboarding and profile: the candidate's own facts, changed only by them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts import repository
from api.accounts.schemas import PersonalInfoIn, ProfessionalInfoIn, ProfileUpdateIn
from models import Candidate, User
from models.enums import OnboardingState

_PERSONAL = ("phone", "city", "country", "nationality", "gender", "date_of_birth")
_PROFESSIONAL = (
    "desired_positions",
    "desired_locations",
    "years_experience",
    "salary_expectation",
    "salary_currency",
)


async def candidate_of(session: AsyncSession, user: User) -> Candidate:
    """The candidate row of this user (created on first use: older accounts may lack one)."""
    candidate = await repository.get_candidate(session, user.id)
    if candidate is None:
        candidate = Candidate(user_id=user.id)
        session.add(candidate)
        await session.flush()
    return candidate


def _apply(target: object, data: object, fields: tuple[str, ...], given: set[str]) -> None:
    for name in fields:
        if name in given:
            value = getattr(data, name)
            if name in ("desired_positions", "desired_locations") and value is None:
                value = []
            setattr(target, name, value)


def next_onboarding_state(current: OnboardingState, step: OnboardingState) -> OnboardingState:
    """The state after finishing ``step``; both steps done, in either order, is COMPLETED."""
    if current == OnboardingState.COMPLETED:
        return current
    done = {current, step} - {OnboardingState.NOT_STARTED}
    if done == {OnboardingState.PERSONAL_INFO, OnboardingState.PROFESSIONAL_INFO}:
        return OnboardingState.COMPLETED
    return step


async def save_personal_info(session: AsyncSession, user: User, data: PersonalInfoIn) -> Candidate:
    candidate = await candidate_of(session, user)
    given = data.model_fields_set
    if "name" in given:
        user.name = (data.name or "").strip() or None
    _apply(candidate, data, _PERSONAL, given)
    candidate.onboarding_state = next_onboarding_state(
        candidate.onboarding_state, OnboardingState.PERSONAL_INFO
    )
    await session.flush()
    return candidate


async def save_professional_info(
    session: AsyncSession, user: User, data: ProfessionalInfoIn
) -> Candidate:
    candidate = await candidate_of(session, user)
    _apply(candidate, data, _PROFESSIONAL, data.model_fields_set)
    candidate.onboarding_state = next_onboarding_state(
        candidate.onboarding_state, OnboardingState.PROFESSIONAL_INFO
    )
    await session.flush()
    return candidate


async def update_profile(session: AsyncSession, user: User, data: ProfileUpdateIn) -> Candidate:
    """Change any of the onboarding fields; the onboarding state is left as it is."""
    candidate = await candidate_of(session, user)
    given = data.model_fields_set
    if "name" in given:
        user.name = (data.name or "").strip() or None
    _apply(candidate, data, _PERSONAL + _PROFESSIONAL, given)
    await session.flush()
    return candidate
